// change-column-type: `alter_column(type_=...)` (or ALTER COLUMN ... TYPE in SQL) on an existing
// column. Most type changes make PostgreSQL rewrite the whole table and its indexes under an ACCESS
// EXCLUSIVE lock: nothing can read or write it meanwhile. Changes PostgreSQL does without a rewrite
// (core/facts/columnTypes.ts) are not reported when the old type shows them: `existing_type=`, or
// else the type the same file's downgrade changes the column back to, else the type the schema model
// (core/schema) replays for the column from earlier revisions. When none tells the old type and the
// new one is a string type (often a safe widening), the finding is information only.
import type { ArgValue, Migration } from '../types';
import { columnTypeInfo, isSafeTypeChange, isSafeTypeInfoChange, isStringType } from '../facts/columnTypes';
import { mayBePostgres } from '../facts/dialect';
import { columnsOfRecreatedEnums } from '../facts/enumRecreation';
import { functionPairs, schemaOpsOn, upgradeOpsOn } from '../facts/functions';
import { defineFileRule, type RuleFinding } from './rule';
import { columnLabel } from '../facts/schema';

export { isSafeTypeChange };

export const changeColumnType = defineFileRule({
  id: 'change-column-type',
  defaultSeverity: 'warning',
  description: "A column's type changes: PostgreSQL usually rewrites the whole table under an exclusive lock.",
  check({ migration, project, schema }) {
    // PostgreSQL's locks: nothing to say about a project on another database, or a branch for one.
    if (!mayBePostgres(project?.dialect)) return [];
    const out: RuleFinding[] = [];
    // Made at the first type change (most files have none).
    let recreated: Set<string> | undefined;
    for (const { op, newColumn } of upgradeOpsOn(migration, 'postgresql')) {
      if (op.kind !== 'alter_column' || newColumn) continue;
      const changes = op.sql ? op.sql.kind === 'alter_type' : !!op.alter?.type && op.alter.type.kind !== 'none';
      if (!changes) continue;
      // A column moved to an enum type the upgrade recreates: enum-value-rewrite reports that rewrite once, on the type.
      if ((recreated ??= columnsOfRecreatedEnums(migration)).has(`${op.table ?? ''}.${op.name ?? ''}`)) continue;
      const before = op.alter?.existingType ?? (op.table !== undefined && op.name !== undefined ? typeRestoredByDowngrade(migration, op.table, op.name) : undefined);
      if (isSafeTypeChange(before, op.alter?.type)) continue;
      // Neither argument nor downgrade tells the old type: the schema model may (the revision that
      // created the column, or last changed its type).
      const modelled = before === undefined && schema && op.table !== undefined && op.name !== undefined ? schema.columnTypeBefore(op.table, op.name) : undefined;
      if (modelled && !op.sql && isSafeTypeInfoChange(modelled, columnTypeInfo(op.alter?.type))) continue;
      const unknownBefore = !op.sql && before === undefined && !modelled && isStringType(op.alter?.type);
      out.push({
        range: op.range,
        ...(unknownBefore ? { severity: 'information' as const } : {}),
        message: `Changing the type of ${columnLabel(op)} makes PostgreSQL rewrite the table and its indexes under an ACCESS EXCLUSIVE lock (no reads or writes meanwhile), except for a few safe changes such as widening a VARCHAR.${unknownBefore ? ' The old type is not known here (no existing_type=): give it, and the warning goes away if the change is safe.' : ''} On a large table: add a new column, backfill it, and switch over.`,
      });
    }
    return out;
  },
});

/** The type the downgrade gives `table.column` back (`alter_column(..., type_=...)`): the type before the upgrade. */
function typeRestoredByDowngrade(migration: Migration, table: string, column: string): ArgValue | undefined {
  for (const { downgrade } of functionPairs(migration)) {
    if (!downgrade) continue;
    for (const op of schemaOpsOn(migration, downgrade, 'postgresql')) {
      if (op.kind === 'alter_column' && op.table === table && op.name === column && op.alter?.type && op.alter.type.kind !== 'none') return op.alter.type;
    }
  }
  return undefined;
}
