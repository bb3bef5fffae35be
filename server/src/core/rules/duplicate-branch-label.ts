// duplicate-branch-label: a branch label used twice, or equal to a revision id. Alembic refuses to load
// the history: "Branch name 'x' in revision A already used by revision B".
import { defineGraphRule, type GraphRuleFinding } from './rule';

/** The label, the revision of this finding's file, and the other revision using the label. */
export type DuplicateBranchLabelData = { label: string; revision: string; usedBy: string };

export const duplicateBranchLabel = defineGraphRule<DuplicateBranchLabelData>({
  id: 'duplicate-branch-label',
  defaultSeverity: 'error',
  description: 'A branch label is declared by more than one revision (or equals a revision id).',
  check({ graph }) {
    const out: GraphRuleFinding<DuplicateBranchLabelData>[] = [];
    for (const c of graph.labelConflicts) {
      const owner = graph.nodes.get(c.usedBy);
      const ownerRange = owner?.file.branchLabels.find((l) => l.value === c.label.value)?.range ?? owner?.file.revisionRange;
      const alembic = `Branch name '${c.label.value}' in revision ${c.revision} already used by revision ${c.usedBy}`;
      out.push({
        path: c.path,
        range: c.label.range,
        message: `${alembic}. Alembic cannot load the revision history until one of them is renamed.`,
        ...(owner && ownerRange ? { related: [{ path: owner.path, range: ownerRange, message: `'${c.label.value}' is used by revision ${c.usedBy}` }] } : {}),
        data: { label: c.label.value, revision: c.revision, usedBy: c.usedBy },
      });
      if (owner && ownerRange && c.usedBy !== c.revision) {
        out.push({
          path: owner.path,
          range: ownerRange,
          message: `${alembic}: '${c.label.value}' is also claimed by revision ${c.revision}.`,
          related: [{ path: c.path, range: c.label.range, message: `revision ${c.revision} also uses '${c.label.value}'` }],
          data: { label: c.label.value, revision: c.usedBy, usedBy: c.revision },
        });
      }
    }
    return out;
  },
});
