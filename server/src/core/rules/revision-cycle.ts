// revision-cycle: revisions whose down_revision (or depends_on) chain leads back to themselves,
// including a revision naming itself. Alembic refuses to load any of the history
// ("Cycle is detected in revisions (...)", "Self-loop is detected in revisions (...)").
import { defineGraphRule, type GraphRuleFinding } from './rule';
import type { CycleKind, RefAt } from '../graph/types';

/** Alembic's name for the cycle, and its revisions. */
export type RevisionCycleData = { kind: CycleKind; revisions: string[] };

export const revisionCycle = defineGraphRule<RevisionCycleData>({
  id: 'revision-cycle',
  defaultSeverity: 'error',
  description: 'Revisions form a cycle through down_revision or depends_on; Alembic cannot load the history.',
  check({ graph }) {
    const out: GraphRuleFinding<RevisionCycleData>[] = [];
    for (const cycle of graph.cycles) {
      const members = new Set(cycle.revisions);
      const viaDeps = cycle.kind === 'Dependency cycle' || cycle.kind === 'Dependency self-loop';
      const text = `${cycle.kind} is detected in revisions (${cycle.revisions.join(', ')})`;
      const places = cycle.revisions.flatMap((id) => {
        const node = graph.nodes.get(id);
        if (!node) return [];
        const refs: RefAt[] = viaDeps ? [...node.file.downRevisions, ...node.file.dependsOn] : node.file.downRevisions;
        const ref = refs.find((r) => members.has(r.value) || graph.labels.get(r.value) !== undefined && members.has(graph.labels.get(r.value) ?? ''));
        const assignment = viaDeps ? node.file.migration.dependsOn : node.file.migration.downRevision;
        return [{ id, path: node.path, range: ref?.range ?? assignment?.value.range ?? node.file.revisionRange }];
      });
      for (const p of places) {
        out.push({
          path: p.path,
          range: p.range,
          message: `${text}. Alembic cannot load the revision history until the cycle is broken.`,
          related: places.filter((o) => o !== p).map((o) => ({ path: o.path, range: o.range, message: `revision ${o.id} is part of the cycle` })),
          data: { kind: cycle.kind, revisions: cycle.revisions },
        });
      }
    }
    return out;
  },
});
