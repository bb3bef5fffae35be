// irreversible-migration: downgrade() raises (for example `raise NotImplementedError(...)`): the
// revision is declared one-way, and `alembic downgrade` stops with that error when it reaches it.
// Deliberate and legitimate, so only information: worth seeing when planning a rollback.
import { migrationFunctions } from '../facts/functions';
import { defineFileRule, type RuleFinding } from './rule';

export const irreversibleMigration = defineFileRule({
  id: 'irreversible-migration',
  defaultSeverity: 'information',
  description: 'downgrade() raises: this revision is declared one-way.',
  check({ migration }) {
    const out: RuleFinding[] = [];
    for (const downgrade of migrationFunctions(migration)) {
      if (downgrade.kind !== 'downgrade' || !downgrade.raises) continue;
      out.push({
        range: downgrade.defLineRange,
        message: `${downgrade.name}() raises: this revision is one-way, and 'alembic downgrade' stops with that error when it gets here. Plan rollbacks past it with a backup or a forward fix.`,
      });
    }
    return out;
  },
});
