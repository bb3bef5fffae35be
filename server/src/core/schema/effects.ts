// What one revision's upgrade does to the schema, as the replay needs it: a short list of effects with
// names and column types only (no parse nodes), so a 10,000-revision project keeps its effects without
// keeping its parses. Read from the SchemaOps of core/facts/schema.ts on the project's dialect.
// What cannot be known becomes `taint` (these names are unknown from here on) or `opaque` (anything not
// named may have been created or changed): an operation in a branch whose condition we cannot read,
// SQL we do not understand, a table whose name is not a literal (`Model.__table__.create(bind)`,
// `metadata.create_all`), a call of code outside the file.
import { boolValue, isColumnCallee, kwarg, literalName, methodOf, receiverOf } from '../facts/args';
import { type ColumnTypeInfo, columnTypeInfo } from '../facts/columnTypes';
import { evaluateCondition } from '../facts/dialect';
import { migrationFunctions, schemaOpsOn, upgradeFunctions } from '../facts/functions';
import { implicitEnums, postgresDefaultName, type SchemaOp } from '../facts/schema';
import { sqlOperations, sqlStatements } from '../facts/sql';
import type { ArgValue, Migration, MigrationFunction, ParsedCall } from '../types';

export interface ColumnEffect {
  name: string;
  /** Undefined when the type argument is not one we read. */
  type?: ColumnTypeInfo;
}

export type Effect =
  | { k: 'create_table'; table: string; columns: ColumnEffect[]; columnsComplete: boolean; constraints: string[]; indexes: string[] }
  | { k: 'drop_table'; table: string }
  | { k: 'rename_table'; table: string; to: string }
  | { k: 'add_column'; table: string; column: ColumnEffect; constraints: string[]; indexes: string[] }
  | { k: 'drop_column'; table: string; column: string }
  /** `type` undefined: the type changed to one we cannot read. */
  | { k: 'alter_type'; table: string; column: string; type?: ColumnTypeInfo }
  | { k: 'rename_column'; table: string; column: string; to: string }
  | { k: 'create_index'; name: string; table?: string }
  /** `table`: the table_name given, when literal (the schema model keys indexes by name only). */
  | { k: 'drop_index'; name: string; table?: string }
  | { k: 'create_constraint'; table: string; name: string }
  | { k: 'drop_constraint'; table: string; name: string }
  | { k: 'create_enum'; name: string }
  | { k: 'drop_enum'; name: string }
  /** These names (tables, columns `t.c`, types, indexes) are unknown from here on. */
  | { k: 'taint'; names: string[] }
  /**
   * Something was done to these names that we cannot read (SQL we do not parse, a helper given them):
   * a table keeps its existence and origin but its columns become unknown; types and indexes of the
   * name become unknown.
   */
  | { k: 'shape'; names: string[] }
  /** Something we cannot name may have been created or changed: absent objects are unknown from here on. */
  | { k: 'opaque' };

/** Calls that touch no schema object (data, Python, logging). */
const DATA_CALL = /^(?:print|len|range|str|int|bool|list|dict|set|tuple|sorted|isinstance|getattr|hasattr|enumerate|zip|min|max|any|all|json\.\w+|re\.\w+|datetime\.\w+|uuid\.\w+|logging\.\w+|logger\.\w+|log\.\w+|sa\.\w+|sqlalchemy\.\w+|text|select|table|column|update|insert|delete|func\.\w+)$/;
const DDL_CALL = /(?:^|\.)(?:create_all|drop_all|reflect)$|__table__\.(?:create|drop)$/;

/** The call runs on `dialect` for sure: every guard is known to come out as the branch needs. */
function definitely(call: ParsedCall, fn: Pick<MigrationFunction, 'dialectAssignments'>, dialect: string): boolean {
  return (call.guards ?? []).every((g) => evaluateCondition(g.condition, dialect, fn.dialectAssignments ?? []) === g.holds);
}

function runsForSure(op: SchemaOp, fn: MigrationFunction, dialect: string): boolean {
  if (!op.via) return definitely(op.call, fn, dialect);
  return definitely(op.via.call, fn, dialect) && definitely(op.call, op.via.helper, dialect);
}

/** Statements that leave every table, column, type and index as it was (rows, values, rights, statistics). */
const NO_SHAPE_CHANGE = /^\s*(?:UPDATE|INSERT|DELETE|SELECT|WITH|MERGE|COPY|SET|RESET|ALTER\s+TYPE\s+\S+\s+ADD\s+VALUE|COMMENT|GRANT|REVOKE|ANALYZE|VACUUM)\b/i;

/** The effects of a migration's upgrade functions on `dialect`, in order. */
export function revisionEffects(m: Migration, dialect: string): Effect[] {
  return effectsOf(m, upgradeFunctions(m), dialect);
}

/** What the downgrade functions do, read the same way (for the tables a downgrade touches). */
export function downgradeEffects(m: Migration, dialect: string): Effect[] {
  return effectsOf(m, migrationFunctions(m).filter((f) => f.kind === 'downgrade'), dialect);
}

/**
 * Every table these effects change, by name: what a schema snapshot must cover to see the change.
 * Undefined when one of them does something we cannot pin to a table (an unnamed index, SQL or a
 * helper we do not read, a call that may or may not run): then only a whole snapshot is safe.
 */
export function tablesTouched(effects: readonly Effect[]): string[] | undefined {
  const names = new Set<string>();
  for (const e of effects) {
    switch (e.k) {
      case 'create_table': case 'drop_table': case 'add_column': case 'drop_column': case 'alter_type':
      case 'rename_column': case 'create_constraint': case 'drop_constraint':
        names.add(e.table);
        break;
      case 'rename_table':
        names.add(e.table);
        names.add(e.to);
        break;
      case 'create_index': case 'drop_index':
        if (e.table === undefined) return undefined;
        names.add(e.table);
        break;
      // Enum types are always snapshotted whole.
      case 'create_enum': case 'drop_enum':
        break;
      case 'taint': case 'shape': case 'opaque':
        return undefined;
    }
  }
  return [...names].sort();
}

function effectsOf(m: Migration, fns: readonly MigrationFunction[], dialect: string): Effect[] {
  const out: Effect[] = [];
  // The statements of one SQL text share its call: the text is read once for what they do not say.
  const scanned = new Set<ParsedCall>();
  for (const fn of fns) {
    for (const op of schemaOpsOn(m, fn, dialect)) {
      const effects = opEffects(m, op);
      if ((op.sql || op.kind === 'execute') && !scanned.has(op.call)) {
        scanned.add(op.call);
        for (const e of unrecognisedSql(m, op)) effects.push(e);
      }
      const sure = runsForSure(op, fn, dialect);
      for (const e of effects) out.push(sure ? e : uncertain(e));
    }
  }
  return out;
}

/** An effect that may or may not happen: what it names becomes unknown. */
function uncertain(e: Effect): Effect {
  switch (e.k) {
    case 'taint':
    case 'shape':
    case 'opaque':
      return e;
    case 'create_table':
    case 'drop_table':
      return { k: 'taint', names: [e.table] };
    case 'rename_table':
      return { k: 'taint', names: [e.table, e.to] };
    case 'add_column':
      return { k: 'taint', names: [`${e.table}.${e.column.name}`] };
    case 'drop_column':
    case 'alter_type':
      return { k: 'taint', names: [`${e.table}.${e.column}`] };
    case 'rename_column':
      return { k: 'taint', names: [`${e.table}.${e.column}`, `${e.table}.${e.to}`] };
    case 'create_index':
    case 'drop_index':
    case 'create_enum':
    case 'drop_enum':
      return { k: 'taint', names: [e.name] };
    case 'create_constraint':
    case 'drop_constraint':
      return { k: 'taint', names: [`${e.table}:${e.name}`] };
  }
}

function typeOf(v: ArgValue | undefined): ColumnTypeInfo | undefined {
  return v && v.kind !== 'none' ? columnTypeInfo(v) : undefined;
}

/** `methodOf(callee) === method` without cutting the string (`dotted` is `.` + method). */
function isMethod(callee: string, method: string, dotted: string): boolean {
  return callee === method || callee.endsWith(dotted);
}

/** What `sa.Column(...)` in a create_table or add_column brings along: constraints and indexes by PostgreSQL's and SQLAlchemy's default names. */
function columnExtras(table: string, call: ParsedCall | undefined, name: string, constraints: string[], indexes: string[]): void {
  if (!call) return;
  if (boolValue(kwarg(call, 'unique')) === true) constraints.push(`${table}_${name}_key`);
  if (boolValue(kwarg(call, 'index')) === true) indexes.push(`ix_${table}_${name}`);
  for (const a of call.args) {
    if (a.kind === 'call' && isMethod(a.call.callee, 'ForeignKey', '.ForeignKey')) constraints.push(literalName(kwarg(a.call, 'name'))?.toLowerCase() ?? `${table}_${name}_fkey`);
  }
}

function createTableEffect(op: SchemaOp, table: string): Effect[] {
  const constraints: string[] = [];
  const indexes: string[] = [];
  const columns: ColumnEffect[] = [];
  let complete = true;
  let primary = false;
  for (const c of op.columns ?? []) {
    if (c.name === undefined) {
      complete = false;
      continue;
    }
    const name = c.name.toLowerCase();
    const type = typeOf(c.type);
    columns.push(type ? { name, type } : { name });
    if (c.primaryKey) primary = true;
    columnExtras(table, c.call, name, constraints, indexes);
  }
  // Table-level constraints written as arguments of create_table.
  const args = op.sql ? [] : op.call.args;
  for (let i = 1; i < args.length; i++) {
    const a = args[i] as ArgValue;
    if (a.kind !== 'call') complete = false;
    if (a.kind !== 'call' || isColumnCallee(a.call.callee)) continue;
    const kind = methodOf(a.call.callee);
    const given = literalName(kwarg(a.call, 'name'))?.toLowerCase();
    const cols = lowerStrings(a.call.args);
    if (kind === 'PrimaryKeyConstraint') {
      primary = false;
      constraints.push(given ?? `${table}_pkey`);
    } else if (kind === 'UniqueConstraint') {
      constraints.push(given ?? `${table}_${cols.join('_')}_key`);
    } else if (kind === 'ForeignKeyConstraint') {
      const local = a.call.args[0]?.kind === 'sequence' ? lowerStrings(a.call.args[0].items) : [];
      constraints.push(given ?? `${table}_${local.join('_')}_fkey`);
    } else if (kind === 'CheckConstraint') {
      if (given) constraints.push(given);
    } else if (kind === 'Index') {
      const n = literalName(a.call.args[0])?.toLowerCase();
      if (n) indexes.push(n);
    }
  }
  if (primary) constraints.push(`${table}_pkey`);
  if (op.sql) complete = false;
  const out: Effect[] = [{ k: 'create_table', table, columns, columnsComplete: complete, constraints, indexes }];
  for (const e of implicitEnums(op)) out.push(e.name !== undefined ? { k: 'create_enum', name: e.name } : { k: 'opaque' });
  return out;
}

function opEffects(m: Migration, op: SchemaOp): Effect[] {
  const t = op.table;
  switch (op.kind) {
    case 'create_table':
      return t === undefined ? [{ k: 'opaque' }] : createTableEffect(op, t);
    case 'drop_table':
      return t === undefined ? [{ k: 'opaque' }] : [{ k: 'drop_table', table: t }];
    case 'rename_table':
      if (t === undefined) return [{ k: 'opaque' }];
      return op.newName === undefined ? [{ k: 'taint', names: [t] }] : [{ k: 'rename_table', table: t, to: op.newName }];
    case 'add_column': {
      if (t === undefined || op.name === undefined) return t === undefined ? [{ k: 'opaque' }] : [{ k: 'taint', names: [t] }];
      const type = op.sql ? undefined : typeOf(op.column?.type);
      const constraints: string[] = [];
      const indexes: string[] = [];
      columnExtras(t, op.column?.call, op.name, constraints, indexes);
      // Alembic's add_column creates no enum type (unlike create_table): the type must exist already.
      return [{ k: 'add_column', table: t, column: type ? { name: op.name, type } : { name: op.name }, constraints, indexes }];
    }
    case 'drop_column':
      if (t === undefined || op.name === undefined) return t === undefined ? [{ k: 'opaque' }] : [{ k: 'taint', names: [t] }];
      return [{ k: 'drop_column', table: t, column: op.name }];
    case 'alter_column': {
      if (t === undefined || op.name === undefined) return t === undefined ? [{ k: 'opaque' }] : [{ k: 'taint', names: [t] }];
      const out: Effect[] = [];
      const changesType = op.sql ? op.sql.kind === 'alter_type' : !!op.alter?.type && op.alter.type.kind !== 'none';
      if (changesType) {
        const type = op.sql ? undefined : typeOf(op.alter?.type);
        out.push(type ? { k: 'alter_type', table: t, column: op.name, type } : { k: 'alter_type', table: t, column: op.name });
      }
      if (op.newName !== undefined) out.push({ k: 'rename_column', table: t, column: op.name, to: op.newName });
      else if (op.newNameArg) out.push({ k: 'taint', names: [`${t}.${op.name}`] });
      return out;
    }
    case 'create_index': {
      const name = op.name ?? postgresDefaultName(op);
      if (name === undefined) return op.nameUnknown ? [{ k: 'opaque' }] : [];
      return [t === undefined ? { k: 'create_index', name } : { k: 'create_index', name, table: t }];
    }
    case 'drop_index':
      return op.name === undefined ? [{ k: 'opaque' }] : [t === undefined ? { k: 'drop_index', name: op.name } : { k: 'drop_index', name: op.name, table: t }];
    case 'create_constraint': {
      const name = op.name ?? postgresDefaultName(op);
      if (t === undefined) return [{ k: 'opaque' }];
      return name === undefined ? [{ k: 'taint', names: [t] }] : [{ k: 'create_constraint', table: t, name }];
    }
    case 'drop_constraint':
      if (t === undefined) return [{ k: 'opaque' }];
      return op.name === undefined ? [{ k: 'taint', names: [t] }] : [{ k: 'drop_constraint', table: t, name: op.name }];
    case 'enum_create':
      return op.name === undefined ? [{ k: 'opaque' }] : [op.checkfirst ? { k: 'taint', names: [op.name] } : { k: 'create_enum', name: op.name }];
    case 'enum_drop':
      return op.name === undefined ? [{ k: 'opaque' }] : [{ k: 'drop_enum', name: op.name }];
    case 'execute':
      if (op.sql?.kind === 'rename_type') {
        const [from, to] = op.sql.names;
        return from === undefined || to === undefined ? [{ k: 'opaque' }] : [{ k: 'drop_enum', name: from }, { k: 'create_enum', name: to }];
      }
      return executeEffects(m, op);
    case 'other':
      return otherEffects(op);
  }
}

/** `table.update().values(...)`, `sa.insert(t)`, `select(...)`: a Core statement, which changes rows only. */
const CORE_STATEMENT = /(?:^|\.)(?:update|insert|delete|select)(?:\(\)|$)/;

/** op.execute of a value we cannot read often carries DDL; a Core statement (here or on the connection) is data. */
function executeEffects(m: Migration, op: SchemaOp): Effect[] {
  if (op.sql || m.executedSql.some((s) => s.call === op.call)) return [];
  const arg = op.call.args[0];
  if (arg?.kind === 'call' && CORE_STATEMENT.test(arg.call.callee)) return [];
  return op.call.callee === 'op.execute' ? [{ k: 'opaque' }] : [];
}

/**
 * A text of one statement (no `;` anywhere) that starts with one of NO_SHAPE_CHANGE's plain keywords:
 * `sqlStatements` would give that one statement with the keyword still first (comments, quotes and
 * whitespace come after it), so it changes no shape, and the text need not be split.
 */
const ONE_DATA_STATEMENT = /^\s*(?:UPDATE|INSERT|DELETE|SELECT|WITH|MERGE|COPY|SET|RESET|PRAGMA|COMMENT|GRANT|REVOKE|ANALYZE|VACUUM)\b/i;

/** Statements the statement readers gave no operation for: what they name is unknown (CREATE TYPE ... AS ENUM is an operation of its own, create_type). */
function unrecognisedSql(m: Migration, op: SchemaOp): Effect[] {
  const executed = m.executedSql.find((s) => s.call === op.call);
  if (!executed) return [];
  if (!executed.sql.includes(';') && ONE_DATA_STATEMENT.test(executed.sql)) return [];
  const out: Effect[] = [];
  for (const statement of sqlStatements(executed.sql)) {
    if (NO_SHAPE_CHANGE.test(statement) || sqlOperations(statement).length > 0) continue;
    out.push({ k: 'shape', names: identifiers(statement) });
  }
  return out;
}

/** The string literals among `values`, lower-cased. */
function lowerStrings(values: readonly ArgValue[]): string[] {
  const out: string[] = [];
  for (const x of values) if (x.kind === 'string') out.push(x.value.toLowerCase());
  return out;
}

function identifiers(sql: string): string[] {
  return [...new Set((sql.match(/[A-Za-z_][\w$]*/g) ?? []).map((n) => n.toLowerCase()))];
}

function otherEffects(op: SchemaOp): Effect[] {
  const callee = op.call.callee;
  if (DDL_CALL.test(callee)) return [{ k: 'opaque' }];
  const recv = receiverOf(callee);
  const literal = [...op.call.args, ...op.call.kwargs.map((k) => k.value)].flatMap((a) => {
    const n = literalName(a);
    return n !== undefined ? [n.toLowerCase()] : [];
  });
  // An Alembic operation we do not model (op.create_table_comment, op.bulk_insert): it names its table.
  if (recv === 'op' || (op.batch && recv === op.batch.alias)) {
    if (methodOf(callee) === 'bulk_insert' || methodOf(callee) === 'inline_literal') return [];
    return literal.length > 0 || op.batch ? [{ k: 'shape', names: op.batch ? [op.batch.table.toLowerCase(), ...literal] : literal }] : [{ k: 'opaque' }];
  }
  // A plain function of another module (a shared helper) may run DDL: names it gets are unknown, and
  // without names anything may be.
  if (!callee.includes('.') && !callee.includes('(') && !DATA_CALL.test(callee) && !op.call.assignedTo) {
    return literal.length > 0 ? [{ k: 'shape', names: literal }] : [{ k: 'opaque' }];
  }
  return [];
}
