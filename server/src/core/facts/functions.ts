// Upgrade/downgrade pairs, and what an upgrade has created before a given operation ("an existing
// table" is one the same function has not created earlier: only tables already in the database
// hold rows and take traffic while the migration runs).
import type { ArgValue, Migration, MigrationFunction } from '../types';
import { runsOn } from './dialect';
import { type EnumFacts, implicitEnums, type SchemaOp, schemaOps } from './schema';
import { sqlStatements } from './sql';

export interface FunctionPair {
  upgrade: MigrationFunction;
  /** The downgrade of the same engine, when the file has one. */
  downgrade?: MigrationFunction;
  /** `<engine>` of `upgrade_<engine>` (multi-database template); undefined for plain `upgrade`. */
  engine?: string;
}

/** The function Python ends up with for a name: the last `def` wins. */
function lastByName(fns: readonly MigrationFunction[]): Map<string, MigrationFunction> {
  const m = new Map<string, MigrationFunction>();
  for (const f of fns) m.set(f.name, f);
  return m;
}

// Every rule asks the same questions of the same parsed file: answers are kept with the Migration
// object (a re-parse makes new objects, so nothing goes stale), in one record per file, so that a
// file's rules pay one WeakMap entry between them instead of one per question and function.
interface FileFacts {
  /** The file's functions by name, the last `def` of each. */
  byName?: Map<string, MigrationFunction>;
  pairs?: FunctionPair[];
  functions?: MigrationFunction[];
  upgrades?: MigrationFunction[];
  upgradeOps?: readonly OpInContext[];
  /** upgradeOpsOn: PostgreSQL's (what nearly every rule asks), then any other dialect's. */
  upgradeOpsOnPostgres?: readonly OpInContext[];
  upgradeOpsOn?: Map<string, readonly OpInContext[]>;
  byFunction: Map<MigrationFunction, FunctionFacts>;
  /** implicitEnumsOf, by create_table operation of the file. */
  implicit?: Map<SchemaOp, readonly EnumFacts[]>;
}

interface FunctionFacts {
  /** schemaOps (kept here too: a Map of a file's few functions answers faster than its WeakMap). */
  ops: SchemaOp[];
  context?: readonly OpInContext[];
  /** schemaOpsOn: PostgreSQL's, then any other dialect's. */
  onPostgres?: SchemaOp[];
  on?: Map<string, SchemaOp[]>;
  names?: CallNames;
}

/**
 * What a function's calls (`fn.calls`) may be named, for the rules that look for one method: each
 * flag is true when some callee ends so (a quick test; the rule still reads the calls it keeps).
 */
export interface CallNames {
  /** `...commit` or `...rollback`. */
  commit: boolean;
  /** `...sync_enum_values`. */
  syncEnumValues: boolean;
  /** `..._entity` (alembic_utils' create_entity, replace_entity, drop_entity). */
  entity: boolean;
  /** Some callee is a bare name (`helper()`), no attribute and no call result. */
  bare: boolean;
}

const factsCache = new WeakMap<Migration, FileFacts>();
// The rules of one file run one after the other and ask dozens of questions each: the file asked
// last answers them without a WeakMap look-up. It stays referenced until another file is asked
// about (one parse, never more).
let lastMigration: Migration | undefined;
let lastFacts: FileFacts = { byFunction: new Map() };

function factsOf(m: Migration): FileFacts {
  if (m === lastMigration) return lastFacts;
  let f = factsCache.get(m);
  if (!f) {
    f = { byFunction: new Map() };
    factsCache.set(m, f);
  }
  lastMigration = m;
  lastFacts = f;
  return f;
}

function functionFacts(m: Migration, fn: MigrationFunction): FunctionFacts {
  const byFunction = factsOf(m).byFunction;
  let f = byFunction.get(fn);
  if (!f) {
    f = { ops: schemaOps(m, fn) };
    byFunction.set(fn, f);
  }
  return f;
}

/** The names of a function's calls, read once for the rules that look for one. */
export function callNames(m: Migration, fn: MigrationFunction): CallNames {
  const f = functionFacts(m, fn);
  return (f.names ??= readCallNames(fn));
}

function readCallNames(fn: MigrationFunction): CallNames {
  const names: CallNames = { commit: false, syncEnumValues: false, entity: false, bare: false };
  for (const { callee } of fn.calls) {
    // The last character first: most callees end in none of the words.
    switch (callee.charCodeAt(callee.length - 1)) {
      case 0x74: // t
        if (callee.endsWith('commit')) names.commit = true;
        break;
      case 0x6b: // k
        if (callee.endsWith('rollback')) names.commit = true;
        break;
      case 0x73: // s
        if (callee.endsWith('sync_enum_values')) names.syncEnumValues = true;
        break;
      case 0x79: // y
        if (callee.endsWith('_entity')) names.entity = true;
        break;
      default:
        break;
    }
    if (!names.bare && !callee.includes('.') && !callee.includes('(')) names.bare = true;
  }
  return names;
}

/** `schemaOps` of one of the file's functions, through the file's record. Shared: do not change the list. */
export function functionOps(m: Migration, fn: MigrationFunction): SchemaOp[] {
  return functionFacts(m, fn).ops;
}

/** Every upgrade with the downgrade of the same engine. Shared: do not change the list. */
export function functionPairs(m: Migration): FunctionPair[] {
  const f = factsOf(m);
  return (f.pairs ??= readPairs((f.byName ??= lastByName(m.functions))));
}

function readPairs(byName: ReadonlyMap<string, MigrationFunction>): FunctionPair[] {
  const out: FunctionPair[] = [];
  for (const fn of byName.values()) {
    if (fn.kind !== 'upgrade') continue;
    const down = byName.get(fn.engine === undefined ? 'downgrade' : `downgrade_${fn.engine}`);
    const pair: FunctionPair = { upgrade: fn };
    if (down) pair.downgrade = down;
    if (fn.engine !== undefined) pair.engine = fn.engine;
    out.push(pair);
  }
  return out;
}

/** The upgrade functions Python keeps (one per name). Shared: do not change the list. */
export function upgradeFunctions(m: Migration): MigrationFunction[] {
  const f = factsOf(m);
  return (f.upgrades ??= migrationFunctions(m).filter((fn) => fn.kind === 'upgrade'));
}

/** Every migration function Python keeps (one per name). Shared: do not change the list. */
export function migrationFunctions(m: Migration): MigrationFunction[] {
  const f = factsOf(m);
  return (f.functions ??= m.functions.length < 2 ? m.functions : [...(f.byName ??= lastByName(m.functions)).values()]);
}

const NO_ENUMS: readonly EnumFacts[] = [];

/**
 * `implicitEnums`, kept per operation: several rules ask it of every create_table, whose columns it
 * walks each time. Shared: do not change the list.
 */
export function implicitEnumsOf(m: Migration, op: SchemaOp): readonly EnumFacts[] {
  if (op.kind !== 'create_table' || !op.columns) return NO_ENUMS;
  const implicit = (factsOf(m).implicit ??= new Map());
  let enums = implicit.get(op);
  if (!enums) {
    enums = implicitEnums(op);
    implicit.set(op, enums);
  }
  return enums;
}

/** A SchemaOp with what the function did before it. */
export interface OpInContext {
  op: SchemaOp;
  /** Its table was created earlier in this function (so it is empty and unused by now). */
  newTable: boolean;
  /** Its column (alter_column, drop_column) was added earlier in this function. */
  newColumn: boolean;
  /** Its index (drop_index) was created earlier in this function. */
  newIndex: boolean;
}

/** The function's operations, each knowing whether its table/column/index is new in this function. */
export function opsInContext(m: Migration, fn: MigrationFunction): readonly OpInContext[] {
  const f = functionFacts(m, fn);
  return (f.context ??= readContext(f.ops));
}

function readContext(ops: readonly SchemaOp[]): OpInContext[] {
  // Made as the first of each is added: most functions create one table or none.
  let tables: Set<string> | undefined;
  let columns: Set<string> | undefined;
  let indexes: Map<string, string | undefined> | undefined;
  // A create_table with a name we cannot read could be any table.
  let unknownTable = false;
  const out: OpInContext[] = [];
  for (const op of ops) {
    const t = op.table;
    const newTable = t === undefined ? unknownTable : !!tables?.has(t);
    // No key built while no column was added (most functions).
    const newColumn = newTable || (t !== undefined && op.name !== undefined && columns !== undefined && columns.has(`${t}.${op.name}`));
    let newIndex = false;
    if (op.kind === 'drop_index' && op.name !== undefined && indexes?.has(op.name)) {
      const on = indexes.get(op.name);
      newIndex = t === undefined || on === undefined || on === t || !!tables?.has(on);
    }
    out.push({ op, newTable, newColumn, newIndex: newIndex || (op.kind === 'drop_index' && newTable) });
    if (op.kind === 'create_table') {
      if (t === undefined) unknownTable = true;
      else (tables ??= new Set()).add(t);
    } else if (op.kind === 'rename_table' && t !== undefined && op.newName !== undefined && tables?.has(t)) {
      tables.add(op.newName);
    } else if (op.kind === 'add_column' && t !== undefined && op.name !== undefined) {
      (columns ??= new Set()).add(`${t}.${op.name}`);
    } else if (op.kind === 'alter_column' && t !== undefined && op.name !== undefined && op.newName !== undefined && columns?.has(`${t}.${op.name}`)) {
      columns.add(`${t}.${op.newName}`);
    } else if (op.kind === 'create_index' && op.name !== undefined) {
      (indexes ??= new Map()).set(op.name, t);
    }
  }
  return out;
}

/** Every operation of every upgrade function, in context. The PostgreSQL safety rules read these. */
export function upgradeOps(m: Migration): readonly OpInContext[] {
  const f = factsOf(m);
  if (!f.upgradeOps) {
    const fns = upgradeFunctions(m);
    f.upgradeOps = fns.length === 1 && fns[0] ? opsInContext(m, fns[0]) : fns.flatMap((fn) => opsInContext(m, fn));
  }
  return f.upgradeOps;
}

/**
 * The upgrade operations that run on `dialect`: those in a branch known to run elsewhere
 * (`if bind.dialect.name == "mysql":`) are left out. An undefined dialect keeps every operation.
 * PostgreSQL's lock and rewrite rules ask for `postgresql`.
 */
export function upgradeOpsOn(m: Migration, dialect: string | undefined): readonly OpInContext[] {
  if (dialect === undefined) return upgradeOps(m);
  const facts = factsOf(m);
  if (dialect === 'postgresql') return (facts.upgradeOpsOnPostgres ??= readUpgradeOpsOn(m, dialect));
  const byDialect = (facts.upgradeOpsOn ??= new Map());
  let ops = byDialect.get(dialect);
  if (!ops) {
    ops = readUpgradeOpsOn(m, dialect);
    byDialect.set(dialect, ops);
  }
  return ops;
}

function readUpgradeOpsOn(m: Migration, dialect: string): readonly OpInContext[] {
  // Without a guarded call (or a helper's) every operation runs on every dialect.
  const fns = upgradeFunctions(m);
  const guarded = fns.some((fn) => opsInContext(m, fn).some(({ op }) => op.call.guards || op.via));
  return !guarded ? upgradeOps(m) : fns.flatMap((fn) => opsInContext(m, fn).filter(({ op }) => opRunsOn(op, fn, dialect)));
}

/** One function's operations that run on `dialect` (all of them when it is undefined). Shared: do not change the list. */
export function schemaOpsOn(m: Migration, fn: MigrationFunction, dialect: string | undefined): SchemaOp[] {
  const f = functionFacts(m, fn);
  if (dialect === undefined) return f.ops;
  // Several rules ask for the same function on the same dialect (PostgreSQL's, nearly always).
  if (dialect === 'postgresql') return (f.onPostgres ??= readOpsOn(f.ops, fn, dialect));
  const byDialect = (f.on ??= new Map());
  let on = byDialect.get(dialect);
  if (!on) {
    on = readOpsOn(f.ops, fn, dialect);
    byDialect.set(dialect, on);
  }
  return on;
}

function readOpsOn(ops: SchemaOp[], fn: MigrationFunction, dialect: string): SchemaOp[] {
  return !ops.some((op) => op.call.guards || op.via) ? ops : ops.filter((op) => opRunsOn(op, fn, dialect));
}

/** The operation's call runs on `dialect`, and so does the helper call it sits in. */
function opRunsOn(op: SchemaOp, fn: MigrationFunction, dialect: string): boolean {
  if (!op.via) return runsOn(op.call, fn, dialect);
  return runsOn(op.via.call, fn, dialect) && runsOn(op.call, op.via.helper, dialect);
}

/** Statements that change rows, not the schema, or only the session (`SET statement_timeout = ...`). */
export const DATA_STATEMENT = /^\s*(?:UPDATE|INSERT|DELETE|SELECT|WITH|MERGE|TRUNCATE|COPY|SET|RESET)\b/i;

/** SQLite's settings (`PRAGMA foreign_keys=OFF`, `PRAGMA auto_vacuum = FULL`): no schema object changes. */
export const SETTING_STATEMENT = /^\s*PRAGMA\b/i;

/**
 * The function changes data only: every operation runs SQL that reads or writes rows (UPDATE, INSERT,
 * DELETE ...), or Core statements on the connection, or `op.bulk_insert`, with SQLite settings around
 * them (`PRAGMA foreign_keys=OFF` before a backfill). Settings alone are not data. False when it does
 * nothing. A helper call or any schema operation makes it not data-only.
 */
export function isDataOnly(m: Migration, fn: MigrationFunction): boolean {
  const ops = functionOps(m, fn);
  let data = false;
  const every = ops.every((op) => {
    if (op.kind === 'other') {
      data = true;
      return op.call.callee === 'op.bulk_insert';
    }
    if (op.kind !== 'execute') return false;
    const executed = m.executedSql.find((s) => s.call === op.call);
    // SQL we cannot read (a Core statement on the connection) is taken as data; op.execute of a
    // non-literal is not, since it often carries DDL, unless it is a string formatted with values
    // whose own text is data statements (Pagure's "UPDATE acls SET description='%s' ..." % (...)).
    const arg = op.call.args[0];
    const sql = executed?.sql ?? formattedTemplate(arg);
    if (sql === undefined) {
      data = true;
      // A Core statement that writes rows is data through op.execute too (`t.update().where(...).values(...)`).
      return op.call.callee !== 'op.execute' || (arg?.kind === 'call' && CORE_ROWS.test(arg.call.callee));
    }
    const statements = sqlStatements(sql).filter((s) => s.trim() !== '');
    if (statements.length === 0) return false;
    for (const s of statements) {
      if (SETTING_STATEMENT.test(s)) continue;
      if (!DATA_STATEMENT.test(s)) return false;
      data = true;
    }
    return true;
  });
  return every && data;
}

/** A Core statement on rows: `t.update()...`, `t.insert().values`, `t.delete().where`, `sa.insert(t)`. */
const CORE_ROWS = /(?:^|\.)(?:update|insert|delete)(?:\(\)|$)/;

/** A string literal formatted with values: `"..." % x`, `"...".format(...)`, an f-string; group 2 is its text. */
const FORMATTED = /^(?:[rRuU]?("""|'''|"|')([\s\S]*?)\1\s*(?:%|\.format\s*\()|[fF][rR]?("""|'''|"|')([\s\S]*)\3$|[rR][fF]("""|'''|"|')([\s\S]*)\5$)/;

/**
 * The text of a formatted SQL string, its placeholders left in (`%s`, `{}`, `{name}`): enough to tell
 * which statements it runs when each starts with its keyword, not to read the names in it.
 */
function formattedTemplate(arg: ArgValue | undefined): string | undefined {
  if (arg?.kind !== 'other') return undefined;
  const m = FORMATTED.exec(arg.text);
  return m ? (m[2] ?? m[4] ?? m[6]) : undefined;
}

const LOGGING = /^(?:logger|log|logging|LOG|_logger|_log)\.\w+$/;

/**
 * The function changes nothing in the database: it is empty, or it only prints, logs, binds names
 * or calls what does nothing to the schema (`op.get_bind()`). A raising function is not "no effect":
 * it declares a one-way migration.
 */
export function hasNoEffect(m: Migration, fn: MigrationFunction): boolean {
  if (fn.isEmpty) return true;
  if (fn.raises) return false;
  return functionOps(m, fn).every((op) => op.kind === 'other' && LOGGING.test(op.call.callee));
}
