// commit-inside-migration: `op.execute("COMMIT")` (or BEGIN, END, ROLLBACK, START TRANSACTION, or
// `op.get_bind().commit()`) in a migration function, outside `with op.get_context().autocommit_block():`.
// Alembic runs the migration and its version-table update in one transaction. A COMMIT in the middle
// makes what ran before it permanent, and the statements after it run outside any transaction the
// driver knows of: a failure then leaves the database half-migrated with the old revision in
// alembic_version, and re-running the migration fails on what already exists. People write it to run
// a statement PostgreSQL refuses in a transaction (CREATE INDEX CONCURRENTLY, ALTER TYPE ... ADD VALUE
// before 12); the autocommit block is Alembic's way to do that.
import { isSqlExecution } from '../parse/parseMigration';
import { migrationFunctions } from '../facts/functions';
import { mayControlTransactions, transactionControl } from '../facts/transactions';
import { defineFileRule, type RuleFinding } from './rule';


export const commitInsideMigration = defineFileRule({
  id: 'commit-inside-migration',
  defaultSeverity: 'warning',
  description: "COMMIT or BEGIN inside a migration's transaction: a failure after it leaves the database half-migrated.",
  check({ migration }) {
    const out: RuleFinding[] = [];
    const fns = migrationFunctions(migration);
    if (!mayControlTransactions(migration, fns)) return out;
    for (const fn of fns) {
      fn.calls.forEach((call, i) => {
        if (call.inAutocommitBlock) return;
        // A commit just before an autocommit block is redundant, not harmful: the block commits the
        // migration's transaction the same way (warehouse writes it before every concurrent index).
        const next = fn.calls[i + 1];
        if (next && (next.inAutocommitBlock || /(^|\.)autocommit_block$/.test(next.callee))) return;
        if (!isSqlExecution(call.callee, undefined) && !/\.(commit|rollback|execute|exec_driver_sql)$/.test(call.callee)) return;
        const what = transactionControl(migration, fn, call)?.statement;
        if (!what) return;
        out.push({
          range: call.range,
          message: `${what} inside ${fn.name}() ends or restarts the transaction Alembic runs the migration in: what ran before is committed, and if anything after it fails the database is left half-migrated with the old revision in alembic_version. Run the statements that cannot be in a transaction inside 'with op.get_context().autocommit_block():' instead.`,
        });
      });
    }
    return out;
  },
});
