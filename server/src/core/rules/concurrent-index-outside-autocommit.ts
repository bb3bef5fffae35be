// concurrent-index-outside-autocommit: CREATE/DROP INDEX CONCURRENTLY (or REINDEX ... CONCURRENTLY)
// outside `with op.get_context().autocommit_block():`. Alembic runs a migration inside a transaction,
// and PostgreSQL refuses these statements there: `CREATE INDEX CONCURRENTLY cannot run inside a
// transaction block`. Checked in upgrades and downgrades alike.
import { mayBePostgres } from '../facts/dialect';
import { migrationFunctions, schemaOpsOn } from '../facts/functions';
import { callAt } from '../fixes/calls';
import { autocommitFix } from '../fixes/postgres';
import { defineFileRule, type RuleFinding } from './rule';

/** On findings the fix can move into an autocommit block (not inside a batch block). */
export type ConcurrentIndexOutsideAutocommitData = { fix: 'autocommit' };

export const concurrentIndexOutsideAutocommit = defineFileRule<ConcurrentIndexOutsideAutocommitData>({
  id: 'concurrent-index-outside-autocommit',
  defaultSeverity: 'warning',
  description: 'A concurrent index operation runs inside the migration transaction, which PostgreSQL refuses.',
  check({ migration, project }) {
    // PostgreSQL only: nothing to say about a project on another database, or a branch for one.
    if (!mayBePostgres(project?.dialect)) return [];
    const out: RuleFinding<ConcurrentIndexOutsideAutocommitData>[] = [];
    const seen = new Set<unknown>();
    for (const fn of migrationFunctions(migration)) {
      for (const op of schemaOpsOn(migration, fn, 'postgresql')) {
        if (!op.concurrently || op.inAutocommitBlock || seen.has(op.call)) continue;
        seen.add(op.call);
        const statement = op.sql ? op.sql.statement.split(' ').slice(0, 4).join(' ').toUpperCase() : op.kind === 'create_index' ? 'CREATE INDEX CONCURRENTLY' : 'DROP INDEX CONCURRENTLY';
        const finding: RuleFinding<ConcurrentIndexOutsideAutocommitData> = {
          range: op.range,
          message: `${statement} cannot run inside a transaction block, and Alembic runs this migration in one: it fails. Put it in 'with op.get_context().autocommit_block():'.`,
        };
        if (!op.batch) finding.data = { fix: 'autocommit' };
        out.push(finding);
      }
    }
    return out;
  },
  fix({ range }, { src, migration }) {
    const call = callAt(migration, range.start);
    return call && autocommitFix(src, migration, call);
  },
});
