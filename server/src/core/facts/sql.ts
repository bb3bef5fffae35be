// What a raw SQL string passed to `op.execute` does to the schema, as far as a few statement shapes
// tell: enough for the rules to treat `op.execute("ALTER TABLE t ADD COLUMN c int NOT NULL")` like
// `op.add_column(...)`. Not a SQL parser: statements it does not recognise produce nothing.

export type SqlOpKind =
  | 'create_table' | 'drop_table' | 'drop_type' | 'drop_index' | 'drop_schema' | 'create_index' | 'truncate' | 'delete_all'
  | 'add_column' | 'drop_column' | 'alter_type' | 'set_not_null' | 'rename_column' | 'rename_table'
  | 'add_foreign_key' | 'drop_constraint' | 'reindex_concurrently';

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
}

const IDENT = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)`;
const QNAME = String.raw`${IDENT}(?:\s*\.\s*${IDENT})*`;
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
  const unquoted = last.startsWith('"') ? last.slice(1, -1).replace(/""/g, '"') : last;
  return unquoted.toLowerCase();
}

function names(list: string): string[] {
  return (list.match(QNAME_G) ?? []).map(sqlName);
}

/**
 * Statements of a SQL text: comments removed, split at `;` outside quotes, string literal contents
 * blanked (`'...'` becomes `''`), whitespace collapsed. Dollar-quoted bodies stay in one statement.
 */
export function sqlStatements(sql: string): string[] {
  const out: string[] = [];
  let cur = '';
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const c = sql[i] ?? '';
    const next = sql[i + 1] ?? '';
    if (c === '-' && next === '-') {
      const e = sql.indexOf('\n', i);
      i = e < 0 ? n : e;
      cur += ' ';
      continue;
    }
    if (c === '/' && next === '*') {
      const e = sql.indexOf('*/', i + 2);
      i = e < 0 ? n : e + 2;
      cur += ' ';
      continue;
    }
    if (c === "'") {
      let j = i + 1;
      while (j < n) {
        if (sql[j] === "'") {
          if (sql[j + 1] === "'") { j += 2; continue; }
          break;
        }
        j++;
      }
      cur += "''";
      i = j + 1;
      continue;
    }
    if (c === '"') {
      const e = sql.indexOf('"', i + 1);
      const end = e < 0 ? n : e + 1;
      cur += sql.slice(i, end);
      i = end;
      continue;
    }
    if (c === '$') {
      const m = /^\$[A-Za-z_]*\$/.exec(sql.slice(i, i + 64));
      if (m) {
        const e = sql.indexOf(m[0], i + m[0].length);
        const end = e < 0 ? n : e + m[0].length;
        cur += '$$';
        i = end;
        continue;
      }
    }
    if (c === ';') {
      push(out, cur);
      cur = '';
      i++;
      continue;
    }
    cur += c;
    i++;
  }
  push(out, cur);
  return out;
}

function push(out: string[], s: string): void {
  const t = s.replace(/\s+/g, ' ').trim();
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
};

/** The schema operations one SQL text performs, statement by statement. */
export function sqlOperations(sql: string): SqlOp[] {
  const out: SqlOp[] = [];
  for (const s of sqlStatements(sql)) out.push(...statementOps(s));
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
      out.push(op('add_foreign_key', s, { table, names: m[1] ? [sqlName(m[1])] : [], notValid: /\bNOT\s+VALID\b/i.test(action) }));
    } else if (/^ADD\s+(?:CONSTRAINT|PRIMARY|UNIQUE|CHECK|EXCLUDE|FOREIGN)\b/i.test(action)) {
      continue;
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
