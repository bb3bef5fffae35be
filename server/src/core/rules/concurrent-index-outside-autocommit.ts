// concurrent-index-outside-autocommit: CREATE/DROP INDEX CONCURRENTLY (or REINDEX ... CONCURRENTLY)
// outside `with op.get_context().autocommit_block():`. Alembic runs a migration inside a transaction,
// and PostgreSQL refuses these statements there: `CREATE INDEX CONCURRENTLY cannot run inside a
// transaction block`. Checked in upgrades and downgrades alike. Before PostgreSQL 12 the same holds for
// `ALTER TYPE ... ADD VALUE` (the project's `postgres-version`; 12 and later run it in a transaction).
import { kwarg } from '../facts/args';
import { mayBePostgres } from '../facts/dialect';
import { migrationFunctions, schemaOpsOn } from '../facts/functions';
import { callAt } from '../fixes/calls';
import { autocommitFix } from '../fixes/postgres';
import { addValueRunsInTransaction, postgresVersionOf } from '../facts/postgresVersion';
import { sqlStatements } from '../facts/sql';
import { transactionEndedBefore } from '../facts/transactions';
import { isBefore } from '../positions';
import type { Migration, MigrationFunction, ParsedCall, Position } from '../types';
import { defineFileRule, type RuleFinding } from './rule';

/** On findings the fix can move into an autocommit block (not inside a batch block). */
export type ConcurrentIndexOutsideAutocommitData = { fix: 'autocommit' };

const ADD_VALUE = /^ALTER\s+TYPE\s+\S+\s+ADD\s+VALUE\b/i;

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
        const outside = outsideTransactionBecause(migration, fn, op.range.start);
        if (outside) {
          out.push({
            range: op.range,
            severity: 'information',
            message: `This runs outside the migration's transaction only because ${outside}. Put it in 'with op.get_context().autocommit_block():' instead.`,
            ...(op.batch ? {} : { data: { fix: 'autocommit' as const } }),
          });
          continue;
        }
        const statement = `${op.sql ? sqlKeywords(op.sql.statement) : op.kind === 'create_index' ? 'CREATE INDEX CONCURRENTLY' : 'DROP INDEX CONCURRENTLY'}${op.name !== undefined ? ` (index ${op.name})` : ''}`;
        const finding: RuleFinding<ConcurrentIndexOutsideAutocommitData> = {
          range: op.range,
          message: `${statement} cannot run inside a transaction block, and Alembic runs this migration in one: it fails. Put it in 'with op.get_context().autocommit_block():'.`,
        };
        if (!op.batch) finding.data = { fix: 'autocommit' };
        out.push(finding);
      }
    }
    const version = postgresVersionOf(project);
    if (!addValueRunsInTransaction(version)) {
      for (const e of migration.executedSql) {
        if (e.call.inAutocommitBlock || seen.has(e.call) || !sqlStatements(e.sql).some((s) => ADD_VALUE.test(s))) continue;
        seen.add(e.call);
        out.push({
          range: e.call.range,
          message: `ALTER TYPE ... ADD VALUE cannot run inside a transaction block before PostgreSQL 12 (this project runs ${version}), and Alembic runs this migration in one: it fails. Put it in 'with op.get_context().autocommit_block():'.`,
          // No data, so no quick fix: a fix re-finds its finding without the project, and so without its version.
        });
      }
    }
    return out;
  },
  fix({ range }, { src, migration }) {
    const call = callAt(migration, range.start);
    return call && autocommitFix(src, migration, call);
  },
});

/**
 * The statement's words up to CONCURRENTLY (`CREATE UNIQUE INDEX CONCURRENTLY`, `DROP INDEX
 * CONCURRENTLY`, `REINDEX TABLE CONCURRENTLY`): its first four words were the index name, or `IF`
 * of `IF EXISTS`.
 */
function sqlKeywords(statement: string): string {
  const words = statement.trim().split(/\s+/);
  const at = words.findIndex((w) => w.toUpperCase() === 'CONCURRENTLY');
  return (at >= 0 ? words.slice(0, at + 1) : words.slice(0, 3)).join(' ').toUpperCase();
}

/**
 * Why a statement at `at` runs outside the migration's transaction though no autocommit block holds
 * it, in words (undefined: it runs inside, and fails).
 */
function outsideTransactionBecause(m: Migration, fn: MigrationFunction, at: Position): string | undefined {
  // `op.get_bind().execution_options(isolation_level="AUTOCOMMIT")` (Faraday): SQLAlchemy 1.x ends the
  // migration's transaction there (checked with Alembic on PostgreSQL: the index is built), rolling
  // back what ran before it; SQLAlchemy 2.0 refuses to change it mid-transaction.
  const switched = autocommitSwitchBefore(fn, at);
  if (switched) return `execution_options(isolation_level="AUTOCOMMIT") on line ${switched.line + 1} ends it: on SQLAlchemy 1.x that rolls back what the migration ran before it, and SQLAlchemy 2.0 refuses to change the isolation level inside a transaction`;
  // `op.execute("COMMIT")` first (hypothesis' h and lms, before every concurrent index): with psycopg2
  // the COMMIT ends the migration's transaction and psycopg2 starts no new one, so the index is built
  // (checked with Alembic and PostgreSQL 15). commit-inside-migration reports the COMMIT itself.
  const committed = transactionEndedBefore(m, fn, at);
  if (committed) return `the COMMIT on line ${committed.line + 1} ends it: with psycopg2 the statements after it then run on their own, so it works, but a driver that begins a transaction whenever none is open (psycopg 3) fails here`;
  return undefined;
}

/** `x.execution_options(isolation_level="AUTOCOMMIT")` in the function before `at`: where it is, if anywhere. */
function autocommitSwitchBefore(fn: MigrationFunction, at: Position): Position | undefined {
  const found = fn.calls.find((c: ParsedCall) => {
    if (!c.callee.endsWith('execution_options')) return false;
    const level = kwarg(c, 'isolation_level');
    return level?.kind === 'string' && level.value.toUpperCase() === 'AUTOCOMMIT' && isBefore(c.range.start, at);
  });
  return found?.range.start;
}

