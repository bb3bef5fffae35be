// non-concurrent-index: `create_index` / `drop_index` on a table the migration did not create,
// without `postgresql_concurrently=True`. A plain CREATE INDEX holds a SHARE lock for the whole build
// (every INSERT, UPDATE and DELETE on the table waits); DROP INDEX takes an ACCESS EXCLUSIVE lock
// (reads wait too). Harmless on small tables, an outage on large busy ones; the linter cannot know
// table sizes, so this is information by default.
import { mayBePostgres } from '../facts/dialect';
import { upgradeOpsOn } from '../facts/functions';
import { callAt } from '../fixes/calls';
import { concurrentlyFix } from '../fixes/postgres';
import { defineFileRule, type RuleFinding } from './rule';

/** On findings the fix can rewrite: `postgresql_concurrently=True` in an autocommit block. */
export type NonConcurrentIndexData = { fix: 'concurrently' };

export const nonConcurrentIndex = defineFileRule<NonConcurrentIndexData>({
  id: 'non-concurrent-index',
  defaultSeverity: 'information',
  description: 'An index on an existing table is created or dropped without postgresql_concurrently=True.',
  check({ migration, project }) {
    // PostgreSQL's locks: nothing to say about a project on another database, or a branch for one.
    if (!mayBePostgres(project?.dialect)) return [];
    const out: RuleFinding<NonConcurrentIndexData>[] = [];
    for (const { op, newTable, newIndex } of upgradeOpsOn(migration, 'postgresql')) {
      if ((op.kind !== 'create_index' && op.kind !== 'drop_index') || op.concurrently || newTable) continue;
      if (op.kind === 'drop_index' && newIndex) continue;
      const creating = op.kind === 'create_index';
      const what = `index '${op.name ?? '?'}'${op.table ? ` on '${op.table}'` : ''}`;
      const lock = creating
        ? 'blocks every write to the table (SHARE lock) until the index is built'
        : 'takes an ACCESS EXCLUSIVE lock on the table (reads and writes wait)';
      const advice = op.sql
        ? `Use ${creating ? 'CREATE' : 'DROP'} INDEX CONCURRENTLY inside 'with op.get_context().autocommit_block():'.`
        : `Pass postgresql_concurrently=True inside 'with op.get_context().autocommit_block():'.`;
      const finding: RuleFinding<NonConcurrentIndexData> = {
        range: op.range,
        message: `${creating ? 'Creating' : 'Dropping'} ${what} ${lock}. ${advice}`,
      };
      // SQL is not rewritten; batch operations run when the batch block ends, so an autocommit block
      // around one of them does nothing.
      if (!op.sql && !op.batch) finding.data = { fix: 'concurrently' };
      out.push(finding);
    }
    return out;
  },
  fix({ range }, { src, migration }) {
    const call = callAt(migration, range.start);
    return call && concurrentlyFix(src, migration, call);
  },
});
