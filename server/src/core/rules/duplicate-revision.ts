// duplicate-revision: two files declare the same revision id. Alembic warns "Revision X is present
// more than once" and keeps whichever file it loads last, so the other migration silently vanishes.
import path from 'node:path';
import { defineGraphRule, type GraphRuleFinding } from './rule';

/** The id, and every file that declares it. */
export type DuplicateRevisionData = { revision: string; paths: string[] };

export const duplicateRevision = defineGraphRule<DuplicateRevisionData>({
  id: 'duplicate-revision',
  defaultSeverity: 'error',
  description: 'Several migration files declare the same revision id; Alembic keeps only one of them.',
  check({ graph }) {
    const out: GraphRuleFinding<DuplicateRevisionData>[] = [];
    for (const [id, files] of graph.duplicates) {
      for (const file of files) {
        const others = files.filter((f) => f !== file);
        out.push({
          path: file.path,
          range: file.revisionRange,
          message: `Revision ${id} is present more than once (also in ${others.map((o) => path.basename(o.path)).join(', ')}); ` +
            'Alembic loads only one of these files. Give each migration its own id.',
          related: others.map((o) => ({ path: o.path, range: o.revisionRange, message: `also declares revision ${id}` })),
          data: { revision: id, paths: files.map((f) => f.path) },
        });
      }
    }
    return out;
  },
});
