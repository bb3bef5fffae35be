// Waiting for a lock, and what bounds the wait. An ALTER TABLE that waits for its ACCESS EXCLUSIVE lock
// (behind one long query or an idle-in-transaction session) makes every later query on the table queue
// behind it: the table is down until the migration gets its lock. `lock_timeout` turns that wait into a
// failed migration after a few seconds. This module says which operations take a lock that blocks
// writes on an existing table, and whether the migration or env.py set `lock_timeout` first.
import { isExistingTable, type SchemaAt } from '../schema';
import type { Migration, MigrationFunction, ParsedCall } from '../types';
import { alterColumnChanges } from './alterColumn';
import type { OpInContext } from './functions';
import type { SchemaOp } from './schema';
import { sqlStatements } from './sql';

export type BlockingLock = 'ACCESS EXCLUSIVE' | 'SHARE ROW EXCLUSIVE' | 'SHARE';

/**
 * The lock an operation takes on its table when that lock blocks writes (SHARE or stronger); undefined
 * for the others (a concurrent index, a new enum value, data changes). A minimal table kept in one
 * place: the lock table of the hover (issue 19) answers the same question in full.
 */
export function blockingLock(op: SchemaOp): BlockingLock | undefined {
  if (op.sql) {
    switch (op.sql.kind) {
      case 'create_index': return op.sql.concurrently ? undefined : 'SHARE';
      case 'drop_index': return op.sql.concurrently ? undefined : 'ACCESS EXCLUSIVE';
      case 'add_foreign_key': return 'SHARE ROW EXCLUSIVE';
      // CHECK, UNIQUE, PRIMARY KEY, EXCLUDE (NOT VALID too): as op.create_check_constraint below, and as
      // the lock table's create_check_constraint and create_unique_constraint rows measured on a server.
      case 'add_constraint': return 'ACCESS EXCLUSIVE';
      case 'add_column': case 'drop_column': case 'alter_type': case 'set_not_null': case 'rename_column':
      case 'rename_table': case 'drop_constraint': case 'drop_table': case 'truncate':
        return 'ACCESS EXCLUSIVE';
      default: return undefined;
    }
  }
  switch (op.kind) {
    case 'create_index': return op.concurrently ? undefined : 'SHARE';
    case 'drop_index': return op.concurrently ? undefined : 'ACCESS EXCLUSIVE';
    case 'create_constraint': return op.constraintType === 'foreignkey' ? 'SHARE ROW EXCLUSIVE' : 'ACCESS EXCLUSIVE';
    case 'add_column': case 'drop_column': case 'rename_table': case 'drop_table': case 'drop_constraint':
      return 'ACCESS EXCLUSIVE';
    // Every change of the lock table's alter_column rows takes ACCESS EXCLUSIVE except a comment
    // (COMMENT ON COLUMN: SHARE UPDATE EXCLUSIVE), and `existing_*` alone changes nothing. A change
    // not written literally (nullable=flag, **kwargs) may be any of them.
    case 'alter_column': return changesMoreThanComment(op) ? 'ACCESS EXCLUSIVE' : undefined;
    // alembic-postgresql-enum: ALTER TABLE ... ALTER COLUMN ... TYPE on every column using the enum.
    case 'other': return /(^|\.)sync_enum_values$/.test(op.call.callee) ? 'ACCESS EXCLUSIVE' : undefined;
    default: return undefined;
  }
}

function changesMoreThanComment(op: SchemaOp): boolean {
  const c = alterColumnChanges(op);
  return c.type || c.nullable !== undefined || c.serverDefault || c.rename || c.unknown;
}

/**
 * The table an operation works on was there, holding rows and taking traffic, before the migration
 * ran: not created earlier in the same function, and not created by another new revision of the same
 * deploy (the schema model, `isExistingTable`). A table the model cannot place (most often one made
 * before the history began, by `create_all` or by hand) still counts as existing, as it did before the
 * model: only a model that knows the table is new this deploy keeps the lock rules quiet.
 */
export function onExistingTable(o: OpInContext, ctx: { schema?: SchemaAt | undefined }): boolean {
  if (o.newTable) return false;
  // A statement of op.execute the facts keep as `execute` names its table in its SQL reading.
  const table = o.op.table ?? o.op.sql?.table;
  if (table === undefined) return true;
  return isExistingTable(ctx, table) !== false;
}

/** What a statement does to `lock_timeout`: sets it for the session or the transaction, turns it off, or nothing. */
export type LockTimeoutEffect = 'session' | 'local' | 'off' | undefined;

const LOCK_TIMEOUT = /lock_timeout/i;
const SET_LOCK_TIMEOUT = /^SET\s+(SESSION\s+|LOCAL\s+)?lock_timeout\s*(?:=|\bTO\b)\s*(.*)$/i;
const SET_CONFIG = /\bset_config\s*\(\s*''\s*,\s*(''|\d+)\s*,\s*(true|false)\s*\)/i;

/** One statement (as `sqlStatements` gives it: string contents blanked). */
export function lockTimeoutEffect(statement: string): LockTimeoutEffect {
  const m = SET_LOCK_TIMEOUT.exec(statement);
  if (m) {
    // `0` (or DEFAULT, usually 0) switches the timeout off; a string's contents are blanked, so '5s' reads as ''.
    if (/^(?:0|DEFAULT)\s*$/i.test(m[2] ?? '')) return 'off';
    return /^LOCAL/i.test(m[1] ?? '') ? 'local' : 'session';
  }
  if (/^RESET\s+lock_timeout\b/i.test(statement)) return 'off';
  // SELECT set_config('lock_timeout', '5s', false): the setting's name is a string, blanked; only trust it
  // when the raw text names lock_timeout (checked by the caller through `mentionsLockTimeout`).
  const c = SET_CONFIG.exec(statement);
  if (c) return c[2]?.toLowerCase() === 'true' ? 'local' : 'session';
  return undefined;
}

/** Comments removed: env.py names lock_timeout in code (a SET, `-c lock_timeout=...` in connect options). */
export function setsLockTimeout(envPy: string): boolean {
  for (const line of envPy.split(/\r?\n/)) {
    const code = stripComment(line);
    const m = /lock_timeout\s*(?:=|\bTO\b|["']\s*:)?\s*["']?\s*([^\s"',)]*)/i.exec(code);
    if (!m) continue;
    if (/^0(?:ms|s)?$/i.test(m[1] ?? '')) continue;
    return true;
  }
  return false;
}

/** The line up to a `#` outside quotes. */
function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') return line.slice(0, i);
  }
  return line;
}

/** What `call` (an `op.execute` / connection execute of literal SQL) does to lock_timeout, statement by statement. */
function callLockTimeout(m: Migration, call: ParsedCall): LockTimeoutEffect {
  const executed = m.executedSql.find((s) => s.call === call);
  if (!executed || !LOCK_TIMEOUT.test(executed.sql)) return undefined;
  let effect: LockTimeoutEffect;
  for (const s of sqlStatements(executed.sql)) effect = lockTimeoutEffect(s) ?? effect;
  return effect;
}

/**
 * Walks one function's calls in order and says, for each call, whether a lock_timeout set earlier in
 * the function is in force when it runs. `SET lock_timeout` lasts for the session; `SET LOCAL` until
 * the transaction ends, and an autocommit block ends it (Alembic commits before the block and starts
 * a new transaction after it); inside the block each statement is its own transaction.
 */
export function lockTimeoutInForce(m: Migration, fn: MigrationFunction): (call: ParsedCall) => boolean {
  // Most files never name lock_timeout: then no call sets it (one scan of the file's SQL, not one per call).
  if (!m.executedSql.some((e) => LOCK_TIMEOUT.test(e.sql))) return NEVER_IN_FORCE;
  return readInForce(m, fn);
}

const NEVER_IN_FORCE = (): boolean => false;

function readInForce(m: Migration, fn: MigrationFunction): (call: ParsedCall) => boolean {
  const covered = new Set<ParsedCall>();
  let session = false;
  let local = false;
  let wasInBlock = false;
  for (const call of fn.calls) {
    if (call.inAutocommitBlock !== wasInBlock) {
      local = false;
      wasInBlock = call.inAutocommitBlock;
    }
    const effect = callLockTimeout(m, call);
    if (effect === 'session') session = true;
    else if (effect === 'local' && !call.inAutocommitBlock) local = true;
    else if (effect === 'off') session = local = false;
    if (session || (local && !call.inAutocommitBlock)) covered.add(call);
  }
  return (call) => covered.has(call);
}
