// What a raw SQL string passed to `op.execute` (or run on the connection) does to the schema: enough
// for the rules to treat `op.execute("ALTER TABLE t ADD COLUMN c int NOT NULL")` like
// `op.add_column(...)`. Read with PostgreSQL's own parser when a host installed it (sqlParser.ts,
// sqlAst.ts); otherwise, and for each statement the parser refuses (MySQL syntax, a template with
// `{}`), with the regular expressions below, which know a few statement shapes. Statements neither
// recognises produce nothing: unknown, never a guess.
import { Buffer } from 'node:buffer';
import { statementOperations } from './sqlAst';
import { OPERATION_KEYWORD, type PgParse, type RawStmt, sqlParser, sqlParserGeneration } from './sqlParser';

export type SqlOpKind =
  | 'create_table' | 'drop_table' | 'drop_type' | 'drop_index' | 'drop_schema' | 'create_index' | 'truncate' | 'delete_all'
  | 'add_column' | 'drop_column' | 'alter_type' | 'set_not_null' | 'rename_column' | 'rename_table'
  | 'add_foreign_key' | 'drop_constraint' | 'reindex_concurrently'
  /** `ADD CONSTRAINT ... CHECK / UNIQUE / PRIMARY KEY / EXCLUDE` (see `constraintType`, `notValid`). */
  | 'add_constraint'
  /** `ALTER TABLE ... VALIDATE CONSTRAINT c`. */
  | 'validate_constraint'
  /** `ALTER TYPE t ADD VALUE 'v'` (`names`: the type; `value`). */
  | 'add_enum_value'
  /** `CREATE TYPE t AS ENUM (...)` (`names`: the type). */
  | 'create_type'
  /** `ALTER TYPE a RENAME TO b` (`names`: the old name, then the new one). */
  | 'rename_type'
  /** `SET [LOCAL] name = value`, `RESET name` (see `setting`). */
  | 'set'
  /** `BEGIN`, `COMMIT`, `ROLLBACK`, ... (see `transaction`). */
  | 'transaction';

export type SqlConstraintType = 'foreignkey' | 'check' | 'unique' | 'primary' | 'exclude';
export type SqlTransaction =
  | 'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollback_to' | 'prepare' | 'commit_prepared' | 'rollback_prepared';

export interface SqlOp {
  kind: SqlOpKind;
  /** The table the statement works on (normalised: see `sqlName`). */
  table?: string;
  /** Objects named by the statement: dropped tables, types or indexes, the created index, a column. */
  names: string[];
  ifExists: boolean;
  concurrently: boolean;
  /** `ADD ... FOREIGN KEY ... NOT VALID`. */
  notValid: boolean;
  /** `ADD COLUMN ... NOT NULL` / `PRIMARY KEY`. */
  notNull: boolean;
  /** `ADD COLUMN ... DEFAULT ...` or `GENERATED ...`. */
  hasDefault: boolean;
  /** The statement, comments removed and blanks collapsed (string contents blanked). */
  statement: string;
  // Added with PostgreSQL's parser (all optional: the regular expressions fill what they can).
  /** Read by PostgreSQL's parser (true), or by the regular expressions (absent). */
  parsed?: boolean;
  /** Position of the statement in its SQL text (0 for the first), to tell what came before what. */
  statementIndex?: number;
  /** add_constraint, add_foreign_key: the constraint's type. */
  constraintType?: SqlConstraintType;
  /** add_enum_value: the new label (the parser only: the regular expressions blank string contents). */
  value?: string;
  /** `IF NOT EXISTS` (add_enum_value, add_column). */
  ifNotExists?: boolean;
  /** add_column, alter_type: the column's (new) type, lower case with its modifiers: `varchar(64)`, `int4`, `text[]`. */
  columnType?: string;
  /** set: `SET lock_timeout = '2s'` is `{ name: 'lock_timeout', value: '2s', local: false, reset: false }`; `RESET ALL` names `all`. */
  setting?: { name: string; value?: string; local: boolean; reset: boolean };
  /** transaction: which statement (`COMMIT` and `END` are both `commit`, `BEGIN` and `START TRANSACTION` are `begin`). */
  transaction?: SqlTransaction;
}

// Quoted the standard way ("name") or MySQL's (`name`, which PostgreSQL's parser refuses, so the
// regular expressions read it): unquoted, a backticked name would not match, and `DROP COLUMN `x``
// was read as a drop of a column named "column".
const IDENT = String.raw`(?:"(?:[^"]|"")+"|\`(?:[^\`]|\`\`)+\`|[A-Za-z_][\w$]*)`;
/** A possibly schema-qualified, possibly quoted SQL name (for the regular-expression readers). */
export const QNAME = String.raw`${IDENT}(?:\s*\.\s*${IDENT})*`;
const QNAME_LIST = String.raw`${QNAME}(?:\s*,\s*${QNAME})*`;

/**
 * A SQL identifier as the rules compare it: the last part of a qualified name, quotes removed, and
 * lower case (PostgreSQL folds unquoted names; Python-side names are compared in lower case too).
 */
const IDENT_G = new RegExp(IDENT, 'g');
const QNAME_G = new RegExp(QNAME, 'g');

export function sqlName(raw: string): string {
  const parts = raw.match(IDENT_G) ?? [raw];
  const last = parts[parts.length - 1] ?? raw;
  const unquoted = last.startsWith('"') ? last.slice(1, -1).replace(/""/g, '"') : last.startsWith('`') ? last.slice(1, -1).replace(/``/g, '`') : last;
  return unquoted.toLowerCase();
}

function names(list: string): string[] {
  return (list.match(QNAME_G) ?? []).map(sqlName);
}

/**
 * Statements of a SQL text: comments removed, split at `;` outside quotes, string literal contents
 * blanked (`'...'` becomes `''`), whitespace collapsed. Dollar-quoted bodies stay in one statement.
 * The result is shared (do not change it): every rule of a file splits the same strings, one after the
 * other, so a small memo by text answers all but the first.
 */
export function sqlStatements(sql: string): readonly string[] {
  let out = statementsMemo.get(sql);
  if (!out) {
    out = splitStatements(sql);
    if (statementsMemo.size >= STATEMENTS_MEMO_LIMIT) statementsMemo.clear();
    statementsMemo.set(sql, out);
  }
  return out;
}

const statementsMemo = new Map<string, readonly string[]>();
const STATEMENTS_MEMO_LIMIT = 1024;

const DOLLAR_TAG = /^\$[A-Za-z_]*\$/;

function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let cur = '';
  const n = sql.length;
  let i = 0;
  // Plain characters are copied a run at a time (`sql.slice(run, i)`), not one by one.
  let run = 0;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (c === 0x2d /* - */ && sql.charCodeAt(i + 1) === 0x2d) {
      cur += sql.slice(run, i);
      const e = sql.indexOf('\n', i);
      i = e < 0 ? n : e;
      cur += ' ';
      run = i;
      continue;
    }
    if (c === 0x2f /* / */ && sql.charCodeAt(i + 1) === 0x2a /* * */) {
      cur += sql.slice(run, i);
      const e = sql.indexOf('*/', i + 2);
      i = e < 0 ? n : e + 2;
      cur += ' ';
      run = i;
      continue;
    }
    if (c === 0x27 /* ' */) {
      cur += sql.slice(run, i);
      let j = i + 1;
      while (j < n) {
        if (sql.charCodeAt(j) === 0x27) {
          if (sql.charCodeAt(j + 1) === 0x27) { j += 2; continue; }
          break;
        }
        j++;
      }
      cur += "''";
      i = j + 1;
      run = i;
      continue;
    }
    if (c === 0x22 /* " */) {
      // Copied as it is: part of the current run.
      const e = sql.indexOf('"', i + 1);
      i = e < 0 ? n : e + 1;
      continue;
    }
    if (c === 0x24 /* $ */) {
      const m = DOLLAR_TAG.exec(sql.slice(i, i + 64));
      if (m) {
        cur += sql.slice(run, i);
        const e = sql.indexOf(m[0], i + m[0].length);
        i = e < 0 ? n : e + m[0].length;
        cur += '$$';
        run = i;
        continue;
      }
    }
    if (c === 0x3b /* ; */) {
      push(out, cur + sql.slice(run, i));
      cur = '';
      i++;
      run = i;
      continue;
    }
    i++;
  }
  push(out, cur + sql.slice(run, Math.min(i, n)));
  return out;
}

// White space other than a single blank: only then is there something to collapse.
const TO_COLLAPSE = /[^\S ]| {2}/;

function push(out: string[], s: string): void {
  const t = (TO_COLLAPSE.test(s) ? s.replace(/\s+/g, ' ') : s).trim();
  if (t) out.push(t);
}

/** Splits at commas outside parentheses. */
function topLevelParts(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(s.slice(start).trim());
  return parts.filter(Boolean);
}

function op(kind: SqlOpKind, statement: string, extra: Partial<SqlOp> = {}): SqlOp {
  return { kind, names: [], ifExists: false, concurrently: false, notValid: false, notNull: false, hasDefault: false, statement, ...extra };
}

const RE = {
  createTable: new RegExp(String.raw`^CREATE\s+(?:(?:GLOBAL\s+|LOCAL\s+)?(?:TEMP|TEMPORARY)\s+|UNLOGGED\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(${QNAME})`, 'i'),
  dropTable: new RegExp(String.raw`^DROP\s+TABLE\s+(IF\s+EXISTS\s+)?(${QNAME_LIST})`, 'i'),
  dropType: new RegExp(String.raw`^DROP\s+TYPE\s+(IF\s+EXISTS\s+)?(${QNAME_LIST})`, 'i'),
  dropIndex: new RegExp(String.raw`^DROP\s+INDEX\s+(CONCURRENTLY\s+)?(IF\s+EXISTS\s+)?(${QNAME_LIST})`, 'i'),
  dropSchema: new RegExp(String.raw`^DROP\s+(?:SCHEMA|DATABASE)\s+(IF\s+EXISTS\s+)?(${QNAME_LIST})`, 'i'),
  createIndex: new RegExp(String.raw`^CREATE\s+(?:UNIQUE\s+)?INDEX\s+(CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?(?:(${QNAME})\s+)?ON\s+(?:ONLY\s+)?(${QNAME})`, 'i'),
  truncate: new RegExp(String.raw`^TRUNCATE\s+(?:TABLE\s+)?(?:ONLY\s+)?(${QNAME_LIST})`, 'i'),
  deleteFrom: new RegExp(String.raw`^DELETE\s+FROM\s+(?:ONLY\s+)?(${QNAME})`, 'i'),
  alterTable: new RegExp(String.raw`^ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(${QNAME})\s*\*?\s+(.*)$`, 'i'),
  reindex: /^REINDEX\b.*\bCONCURRENTLY\b/i,
  renameTo: new RegExp(String.raw`^RENAME\s+TO\s+(${QNAME})`, 'i'),
  renameColumn: new RegExp(String.raw`^RENAME\s+(?:COLUMN\s+)?(${IDENT})\s+TO\s+(${IDENT})`, 'i'),
  addColumn: new RegExp(String.raw`^ADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?(${IDENT})\s+(.*)$`, 'i'),
  dropColumn: new RegExp(String.raw`^DROP\s+(?:COLUMN\s+)?(IF\s+EXISTS\s+)?(${IDENT})`, 'i'),
  alterType: new RegExp(String.raw`^ALTER\s+(?:COLUMN\s+)?(${IDENT})\s+(?:SET\s+DATA\s+)?TYPE\b`, 'i'),
  setNotNull: new RegExp(String.raw`^ALTER\s+(?:COLUMN\s+)?(${IDENT})\s+SET\s+NOT\s+NULL\b`, 'i'),
  addEnumValue: new RegExp(String.raw`^ALTER\s+TYPE\s+(${QNAME})\s+ADD\s+VALUE\s+(IF\s+NOT\s+EXISTS\s+)?`, 'i'),
  createEnumType: new RegExp(String.raw`^CREATE\s+TYPE\s+(${QNAME})\s+AS\s+ENUM\b`, 'i'),
  renameType: new RegExp(String.raw`^ALTER\s+TYPE\s+(${QNAME})\s+RENAME\s+TO\s+(${IDENT})`, 'i'),
  set: /^SET\s+(?:(LOCAL|SESSION)\s+)?(?!TRANSACTION\b|SESSION\s+CHARACTERISTICS\b)([A-Za-z_][\w.]*)\s*(?:=|\s+TO\b)\s*(.*)$/i,
  reset: /^RESET\s+([A-Za-z_][\w.]*)\s*$/i,
  transaction: /^(BEGIN|START\s+TRANSACTION|COMMIT|END|ROLLBACK\s+TO|ROLLBACK|ABORT|SAVEPOINT|RELEASE)\b/i,
  addConstraint: /^ADD\s+(?:CONSTRAINT\s+(\S+)\s+)?(CHECK|UNIQUE|PRIMARY|EXCLUDE)\b/i,
  validateConstraint: new RegExp(String.raw`^VALIDATE\s+CONSTRAINT\s+(${IDENT})`, 'i'),
};

const TRANSACTION_WORDS: Readonly<Record<string, SqlTransaction>> = {
  begin: 'begin', 'start transaction': 'begin', commit: 'commit', end: 'commit', rollback: 'rollback', abort: 'rollback',
  'rollback to': 'rollback_to', savepoint: 'savepoint', release: 'release',
};
const CONSTRAINT_WORDS: Readonly<Record<string, SqlConstraintType>> = { check: 'check', unique: 'unique', primary: 'primary', exclude: 'exclude' };

/**
 * The schema operations one SQL text performs, statement by statement: with PostgreSQL's parser when
 * one is installed, else with the regular expressions. The result may be shared: do not change it.
 */
export function sqlOperations(sql: string): SqlOp[] {
  const parse = sqlParser();
  return parse ? parsedOperations(sql, parse) : regexOperations(sql);
}

/** The regular expressions' reading (what runs where WebAssembly cannot). */
export function regexOperations(sql: string): SqlOp[] {
  const out: SqlOp[] = [];
  const statements = sqlStatements(sql);
  const inBlocks = blockStatements(statements);
  statements.forEach((s, i) => {
    if (inBlocks?.has(i)) return;
    for (const o of statementOps(s)) out.push({ ...o, statementIndex: i });
  });
  return out;
}

/** `BEGIN` as a transaction statement: alone, or with WORK/TRANSACTION and transaction modes (PostgreSQL's, MySQL's). */
const TRANSACTION_BEGIN = /^BEGIN(?:\s+(?:WORK|TRANSACTION)\b)?(?:\s+(?:ISOLATION|READ|NOT|DEFERRABLE)\b.*)?$/is;
/** `END` closing a procedural block (not `END IF`, `END LOOP`, `END CASE` ..., which close what the block holds). */
const BLOCK_END = /^END(?:\s+(?!IF\b|LOOP\b|CASE\b|WHILE\b|REPEAT\b|FOR\b)[A-Za-z_][\w$]*)?$/i;

/**
 * The statements that belong to procedural blocks (`begin execute immediate '...'; ... end;`, Oracle's
 * PL/SQL, SQL Server's BEGIN ... END): split at each `;`, a block's first statement starts with a
 * BEGIN that is followed by more than a transaction's modes, and it runs to its END. None of them is a
 * statement of its own (that `end` is no COMMIT), and what they do is another database's code, which
 * neither reader follows. Undefined when there is no block (most texts).
 */
function blockStatements(statements: readonly string[]): Set<number> | undefined {
  let out: Set<number> | undefined;
  let depth = 0;
  statements.forEach((s, i) => {
    const opens = /^BEGIN\b/i.test(s) && !TRANSACTION_BEGIN.test(s);
    if (depth === 0 && !opens) return;
    (out ??= new Set()).add(i);
    if (opens) depth++;
    else if (BLOCK_END.test(s)) depth--;
  });
  return out;
}

/**
 * Bind parameters are not SQL: SQLAlchemy's `:name` (sa.text) and the driver's `%(name)s` / `%s`
 * (exec_driver_sql) become `$1`, padded to the same length, so offsets stay those of the text.
 * `::int` casts are left alone (the colon must not follow a colon or a word character).
 */
const BIND_PARAMETER = /(?<![:\w]):[A-Za-z_]\w*|%\([^)]*\)s|%s/g;

export function withPositionalParameters(sql: string): string {
  return sql.replace(BIND_PARAMETER, (m) => `$1${' '.repeat(m.length - 2)}`);
}

/** Parse results by text, for the parser that made them: file rules re-read the same strings on every run. */
const memo = new Map<string, SqlOp[]>();
let memoGeneration = -1;
const MEMO_LIMIT = 4096;

function parsedOperations(sql: string, parse: PgParse): SqlOp[] {
  if (memoGeneration !== sqlParserGeneration()) {
    memo.clear();
    memoGeneration = sqlParserGeneration();
  }
  let ops = memo.get(sql);
  if (!ops) {
    ops = parseOrFallBack(sql, parse);
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(sql, ops);
  }
  return ops;
}

/**
 * The whole text through the parser; when it refuses (one statement in MySQL's syntax, a `{}`
 * template), each statement on its own: the parser for those it takes, the regular expressions for the
 * rest, so a string the parser cannot read still gives what sql.ts always read from it.
 */
function parseOrFallBack(sql: string, parse: PgParse): SqlOp[] {
  // Data statements only (most SQL in migrations): neither reader finds an operation, and a parse
  // costs a fraction of a millisecond, which 10,000 migrations would feel. A block comment may nest
  // in PostgreSQL, which the splitter does not know: such a text goes to the parser.
  if (!sql.includes('/*') && !sqlStatements(sql).some((s) => OPERATION_KEYWORD.test(s))) return [];
  const tree = tryParse(withPositionalParameters(sql), parse);
  if (tree) return opsOfTree(sql, tree);
  const out: SqlOp[] = [];
  const statements = sqlStatements(sql);
  const inBlocks = blockStatements(statements);
  statements.forEach((s, i) => {
    // A procedural block's `end` would parse as PostgreSQL's END (COMMIT): its statements are not read.
    if (inBlocks?.has(i)) return;
    const one = tryParse(withPositionalParameters(s), parse);
    const ops = one ? opsOfTree(s, one) : statementOps(s);
    for (const o of ops) out.push({ ...o, statementIndex: i });
  });
  return out;
}

function tryParse(sql: string, parse: PgParse): RawStmt[] | undefined {
  if (sql.trim() === '') return [];
  try {
    return parse(sql).stmts ?? [];
  } catch {
    // A syntax error (or a parser that failed): the caller falls back to the regular expressions.
    return undefined;
  }
}

function opsOfTree(sql: string, stmts: RawStmt[]): SqlOp[] {
  // Locations are UTF-8 byte offsets: slice bytes unless the text is ASCII.
  const ascii = !/[^\x00-\x7f]/.test(sql);
  const bytes = ascii ? undefined : Buffer.from(sql, 'utf8');
  const out: SqlOp[] = [];
  stmts.forEach((raw, i) => {
    if (!raw.stmt) return;
    const start = raw.stmt_location ?? 0;
    const end = raw.stmt_len === undefined || raw.stmt_len === 0 ? undefined : start + raw.stmt_len;
    const text = bytes ? bytes.subarray(start, end ?? bytes.length).toString('utf8') : sql.slice(start, end);
    const statement = sqlStatements(text).join('; ');
    for (const o of statementOperations(raw.stmt, statement)) out.push({ ...o, statementIndex: i });
  });
  return out;
}

function statementOps(s: string): SqlOp[] {
  let m: RegExpExecArray | null;
  if ((m = RE.createTable.exec(s))) return [op('create_table', s, { table: sqlName(m[1] ?? ''), names: [sqlName(m[1] ?? '')] })];
  if ((m = RE.dropTable.exec(s))) return [op('drop_table', s, { names: names(m[2] ?? ''), ifExists: !!m[1] })];
  if ((m = RE.dropType.exec(s))) return [op('drop_type', s, { names: names(m[2] ?? ''), ifExists: !!m[1] })];
  if ((m = RE.dropIndex.exec(s))) return [op('drop_index', s, { names: names(m[3] ?? ''), concurrently: !!m[1], ifExists: !!m[2] })];
  if ((m = RE.dropSchema.exec(s))) return [op('drop_schema', s, { names: names(m[2] ?? ''), ifExists: !!m[1] })];
  if ((m = RE.createIndex.exec(s))) {
    return [op('create_index', s, { names: m[2] ? [sqlName(m[2])] : [], table: sqlName(m[3] ?? ''), concurrently: !!m[1] })];
  }
  if ((m = RE.truncate.exec(s))) return [op('truncate', s, { names: names(m[1] ?? '') })];
  if ((m = RE.deleteFrom.exec(s))) {
    return /\bWHERE\b/i.test(s) ? [] : [op('delete_all', s, { table: sqlName(m[1] ?? ''), names: [sqlName(m[1] ?? '')] })];
  }
  if (RE.reindex.test(s)) return [op('reindex_concurrently', s, { concurrently: true })];
  if ((m = RE.alterTable.exec(s))) return alterTableOps(s, sqlName(m[1] ?? ''), m[2] ?? '');
  if ((m = RE.addEnumValue.exec(s))) return [op('add_enum_value', s, { names: [sqlName(m[1] ?? '')], ...(m[2] ? { ifNotExists: true } : {}) })];
  if ((m = RE.createEnumType.exec(s))) return [op('create_type', s, { names: [sqlName(m[1] ?? '')] })];
  if ((m = RE.renameType.exec(s))) return [op('rename_type', s, { names: [sqlName(m[1] ?? ''), sqlName(m[2] ?? '')] })];
  if ((m = RE.set.exec(s))) {
    const raw = (m[3] ?? '').trim();
    const value = /^DEFAULT$/i.test(raw) || raw === "''" ? undefined : raw.replace(/^'(.*)'$/, '$1');
    return [op('set', s, { setting: { name: (m[2] ?? '').toLowerCase(), ...(value !== undefined ? { value } : {}), local: /^LOCAL$/i.test(m[1] ?? ''), reset: false } })];
  }
  if ((m = RE.reset.exec(s))) return [op('set', s, { setting: { name: (m[1] ?? '').toLowerCase(), local: false, reset: true } })];
  if ((m = RE.transaction.exec(s))) {
    const t = TRANSACTION_WORDS[(m[1] ?? '').toLowerCase().replace(/\s+/g, ' ')];
    return t ? [op('transaction', s, { transaction: t })] : [];
  }
  return [];
}

function alterTableOps(s: string, table: string, rest: string): SqlOp[] {
  let m: RegExpExecArray | null;
  if ((m = RE.renameTo.exec(rest))) {
    return [op('rename_table', s, { table, names: [sqlName(m[1] ?? '')] })];
  }
  if (/^RENAME\s+CONSTRAINT\b/i.test(rest)) return [];
  if ((m = RE.renameColumn.exec(rest))) {
    return [op('rename_column', s, { table, names: [sqlName(m[1] ?? ''), sqlName(m[2] ?? '')] })];
  }
  const out: SqlOp[] = [];
  for (const action of topLevelParts(rest)) {
    if ((m = /^ADD\s+(?:CONSTRAINT\s+(\S+)\s+)?FOREIGN\s+KEY\b/i.exec(action))) {
      out.push(op('add_foreign_key', s, { table, names: m[1] ? [sqlName(m[1])] : [], notValid: /\bNOT\s+VALID\b/i.test(action), constraintType: 'foreignkey' }));
    } else if ((m = RE.addConstraint.exec(action))) {
      out.push(op('add_constraint', s, {
        table, names: m[1] ? [sqlName(m[1])] : [], notValid: /\bNOT\s+VALID\b/i.test(action), constraintType: CONSTRAINT_WORDS[(m[2] ?? '').toLowerCase()] ?? 'check',
      }));
    } else if (/^ADD\s+(?:CONSTRAINT|PRIMARY|UNIQUE|CHECK|EXCLUDE|FOREIGN)\b/i.test(action)) {
      continue;
    } else if ((m = RE.validateConstraint.exec(action))) {
      out.push(op('validate_constraint', s, { table, names: [sqlName(m[1] ?? '')] }));
    } else if ((m = RE.addColumn.exec(action))) {
      const def = m[2] ?? '';
      out.push(op('add_column', s, {
        table, names: [sqlName(m[1] ?? '')],
        notNull: /\bNOT\s+NULL\b|\bPRIMARY\s+KEY\b/i.test(def),
        hasDefault: /\bDEFAULT\b|\bGENERATED\b/i.test(def) || /^(?:BIG|SMALL)?SERIAL\d?\b/i.test(def),
      }));
    } else if ((m = /^DROP\s+CONSTRAINT\s+(?:IF\s+EXISTS\s+)?(\S+)/i.exec(action))) {
      out.push(op('drop_constraint', s, { table, names: [sqlName(m[1] ?? '')] }));
    } else if ((m = RE.dropColumn.exec(action))) {
      out.push(op('drop_column', s, { table, names: [sqlName(m[2] ?? '')], ifExists: !!m[1] }));
    } else if ((m = RE.alterType.exec(action))) {
      out.push(op('alter_type', s, { table, names: [sqlName(m[1] ?? '')] }));
    } else if ((m = RE.setNotNull.exec(action))) {
      out.push(op('set_not_null', s, { table, names: [sqlName(m[1] ?? '')] }));
    }
  }
  return out;
}
