// multiple-heads: more than one head. `alembic upgrade head` then fails with "Multiple head revisions
// are present"; the usual fix is `alembic merge heads` (or pointing the newer branch's down_revision
// at the other head). Heads on deliberately labelled branches are reported more quietly, and so are
// unlabelled lines that a depends_on ties across (expand/contract layouts).
import type { RevisionGraph, RevisionNode } from '../graph/types';
import { repointDownRevisionFix, repointTarget } from '../fixes/graph';
import { defineGraphRule, type GraphRuleFinding } from './rule';

/** The revision and everything below it along down_revision. */
function lineOf(graph: RevisionGraph, head: RevisionNode): Set<string> {
  const seen = new Set<string>([head.revision]);
  const stack = [head];
  for (let n = stack.pop(); n; n = stack.pop()) {
    for (const p of n.parents) {
      if (seen.has(p)) continue;
      seen.add(p);
      const node = graph.nodes.get(p);
      if (node) stack.push(node);
    }
  }
  return seen;
}

/**
 * A revision of one head's own line (not below the other heads) names, in depends_on, a revision of
 * another head's own line: the lines are kept apart on purpose and ordered by hand (Glance's expand and
 * contract: each contract revision depends on its release's expand one). The dependent and its dependency.
 */
function crossDependency(graph: RevisionGraph, heads: readonly RevisionNode[]): { from: string; to: string } | undefined {
  const lines = heads.map((h) => lineOf(graph, h));
  const own = lines.map((line, i) => new Set([...line].filter((r) => lines.every((other, j) => j === i || !other.has(r)))));
  for (let i = 0; i < own.length; i++) {
    for (const r of own[i] ?? []) {
      for (const d of graph.nodes.get(r)?.dependencies ?? []) {
        if (own.some((o, j) => j !== i && o.has(d))) return { from: r, to: d };
      }
    }
  }
  return undefined;
}

/** Every head, and the heads other than this finding's. */
export type MultipleHeadsData = { heads: string[]; otherHeads: string[] };

export const multipleHeads = defineGraphRule<MultipleHeadsData>({
  id: 'multiple-heads',
  defaultSeverity: 'warning',
  description: "The project has more than one head revision, so 'alembic upgrade head' fails.",
  check({ graph }) {
    const heads = graph.heads.flatMap((h) => graph.nodes.get(h) ?? []);
    if (heads.length < 2) return [];
    // Separate branches that each carry their own label are a documented Alembic layout
    // (`alembic upgrade heads`, `label@head`): still worth knowing, but not a warning.
    const labelled = heads.every((h) => h.branchLabels.length > 0) &&
      new Set(heads.map((h) => h.branchLabels.join(','))).size === heads.length;
    // Unlabelled lines tied by depends_on across them are parallel by design (expand/contract).
    const tied = labelled ? undefined : crossDependency(graph, heads);
    // With a down_revision that is not a literal, a "head" may have a child we cannot see.
    const unsure = graph.files.some((f) => f.downRevisionUnknown || f.migration.revision?.value.kind === 'unresolved');
    const out: GraphRuleFinding<MultipleHeadsData>[] = [];
    for (const head of heads) {
      const others = heads.filter((h) => h !== head);
      const names = others.map((o) => o.revision).join(', ');
      const message = labelled
        ? `Revision ${head.revision} is one of ${heads.length} heads (${names} ${others.length === 1 ? 'is' : 'are'} the other${others.length === 1 ? '' : 's'}), each on its own labelled branch: use 'alembic upgrade heads' or '<label>@head'.`
        : tied
          ? `Revision ${head.revision} is one of ${heads.length} heads (${names} ${others.length === 1 ? 'is' : 'are'} the other${others.length === 1 ? '' : 's'}), kept apart on purpose: ${tied.from} depends on ${tied.to} across them. 'alembic upgrade head' fails here; upgrade each head by name or use 'alembic upgrade heads' (branch_labels would let '<label>@head' name them).`
          : `Multiple heads: ${head.revision} and ${names}. 'alembic upgrade head' fails until they are merged: run 'alembic merge heads', or point the newer migration's down_revision at the other head.`;
      const f: GraphRuleFinding<MultipleHeadsData> = {
        path: head.path,
        range: head.file.revisionRange,
        message,
        related: others.map((o) => ({ path: o.path, range: o.file.revisionRange, message: `head ${o.revision}` })),
        data: { heads: heads.map((h) => h.revision), otherHeads: others.map((o) => o.revision) },
      };
      if (labelled || tied || unsure) f.severity = 'information';
      if (unsure && !labelled) f.message += ' (Some revision variables are not literals, so a child of this head may be invisible here.)';
      out.push(f);
    }
    return out;
  },
  fix(_range, { src, migration, heads: h }) {
    const target = h && repointTarget(h.self, h.heads, (r) => h.childrenOf(r));
    return target ? repointDownRevisionFix(src, migration, target) : undefined;
  },
});
