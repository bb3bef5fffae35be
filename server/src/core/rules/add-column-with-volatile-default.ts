// add-column-with-volatile-default: `add_column` on an existing table with a default PostgreSQL has to
// compute for every row: a volatile function (`gen_random_uuid()`, `random()`, `clock_timestamp()`,
// `uuid_generate_v4()`), an identity or serial column, a stored generated column. PostgreSQL then
// rewrites the whole table (and its indexes) under an ACCESS EXCLUSIVE lock. `now()` and constants
// are stored once in the catalog since PostgreSQL 11; before 11 every default rewrites the table, so
// the rule follows the project's PostgreSQL version (`[tool.alembic-lint] postgres-version`).
import { columnDefaultCost, sqlColumnDefaultCost } from '../facts/columnDefaults';
import { mayBePostgres } from '../facts/dialect';
import { upgradeOpsOn } from '../facts/functions';
import { onExistingTable } from '../facts/lockTimeout';
import { constantDefaultIsInstant, postgresVersionOf } from '../facts/postgresVersion';
import { defineFileRule, type RuleFinding } from './rule';
import { columnLabel } from '../facts/schema';

export const addColumnWithVolatileDefault = defineFileRule({
  id: 'add-column-with-volatile-default',
  defaultSeverity: 'warning',
  description: 'A column is added to an existing table with a default computed per row: PostgreSQL rewrites the table under an exclusive lock.',
  check(ctx) {
    const { migration, project } = ctx;
    // PostgreSQL's rewrites: nothing to say about a project on another database, or a branch for one.
    if (!mayBePostgres(project?.dialect)) return [];
    const version = postgresVersionOf(project);
    const out: RuleFinding[] = [];
    for (const o of upgradeOpsOn(migration, 'postgresql')) {
      const { op } = o;
      if (op.kind !== 'add_column' || !op.column || !onExistingTable(o, ctx)) continue;
      const cost = op.sql ? sqlColumnDefaultCost(op.sql) : columnDefaultCost(op.column);
      const where = (): string => columnLabel(op);
      if (cost.kind === 'volatile') {
        out.push({
          range: op.range,
          message: `Adding ${where()} with default ${cost.text} rewrites the whole table under an ACCESS EXCLUSIVE lock (${cost.why}): no reads or writes until it is done. Add the column without a default (or with a constant one), backfill in batches, then set the default.`,
        });
      } else if (cost.kind === 'constant' && !constantDefaultIsInstant(version)) {
        out.push({
          range: op.range,
          message: `Adding ${where()} with default ${cost.text} rewrites the whole table under an ACCESS EXCLUSIVE lock on PostgreSQL ${version} (a default is stored in the catalog without a rewrite only from PostgreSQL 11). Add the column without a default, set the default in a second step (it applies to new rows), and backfill in batches.`,
        });
      }
    }
    return out;
  },
});
