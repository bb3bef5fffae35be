// concurrent-index-outside-autocommit: CREATE/DROP INDEX CONCURRENTLY (or REINDEX ... CONCURRENTLY)
// outside `with op.get_context().autocommit_block():`. Alembic runs a migration inside a transaction,
// and PostgreSQL refuses these statements there: `CREATE INDEX CONCURRENTLY cannot run inside a
// transaction block`. Checked in upgrades and downgrades alike.
import { migrationFunctions } from '../facts/functions';
import { schemaOps } from '../facts/schema';
import { defineFileRule, type RuleFinding } from './rule';

export const concurrentIndexOutsideAutocommit = defineFileRule({
  id: 'concurrent-index-outside-autocommit',
  defaultSeverity: 'warning',
  description: 'A concurrent index operation runs inside the migration transaction, which PostgreSQL refuses.',
  check({ migration }) {
    const out: RuleFinding[] = [];
    const seen = new Set<unknown>();
    for (const fn of migrationFunctions(migration)) {
      for (const op of schemaOps(migration, fn)) {
        if (!op.concurrently || op.inAutocommitBlock || seen.has(op.call)) continue;
        seen.add(op.call);
        const statement = op.sql ? op.sql.statement.split(' ').slice(0, 4).join(' ').toUpperCase() : op.kind === 'create_index' ? 'CREATE INDEX CONCURRENTLY' : 'DROP INDEX CONCURRENTLY';
        out.push({
          range: op.range,
          message: `${statement} cannot run inside a transaction block, and Alembic runs this migration in one: it fails. Put it in 'with op.get_context().autocommit_block():'.`,
          data: op.batch ? {} : { fix: 'autocommit' },
        });
      }
    }
    return out;
  },
});
