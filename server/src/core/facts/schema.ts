// What one migration function does to the schema: every Alembic operation (`op.*`, `batch_op.*` in
// `with op.batch_alter_table(...)` blocks), enum type creation and removal, and the statements of raw
// SQL passed to `op.execute`, normalised into SchemaOps in source order. The rules read these
// instead of callee strings, so `op.f("ix")`, batch blocks, keyword/positional arguments and SQL
// all look the same to them. Computed once per function (cached on the parsed Migration).
import type { ArgValue, HelperFunction, Migration, MigrationFunction, ParsedCall, Range } from '../types';
import { argAt, boolValue, isColumnCallee, isEnumCallee, kwarg, literalName, methodOf, nestedCalls, receiverOf } from './args';
import { connectionNames, isSqlExecution } from '../parse/parseMigration';
import { columnTypeInfo } from './columnTypes';
import { type SqlOp, sqlName, sqlOperations } from './sql';

export type SchemaOpKind =
  | 'create_table' | 'drop_table' | 'rename_table'
  | 'add_column' | 'drop_column' | 'alter_column'
  | 'create_index' | 'drop_index'
  | 'create_constraint' | 'drop_constraint'
  | 'enum_create' | 'enum_drop'
  | 'execute'
  /** Any other statement-level call (helpers, data changes): the function does something we do not model. */
  | 'other';

export type ConstraintType = 'foreignkey' | 'unique' | 'check' | 'primary' | 'exclude';

/** A column as `sa.Column(...)` describes it. */
export interface ColumnFacts {
  /** The `sa.Column(...)` call; absent for a column added by raw SQL. */
  call?: ParsedCall;
  name?: string;
  nameArg?: ArgValue;
  type?: ArgValue;
  /** `nullable=` given literally. */
  nullable?: boolean;
  primaryKey: boolean;
  /** NOT NULL: `nullable=False`, or a primary key not declared nullable. */
  notNull: boolean;
  /** Existing rows get a value: `server_default=`, `sa.Identity()`, `sa.Computed()`. */
  hasServerDefault: boolean;
  /** `default=` (Python side only: existing rows do not get it). */
  hasPythonDefault: boolean;
  /**
   * An integer primary key SQLAlchemy makes autoincrement (`sa.Column("id", sa.Integer, primary_key=True)`):
   * on PostgreSQL, `op.add_column` emits it as SERIAL (BIGSERIAL, SMALLSERIAL), whose nextval() default
   * fills every existing row. Checked with Alembic's own offline SQL.
   */
  serial: boolean;
  /** Enum types the column uses (its type argument). */
  enums: EnumFacts[];
}

/** An enum type as the migration defines it. */
export interface EnumFacts {
  /** The type name (`name=` of the definition), lower case; undefined when not literal. */
  name?: string;
  /** The `name=` argument as written. */
  nameArg?: ArgValue;
  /** The definition call (`sa.Enum(...)`, `postgresql.ENUM(...)`). */
  definition?: ParsedCall;
  /** A module-level variable bound to the definition. */
  moduleVariable?: string;
  /** A variable bound to the definition inside the function. */
  localVariable?: string;
  /** `create_type=False` or `native_enum=False`: creating a table does not create the type. */
  noImplicitCreate: boolean;
}

export interface SchemaOp {
  kind: SchemaOpKind;
  /** The statement-level call (`op.execute(...)` for SQL ops). */
  call: ParsedCall;
  /** Where findings about it go: the call, or a part of it (an enum inside a column). */
  range: Range;
  /** Position of the call in the function's calls. */
  index: number;
  /** Inside `with op.batch_alter_table(...) as <alias>:`. */
  batch?: { table: string; alias: string };
  inAutocommitBlock: boolean;
  /** From `op.execute` SQL rather than an Alembic operation: no argument to edit. */
  sql?: SqlOp;
  /** The table, lower case (`op.f` unwrapped); undefined when not literal. */
  table?: string;
  tableArg?: ArgValue;
  /** Index, constraint or column name, lower case; undefined when absent or not literal. */
  name?: string;
  nameArg?: ArgValue;
  /** A name is given but is not a literal (a variable, a loop): it may be anything. */
  nameUnknown: boolean;
  schemaArg?: ArgValue;
  /** add_column: the column; create_table: every `sa.Column`. */
  column?: ColumnFacts;
  columns?: ColumnFacts[];
  constraintType?: ConstraintType;
  /**
   * create_index, create_constraint: the table's columns it covers (lower case), when given as string
   * literals. PostgreSQL drops an index or constraint with any of its columns.
   */
  columnNames?: string[];
  /** Index operations: `postgresql_concurrently=True` / `CONCURRENTLY`. */
  concurrently: boolean;
  /** Foreign keys: `postgresql_not_valid=True` / `NOT VALID`. */
  notValid: boolean;
  /** rename_table: the new name; alter_column: `new_column_name`. */
  newName?: string;
  newNameArg?: ArgValue;
  /** alter_column keyword values. */
  alter?: {
    nullable?: ArgValue;
    type?: ArgValue;
    existingType?: ArgValue;
    serverDefault?: ArgValue;
    existingServerDefault?: ArgValue;
    /** `comment=`: COMMENT ON COLUMN, which takes SHARE UPDATE EXCLUSIVE (reads and writes go on). */
    comment?: ArgValue;
  };
  /** enum_create / enum_drop. */
  enumType?: EnumFacts;
  /** enum_create / enum_drop: `checkfirst` as given (undefined when absent or not literal). */
  checkfirst?: boolean;
  /** enum_create / enum_drop: a `checkfirst` argument is present (literal or not). */
  checkfirstGiven?: boolean;
  /**
   * The operation runs in a helper function of the file that this function calls (one level deep):
   * the call of the helper, and the helper. `index` is then the helper call's.
   */
  via?: { call: ParsedCall; helper: HelperFunction };
}

const low = (s: string | undefined): string | undefined => s?.toLowerCase();

/**
 * A column as messages name it: `users.email`; a part that is not a literal (a loop over tables, a
 * variable) is said so instead of a bare `?`.
 */
export function columnLabel(op: Pick<SchemaOp, 'table' | 'name'>): string {
  const { table, name } = op;
  if (table !== undefined && name !== undefined) return `${table}.${name}`;
  if (name !== undefined) return `${name} (its table is not a literal)`;
  return table !== undefined ? `a column of ${table} (its name is not a literal)` : 'a column (neither its table nor its name is a literal)';
}

/** The column as a message's object after a verb: `column users.email`, or `a column of users (...)` (columnLabel). */
export function columnPhrase(op: Pick<SchemaOp, 'table' | 'name'>): string {
  return op.name === undefined ? columnLabel(op) : `column ${columnLabel(op)}`;
}

/** The table as a message's object after a verb: `table 'users'`, or in words when its name is not a literal. */
export function tablePhrase(table: string | undefined): string {
  return table === undefined || table === '?' ? 'a table (its name is not a literal)' : `table '${table}'`;
}

/** Calls that do nothing to the schema and need no inverse. */
const NEUTRAL_METHODS = new Set(['get_bind', 'get_context', 'autocommit_block', 'batch_alter_table', 'f', 'inline_literal', 'is_offline_mode', 'begin_transaction']);
const NEUTRAL_FUNCTIONS = new Set(['print', 'len', 'range', 'str', 'int', 'list', 'dict', 'set', 'tuple', 'sorted', 'isinstance', 'getattr', 'hasattr']);

const cache = new WeakMap<MigrationFunction, SchemaOp[]>();

/** alter_column's keywords, by the field of `alter` they fill. */
const ALTER_KEYWORDS = [['type', 'type_'], ['existingType', 'existing_type'], ['serverDefault', 'server_default'], ['existingServerDefault', 'existing_server_default'], ['comment', 'comment']] as const;

/** `sa.Integer`, `sa.BigInteger()`, `Integer`, `sa.SMALLINT` ...: the integer types SQLAlchemy autoincrements. */
function isIntegerType(v: ArgValue | undefined): boolean {
  const postgres = columnTypeInfo(v)?.postgres;
  return postgres === 'integer' || postgres === 'bigint' || postgres === 'smallint';
}

/** `sa.Table`, `Table`, `sa.table`, `sa.column`, `sa.MetaData`: schema objects in Python, nothing in the database. */
function isTableCallee(callee: string): boolean {
  return /(^|\.)(Table|table|column|MetaData)$/.test(callee);
}

/** The schema operations of one function, in source order. */
export function schemaOps(migration: Migration, fn: MigrationFunction): SchemaOp[] {
  let ops = cache.get(fn);
  if (!ops) {
    ops = new Reader(migration, fn).read();
    cache.set(fn, ops);
  }
  return ops;
}

class Reader {
  // Made when the function first assigns one (most assign none: two maps less per function read).
  private localEnums: Map<string, ParsedCall> | undefined;
  private localTables: Map<string, ParsedCall> | undefined;
  private readonly out: SchemaOp[] = [];
  private connections: ReadonlySet<string> | undefined;
  /** While reading a helper's calls: the helper and the call of it. */
  private via: SchemaOp['via'];

  constructor(private readonly migration: Migration, private readonly fn: MigrationFunction) {
    this.connections = connectionNames(fn);
  }

  read(): SchemaOp[] {
    this.fn.calls.forEach((call, index) => this.call(call, index));
    return this.out;
  }

  private base(kind: SchemaOpKind, call: ParsedCall, index: number): SchemaOp {
    const op: SchemaOp = { kind, call, range: call.range, index, inAutocommitBlock: call.inAutocommitBlock, nameUnknown: false, concurrently: false, notValid: false };
    if (call.batch) op.batch = call.batch;
    if (this.via) op.via = this.via;
    return op;
  }

  /** A helper of the file called as a statement: its operations count as this function's (one level). */
  private helper(call: ParsedCall, index: number): boolean {
    if (this.via || call.callee.includes('.') || call.callee.includes('(') || call.assignedTo) return false;
    const helper = this.migration.helpers?.get(call.callee);
    if (!helper) return false;
    const outerConnections = this.connections;
    this.via = { call, helper };
    this.connections = connectionNames(helper);
    for (const inner of helper.calls) this.call(inner, index);
    this.via = undefined;
    this.connections = outerConnections;
    return true;
  }

  /**
   * `sa.Table(...).create(bind)`, `t.create(bind)` for a local `t = sa.Table(...)`, and
   * `Model.__table__.create(bind)` / `.drop(bind)`: SQLAlchemy's own CREATE and DROP TABLE. The table
   * of `__table__` is a model's, whose name the migration does not say.
   */
  private tableCall(call: ParsedCall, index: number, method: 'create' | 'drop'): boolean {
    let def: ParsedCall | undefined;
    if (call.receiver && isTableCallee(call.receiver.callee) && call.callee === `${call.receiver.callee}().${method}`) def = call.receiver;
    else if (!call.receiver) {
      const recv = receiverOf(call.callee);
      if (recv && !recv.includes('.')) def = this.localTables?.get(recv);
      if (!def && !(recv?.endsWith('.__table__') ?? false)) return false;
    } else {
      return false;
    }
    const op = this.base(method === 'create' ? 'create_table' : 'drop_table', call, index);
    const nameArg = def ? argAt(def, 0, 'name') : undefined;
    if (nameArg) op.tableArg = nameArg;
    const table = low(literalName(nameArg));
    if (table !== undefined) op.table = table;
    op.nameUnknown = table === undefined;
    if (def && method === 'create') op.columns = this.columns(def);
    this.out.push(op);
    return true;
  }

  private call(call: ParsedCall, index: number): void {
    const method = methodOf(call.callee);
    const recv = receiverOf(call.callee);
    const onOp = recv === 'op';
    const onBatch = !!call.batch && recv === call.batch.alias;
    if (call.assignedTo && isEnumCallee(call.callee)) {
      (this.localEnums ??= new Map()).set(call.assignedTo.name, call);
      return;
    }
    // Building a table object changes nothing in the database (`t = sa.table(...)` before bulk_insert).
    if (call.assignedTo && isTableCallee(call.callee)) {
      if (/(^|\.)Table$/.test(call.callee)) (this.localTables ??= new Map()).set(call.assignedTo.name, call);
      return;
    }
    if ((method === 'create' || method === 'drop') && (this.enumCall(call, index, method) || this.tableCall(call, index, method))) return;
    if (this.helper(call, index)) return;
    if ((method === 'execute' || method === 'exec_driver_sql') && isSqlExecution(call.callee, this.connections, call.batch?.alias)) {
      this.execute(call, index);
      return;
    }
    if (onOp || onBatch) {
      const op = this.operation(call, index, method, onBatch);
      if (op) {
        this.out.push(op);
        return;
      }
    }
    if (NEUTRAL_METHODS.has(method) || (!recv && NEUTRAL_FUNCTIONS.has(method))) return;
    this.out.push(this.base('other', call, index));
  }

  /** Positional index of a parameter: batch operations drop the table parameter. */
  private operation(call: ParsedCall, index: number, method: string, batch: boolean): SchemaOp | undefined {
    const shift = batch ? 1 : 0;
    const op = this.base('other', call, index);
    const schema = kwarg(call, 'schema');
    if (schema) op.schemaArg = schema;
    switch (method) {
      case 'create_table': {
        op.kind = 'create_table';
        this.setTable(op, call, batch, 0, 'table_name');
        op.nameUnknown = op.table === undefined;
        op.columns = this.columns(call);
        return op;
      }
      case 'drop_table':
        op.kind = 'drop_table';
        this.setTable(op, call, batch, 0, 'table_name');
        op.nameUnknown = op.table === undefined;
        return op;
      case 'rename_table': {
        op.kind = 'rename_table';
        this.setTable(op, call, batch, 0, 'old_table_name');
        const to = argAt(call, 1, 'new_table_name');
        if (to) op.newNameArg = to;
        const n = low(literalName(to));
        if (n !== undefined) op.newName = n;
        return op;
      }
      case 'add_column': {
        op.kind = 'add_column';
        this.setTable(op, call, batch, 0, 'table_name');
        const col = argAt(call, 1 - shift, 'column');
        if (col?.kind === 'call' && isColumnCallee(col.call.callee)) {
          op.column = this.column(col.call);
          if (op.column.nameArg) op.nameArg = op.column.nameArg;
          op.name = low(op.column.name);
        }
        op.nameUnknown = op.name === undefined;
        return op;
      }
      case 'drop_column':
        op.kind = 'drop_column';
        this.setTable(op, call, batch, 0, 'table_name');
        this.setName(op, call, 1 - shift, 'column_name');
        return op;
      case 'alter_column': {
        op.kind = 'alter_column';
        this.setTable(op, call, batch, 0, 'table_name');
        this.setName(op, call, 1 - shift, 'column_name');
        const alter: NonNullable<SchemaOp['alter']> = {};
        const nullable = argAt(call, batch ? 1 : 2, 'nullable');
        if (nullable) alter.nullable = nullable;
        for (const [key, kw] of ALTER_KEYWORDS) {
          const v = kwarg(call, kw);
          if (v) alter[key] = v;
        }
        op.alter = alter;
        const to = kwarg(call, 'new_column_name');
        if (to && to.kind !== 'none') {
          op.newNameArg = to;
          const n = low(literalName(to));
          if (n !== undefined) op.newName = n;
        }
        return op;
      }
      case 'create_index':
        op.kind = 'create_index';
        this.setName(op, call, 0, 'index_name');
        this.setTable(op, call, batch, 1, 'table_name');
        this.setColumnNames(op, call, 2 - shift, 'columns');
        op.concurrently = boolValue(kwarg(call, 'postgresql_concurrently')) === true;
        return op;
      case 'drop_index':
        op.kind = 'drop_index';
        this.setName(op, call, 0, 'index_name');
        this.setTable(op, call, batch, 1, 'table_name');
        op.concurrently = boolValue(kwarg(call, 'postgresql_concurrently')) === true;
        return op;
      case 'create_foreign_key':
      case 'create_unique_constraint':
      case 'create_check_constraint':
      case 'create_primary_key':
      case 'create_exclude_constraint': {
        op.kind = 'create_constraint';
        op.constraintType = CONSTRAINT_TYPES[method];
        this.setName(op, call, 0, 'constraint_name');
        this.setTable(op, call, batch, 1, method === 'create_foreign_key' ? 'source_table' : 'table_name');
        if (method === 'create_foreign_key') {
          const s = kwarg(call, 'source_schema');
          if (s) op.schemaArg = s;
        }
        op.notValid = boolValue(kwarg(call, 'postgresql_not_valid')) === true;
        if (method === 'create_foreign_key') this.setColumnNames(op, call, 3 - shift, 'local_cols');
        else if (method !== 'create_check_constraint') this.setColumnNames(op, call, 2 - shift, 'columns');
        else {
          // A check constraint involves the columns its condition names: PostgreSQL drops it with any of them.
          const condition = argAt(call, 2 - shift, 'condition');
          if (condition?.kind === 'string') op.columnNames = identifiersOf(condition.value);
        }
        return op;
      }
      case 'drop_constraint': {
        op.kind = 'drop_constraint';
        this.setName(op, call, 0, 'constraint_name');
        this.setTable(op, call, batch, 1, 'table_name');
        const t = literalName(argAt(call, batch ? 1 : 2, 'type_'));
        if (t === 'foreignkey' || t === 'unique' || t === 'check' || t === 'primary') op.constraintType = t;
        return op;
      }
      default:
        return undefined;
    }
  }

  // operation()'s readers of the table, name and column parameters (methods, not closures made for
  // every call).
  private setTable(op: SchemaOp, call: ParsedCall, batch: boolean, i: number, kw: string): void {
    if (batch) {
      op.table = low(call.batch?.table);
      return;
    }
    const v = argAt(call, i, kw);
    if (v) op.tableArg = v;
    op.table = low(literalName(v));
  }

  private setName(op: SchemaOp, call: ParsedCall, i: number, kw: string): void {
    const v = argAt(call, i, kw);
    if (v) op.nameArg = v;
    op.name = low(literalName(v));
    op.nameUnknown = !!v && op.name === undefined && v.kind !== 'none';
  }

  private setColumnNames(op: SchemaOp, call: ParsedCall, i: number, kw: string): void {
    const v = argAt(call, i, kw);
    const items = v?.kind === 'sequence' ? v.items : v?.kind === 'string' ? [v] : undefined;
    // An expression index (`sa.text("lower(email)")`) involves the names its text holds.
    const names = items?.flatMap((x) => {
      const text = x.kind === 'call' && /(^|\.)text$/.test(x.call.callee) && x.call.args[0]?.kind === 'string' ? x.call.args[0].value : undefined;
      return text !== undefined ? identifiersOf(text) : [low(literalName(x))];
    });
    if (names && names.length > 0 && names.every((n) => n !== undefined)) op.columnNames = names as string[];
  }

  /** The Column(...) arguments after a table's name (a loop: every create_table comes here). */
  private columns(def: ParsedCall): ColumnFacts[] {
    const out: ColumnFacts[] = [];
    for (let i = 1; i < def.args.length; i++) {
      const a = def.args[i];
      if (a?.kind === 'call' && isColumnCallee(a.call.callee)) out.push(this.column(a.call));
    }
    return out;
  }

  private column(call: ParsedCall): ColumnFacts {
    const first = call.args[0];
    const nameArg = first && (first.kind === 'string' || first.kind === 'call' && /(^|\.)f$/.test(first.call.callee)) ? first : kwarg(call, 'name');
    const typeArg = call.args[nameArg === first ? 1 : 0] ?? kwarg(call, 'type_');
    const nullable = boolValue(kwarg(call, 'nullable'));
    const primaryKey = boolValue(kwarg(call, 'primary_key')) === true;
    const sd = kwarg(call, 'server_default');
    const generated = call.args.some((a) => a.kind === 'call' && /(^|\.)(Identity|Computed)$/.test(a.call.callee));
    const hasServerDefault = (!!sd && sd.kind !== 'none') || generated;
    const hasPythonDefault = !!kwarg(call, 'default');
    const facts: ColumnFacts = {
      call,
      primaryKey,
      notNull: nullable === false || (primaryKey && nullable !== true),
      hasServerDefault,
      hasPythonDefault,
      serial: primaryKey && !hasServerDefault && !hasPythonDefault && boolValue(kwarg(call, 'autoincrement')) !== false && isIntegerType(typeArg),
      enums: [],
    };
    if (nameArg) facts.nameArg = nameArg;
    const n = literalName(nameArg);
    if (n !== undefined) facts.name = n;
    if (typeArg) facts.type = typeArg;
    if (nullable !== undefined) facts.nullable = nullable;
    const e = typeArg ? this.enumOfValue(typeArg) : undefined;
    if (e) facts.enums.push(e);
    return facts;
  }

  /** The enum a type argument denotes: an inline definition or a variable bound to one. */
  private enumOfValue(v: ArgValue): EnumFacts | undefined {
    if (v.kind === 'call' && isEnumCallee(v.call.callee)) return enumFacts(v.call, {});
    if (v.kind === 'name') return this.enumOfVariable(v.name);
    return undefined;
  }

  private enumOfVariable(name: string): EnumFacts | undefined {
    const local = this.localEnums?.get(name);
    if (local) return enumFacts(local, { localVariable: name });
    const module = moduleEnum(this.migration, name);
    if (module) return enumFacts(module, { moduleVariable: name });
    return undefined;
  }

  /** `<enum>.create(bind, checkfirst=...)` / `.drop(...)` on an inline definition or an enum variable. */
  private enumCall(call: ParsedCall, index: number, method: 'create' | 'drop'): boolean {
    let e: EnumFacts | undefined;
    if (call.receiver && isEnumCallee(call.receiver.callee) && call.callee === `${call.receiver.callee}().${method}`) {
      e = enumFacts(call.receiver, {});
    } else if (!call.receiver) {
      const recv = receiverOf(call.callee);
      if (recv && !recv.includes('.')) e = this.enumOfVariable(recv);
    }
    if (!e) return false;
    const op = this.base(method === 'create' ? 'enum_create' : 'enum_drop', call, index);
    op.enumType = e;
    if (e.name !== undefined) op.name = e.name;
    op.nameUnknown = e.name === undefined;
    const cf = argAt(call, 1, 'checkfirst');
    op.checkfirstGiven = !!cf;
    const b = boolValue(cf);
    if (b !== undefined) op.checkfirst = b;
    this.out.push(op);
    return true;
  }

  private execute(call: ParsedCall, index: number): void {
    const executed = this.migration.executedSql.find((s) => s.call === call);
    if (!executed) {
      this.out.push(this.base('execute', call, index));
      return;
    }
    const ops = sqlOperations(executed.sql);
    if (ops.length === 0) {
      this.out.push(this.base('execute', call, index));
      return;
    }
    for (const s of ops) this.out.push(...sqlSchemaOps(this.base('execute', call, index), s));
  }
}

/** The names a SQL expression mentions, lower case, outside string literals. */
function identifiersOf(sql: string): string[] {
  return [...new Set(sql.replace(/'(?:[^']|'')*'/g, ' ').match(/[A-Za-z_]\w*/g) ?? [])].map((n) => n.toLowerCase());
}

const CONSTRAINT_TYPES: Record<string, ConstraintType> = {
  create_foreign_key: 'foreignkey',
  create_unique_constraint: 'unique',
  create_check_constraint: 'check',
  create_primary_key: 'primary',
  create_exclude_constraint: 'exclude',
};

function enumFacts(def: ParsedCall, where: { moduleVariable?: string; localVariable?: string }): EnumFacts {
  const nameArg = kwarg(def, 'name');
  const e: EnumFacts = {
    definition: def,
    noImplicitCreate: boolValue(kwarg(def, 'create_type')) === false || boolValue(kwarg(def, 'native_enum')) === false,
    ...where,
  };
  if (nameArg) e.nameArg = nameArg;
  const n = low(literalName(nameArg));
  if (n !== undefined) e.name = n;
  return e;
}

/** One SQL statement's effect as SchemaOps (several for `DROP TABLE a, b`). */
function sqlSchemaOps(base: SchemaOp, s: SqlOp): SchemaOp[] {
  const one = (kind: SchemaOpKind, extra: Partial<SchemaOp>): SchemaOp => ({ ...base, kind, sql: s, concurrently: s.concurrently, notValid: s.notValid, ...extra });
  switch (s.kind) {
    case 'create_table':
      return [one('create_table', { ...(s.table ? { table: s.table } : {}) })];
    case 'drop_table':
    case 'truncate':
    case 'delete_all':
    case 'drop_schema':
    case 'reindex_concurrently':
    // Statements the lock rules read from `sql` (SET lock_timeout, COMMIT, NOT VALID ...): no schema change modelled.
    case 'add_constraint':
    case 'validate_constraint':
    case 'add_enum_value':
    case 'set':
    case 'transaction':
      return s.kind === 'drop_table' ? s.names.map((t) => one('drop_table', { table: t })) : [one('execute', {})];
    case 'drop_type':
      return s.names.map((n) => one('enum_drop', { name: n, checkfirst: s.ifExists, checkfirstGiven: true }));
    // CREATE TYPE has no IF NOT EXISTS: it never checks first.
    case 'create_type':
      return s.names.map((n) => one('enum_create', { name: n, checkfirst: false, checkfirstGiven: true }));
    // The old name goes and the new one comes (schema/effects.ts); the rules read it from `sql`.
    case 'rename_type':
      return [one('execute', {})];
    case 'drop_index':
      return s.names.map((n) => one('drop_index', { name: n }));
    case 'create_index':
      return [one('create_index', { ...(s.table ? { table: s.table } : {}), ...(s.names[0] ? { name: s.names[0] } : {}) })];
    case 'add_column': {
      // `ADD COLUMN id serial`: PostgreSQL's pseudo-type, a sequence's nextval() as its default.
      const serial = /^(?:big|small)?serial[248]?$/.test(s.columnType ?? '');
      const column: ColumnFacts = { primaryKey: false, notNull: s.notNull, hasServerDefault: s.hasDefault, hasPythonDefault: false, serial, enums: [] };
      if (s.names[0]) column.name = s.names[0];
      return [one('add_column', { ...(s.table ? { table: s.table } : {}), ...(s.names[0] ? { name: s.names[0] } : {}), column })];
    }
    case 'drop_column':
      return [one('drop_column', { ...(s.table ? { table: s.table } : {}), ...(s.names[0] ? { name: s.names[0] } : {}) })];
    case 'alter_type':
    case 'set_not_null':
      return [one('alter_column', { ...(s.table ? { table: s.table } : {}), ...(s.names[0] ? { name: s.names[0] } : {}) })];
    case 'rename_column':
      return [one('alter_column', { ...(s.table ? { table: s.table } : {}), ...(s.names[0] ? { name: s.names[0] } : {}), ...(s.names[1] ? { newName: s.names[1] } : {}) })];
    case 'rename_table':
      return [one('rename_table', { ...(s.table ? { table: s.table } : {}), ...(s.names[0] ? { newName: s.names[0] } : {}) })];
    case 'add_foreign_key':
      return [one('create_constraint', { constraintType: 'foreignkey', ...(s.table ? { table: s.table } : {}), ...(s.names[0] ? { name: s.names[0] } : {}) })];
    case 'drop_constraint':
      return [one('drop_constraint', { ...(s.table ? { table: s.table } : {}), ...(s.names[0] ? { name: s.names[0] } : {}) })];
  }
}

export { sqlName };

/** The module-level enum variable of that name (the last assignment wins, as in Python). */
function moduleEnum(m: Migration, name: string): ParsedCall | undefined {
  for (let i = m.enumVariables.length - 1; i >= 0; i--) {
    const v = m.enumVariables[i];
    if (v?.name === name) return v.call;
  }
  return undefined;
}

/** Every enum a create_table creates implicitly (columns whose enum lacks create_type=False). */
export function implicitEnums(op: SchemaOp): EnumFacts[] {
  if (op.kind !== 'create_table' || !op.columns) return [];
  const out: EnumFacts[] = [];
  for (const c of op.columns) for (const e of c.enums) if (!e.noImplicitCreate) out.push(e);
  return out;
}

/** Where a create_table's implicit enum is written: the type of the column using it. */
export function implicitEnumRange(op: SchemaOp, e: EnumFacts): Range {
  return op.columns?.find((c) => c.enums.includes(e))?.type?.range ?? op.range;
}

/** Calls nested in a value, for rules that look inside arguments. */
export { nestedCalls };

const DEFAULT_NAME_SUFFIX: Partial<Record<ConstraintType, string>> = { foreignkey: 'fkey', unique: 'key', primary: 'pkey' };

/**
 * The name PostgreSQL gives an index or constraint created without one: `<table>_<columns>_fkey`,
 * `<table>_<columns>_key`, `<table>_pkey`, `<table>_<columns>_idx`. Undefined when it cannot be told
 * (no literal table or columns, a check constraint, a name past 63 bytes that is not ASCII).
 */
export function postgresDefaultName(op: SchemaOp): string | undefined {
  if (op.table === undefined || (op.name !== undefined || op.nameUnknown)) return undefined;
  if (op.kind === 'create_constraint' && op.constraintType === 'primary') return postgresObjectName(op.table, undefined, 'pkey');
  if (op.kind === 'create_constraint' && op.constraintType && DEFAULT_NAME_SUFFIX[op.constraintType] && op.columnNames) {
    return postgresObjectName(op.table, op.columnNames.join('_'), DEFAULT_NAME_SUFFIX[op.constraintType] ?? '');
  }
  if (op.kind === 'create_index' && op.columnNames) return postgresObjectName(op.table, op.columnNames.join('_'), 'idx');
  return undefined;
}

/** PostgreSQL's longest name: NAMEDATALEN - 1 bytes. */
const MAX_NAME = 63;

/**
 * `<name1>_<name2>_<label>` as PostgreSQL's makeObjectName makes it: when it is longer than 63 bytes,
 * the longer of the two names loses its last character until it fits, so Faraday's unnamed foreign
 * key on policy_violation_vulnerability_association.vulnerability_id is
 * `policy_violation_vulnerability_associatio_vulnerability_id_fkey`. ASCII only: PostgreSQL clips
 * other names at character boundaries of the database's encoding.
 */
function postgresObjectName(name1: string, name2: string | undefined, label: string): string | undefined {
  const whole = `${name1}${name2 !== undefined ? `_${name2}` : ''}_${label}`;
  if (whole.length <= MAX_NAME) return whole;
  if (!/^[\x20-\x7e]*$/.test(whole)) return undefined;
  const available = MAX_NAME - (label.length + 1) - (name2 !== undefined ? 1 : 0);
  let n1 = name1.length;
  let n2 = name2?.length ?? 0;
  while (n1 + n2 > available) {
    if (n1 > n2) n1--;
    else n2--;
  }
  return `${name1.slice(0, n1)}${name2 !== undefined ? `_${name2.slice(0, n2)}` : ''}_${label}`;
}
