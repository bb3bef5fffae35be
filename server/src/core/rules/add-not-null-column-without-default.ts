// add-not-null-column-without-default: `add_column` of a NOT NULL column without `server_default` on
// a table the migration did not create. PostgreSQL has to give existing rows a value and has none:
// the migration fails with `column "x" contains null values` on any table that has rows (it only
// works on the empty development database, which is why it slips through review).
import { mayBePostgres } from '../facts/dialect';
import { emptiedBefore, emptiedTables } from '../facts/emptiedTables';
import { upgradeFunctions, upgradeOpsOn } from '../facts/functions';
import { constantDefaultIsInstant, postgresVersionOf } from '../facts/postgresVersion';
import { contains } from '../positions';
import { defineFileRule, type RuleFinding } from './rule';
import { columnLabel } from '../facts/schema';

export const addNotNullColumnWithoutDefault = defineFileRule({
  id: 'add-not-null-column-without-default',
  defaultSeverity: 'warning',
  description: 'A NOT NULL column without server_default is added to an existing table: fails when the table has rows.',
  check({ migration, project, text }) {
    const out: RuleFinding[] = [];
    // Before PostgreSQL 11 a server_default is written into every row: the table is rewritten.
    const version = postgresVersionOf(project);
    const defaultAdvice = constantDefaultIsInstant(version) || !mayBePostgres(project?.dialect)
      ? 'or give it a server_default.'
      : `a server_default also works, but on PostgreSQL ${version} it rewrites the whole table under an ACCESS EXCLUSIVE lock (instant only from PostgreSQL 11).`;
    for (const { op, newTable } of upgradeOpsOn(migration, project?.dialect)) {
      if (op.kind !== 'add_column' || newTable || !op.column) continue;
      const c = op.column;
      if (!c.notNull || c.hasServerDefault) continue;
      // On PostgreSQL an integer primary key is added as SERIAL: its sequence gives every row a value
      // (add-column-with-volatile-default reports the rewrite that costs).
      if (c.serial && mayBePostgres(project?.dialect)) continue;
      // Every row was deleted earlier in the same function: no row for the column to fail on.
      const fn = op.table === undefined ? undefined : upgradeFunctions(migration).find((f) => contains(f.range, op.range.start));
      if (fn && op.table !== undefined && emptiedBefore(emptiedTables(migration, fn, text), op.table, op.range.start)) continue;
      const where = columnLabel(op);
      const pythonDefault = c.hasPythonDefault ? ' (default= is applied by SQLAlchemy on new INSERTs only; existing rows need server_default=)' : '';
      out.push({
        range: op.range,
        message: `Adding NOT NULL column ${where} without a server_default fails with 'column contains null values' as soon as the table has rows${pythonDefault}. Add it nullable, backfill, then set NOT NULL; ${defaultAdvice}`,
      });
    }
    return out;
  },
});
