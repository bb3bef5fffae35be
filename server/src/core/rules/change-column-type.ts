// change-column-type: `alter_column(type_=...)` (or ALTER COLUMN ... TYPE in SQL) on an existing
// column. Most type changes make PostgreSQL rewrite the whole table and its indexes under an ACCESS
// EXCLUSIVE lock: nothing can read or write it meanwhile. Changes PostgreSQL does without a rewrite
// (widening a VARCHAR, VARCHAR to TEXT, a larger NUMERIC precision at the same scale) are not
// reported when `existing_type` shows them.
import type { ArgValue } from '../types';
import { argAt, methodOf } from '../facts/args';
import { mayBePostgres } from '../facts/dialect';
import { upgradeOpsOn } from '../facts/functions';
import { defineFileRule, type RuleFinding } from './rule';

interface TypeInfo { family: 'varchar' | 'text' | 'numeric' | 'other'; length?: number; scale?: number }

const VARCHAR = new Set(['String', 'VARCHAR', 'Unicode', 'NVARCHAR', 'CHAR_VARYING']);
const TEXT = new Set(['Text', 'TEXT', 'UnicodeText', 'CITEXT']);
const NUMERIC = new Set(['Numeric', 'NUMERIC', 'DECIMAL']);

function num(v: ArgValue | undefined): number | undefined {
  return v?.kind === 'number' ? Number(v.text) : undefined;
}

export function typeInfo(v: ArgValue | undefined): TypeInfo | undefined {
  if (!v) return undefined;
  const callee = v.kind === 'call' ? v.call.callee : v.kind === 'name' ? v.name : undefined;
  if (!callee) return undefined;
  const base = methodOf(callee);
  const info: TypeInfo = { family: VARCHAR.has(base) ? 'varchar' : TEXT.has(base) ? 'text' : NUMERIC.has(base) ? 'numeric' : 'other' };
  if (v.kind === 'call') {
    const length = num(argAt(v.call, 0, info.family === 'numeric' ? 'precision' : 'length'));
    if (length !== undefined) info.length = length;
    const scale = num(argAt(v.call, 1, 'scale'));
    if (scale !== undefined) info.scale = scale;
  }
  return info;
}

/** True when PostgreSQL changes the type without rewriting the table. */
export function isSafeTypeChange(from: ArgValue | undefined, to: ArgValue | undefined): boolean {
  const a = typeInfo(from);
  const b = typeInfo(to);
  if (!a || !b) return false;
  if (a.family === 'varchar' && b.family === 'text') return true;
  if (a.family === 'varchar' && b.family === 'varchar') return b.length === undefined || (a.length !== undefined && b.length >= a.length);
  if (a.family === 'numeric' && b.family === 'numeric') {
    return (a.scale ?? 0) === (b.scale ?? 0) && (b.length === undefined || (a.length !== undefined && b.length >= a.length));
  }
  return false;
}

export const changeColumnType = defineFileRule({
  id: 'change-column-type',
  defaultSeverity: 'warning',
  description: "A column's type changes: PostgreSQL usually rewrites the whole table under an exclusive lock.",
  check({ migration, project }) {
    // PostgreSQL's locks: nothing to say about a project on another database, or a branch for one.
    if (!mayBePostgres(project?.dialect)) return [];
    const out: RuleFinding[] = [];
    for (const { op, newColumn } of upgradeOpsOn(migration, 'postgresql')) {
      if (op.kind !== 'alter_column' || newColumn) continue;
      const changes = op.sql ? op.sql.kind === 'alter_type' : !!op.alter?.type && op.alter.type.kind !== 'none';
      if (!changes || isSafeTypeChange(op.alter?.existingType, op.alter?.type)) continue;
      out.push({
        range: op.range,
        message: `Changing the type of ${op.table ?? '?'}.${op.name ?? '?'} makes PostgreSQL rewrite the table and its indexes under an ACCESS EXCLUSIVE lock (no reads or writes meanwhile), except for a few safe changes such as widening a VARCHAR. On a large table: add a new column, backfill it, and switch over.`,
      });
    }
    return out;
  },
});
