// One statement of PostgreSQL's parse tree (libpg-query's JSON) as SqlOps: the same kinds and fields
// sql.ts's regular expressions give, read from the grammar's own nodes, plus what only the parser
// tells well (SET, transaction control, ALTER TYPE ... ADD VALUE, constraints added NOT VALID).
// The tree is JSON of unknown shape to TypeScript: every node is read defensively, and a shape we do
// not know produces nothing rather than a wrong operation.
import type { SqlConstraintType, SqlOp, SqlOpKind, SqlTransaction } from './sql';

type Node = Record<string, unknown>;

const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);
const node = (v: unknown, key: string): Node | undefined => (isNode(v) && isNode(v[key]) ? v[key] : undefined);
const str = (v: unknown, key: string): string | undefined => (isNode(v) && typeof v[key] === 'string' ? v[key] : undefined);
const bool = (v: unknown, key: string): boolean => isNode(v) && v[key] === true;
const list = (v: unknown, key: string): unknown[] => (isNode(v) && Array.isArray(v[key]) ? v[key] : []);

/** Names compare in lower case, as sql.ts's `sqlName` gives them (the parser already folded unquoted ones). */
const low = (s: string | undefined): string => (s ?? '').toLowerCase();

/** `{ String: { sval } }` items of a name list: their last part (a qualified name's object). */
function lastName(items: unknown[]): string | undefined {
  const last = items[items.length - 1];
  return str(node(last, 'String'), 'sval');
}

function make(kind: SqlOpKind, statement: string, extra: Partial<SqlOp>): SqlOp {
  return { kind, names: [], ifExists: false, concurrently: false, notValid: false, notNull: false, hasDefault: false, statement, parsed: true, ...extra };
}

const CONSTRAINT_TYPES: Readonly<Record<string, SqlConstraintType>> = {
  CONSTR_FOREIGN: 'foreignkey', CONSTR_CHECK: 'check', CONSTR_UNIQUE: 'unique', CONSTR_PRIMARY: 'primary', CONSTR_EXCLUSION: 'exclude',
};

const TRANSACTIONS: Readonly<Record<string, SqlTransaction>> = {
  TRANS_STMT_BEGIN: 'begin', TRANS_STMT_START: 'begin', TRANS_STMT_COMMIT: 'commit', TRANS_STMT_ROLLBACK: 'rollback',
  TRANS_STMT_SAVEPOINT: 'savepoint', TRANS_STMT_RELEASE: 'release', TRANS_STMT_ROLLBACK_TO: 'rollback_to',
  TRANS_STMT_PREPARE: 'prepare', TRANS_STMT_COMMIT_PREPARED: 'commit_prepared', TRANS_STMT_ROLLBACK_PREPARED: 'rollback_prepared',
};

/** A type name as written, normalised: `varchar(64)`, `int4`, `text[]`. */
function typeText(typeName: Node | undefined): string | undefined {
  if (!typeName) return undefined;
  const name = lastName(list(typeName, 'names'));
  if (name === undefined) return undefined;
  const mods = list(typeName, 'typmods').map((m) => {
    const c = node(m, 'A_Const');
    const iv = node(c, 'ival');
    return iv ? String(typeof iv.ival === 'number' ? iv.ival : 0) : '?';
  });
  return `${name.toLowerCase()}${mods.length > 0 ? `(${mods.join(',')})` : ''}${list(typeName, 'arrayBounds').length > 0 ? '[]' : ''}`;
}

const SERIAL = /^(?:big|small)?serial\d?$/;

/** A SET's value as text: `'2s'` → `2s`, `5000` → `5000`; undefined for DEFAULT, RESET or a list. */
function settingValue(args: unknown[]): string | undefined {
  if (args.length !== 1) return undefined;
  const c = node(args[0], 'A_Const');
  const s = str(node(c, 'sval'), 'sval');
  if (s !== undefined) return s;
  const iv = node(c, 'ival');
  if (iv) return String(typeof iv.ival === 'number' ? iv.ival : 0);
  const f = str(node(c, 'fval'), 'fval');
  return f;
}

/**
 * The SqlOps of one parsed statement (`stmt` of a RawStmt). `statement` is its text as sql.ts
 * normalises it. Statements that change nothing we model (SELECT, UPDATE, CREATE FUNCTION ...) give [].
 */
export function statementOperations(stmt: Node, statement: string): SqlOp[] {
  const [type, body] = Object.entries(stmt)[0] ?? [];
  if (type === undefined || !isNode(body)) return [];
  const one = (kind: SqlOpKind, extra: Partial<SqlOp> = {}): SqlOp[] => [make(kind, statement, extra)];
  switch (type) {
    case 'CreateStmt': {
      const t = low(str(node(body, 'relation'), 'relname'));
      return one('create_table', { table: t, names: [t] });
    }
    case 'CreateTableAsStmt': {
      if (str(body, 'objtype') !== 'OBJECT_TABLE') return [];
      const t = low(str(node(node(body, 'into'), 'rel'), 'relname'));
      return one('create_table', { table: t, names: [t] });
    }
    case 'DropStmt':
      return dropOps(body, statement);
    case 'DropdbStmt':
      return one('drop_schema', { names: [low(str(body, 'dbname'))], ifExists: bool(body, 'missing_ok') });
    case 'IndexStmt': {
      const name = str(body, 'idxname');
      return one('create_index', { names: name ? [low(name)] : [], table: low(str(node(body, 'relation'), 'relname')), concurrently: bool(body, 'concurrent') });
    }
    case 'TruncateStmt':
      return one('truncate', { names: list(body, 'relations').map((r) => low(str(node(r, 'RangeVar'), 'relname'))) });
    case 'DeleteStmt': {
      if (body.whereClause !== undefined) return [];
      const t = low(str(node(body, 'relation'), 'relname'));
      return one('delete_all', { table: t, names: [t] });
    }
    case 'ReindexStmt':
      return list(body, 'params').some((p) => low(str(node(p, 'DefElem'), 'defname')) === 'concurrently') ? one('reindex_concurrently', { concurrently: true }) : [];
    case 'RenameStmt': {
      const table = low(str(node(body, 'relation'), 'relname'));
      const renameType = str(body, 'renameType');
      if (renameType === 'OBJECT_TABLE') return one('rename_table', { table, names: [low(str(body, 'newname'))] });
      if (renameType === 'OBJECT_TYPE') return one('rename_type', { names: [low(lastName(list(node(node(body, 'object'), 'List'), 'items'))), low(str(body, 'newname'))] });
      if (renameType === 'OBJECT_COLUMN' && str(body, 'relationType') === 'OBJECT_TABLE') {
        return one('rename_column', { table, names: [low(str(body, 'subname')), low(str(body, 'newname'))] });
      }
      return [];
    }
    case 'AlterTableStmt':
      return str(body, 'objtype') === 'OBJECT_TABLE' ? alterTableOps(body, statement) : [];
    case 'CreateEnumStmt':
      return one('create_type', { names: [low(lastName(list(body, 'typeName')))] });
    case 'AlterEnumStmt': {
      const value = str(body, 'newVal');
      // RENAME VALUE has oldVal too: not an added value.
      if (value === undefined || body.oldVal !== undefined) return [];
      return one('add_enum_value', { names: [low(lastName(list(body, 'typeName')))], value, ifNotExists: bool(body, 'skipIfNewValExists') });
    }
    case 'VariableSetStmt': {
      const kind = str(body, 'kind');
      const name = str(body, 'name');
      // SET TRANSACTION ... and SET SESSION CHARACTERISTICS are VAR_SET_MULTI: not a setting's value.
      if (kind === 'VAR_SET_MULTI') return [];
      const reset = kind === 'VAR_RESET' || kind === 'VAR_RESET_ALL';
      const value = kind === 'VAR_SET_VALUE' ? settingValue(list(body, 'args')) : undefined;
      return one('set', { setting: { name: kind === 'VAR_RESET_ALL' ? 'all' : low(name), ...(value !== undefined ? { value } : {}), local: bool(body, 'is_local'), reset } });
    }
    case 'TransactionStmt': {
      const t = TRANSACTIONS[str(body, 'kind') ?? ''];
      return t ? one('transaction', { transaction: t }) : [];
    }
    default:
      return [];
  }
}

function dropOps(body: Node, statement: string): SqlOp[] {
  const ifExists = bool(body, 'missing_ok');
  const objects = list(body, 'objects');
  const names = (pick: (o: unknown) => string | undefined): string[] => objects.map((o) => low(pick(o)));
  const qualified = (o: unknown): string | undefined => lastName(list(node(o, 'List'), 'items'));
  switch (str(body, 'removeType')) {
    case 'OBJECT_TABLE':
      return [make('drop_table', statement, { names: names(qualified), ifExists })];
    case 'OBJECT_INDEX':
      return [make('drop_index', statement, { names: names(qualified), ifExists, concurrently: bool(body, 'concurrent') })];
    case 'OBJECT_TYPE':
      return [make('drop_type', statement, { names: names((o) => lastName(list(node(o, 'TypeName'), 'names'))), ifExists })];
    case 'OBJECT_SCHEMA':
      return [make('drop_schema', statement, { names: names((o) => str(node(o, 'String'), 'sval')), ifExists })];
    default:
      return [];
  }
}

function alterTableOps(body: Node, statement: string): SqlOp[] {
  const table = low(str(node(body, 'relation'), 'relname'));
  const out: SqlOp[] = [];
  for (const c of list(body, 'cmds')) {
    const cmd = node(c, 'AlterTableCmd');
    if (!cmd) continue;
    const name = low(str(cmd, 'name'));
    const ifExists = bool(cmd, 'missing_ok');
    switch (str(cmd, 'subtype')) {
      case 'AT_AddColumn': {
        const def = node(node(cmd, 'def'), 'ColumnDef');
        const constraints = list(def, 'constraints').map((k) => str(node(k, 'Constraint'), 'contype'));
        const type = typeText(node(def, 'typeName'));
        out.push(make('add_column', statement, {
          table, names: [low(str(def, 'colname'))],
          notNull: constraints.includes('CONSTR_NOTNULL') || constraints.includes('CONSTR_PRIMARY'),
          hasDefault: constraints.some((k) => k === 'CONSTR_DEFAULT' || k === 'CONSTR_GENERATED' || k === 'CONSTR_IDENTITY') || SERIAL.test(type ?? ''),
          ...(type !== undefined ? { columnType: type } : {}),
          ...(ifExists ? { ifNotExists: true } : {}),
        }));
        break;
      }
      case 'AT_AddConstraint': {
        const k = node(node(cmd, 'def'), 'Constraint');
        const constraintType = CONSTRAINT_TYPES[str(k, 'contype') ?? ''];
        if (!constraintType) break;
        const conname = str(k, 'conname');
        const extra: Partial<SqlOp> = { table, names: conname ? [low(conname)] : [], notValid: bool(k, 'skip_validation'), constraintType };
        out.push(make(constraintType === 'foreignkey' ? 'add_foreign_key' : 'add_constraint', statement, extra));
        break;
      }
      case 'AT_ValidateConstraint':
        out.push(make('validate_constraint', statement, { table, names: [name] }));
        break;
      case 'AT_DropConstraint':
        out.push(make('drop_constraint', statement, { table, names: [name], ifExists }));
        break;
      case 'AT_DropColumn':
        out.push(make('drop_column', statement, { table, names: [name], ifExists }));
        break;
      case 'AT_AlterColumnType': {
        const type = typeText(node(node(node(cmd, 'def'), 'ColumnDef'), 'typeName'));
        out.push(make('alter_type', statement, { table, names: [name], ...(type !== undefined ? { columnType: type } : {}) }));
        break;
      }
      case 'AT_SetNotNull':
        out.push(make('set_not_null', statement, { table, names: [name] }));
        break;
      default:
        break;
    }
  }
  return out;
}
