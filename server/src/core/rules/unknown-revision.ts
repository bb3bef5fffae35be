// unknown-revision: a `down_revision` or `depends_on` element that names no revision. Alembic warns
// "Revision X referenced from Y is not present" and then cannot load the history at all.
import path from 'node:path';
import type { UnknownReference } from '../graph/types';
import { defineGraphRule, type GraphRuleFinding } from './rule';

/** The id that names nothing, where it is written, and the revisions it may have meant. */
export type UnknownRevisionData = { id: string; variable: UnknownReference['variable']; suggestions: string[] };

export const unknownRevision = defineGraphRule<UnknownRevisionData>({
  id: 'unknown-revision',
  defaultSeverity: 'error',
  description: 'A down_revision or depends_on names a revision that does not exist in the project.',
  check({ graph }) {
    const out: GraphRuleFinding<UnknownRevisionData>[] = [];
    // Re-run after every edit: the common answer must not cost a pass over every file.
    if (graph.unknownReferences.length === 0) return out;
    // A revision id that is not a literal might be the one referenced: say so, and only warn.
    const hidden = graph.files.filter((f) => f.migration.revision?.value.kind === 'unresolved');
    for (const u of graph.unknownReferences) {
      const from = u.revision ? ` referenced from ${u.revision}` : '';
      let message = `Revision ${u.ref.value}${from} is not present`;
      const related: GraphRuleFinding<UnknownRevisionData>['related'] = [];
      if (u.variable === 'down_revision' && u.labelOf !== undefined) {
        message += `: '${u.ref.value}' is a branch label of ${u.labelOf}, and down_revision needs revision ids (use '${u.labelOf}')`;
        const owner = graph.nodes.get(u.labelOf);
        if (owner) related.push({ path: owner.path, range: owner.file.revisionRange, message: `revision ${u.labelOf} declares the branch label '${u.ref.value}'` });
      } else if (u.prefixOf.length === 1) {
        message += `; did you mean '${u.prefixOf[0]}'? Alembic needs the full revision id in ${u.variable}`;
        const target = graph.nodes.get(u.prefixOf[0] ?? '');
        if (target) related.push({ path: target.path, range: target.file.revisionRange, message: `revision ${target.revision}` });
      } else if (u.variable === 'depends_on') {
        message += ' (depends_on takes revision ids or branch labels)';
      }
      message += '. Alembic cannot load the revision history until this is fixed.';
      if (hidden.length > 0) {
        message += ` (It may be the revision of ${hidden.map((h) => path.basename(h.path)).join(', ')}, whose id is not a literal.)`;
      }
      const f: GraphRuleFinding<UnknownRevisionData> = {
        path: u.path, range: u.ref.range, message, ...(hidden.length > 0 ? { severity: 'warning' as const } : {}),
        data: { id: u.ref.value, variable: u.variable, suggestions: u.labelOf !== undefined ? [u.labelOf] : u.prefixOf },
      };
      if (related.length > 0) f.related = related;
      out.push(f);
    }
    return out;
  },
});
