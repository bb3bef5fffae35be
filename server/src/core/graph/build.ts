// buildRevisionGraph: Alembic's RevisionMap._revision_map, step for step, except that where Alembic
// stops at the first problem (a cycle, a missing parent, a reused branch name) this records the problem
// and goes on, so that the editor still has a graph to show and every problem gets reported.
// Cheap enough to redo on every edit: linear in revisions and edges, plus one descendant walk per
// revision that declares branch labels.
import path from 'node:path';
import type { Migration, Range, RevisionAssignment } from '../types';
import type {
  BranchLabelConflict, RefAt, RevisionCycle, RevisionFile, RevisionGraph, RevisionNode, UnknownReference,
} from './types';

export interface RevisionSource {
  /** Absolute path of the migration file. */
  path: string;
  migration: Migration;
}

const ZERO_RANGE: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
/** Alembic's legacy rule: a file without `revision` takes its id from an all-hex file name. */
const LEGACY_REV_RE = /^([a-f0-9]+)\.py$/;

/** What Alembic reads from one file's revision variables. */
export function readRevisionFile(source: RevisionSource): RevisionFile {
  const m = source.migration;
  const file: RevisionFile = {
    path: source.path,
    migration: m,
    revisionRange: ZERO_RANGE,
    downRevisions: NO_REFS,
    dependsOn: NO_REFS,
    branchLabels: NO_REFS,
    downRevisionUnknown: false,
    dependsOnUnknown: false,
    hasNoDependencies: true,
  };
  const rev = m.revision?.value;
  if (rev) {
    file.revisionRange = rev.range;
    if (rev.kind === 'string') file.revision = rev.value;
  } else {
    const legacy = LEGACY_REV_RE.exec(path.basename(source.path));
    if (legacy?.[1]) file.revision = legacy[1];
  }
  const down = m.downRevision?.value;
  if (down?.kind === 'unresolved') file.downRevisionUnknown = true;
  // `tuple_rev_as_scalar`: an empty string or tuple is None, so the revision is a base.
  else if (down?.kind === 'string' && down.value !== '') file.downRevisions = [{ value: down.value, range: down.range }];
  // The parsed items already are what a RefAt holds (both lists are read-only): shared, not copied.
  else if (down?.kind === 'sequence') file.downRevisions = down.items;

  const deps = m.dependsOn?.value;
  if (deps?.kind === 'unresolved') {
    file.dependsOnUnknown = true;
    file.hasNoDependencies = false;
  } else if (deps?.kind === 'string') {
    // `depends_on = ""` is a dependency on nothing, but not None: the revision is no "real" base.
    file.hasNoDependencies = false;
    if (deps.value !== '') file.dependsOn = [{ value: deps.value, range: deps.range }];
  } else if (deps?.kind === 'sequence' && deps.items.length > 0) {
    file.hasNoDependencies = false;
    file.dependsOn = deps.items;
  }
  file.branchLabels = refs(m.branchLabels);
  return file;
}

function refs(a: RevisionAssignment | undefined): RefAt[] {
  const v = a?.value;
  if (v?.kind === 'string') return [{ value: v.value, range: v.range }];
  if (v?.kind === 'sequence') return v.items;
  return NO_REFS;
}

/** Most files have no depends_on and no branch labels: one shared frozen empty list. */
const NO_REFS = Object.freeze([]) as unknown as RefAt[];

/** Builds the graph from migration files given in Alembic's load order. */
export function buildRevisionGraph(sources: Iterable<RevisionSource | RevisionFile>): RevisionGraph {
  const files: RevisionFile[] = [];
  for (const s of sources) files.push('downRevisions' in s ? s : readRevisionFile(s));
  const nodes = new Map<string, RevisionNode>();
  const duplicates = new Map<string, RevisionFile[]>();
  const cycles: RevisionCycle[] = [];
  for (const file of files) {
    const id = file.revision;
    if (id === undefined) continue;
    const earlier = nodes.get(id);
    if (earlier) {
      const list = duplicates.get(id);
      if (list) list.push(file);
      else duplicates.set(id, [earlier.file, file]);
    }
    // A duplicated id: the later file replaces the earlier one but keeps its place (OrderedDict).
    nodes.set(id, newNode(id, file, earlier ? earlier.index : nodes.size));
    if (names(file.downRevisions, id)) cycles.push({ kind: 'Self-loop', revisions: [id] });
    else if (names(file.dependsOn, id)) cycles.push({ kind: 'Dependency self-loop', revisions: [id] });
  }

  // Branch labels share the namespace of revision ids (`map_[branch_label] = revision`).
  const labels = new Map<string, string>();
  const labelConflicts: BranchLabelConflict[] = [];
  for (const node of nodes.values()) {
    for (const label of node.file.branchLabels) {
      const owner = nodes.has(label.value) ? label.value : labels.get(label.value);
      if (owner !== undefined) {
        labelConflicts.push({
          label, path: node.path, revision: node.revision, usedBy: owner, usedByPath: nodes.get(owner)?.path ?? node.path,
        });
        continue;
      }
      labels.set(label.value, node.revision);
    }
  }

  const unknownReferences: UnknownReference[] = [];
  for (const node of nodes.values()) linkDown(nodes, labels, node, unknownReferences);
  // Edges, in load order of the child (Alembic iterates the map in insertion order).
  for (const node of nodes.values()) {
    for (const p of node.parents) {
      const parent = nodes.get(p);
      if (parent && !parent.children.includes(node.revision)) parent.children.push(node.revision);
    }
    for (const d of node.dependencies) {
      const target = nodes.get(d);
      if (target && !node.parents.includes(d)) append(target, 'dependents', node.revision);
    }
  }
  const heads: string[] = [];
  const realHeads: string[] = [];
  const bases: string[] = [];
  const realBases: string[] = [];
  for (const node of nodes.values()) {
    // Lists grown by push keep room for 16: trimmed, as the graph lives as long as the project.
    if (node.parents.length > 0) node.parents = node.parents.slice();
    if (node.children.length > 0) node.children = node.children.slice();
    setFlags(node);
    if (node.isHead) heads.push(node.revision);
    if (node.isRealHead) realHeads.push(node.revision);
    if (node.isBase) bases.push(node.revision);
    if (node.isRealBase) realBases.push(node.revision);
  }
  cycles.push(...findCycles(nodes));
  propagateBranchLabels(nodes);
  return {
    nodes, files, filesByPath: new Map(files.map((f) => [f.path, f])), duplicates,
    heads, realHeads, bases, realBases, labels, unknownReferences, labelConflicts, cycles,
  };
}

/**
 * A revision's `dependencies` (depends_on resolved through labels) and `parents` (known down
 * revisions), in written order; what names nothing goes to `unknown`. Self references are left to the
 * cycle check.
 */
export function linkDown(nodes: ReadonlyMap<string, RevisionNode>, labels: ReadonlyMap<string, string>, node: RevisionNode, unknown: UnknownReference[]): void {
  for (const d of node.file.dependsOn) {
    if (d.value === node.revision) continue;
    const target = nodes.has(d.value) ? d.value : labels.get(d.value);
    if (target === undefined) unknown.push(unknownReference(nodes, labels, node, 'depends_on', d));
    else append(node, 'dependencies', target);
  }
  for (const d of node.file.downRevisions) {
    if (d.value === node.revision) continue;
    if (nodes.has(d.value)) {
      if (!node.parents.includes(d.value)) node.parents.push(d.value);
    }
    else unknown.push(unknownReference(nodes, labels, node, 'down_revision', d));
  }
}

function unknownReference(
  nodes: ReadonlyMap<string, RevisionNode>, labels: ReadonlyMap<string, string>, node: RevisionNode, variable: UnknownReference['variable'], ref: RefAt,
): UnknownReference {
  const u: UnknownReference = { path: node.path, revision: node.revision, variable, ref, prefixOf: [] };
  const labelOf = labels.get(ref.value);
  if (labelOf !== undefined) u.labelOf = labelOf;
  if (ref.value.length > 0) {
    for (const id of nodes.keys()) if (id.startsWith(ref.value)) u.prefixOf.push(id);
  }
  return u;
}

/** The flags that follow from a node's file, children and dependents. */
export function setFlags(node: RevisionNode): void {
  const f = node.file;
  node.isHead = node.children.length === 0;
  node.isRealHead = node.isHead && node.dependents.length === 0;
  // A `down_revision` that cannot be read is not None: such a revision is no base.
  node.isBase = f.downRevisions.length === 0 && !f.downRevisionUnknown;
  node.isRealBase = node.isBase && f.hasNoDependencies;
  node.isMergePoint = f.downRevisions.length > 1;
  node.isBranchPoint = node.children.length > 1;
  node.isRealBranchPoint = node.children.length + node.dependents.length > 1;
}

export function names(refs: RefAt[], id: string): boolean {
  for (const r of refs) if (r.value === id) return true;
  return false;
}

// Most revisions have no dependencies, dependents or labels: they share one frozen empty list (a stray
// push throws instead of corrupting every node), replaced by a real array on first write.
export const EMPTY = Object.freeze([]) as unknown as string[];

function append(node: RevisionNode, key: 'dependencies' | 'dependents', value: string): void {
  if (node[key] === EMPTY) node[key] = [value];
  else if (!node[key].includes(value)) node[key].push(value);
}

function newNode(revision: string, file: RevisionFile, index: number): RevisionNode {
  return {
    revision, file, path: file.path, index, parents: [], dependencies: EMPTY, children: [], dependents: EMPTY,
    ownBranchLabels: file.branchLabels.length === 0 ? EMPTY : [...new Set(file.branchLabels.map((l) => l.value))], branchLabels: EMPTY,
    isHead: true, isRealHead: true, isBase: false, isRealBase: false, isMergePoint: false,
    isBranchPoint: false, isRealBranchPoint: false,
  };
}

/**
 * Strongly connected components with more than one member: first over `down_revision` edges
 * (Alembic's "Cycle is detected"), then over `down_revision` + `depends_on` edges for cycles that only
 * dependencies close ("Dependency cycle is detected"). Iterative Tarjan, so deep histories do not
 * overflow the stack.
 */
function findCycles(nodes: Map<string, RevisionNode>): RevisionCycle[] {
  const out: RevisionCycle[] = [];
  if (!hasCycle(nodes)) return out;
  const versioned = scc(nodes, (n) => n.parents);
  for (const c of versioned) out.push({ kind: 'Cycle', revisions: c.sort() });
  const inVersioned = new Set(versioned.flat());
  for (const c of scc(nodes, (n) => [...n.parents, ...n.dependencies])) {
    if (c.every((r) => inVersioned.has(r))) continue;
    out.push({ kind: 'Dependency cycle', revisions: c.sort() });
  }
  return out;
}

/** Kahn's peel over parent + dependency edges: linear and allocation-light, the common answer is "no". */
function hasCycle(nodes: Map<string, RevisionNode>): boolean {
  // Kahn's peel: count, for each revision, the revisions naming it (down_revision or depends_on);
  // repeatedly remove revisions nobody names. Whatever remains sits on or below a cycle.
  const pending = new Int32Array(nodes.size);
  const byIndex: RevisionNode[] = new Array<RevisionNode>(nodes.size);
  for (const n of nodes.values()) {
    byIndex[n.index] = n;
    for (const p of n.parents) bump(nodes.get(p), 1);
    for (const d of n.dependencies) if (!n.parents.includes(d)) bump(nodes.get(d), 1);
  }
  const queue: RevisionNode[] = [];
  for (const n of byIndex) if (n && pending[n.index] === 0) queue.push(n);
  function bump(t: RevisionNode | undefined, by: number): void {
    if (!t) return;
    const left = (pending[t.index] ?? 0) + by;
    pending[t.index] = left;
    if (by < 0 && left === 0) queue.push(t);
  }
  let removed = 0;
  for (let n = queue.pop(); n; n = queue.pop()) {
    removed++;
    for (const p of n.parents) bump(nodes.get(p), -1);
    for (const d of n.dependencies) if (!n.parents.includes(d)) bump(nodes.get(d), -1);
  }
  return removed < nodes.size;
}

function scc(nodes: Map<string, RevisionNode>, edges: (n: RevisionNode) => string[]): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const result: string[][] = [];
  let counter = 0;
  for (const start of nodes.keys()) {
    if (index.has(start)) continue;
    const work: { id: string; next: number; out: string[] }[] = [];
    const push = (id: string): void => {
      index.set(id, counter);
      low.set(id, counter);
      counter++;
      stack.push(id);
      onStack.add(id);
      const n = nodes.get(id);
      work.push({ id, next: 0, out: n ? edges(n).filter((e) => nodes.has(e)) : [] });
    };
    push(start);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      if (!frame) break;
      if (frame.next < frame.out.length) {
        const w = frame.out[frame.next++] ?? '';
        if (!index.has(w)) push(w);
        else if (onStack.has(w)) low.set(frame.id, Math.min(low.get(frame.id) ?? 0, index.get(w) ?? 0));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id) ?? 0, low.get(frame.id) ?? 0));
      if (low.get(frame.id) === index.get(frame.id)) {
        const comp: string[] = [];
        for (;;) {
          const w = stack.pop();
          if (w === undefined) break;
          onStack.delete(w);
          comp.push(w);
          if (w === frame.id) break;
        }
        if (comp.length > 1) result.push(comp);
      }
    }
  }
  return result;
}

/**
 * Alembic's `_add_branches`: a revision's labels go to all its descendants (through `down_revision`),
 * and, when those descendants form a single line, from the tip of that line down through the revision's
 * ancestors until a branch point (children or dependents) or a merge point.
 *
 * Alembic starts that downward walk from whichever descendant its set iteration yields last; when the
 * descendants branch, every such walk stops at the first branch point at or above the revision, so
 * ancestors get no labels. This reproduces that without depending on iteration order.
 */
export function propagateBranchLabels(nodes: Map<string, RevisionNode>): void {
  const labelSets = new Map<string, Set<string>>();
  const add = (id: string, labels: string[]): void => {
    const set = labelSets.get(id) ?? new Set<string>();
    labelSets.set(id, set);
    for (const l of labels) set.add(l);
  };
  for (const node of nodes.values()) {
    if (node.ownBranchLabels.length === 0) continue;
    const labels = node.ownBranchLabels;
    const seen = new Set<string>();
    const todo = [node.revision];
    while (todo.length > 0) {
      const id = todo.pop() ?? '';
      if (seen.has(id)) continue;
      seen.add(id);
      add(id, labels);
      for (const c of nodes.get(id)?.children ?? []) todo.push(c);
    }
    // Follow the single line of children to its tip; a fork means the walk back stops at the fork.
    let tip: RevisionNode = node;
    const visited = new Set<string>();
    while (tip.children.length === 1 && !visited.has(tip.revision)) {
      visited.add(tip.revision);
      const next = nodes.get(tip.children[0] ?? '');
      if (!next) break;
      tip = next;
    }
    if (tip.children.length > 1) continue;
    let cur: RevisionNode | undefined = tip;
    const walked = new Set<string>();
    while (cur && !cur.isRealBranchPoint && !cur.isMergePoint && !walked.has(cur.revision)) {
      walked.add(cur.revision);
      add(cur.revision, labels);
      // Alembic follows `down_revision` only when it is a single id (a tuple is a merge point).
      const down: string | undefined = cur.file.downRevisions[0]?.value;
      cur = down === undefined ? undefined : nodes.get(down);
    }
  }
  for (const [id, set] of labelSets) {
    const node = nodes.get(id);
    if (node) node.branchLabels = [...set].sort();
  }
}

/** Whether two readings of a file give the graph the same ids and edges (ranges may differ). */
export function sameGraphFacts(a: RevisionFile, b: RevisionFile): boolean {
  const vals = (r: RefAt[]): string => r.map((x) => x.value).join('\u0000');
  return a.path === b.path && a.revision === b.revision && a.downRevisionUnknown === b.downRevisionUnknown &&
    a.dependsOnUnknown === b.dependsOnUnknown && a.hasNoDependencies === b.hasNoDependencies &&
    a.downRevisions.length === b.downRevisions.length && a.dependsOn.length === b.dependsOn.length &&
    a.branchLabels.length === b.branchLabels.length && vals(a.downRevisions) === vals(b.downRevisions) &&
    vals(a.dependsOn) === vals(b.dependsOn) && vals(a.branchLabels) === vals(b.branchLabels);
}

/**
 * The graph after `oldFile` was re-read as `newFile` with the same graph facts (an edit of the body, a
 * comment, the docstring): no rebuild, only the file object and the ranges taken from it are swapped.
 * The returned graph shares (and updates) the given graph's maps: the given graph must not be used after.
 */
export function replaceFileFacts(graph: RevisionGraph, oldFile: RevisionFile, newFile: RevisionFile): RevisionGraph {
  const swapRef = (ref: RefAt): RefAt => {
    for (const key of ['downRevisions', 'dependsOn', 'branchLabels'] as const) {
      const i = oldFile[key].indexOf(ref);
      if (i >= 0) return newFile[key][i] ?? ref;
    }
    return ref;
  };
  const i = graph.files.indexOf(oldFile);
  if (i >= 0) graph.files[i] = newFile;
  graph.filesByPath.set(newFile.path, newFile);
  if (newFile.revision !== undefined) {
    const node = graph.nodes.get(newFile.revision);
    if (node?.file === oldFile) node.file = newFile;
    const dups = graph.duplicates.get(newFile.revision);
    if (dups) dups.forEach((f, j) => { if (f === oldFile) dups[j] = newFile; });
  }
  for (const u of graph.unknownReferences) if (u.path === newFile.path) u.ref = swapRef(u.ref);
  for (const c of graph.labelConflicts) if (c.path === newFile.path) c.label = swapRef(c.label);
  return { ...graph };
}
