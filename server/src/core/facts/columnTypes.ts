// What a column type argument means on PostgreSQL, for the question the lock rules ask: does changing
// from one type to another make PostgreSQL rewrite the table? It does not when the new type is
// binary-coercible from the old one: VARCHAR(n) to a longer VARCHAR or to TEXT, TEXT to an unbounded
// VARCHAR, a NUMERIC with more precision at the same scale, and a type to the same type. Dialect
// types whose PostgreSQL form is TEXT (MySQL's LONGTEXT, ...) count as TEXT.
import type { ArgValue, ParsedCall } from '../types';
import { argAt, methodOf } from './args';

export interface ColumnTypeInfo {
  family: 'varchar' | 'text' | 'numeric' | 'other';
  /** The type's name without its module (`String`, `postgresql.JSONB` → `JSONB`). */
  base: string;
  length?: number;
  scale?: number;
  /** Every argument is a literal we read (so two `other` types with the same base and arguments are equal). */
  argsKnown: boolean;
  /**
   * The type PostgreSQL stores, for SQLAlchemy types that are another's name there: `sa.REAL` and
   * `sa.Float(precision=3)` are both `real` (FLOAT(p) is real up to p = 24), `sa.Float()` and
   * `sa.DOUBLE_PRECISION` are `double precision`, `sa.Integer` and `sa.INTEGER` are `integer`.
   */
  postgres?: string;
}

/** Types whose PostgreSQL form takes no argument that changes it, by SQLAlchemy name. */
const POSTGRES_PLAIN: ReadonlyMap<string, string> = new Map([
  ['REAL', 'real'], ['FLOAT4', 'real'], ['DOUBLE_PRECISION', 'double precision'], ['DOUBLE', 'double precision'], ['Double', 'double precision'], ['FLOAT8', 'double precision'],
  ['Integer', 'integer'], ['INTEGER', 'integer'], ['INT', 'integer'], ['BigInteger', 'bigint'], ['BIGINT', 'bigint'], ['SmallInteger', 'smallint'], ['SMALLINT', 'smallint'],
  ['Boolean', 'boolean'], ['BOOLEAN', 'boolean'], ['Date', 'date'], ['DATE', 'date'], ['JSON', 'json'], ['JSONB', 'jsonb'],
  ['LargeBinary', 'bytea'], ['BYTEA', 'bytea'], ['UUID', 'uuid'], ['Uuid', 'uuid'],
]);
const FLOAT_KEYWORDS: readonly string[] = ['precision', 'asdecimal', 'decimal_return_scale'];
const DATETIME_KEYWORDS: readonly string[] = ['timezone'];
const NO_KEYWORDS: readonly string[] = [];

/** At most one positional argument (none when no keyword is allowed), and keywords among `allowed` only. */
function argumentsAmong(call: ParsedCall | undefined, allowed: readonly string[]): boolean {
  if (!call) return true;
  if (call.args.length > (allowed.length > 0 ? 1 : 0)) return false;
  for (const k of call.kwargs) if (!allowed.includes(k.name)) return false;
  return true;
}

/** The PostgreSQL type of a SQLAlchemy type with literal arguments, when it is one we know by name. */
function postgresTypeOf(base: string, v: ArgValue): string | undefined {
  const args = v.kind === 'call' ? v.call : undefined;
  // Arguments other than the type's own may change it, or belong to another database (`unsigned=True`).
  if (base === 'Float' || base === 'FLOAT') {
    if (!argumentsAmong(args, FLOAT_KEYWORDS)) return undefined;
    // FLOAT(p): real for p up to 24, double precision above; no precision is double precision.
    const p = args ? argAt(args, 0, 'precision') : undefined;
    if (p === undefined || p.kind === 'none') return 'double precision';
    return p.kind === 'number' ? (Number(p.text) <= 24 ? 'real' : 'double precision') : undefined;
  }
  if (base === 'DateTime' || base === 'TIMESTAMP') {
    if (!argumentsAmong(args, DATETIME_KEYWORDS)) return undefined;
    const tz = args ? argAt(args, 0, 'timezone') : undefined;
    if (tz !== undefined && tz.kind !== 'bool') return undefined;
    return tz?.value === true ? 'timestamp with time zone' : 'timestamp without time zone';
  }
  const plain = POSTGRES_PLAIN.get(base);
  return plain !== undefined && argumentsAmong(args, NO_KEYWORDS) ? plain : undefined;
}

const VARCHAR = new Set(['String', 'VARCHAR', 'Unicode', 'NVARCHAR', 'CHAR_VARYING']);
const TEXT = new Set(['Text', 'TEXT', 'UnicodeText', 'CITEXT', 'LONGTEXT', 'MEDIUMTEXT', 'TINYTEXT', 'CLOB', 'NTEXT']);
const NUMERIC = new Set(['Numeric', 'NUMERIC', 'DECIMAL']);

function num(v: ArgValue | undefined): number | undefined {
  return v?.kind === 'number' ? Number(v.text) : undefined;
}

export function columnTypeInfo(v: ArgValue | undefined): ColumnTypeInfo | undefined {
  if (!v) return undefined;
  const callee = v.kind === 'call' ? v.call.callee : v.kind === 'name' ? v.name : undefined;
  if (!callee) return undefined;
  const base = methodOf(callee);
  const family = VARCHAR.has(base) ? 'varchar' : TEXT.has(base) ? 'text' : NUMERIC.has(base) ? 'numeric' : 'other';
  const info: ColumnTypeInfo = { family, base, argsKnown: true };
  if (v.kind === 'call') {
    const length = num(argAt(v.call, 0, family === 'numeric' ? 'precision' : 'length'));
    if (length !== undefined) info.length = length;
    const scale = num(argAt(v.call, 1, 'scale'));
    if (scale !== undefined) info.scale = scale;
    const literal = (a: ArgValue): boolean => a.kind === 'number' || a.kind === 'string' || a.kind === 'bool' || a.kind === 'none';
    info.argsKnown = v.call.args.every(literal) && v.call.kwargs.every((k) => literal(k.value)) && !v.call.hasStarArgs;
    if (family === 'other' && info.argsKnown) info.base = `${base}(${[...v.call.args.map(argText), ...v.call.kwargs.map((k) => `${k.name}=${argText(k.value)}`)].join(',')})`;
  }
  if (family === 'other' && info.argsKnown) {
    const postgres = postgresTypeOf(base, v);
    if (postgres !== undefined) info.postgres = postgres;
  }
  return info;
}

function argText(a: ArgValue): string {
  switch (a.kind) {
    case 'number': return a.text;
    case 'string': return JSON.stringify(a.value);
    case 'bool': return String(a.value);
    default: return a.kind;
  }
}

/** True when PostgreSQL changes the type without rewriting the table. */
export function isSafeTypeChange(from: ArgValue | undefined, to: ArgValue | undefined): boolean {
  return isSafeTypeInfoChange(columnTypeInfo(from), columnTypeInfo(to));
}

/** The same, on types as read (the schema model keeps these, not the arguments). */
export function isSafeTypeInfoChange(a: ColumnTypeInfo | undefined, b: ColumnTypeInfo | undefined): boolean {
  if (!a || !b) return false;
  if (a.family === 'varchar' && b.family === 'text') return true;
  // An unbounded VARCHAR is TEXT by another name; TEXT to TEXT (Text to UnicodeText) changes nothing.
  if (a.family === 'text' && (b.family === 'text' || (b.family === 'varchar' && b.length === undefined))) return true;
  if (a.family === 'varchar' && b.family === 'varchar') return b.length === undefined || (a.length !== undefined && b.length >= a.length);
  if (a.family === 'numeric' && b.family === 'numeric') {
    return (a.scale ?? 0) === (b.scale ?? 0) && (b.length === undefined || (a.length !== undefined && b.length >= a.length));
  }
  // The same type by another name (REAL to Float(precision=3), INTEGER to Integer): nothing changes.
  if (a.postgres !== undefined && a.postgres === b.postgres) return true;
  return a.family === 'other' && b.family === 'other' && a.argsKnown && b.argsKnown && a.base === b.base;
}

/** The new type is one of the string types, whose changes are often safe: without the old type we cannot tell. */
export function isStringType(v: ArgValue | undefined): boolean {
  const f = columnTypeInfo(v)?.family;
  return f === 'varchar' || f === 'text';
}
