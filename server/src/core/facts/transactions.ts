// Transaction statements a migration runs itself: `op.execute("COMMIT")`, BEGIN, ROLLBACK, START
// TRANSACTION, `op.get_bind().commit()`. commit-inside-migration reports them; the concurrent-index
// rule asks whether one ended the migration's transaction before a statement.
import { callNames } from './functions';
import { sqlOperations } from './sql';
import { isBefore } from '../positions';
import type { Migration, MigrationFunction, ParsedCall, Position } from '../types';

/** Transaction statements that end or start the migration's transaction (a savepoint's keep it). */
const ENDS_OR_STARTS = new Set<string | undefined>(['begin', 'commit', 'rollback']);

/** A transaction statement a call runs: its words (`COMMIT`, `BEGIN`, `commit()`), and whether it ends the transaction. */
export interface TransactionControl {
  statement: string;
  ends: boolean;
}

/** The transaction statement `call` runs, or undefined. */
export function transactionControl(m: Migration, fn: MigrationFunction, call: ParsedCall): TransactionControl | undefined {
  const executed = m.executedSql.find((s) => s.call === call);
  if (executed) {
    // The SQL readers' transaction statements: not PL/pgSQL's `END IF` inside a DO block or a function
    // body, nor a procedural block's `begin ... end;` (Oracle's PL/SQL), nor ROLLBACK TO SAVEPOINT.
    for (const op of sqlOperations(executed.sql)) {
      if (op.kind !== 'transaction' || !ENDS_OR_STARTS.has(op.transaction)) continue;
      const statement = (/^(START\s+TRANSACTION|[A-Za-z]+)/i.exec(op.statement)?.[1] ?? op.transaction ?? '').toUpperCase().replace(/\s+/g, ' ');
      return { statement, ends: op.transaction !== 'begin' };
    }
    return undefined;
  }
  const m2 = /^(.*)\.(commit|rollback)$/.exec(call.callee);
  if (!m2 || call.args.length > 0) return undefined;
  const recv = m2[1] ?? '';
  const bound = fn.calls.some((c) => c.assignedTo?.name === recv && (c.callee === 'op.get_bind' || c.callee === 'context.get_bind'));
  return recv === 'op.get_bind()' || recv === 'context.get_bind()' || bound ? { statement: `${m2[2] ?? ''}()`, ends: true } : undefined;
}

/**
 * A cheap look first (most files qualify for nothing): a transaction statement needs one of its words
 * in some executed SQL (a statement starts at a word boundary of the text, whatever comments and
 * strings are removed around it), and a `commit()`/`rollback()` a call so named.
 */
export function mayControlTransactions(m: Migration, fns: readonly MigrationFunction[]): boolean {
  if (m.executedSql.some((e) => TRANSACTION_WORD.test(e.sql))) return true;
  return fns.some((fn) => callNames(m, fn).commit);
}

const TRANSACTION_WORD = /\b(?:COMMIT|END|BEGIN|START|ROLLBACK|ABORT)\b/i;

/**
 * Where the COMMIT (or ROLLBACK) is that ended the migration's transaction before `at` in `fn`, when
 * the last transaction statement before `at` ends it (a BEGIN after it starts one again).
 */
export function transactionEndedBefore(m: Migration, fn: MigrationFunction, at: Position): Position | undefined {
  if (!mayControlTransactions(m, [fn])) return undefined;
  let ended: Position | undefined;
  for (const call of fn.calls) {
    if (!isBefore(call.range.start, at)) break;
    if (call.inAutocommitBlock) continue;
    const control = transactionControl(m, fn, call);
    if (control) ended = control.ends ? call.range.start : undefined;
  }
  return ended;
}
