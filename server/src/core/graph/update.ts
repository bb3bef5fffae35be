// Updating a graph in place when one file's `down_revision` / `depends_on` change: the edited node's
// edges, its old and new neighbours' flags, the head and base lists, its unknown references and (when
// the project uses branch labels) the label propagation. What this cannot do exactly (a changed id or
// label, a duplicated id, a cycle before or after) it declines, and the caller rebuilds the graph.
// test/unit/graph-update.test.ts checks the result against a full rebuild after random edits.
import { EMPTY, linkDown, names, propagateBranchLabels, setFlags } from './build';
import type { RefAt, RevisionFile, RevisionGraph, RevisionNode, UnknownReference } from './types';

/**
 * The graph after `oldFile` was re-read as `newFile` (same path), when only its edges changed; undefined
 * when a rebuild is needed. Like replaceFileFacts, the result shares and updates the given graph's maps
 * and nodes: the given graph must not be used after.
 */
export function updateFileEdges(graph: RevisionGraph, oldFile: RevisionFile, newFile: RevisionFile): RevisionGraph | undefined {
  if (oldFile.path !== newFile.path || oldFile.revision !== newFile.revision || graph.cycles.length > 0) return undefined;
  if (!sameValues(oldFile.branchLabels, newFile.branchLabels)) return undefined;
  const fileIndex = graph.files.indexOf(oldFile);
  if (fileIndex < 0) return undefined;
  const id = newFile.revision;
  if (id === undefined) {
    // Not a revision (no usable id): its edges never entered the graph.
    graph.files[fileIndex] = newFile;
    graph.filesByPath.set(newFile.path, newFile);
    return { ...graph };
  }
  const nodes = graph.nodes;
  const node = nodes.get(id);
  if (!node || node.file !== oldFile || graph.duplicates.has(id)) return undefined;
  if (names(newFile.downRevisions, id) || names(newFile.dependsOn, id)) return undefined;

  const oldParents = node.parents;
  const oldDeps = node.dependencies;
  node.file = newFile;
  node.parents = [];
  node.dependencies = EMPTY;
  const unknown: UnknownReference[] = [];
  linkDown(nodes, graph.labels, node, unknown);
  if (createsCycle(nodes, node)) {
    // Put the node back as it was: the caller rebuilds from the files, which records the cycle.
    node.file = oldFile;
    node.parents = oldParents;
    node.dependencies = oldDeps;
    return undefined;
  }
  graph.files[fileIndex] = newFile;
  graph.filesByPath.set(newFile.path, newFile);

  const touched = new Set<RevisionNode>([node]);
  // Old edges out, new edges in (children and dependents stay in load order).
  for (const p of oldParents) {
    const parent = nodes.get(p);
    if (parent) { remove(parent, 'children', id); touched.add(parent); }
  }
  for (const d of oldDeps) {
    const target = nodes.get(d);
    if (target && !oldParents.includes(d)) { remove(target, 'dependents', id); touched.add(target); }
  }
  for (const p of node.parents) {
    const parent = nodes.get(p);
    if (parent) { insert(nodes, parent, 'children', node); touched.add(parent); }
  }
  for (const d of node.dependencies) {
    const target = nodes.get(d);
    if (target && !node.parents.includes(d)) { insert(nodes, target, 'dependents', node); touched.add(target); }
  }
  for (const n of touched) setFlags(n);

  const heads: string[] = [];
  const realHeads: string[] = [];
  const bases: string[] = [];
  const realBases: string[] = [];
  for (const n of nodes.values()) {
    if (n.isHead) heads.push(n.revision);
    if (n.isRealHead) realHeads.push(n.revision);
    if (n.isBase) bases.push(n.revision);
    if (n.isRealBase) realBases.push(n.revision);
  }

  // The node's unknown references, where a rebuild would list them (load order of their revision).
  const unknownReferences = graph.unknownReferences.filter((u) => u.path !== newFile.path);
  let at = 0;
  while (at < unknownReferences.length && (nodes.get(unknownReferences[at]?.revision ?? '')?.index ?? -1) < node.index) at++;
  unknownReferences.splice(at, 0, ...unknown);
  for (const c of graph.labelConflicts) if (c.path === newFile.path) c.label = swapRef(oldFile, newFile, c.label);

  if (graph.labels.size > 0) {
    for (const n of nodes.values()) n.branchLabels = EMPTY;
    propagateBranchLabels(nodes);
  }
  return { ...graph, heads, realHeads, bases, realBases, unknownReferences };
}

function sameValues(a: readonly RefAt[], b: readonly RefAt[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]?.value !== b[i]?.value) return false;
  return true;
}

function swapRef(oldFile: RevisionFile, newFile: RevisionFile, ref: RefAt): RefAt {
  const i = oldFile.branchLabels.indexOf(ref);
  return i >= 0 ? newFile.branchLabels[i] ?? ref : ref;
}

/** Whether one of the node's (new) parents or dependencies is the node itself or lies above it. */
function createsCycle(nodes: ReadonlyMap<string, RevisionNode>, node: RevisionNode): boolean {
  const targets = new Set<string>([...node.parents, ...node.dependencies]);
  if (targets.size === 0) return false;
  // A depends_on naming the revision's own branch label.
  if (targets.has(node.revision)) return true;
  const seen = new Set<RevisionNode>([node]);
  const stack: RevisionNode[] = [node];
  for (let n = stack.pop(); n; n = stack.pop()) {
    for (const list of [n.children, n.dependents]) {
      for (const c of list) {
        if (targets.has(c)) return true;
        const x = nodes.get(c);
        if (x && !seen.has(x)) {
          seen.add(x);
          stack.push(x);
        }
      }
    }
  }
  return false;
}

// Lists are replaced, never changed in place: results handed out earlier (protocol nodes, views) share
// them.
function remove(n: RevisionNode, key: 'children' | 'dependents', id: string): void {
  const list = n[key];
  if (!list.includes(id)) return;
  const rest = list.filter((x) => x !== id);
  n[key] = rest.length === 0 && key === 'dependents' ? EMPTY : rest;
}

/** Adds `child` to `n[key]` at its load-order place (a rebuild adds them iterating in load order). */
function insert(nodes: ReadonlyMap<string, RevisionNode>, n: RevisionNode, key: 'children' | 'dependents', child: RevisionNode): void {
  const list = n[key];
  if (list.includes(child.revision)) return;
  let at = list.length;
  while (at > 0 && (nodes.get(list[at - 1] ?? '')?.index ?? -1) > child.index) at--;
  n[key] = [...list.slice(0, at), child.revision, ...list.slice(at)];
}
