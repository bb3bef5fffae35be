// Which row of the lock table (core/locks/table.ts) an operation of a migration is: read from the
// facts (core/facts/schema.ts) for Alembic operations, and statement by statement for SQL passed to
// `op.execute`. An operation the table has no row for gets none, never a guess.
import type { ArgValue, Migration, ParsedCall, Range } from '../types';
import { argAt, boolValue, kwarg, literalName, methodOf, nestedCalls } from '../facts/args';
import { alterColumnChanges } from '../facts/alterColumn';
import { columnDefaultCost, sqlColumnDefaultCost } from '../facts/columnDefaults';
import { migrationFunctions } from '../facts/functions';
import { type SchemaOp, schemaOps } from '../facts/schema';
import { QNAME, type SqlOp, sqlName, sqlOperations, sqlStatements } from '../facts/sql';

/** One statement's row(s) of the lock table, with the tables it names. */
export interface LockItem {
  /** Rows of LOCK_CASES; several when one call does several things (alter_column type and nullable). */
  caseIds: string[];
  /** The table the operation works on, lower case; undefined when not literal. */
  table?: string;
  /** A foreign key's referenced table, when the operation names it. */
  referenced?: string;
}

/** The lock facts of one statement-level call. */
export interface CallLocks {
  call: ParsedCall;
  range: Range;
  /** One per schema statement the call runs (an `op.execute` may run several). */
  items: LockItem[];
}

const cache = new WeakMap<Migration, CallLocks[]>();

/** Every call of every migration function that the lock table has a row for, in source order. */
export function callLocks(m: Migration): CallLocks[] {
  let out = cache.get(m);
  if (!out) {
    out = readCallLocks(m);
    cache.set(m, out);
  }
  return out;
}

function readCallLocks(m: Migration): CallLocks[] {
  const out: CallLocks[] = [];
  const seen = new Set<ParsedCall>();
  for (const fn of migrationFunctions(m)) {
    for (const op of schemaOps(m, fn)) {
      if (seen.has(op.call)) continue;
      seen.add(op.call);
      const items = op.kind === 'execute' || op.sql ? sqlItems(m, op.call) : pythonItems(op);
      if (items.length > 0) out.push({ call: op.call, range: op.call.range, items });
    }
  }
  return out.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
}

/** The call whose text holds the position (the innermost, when helpers nest). */
export function callLocksAt(m: Migration, pos: { line: number; character: number }): CallLocks | undefined {
  const inside = (r: Range): boolean => (pos.line > r.start.line || (pos.line === r.start.line && pos.character >= r.start.character)) &&
    (pos.line < r.end.line || (pos.line === r.end.line && pos.character <= r.end.character));
  return callLocks(m).filter((c) => inside(c.range)).at(-1);
}

const item = (caseIds: string[], table: string | undefined, referenced?: string): LockItem => ({
  caseIds, ...(table !== undefined ? { table } : {}), ...(referenced !== undefined ? { referenced } : {}),
});

/** A referenced table from `sa.ForeignKey("orgs.id")` / `ForeignKeyConstraint([...], ["orgs.id"])`. */
function referencedOf(call: ParsedCall): string | undefined {
  for (const a of [...call.args, ...call.kwargs.map((k) => k.value)]) {
    for (const c of nestedCalls(a)) {
      const method = methodOf(c.callee);
      const target = method === 'ForeignKey' ? c.args[0] : method === 'ForeignKeyConstraint' ? argAt(c, 1, 'refcolumns') : undefined;
      const first = target?.kind === 'sequence' ? target.items[0] : target;
      if (first?.kind === 'string') {
        const parts = first.value.split('.');
        if (parts.length >= 2) return parts[parts.length - 2]?.toLowerCase();
      }
    }
  }
  return undefined;
}

function hasForeignKey(call: ParsedCall): boolean {
  return [...call.args, ...call.kwargs.map((k) => k.value)].some((a) => [...nestedCalls(a)].some((c) => /^(ForeignKey|ForeignKeyConstraint)$/.test(methodOf(c.callee))));
}

/** Type calls as written (`sa.String(50)`, `sa.Text()`, `postgresql.VARCHAR(length=20)`): varchar-like with a length. */
function textType(v: ArgValue | undefined): { text: boolean; length?: number } | undefined {
  const call = v?.kind === 'call' ? v.call : undefined;
  const name = call ? methodOf(call.callee) : v?.kind === 'name' ? methodOf(v.name) : undefined;
  if (name === undefined) return undefined;
  if (/^(Text|TEXT|UnicodeText)$/.test(name)) return { text: true };
  if (!/^(String|VARCHAR|Unicode|NVARCHAR)$/.test(name)) return undefined;
  const len = call ? argAt(call, 0, 'length') : undefined;
  if (len?.kind === 'number') return { text: false, length: Number(len.text) };
  return len === undefined ? { text: true } : undefined;
}

/** `type_` to a type PostgreSQL stores the same way: a longer varchar, or text/unbounded varchar. */
function isWidening(from: ArgValue | undefined, to: ArgValue | undefined): boolean {
  const a = textType(from);
  const b = textType(to);
  if (!a || !b) return false;
  if (b.text) return true;
  return !a.text && a.length !== undefined && b.length !== undefined && b.length >= a.length;
}

function pythonItems(op: SchemaOp): LockItem[] {
  const call = op.call;
  const t = op.table;
  switch (op.kind) {
    case 'create_table':
      return [hasForeignKey(call) ? item(['create_table.foreign_key'], t, referencedOf(call)) : item(['create_table'], t)];
    case 'drop_table':
      return [item(['drop_table'], t)];
    case 'rename_table':
      return [item(['rename_table'], t)];
    case 'add_column': {
      const col = op.column;
      if (!col) return [item(['add_column'], t)];
      // The rules' reading of the default (facts/columnDefaults.ts), so the hover and add-column-with-volatile-default agree.
      if (columnDefaultCost(col).kind === 'volatile') return [item(['add_column.volatile_default'], t)];
      if (col.hasServerDefault) return [item(['add_column.constant_default'], t)];
      return [item([col.notNull ? 'add_column.not_null' : 'add_column'], t)];
    }
    case 'drop_column':
      return [item(['drop_column'], t)];
    case 'alter_column': {
      // The rules' reading of what the call changes (facts/alterColumn.ts), so the hover and
      // lock-timeout-missing agree: type_=None or server_default=False is no row.
      const c = alterColumnChanges(op);
      const ids: string[] = [];
      if (c.type) ids.push(isWidening(op.alter?.existingType, op.alter?.type) ? 'alter_column.type_widen' : 'alter_column.type');
      if (c.nullable === false) ids.push('alter_column.set_not_null');
      if (c.nullable === true) ids.push('alter_column.drop_not_null');
      if (c.serverDefault) ids.push('alter_column.server_default');
      if (c.rename) ids.push('alter_column.rename');
      if (c.comment) ids.push('alter_column.comment');
      return ids.length > 0 ? [item(ids, t)] : [];
    }
    case 'create_index':
      if (op.concurrently) return [item(['create_index.concurrently'], t)];
      return [item([boolValue(kwarg(call, 'unique')) === true ? 'create_index.unique' : 'create_index'], t)];
    case 'drop_index':
      return [item([op.concurrently ? 'drop_index.concurrently' : 'drop_index'], t)];
    case 'create_constraint':
      switch (op.constraintType) {
        case 'foreignkey': {
          const referent = low(literalName(argAt(call, op.batch ? 1 : 2, 'referent_table')));
          return [item([op.notValid ? 'create_foreign_key.not_valid' : 'create_foreign_key'], t, referent)];
        }
        case 'unique': return [item(['create_unique_constraint'], t)];
        case 'check': return [item([op.notValid ? 'create_check_constraint.not_valid' : 'create_check_constraint'], t)];
        case 'primary': return [item(['create_primary_key'], t)];
        default: return [];
      }
    case 'drop_constraint':
      return [item([op.constraintType === 'foreignkey' ? 'drop_constraint.foreign_key' : 'drop_constraint'], t)];
    default:
      return [];
  }
}

const low = (s: string | undefined): string | undefined => s?.toLowerCase();

const REINDEX_TABLE = new RegExp(String.raw`^REINDEX\s+(?:\([^)]*\)\s*)?TABLE\s+CONCURRENTLY\s+(${QNAME})`, 'i');
const ALTER_TABLE = new RegExp(String.raw`^ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(${QNAME})\s*\*?\s+(.*)$`, 'i');
const REFERENCES = new RegExp(String.raw`\bREFERENCES\s+(${QNAME})`, 'i');

/** The statements of an `op.execute` call, each with its row. */
function sqlItems(m: Migration, call: ParsedCall): LockItem[] {
  const executed = m.executedSql.find((s) => s.call === call);
  if (!executed) return [];
  const out: LockItem[] = [];
  for (const statement of sqlStatements(executed.sql)) {
    const ops = sqlOperations(statement);
    const items = ops.flatMap((o) => sqlOpItems(o, statement));
    out.push(...(items.length > 0 ? items : otherStatement(statement)));
  }
  return out;
}

function sqlOpItems(o: SqlOp, statement: string): LockItem[] {
  const t = o.table;
  switch (o.kind) {
    case 'create_table':
      return [REFERENCES.test(statement) ? item(['create_table.foreign_key'], t, sqlName(REFERENCES.exec(statement)?.[1] ?? '')) : item(['create_table'], t)];
    case 'drop_table':
      return o.names.map((n) => item(['drop_table'], n));
    case 'rename_table':
      return [item(['rename_table'], t)];
    case 'add_column': {
      if (sqlColumnDefaultCost(o).kind === 'volatile') return [item(['add_column.volatile_default'], t)];
      if (o.hasDefault) return [item(['add_column.constant_default'], t)];
      return [item([o.notNull ? 'add_column.not_null' : 'add_column'], t)];
    }
    case 'drop_column':
      return [item(['drop_column'], t)];
    case 'alter_type':
      return [item(['alter_column.type'], t)];
    case 'set_not_null':
      return [item(['alter_column.set_not_null'], t)];
    case 'rename_column':
      return [item(['alter_column.rename'], t)];
    case 'create_index':
      if (o.concurrently) return [item(['create_index.concurrently'], t)];
      return [item([/^CREATE\s+UNIQUE\b/i.test(statement) ? 'create_index.unique' : 'create_index'], t)];
    case 'drop_index':
      return o.names.map(() => item([o.concurrently ? 'drop_index.concurrently' : 'drop_index'], undefined));
    case 'add_foreign_key': {
      const ref = REFERENCES.exec(statement)?.[1];
      return [item([o.notValid ? 'create_foreign_key.not_valid' : 'create_foreign_key'], t, ref === undefined ? undefined : sqlName(ref))];
    }
    case 'drop_constraint':
      return [item(['drop_constraint'], t)];
    case 'truncate':
      return o.names.map((n) => item(['truncate'], n));
    case 'delete_all':
      return [item(['delete_all'], t)];
    case 'reindex_concurrently': {
      const m = REINDEX_TABLE.exec(statement);
      return [item(['reindex_concurrently'], m?.[1] === undefined ? undefined : sqlName(m[1]))];
    }
    default:
      return [];
  }
}

/** Statements core/facts/sql.ts does not model that the lock table has rows for. */
function otherStatement(s: string): LockItem[] {
  if (/^ALTER\s+TYPE\s+\S+.*\bADD\s+VALUE\b/i.test(s)) return [item(['enum_add_value'], undefined)];
  const m = ALTER_TABLE.exec(s);
  if (!m) return [];
  const table = sqlName(m[1] ?? '');
  const rest = m[2] ?? '';
  if (/^VALIDATE\s+CONSTRAINT\b/i.test(rest)) return [item(['validate_constraint'], table)];
  if (/^ADD\s+(?:CONSTRAINT\s+\S+\s+)?UNIQUE\b/i.test(rest)) return [item(['create_unique_constraint'], table)];
  if (/^ADD\s+(?:CONSTRAINT\s+\S+\s+)?PRIMARY\s+KEY\b/i.test(rest)) return [item(['create_primary_key'], table)];
  if (/^ADD\s+(?:CONSTRAINT\s+\S+\s+)?CHECK\b/i.test(rest)) {
    return [item([/\bNOT\s+VALID\b/i.test(rest) ? 'create_check_constraint.not_valid' : 'create_check_constraint'], table)];
  }
  if (/^ALTER\s+(?:COLUMN\s+)?\S+\s+DROP\s+NOT\s+NULL\b/i.test(rest)) return [item(['alter_column.drop_not_null'], table)];
  if (/^ALTER\s+(?:COLUMN\s+)?\S+\s+(?:SET|DROP)\s+DEFAULT\b/i.test(rest)) return [item(['alter_column.server_default'], table)];
  return [];
}
