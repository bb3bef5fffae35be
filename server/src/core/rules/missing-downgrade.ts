// missing-downgrade: upgrade() changes the database but downgrade() is missing or does nothing (only
// `pass`, `...`, docstrings, comments: the untouched autogenerate skeleton; or only prints and logs). `alembic downgrade`
// then reports success while the database keeps every change, and the next upgrade fails on objects
// that already exist. An empty upgrade (a merge revision) needs no downgrade; a downgrade that raises
// is a declared one-way migration (irreversible-migration).
import { functionPairs, hasNoEffect, isDataOnly } from '../facts/functions';
import { generateDowngradeFix } from '../fixes/downgrade';
import { defineFileRule, type RuleFinding } from './rule';

/** The upgrade function to undo, its downgrade's name, and whether that function is missing (or empty). */
export type MissingDowngradeData = { upgrade: string; downgrade: string; missing: boolean };

export const missingDowngrade = defineFileRule<MissingDowngradeData>({
  id: 'missing-downgrade',
  defaultSeverity: 'warning',
  description: 'upgrade() changes the database but downgrade() is missing or empty.',
  check({ migration }) {
    const out: RuleFinding<MissingDowngradeData>[] = [];
    for (const { upgrade, downgrade, engine } of functionPairs(migration)) {
      if (hasNoEffect(migration, upgrade)) continue;
      const downgradeEmpty = !!downgrade && hasNoEffect(migration, downgrade);
      const downName = engine === undefined ? 'downgrade' : `downgrade_${engine}`;
      if (!downgrade || downgradeEmpty) {
        // A data migration (UPDATE, INSERT, a backfill) often has nothing to undo: the previous
        // revision's schema takes the rows as they are. Worth a note, not a warning.
        if (isDataOnly(migration, upgrade)) {
          out.push({
            range: (downgrade ?? upgrade).defLineRange,
            severity: 'information',
            message: `${upgrade.name}() only changes data and ${downgrade ? `${downName}() is empty` : `there is no ${downName}()`}: a downgrade leaves the rows as ${upgrade.name}() wrote them. That is often right for a backfill; undo the change in ${downName}() if the previous revision's code cannot read them.`,
          });
          // No data, so no quick fix: there is no schema change to invert.
          continue;
        }
      }
      if (!downgrade) {
        out.push({
          range: upgrade.defLineRange,
          message: `${upgrade.name}() changes the database but there is no ${downName}(): 'alembic downgrade' cannot undo this revision. Write ${downName}() (the quick fix drafts one from ${upgrade.name}()), or make it raise to declare the revision one-way.`,
          data: { upgrade: upgrade.name, downgrade: downName, missing: true },
        });
      } else if (downgradeEmpty) {
        out.push({
          range: downgrade.defLineRange,
          message: `${downName}() is empty but ${upgrade.name}() changes the database: 'alembic downgrade' would report success and leave every change in place. Undo ${upgrade.name}() here (the quick fix drafts it), or raise to declare the revision one-way.`,
          data: { upgrade: upgrade.name, downgrade: downName, missing: false },
        });
      }
    }
    return out;
  },
  fix({ data }, { src, migration }) {
    return generateDowngradeFix(src, migration, data.upgrade);
  },
});
