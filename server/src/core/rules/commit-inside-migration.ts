// commit-inside-migration: `op.execute("COMMIT")` (or BEGIN, END, ROLLBACK, START TRANSACTION, or
// `op.get_bind().commit()`) in a migration function, outside `with op.get_context().autocommit_block():`.
// Alembic runs the migration and its version-table update in one transaction. A COMMIT in the middle
// makes what ran before it permanent, and the statements after it run outside any transaction the
// driver knows of: a failure then leaves the database half-migrated with the old revision in
// alembic_version, and re-running the migration fails on what already exists. People write it to run
// a statement PostgreSQL refuses in a transaction (CREATE INDEX CONCURRENTLY, ALTER TYPE ... ADD VALUE
// before 12); the autocommit block is Alembic's way to do that.
import { isSqlExecution } from '../parse/parseMigration';
import { callNames, migrationFunctions } from '../facts/functions';
import { sqlOperations } from '../facts/sql';
import type { Migration, MigrationFunction, ParsedCall } from '../types';
import { defineFileRule, type RuleFinding } from './rule';

/** Transaction statements that end or start the migration's transaction (a savepoint's keep it). */
const ENDS_OR_STARTS = new Set<string | undefined>(['begin', 'commit', 'rollback']);

/** The transaction statement `call` runs (`COMMIT`, `BEGIN`, `commit()`), or undefined. */
function transactionControl(m: Migration, fn: MigrationFunction, call: ParsedCall): string | undefined {
  const executed = m.executedSql.find((s) => s.call === call);
  if (executed) {
    // The SQL readers' transaction statements: not PL/pgSQL's `END IF` inside a DO block or a function
    // body, nor a procedural block's `begin ... end;` (Oracle's PL/SQL), nor ROLLBACK TO SAVEPOINT.
    for (const op of sqlOperations(executed.sql)) {
      if (op.kind !== 'transaction' || !ENDS_OR_STARTS.has(op.transaction)) continue;
      return (/^(START\s+TRANSACTION|[A-Za-z]+)/i.exec(op.statement)?.[1] ?? op.transaction ?? '').toUpperCase().replace(/\s+/g, ' ');
    }
    return undefined;
  }
  const m2 = /^(.*)\.(commit|rollback)$/.exec(call.callee);
  if (!m2 || call.args.length > 0) return undefined;
  const recv = m2[1] ?? '';
  const bound = fn.calls.some((c) => c.assignedTo?.name === recv && (c.callee === 'op.get_bind' || c.callee === 'context.get_bind'));
  return recv === 'op.get_bind()' || recv === 'context.get_bind()' || bound ? `${m2[2] ?? ''}()` : undefined;
}

/**
 * A cheap look first (most files qualify for nothing): a transaction statement needs one of its words
 * in some executed SQL (a statement starts at a word boundary of the text, whatever comments and
 * strings are removed around it), and a `commit()`/`rollback()` a call so named.
 */
function mayControlTransactions(m: Migration, fns: readonly MigrationFunction[]): boolean {
  if (m.executedSql.some((e) => TRANSACTION_WORD.test(e.sql))) return true;
  return fns.some((fn) => callNames(m, fn).commit);
}

const TRANSACTION_WORD = /\b(?:COMMIT|END|BEGIN|START|ROLLBACK|ABORT)\b/i;

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
        const what = transactionControl(migration, fn, call);
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
