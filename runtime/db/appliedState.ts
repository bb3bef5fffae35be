// Applied / pending / current for every revision, from the graph and the version table, the way
// Alembic sees it: the revisions in the table are current, and they and all their ancestors
// (through down_revision and depends_on) are applied; everything else is pending.
import type { RevisionNode } from '../../common/protocol';

export type RevisionStatus = 'current' | 'applied' | 'pending';

/** What the computation needs of a node; `RevisionNode` from the protocol fits. */
export type GraphNode = Pick<RevisionNode, 'revision' | 'parents' | 'dependencies'> & { branchLabels?: string[] };

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

/** Resolves an id as Alembic would: exact, then a branch label, then a unique prefix. */
function resolver(nodes: readonly GraphNode[]): (id: string) => string | undefined {
  const byId = new Map(nodes.map((n) => [n.revision, n]));
  const byLabel = new Map<string, string>();
  for (const n of nodes) for (const label of n.branchLabels ?? []) byLabel.set(label, n.revision);
  return (id) => {
    if (byId.has(id)) return id;
    const labelled = byLabel.get(id);
    if (labelled) return labelled;
    if (!id) return undefined;
    // Alembic's partial lookup: a unique prefix of an id longer than three characters.
    const matches = nodes.filter((n) => n.revision.length > 3 && n.revision.startsWith(id));
    return matches.length === 1 ? matches[0]?.revision : undefined;
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
