// Applied / pending / current for every revision, from the graph and the version table, the way
// Alembic sees it: the revisions in the table are current, and they and all their ancestors
// (through down_revision and depends_on) are applied; everything else is pending.
// Ids are identified as RevisionResolver does (identifyRevision: exact id, branch label, unique prefix).
import { identifyRevision, RevisionResolver } from './resolve';
import type { RevisionGraph } from './types';

export type RevisionStatus = 'current' | 'applied' | 'pending';

/** What the computation needs of a node: core's RevisionNode and the wire node both fit. */
export interface GraphNode {
  revision: string;
  /** `down_revision` ids. */
  parents: readonly string[];
  /** `depends_on` ids (or labels, or prefixes). */
  dependencies: readonly string[];
  /** Labels this node answers to (the first node that carries a label owns it). */
  branchLabels?: readonly string[];
}

export interface AppliedState {
  /** Revisions in the version table that a migration file defines (full ids), sorted. */
  current: string[];
  /** Revisions in the version table that no migration file defines, as stored. */
  unknown: string[];
  /** Current revisions and all their ancestors. */
  applied: Set<string>;
  /** Revisions not applied, in the order of the nodes given (newest first for history order). */
  pending: string[];
  pendingCount: number;
  status: Map<string, RevisionStatus>;
  /** The version table is empty (or missing). */
  atBase: boolean;
  /** Nothing pending and nothing unknown: the database is at the head(s). */
  atHead: boolean;
  /** Messages for the tree and a notice: "the database is at 5f2c… which no migration defines". */
  warnings: string[];
}

/** Resolves an id as Alembic would (see identifyRevision); undefined when it names nothing, or several. */
function resolver(nodes: readonly GraphNode[]): (id: string) => string | undefined {
  const keys = new Map<string, string>(nodes.map((n) => [n.revision, n.revision]));
  for (const n of nodes) for (const label of n.branchLabels ?? []) if (!keys.has(label)) keys.set(label, n.revision);
  return (id) => {
    const found = identifyRevision(id, (key) => keys.get(key), () => keys.keys());
    return found.ok ? found.value : undefined;
  };
}

export function computeAppliedState(nodes: readonly GraphNode[], currentRevisions: readonly string[]): AppliedState {
  const byId = new Map(nodes.map((n) => [n.revision, n]));
  const resolve = resolver(nodes);
  const current = new Set<string>();
  const unknown: string[] = [];
  for (const rev of currentRevisions) {
    const id = resolve(rev);
    if (id) current.add(id);
    else if (!unknown.includes(rev)) unknown.push(rev);
  }

  const applied = new Set<string>();
  const stack = [...current];
  while (stack.length > 0) {
    const id = stack.pop();
    if (id === undefined || applied.has(id)) continue;
    applied.add(id);
    const node = byId.get(id);
    if (!node) continue;
    for (const up of [...node.parents, ...node.dependencies]) {
      const resolved = resolve(up);
      if (resolved && !applied.has(resolved)) stack.push(resolved);
    }
  }

  const status = new Map<string, RevisionStatus>();
  const pending: string[] = [];
  for (const n of nodes) {
    if (current.has(n.revision)) status.set(n.revision, 'current');
    else if (applied.has(n.revision)) status.set(n.revision, 'applied');
    else {
      status.set(n.revision, 'pending');
      pending.push(n.revision);
    }
  }

  const warnings = unknown.map((rev) =>
    `The database is at ${rev}, which no migration file defines. It was upgraded from another branch or ` +
    'checkout, or the migration file was deleted; restore the file or stamp the database to a known revision.');
  return {
    current: [...current].sort(),
    unknown,
    applied,
    pending,
    pendingCount: pending.length,
    status,
    atBase: currentRevisions.length === 0,
    atHead: pending.length === 0 && unknown.length === 0,
    warnings,
  };
}

/**
 * What `alembic downgrade <target>` undoes on a database where `applied` is applied: the applied
 * revisions above the target (its descendants through down_revision and depends_on, not the target
 * itself; every revision for `base`), in the order given (history order: newest first). Other
 * branches stay applied.
 */
export function revisionsUndoneBy(graph: RevisionGraph, order: readonly string[], applied: ReadonlySet<string>, target: string): string[] {
  let above: Set<string>;
  if (target === 'base') {
    above = new Set(graph.nodes.keys());
  } else {
    const node = graph.nodes.get(target);
    above = new Set(node ? [...new RevisionResolver(graph).descendants([node])].map((n) => n.revision) : []);
    above.delete(target);
  }
  return order.filter((r) => applied.has(r) && above.has(r));
}
