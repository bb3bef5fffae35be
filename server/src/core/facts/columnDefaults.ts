// What a column's server default costs when the column is added to a table that has rows. Since
// PostgreSQL 11 a default PostgreSQL can evaluate once (a constant, now(), CURRENT_TIMESTAMP: stable
// functions) is stored in the catalog and the ADD COLUMN is instant; a volatile one (gen_random_uuid(),
// random(), clock_timestamp(), nextval() of an identity or serial column) or a stored generated column
// must be computed for every row, so PostgreSQL rewrites the table under its ACCESS EXCLUSIVE lock.
// Before 11 every non-NULL default rewrites the table.
import type { ArgValue } from '../types';
import { kwarg } from './args';
import type { ColumnFacts } from './schema';
import type { SqlOp } from './sql';

/** Functions PostgreSQL marks volatile that migrations use as defaults. */
const VOLATILE = ['gen_random_uuid', 'uuid_generate_v1', 'uuid_generate_v1mc', 'uuid_generate_v4', 'uuidv4', 'uuidv7',
  'random', 'clock_timestamp', 'timeofday', 'nextval', 'gen_random_bytes', 'txid_current', 'random_normal'];
const VOLATILE_CALL = new RegExp(String.raw`\b(${VOLATILE.join('|')})\s*\(`, 'i');

export type DefaultCost =
  /** No default, or NULL. */
  | { kind: 'none' }
  /** Stored in the catalog since PostgreSQL 11 (a constant, a stable function). */
  | { kind: 'constant'; text: string }
  /** Evaluated per row: rewrites the table on every version. */
  | { kind: 'volatile'; text: string; why: string }
  /** A default we cannot read (a variable, a Python expression). */
  | { kind: 'unknown' };

/** The SQL text of a `server_default=` value when it is SQL (`sa.text("...")`, `sa.func.x()`); undefined for a Python string (a quoted literal). */
function sqlTextOf(v: ArgValue): string | undefined {
  if (v.kind !== 'call') return undefined;
  const callee = v.call.callee;
  if (/(^|\.)(text|literal_column)$/.test(callee)) {
    const a = v.call.args[0];
    return a?.kind === 'string' ? a.value : undefined;
  }
  const m = /(?:^|\.)func\.(\w+)$/.exec(callee);
  if (m) return `${m[1] ?? ''}()`;
  return undefined;
}

/** The cost of an added column's default, from `sa.Column(...)` facts. */
export function columnDefaultCost(c: ColumnFacts): DefaultCost {
  if (!c.call) return { kind: c.hasServerDefault ? 'unknown' : 'none' };
  for (const a of c.call.args) {
    if (a.kind !== 'call') continue;
    if (/(^|\.)Identity$/.test(a.call.callee)) return { kind: 'volatile', text: 'sa.Identity()', why: 'an identity column takes nextval() for every row' };
    if (/(^|\.)Computed$/.test(a.call.callee)) {
      const persisted = kwarg(a.call, 'persisted');
      // PostgreSQL before 18 has stored generated columns only; SQLAlchemy emits STORED unless persisted=False.
      if (!(persisted?.kind === 'bool' && !persisted.value)) return { kind: 'volatile', text: 'sa.Computed(...)', why: 'a stored generated column is computed for every row' };
    }
  }
  if (c.serial) return { kind: 'volatile', text: 'SERIAL', why: 'SQLAlchemy emits an integer primary key as SERIAL, whose nextval() runs for every row' };
  const sd = kwarg(c.call, 'server_default');
  if (!sd || sd.kind === 'none') return { kind: 'none' };
  if (sd.kind === 'string' || sd.kind === 'number' || sd.kind === 'bool') return { kind: 'constant', text: sd.kind === 'string' ? `'${sd.value}'` : sd.kind === 'bool' ? String(sd.value) : sd.text };
  // `sa.false()`, `sa.true()`, `sa.null()`, `expression.false()`: constants.
  if (sd.kind === 'call' && /(^|\.)(false|true)$/.test(sd.call.callee)) return { kind: 'constant', text: sd.call.callee };
  if (sd.kind === 'call' && /(^|\.)null$/.test(sd.call.callee)) return { kind: 'none' };
  const sql = sqlTextOf(sd);
  if (sql === undefined) return { kind: 'unknown' };
  return sqlDefaultCost(sql);
}

/** The cost of a default written in SQL (`gen_random_uuid()`, `now()`, `0`). */
export function sqlDefaultCost(sql: string): DefaultCost {
  const text = sql.trim();
  if (text === '' || /^null$/i.test(text)) return { kind: 'none' };
  const m = VOLATILE_CALL.exec(text);
  if (m) return { kind: 'volatile', text, why: `${m[1] ?? ''}() is volatile: PostgreSQL computes it for every row` };
  return { kind: 'constant', text };
}

/** The cost of the default of `ALTER TABLE ... ADD COLUMN` in raw SQL. */
export function sqlColumnDefaultCost(s: SqlOp): DefaultCost {
  const st = s.statement;
  if (/\bGENERATED\s+(?:ALWAYS|BY\s+DEFAULT)\s+AS\s+IDENTITY\b/i.test(st)) return { kind: 'volatile', text: 'GENERATED ... AS IDENTITY', why: 'an identity column takes nextval() for every row' };
  if (/\bGENERATED\s+ALWAYS\s+AS\s*\(.*\)\s*STORED\b/i.test(st)) return { kind: 'volatile', text: 'GENERATED ALWAYS AS (...) STORED', why: 'a stored generated column is computed for every row' };
  if (/\bADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?\S+\s+(?:BIG|SMALL)?SERIAL\d?\b/i.test(st)) return { kind: 'volatile', text: 'serial', why: 'a serial column takes nextval() for every row' };
  const d = /\bDEFAULT\s+(.+?)(?:\s+(?:NOT\s+NULL|NULL|CONSTRAINT|CHECK|UNIQUE|PRIMARY|REFERENCES|COLLATE)\b|,|$)/i.exec(st);
  return d ? sqlDefaultCost(d[1] ?? '') : { kind: 'none' };
}
