// set-not-null-on-existing-column: `alter_column(nullable=False)` (or SET NOT NULL in SQL) on a
// column the migration did not add. PostgreSQL scans the whole table under an ACCESS EXCLUSIVE lock
// to check for NULLs, and the migration fails if it finds one. A column added earlier in the same
// migration is exempt (the add-column-then-backfill pattern); so is a new table.
import { mayBePostgres } from '../facts/dialect';
import { upgradeOpsOn } from '../facts/functions';
import { postgresVersionOf, setNotNullUsesCheck } from '../facts/postgresVersion';
import { defineFileRule, type RuleFinding } from './rule';
import { columnLabel } from '../facts/schema';

export const setNotNullOnExistingColumn = defineFileRule({
  id: 'set-not-null-on-existing-column',
  defaultSeverity: 'information',
  description: 'NOT NULL is set on an existing column: a full-table scan under an exclusive lock, failing on any NULL.',
  check({ migration, project }) {
    // PostgreSQL's locks: nothing to say about a project on another database, or a branch for one.
    if (!mayBePostgres(project?.dialect)) return [];
    const out: RuleFinding[] = [];
    const version = postgresVersionOf(project);
    for (const { op, newColumn } of upgradeOpsOn(migration, 'postgresql')) {
      if (op.kind !== 'alter_column' || newColumn) continue;
      const sets = op.sql ? op.sql.kind === 'set_not_null' : op.alter?.nullable?.kind === 'bool' && !op.alter.nullable.value;
      if (!sets) continue;
      out.push({
        range: op.range,
        message: `Setting NOT NULL on ${columnLabel(op)} scans the whole table under an ACCESS EXCLUSIVE lock and fails if any row is NULL. ${setNotNullUsesCheck(version)
          ? `On a large table: add CHECK (${op.name ?? 'col'} IS NOT NULL) NOT VALID, validate it, then set NOT NULL (PostgreSQL 12+ then skips the scan).`
          : `PostgreSQL ${version} scans even when a validated CHECK (${op.name ?? 'col'} IS NOT NULL) proves it (only 12+ skips the scan): on a large table keep the validated CHECK constraint instead of NOT NULL until you upgrade.`}`,
      });
    }
    return out;
  },
});
