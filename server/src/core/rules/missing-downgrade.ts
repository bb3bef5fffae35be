// missing-downgrade: upgrade() changes the database but downgrade() is missing or does nothing (only
// `pass`, `...`, docstrings, comments: the untouched autogenerate skeleton; or only prints and logs). `alembic downgrade`
// then reports success while the database keeps every change, and the next upgrade fails on objects
// that already exist. An empty upgrade (a merge revision) needs no downgrade; a downgrade that raises
// is a declared one-way migration (irreversible-migration).
import { DATA_STATEMENT, functionOps, functionPairs, hasNoEffect, isDataOnly, SETTING_STATEMENT } from '../facts/functions';
import { methodOf, receiverOf } from '../facts/args';
import { sqlStatements } from '../facts/sql';
import type { RevisionGraph } from '../graph';
import type { Migration, MigrationFunction, ParsedCall } from '../types';
import { generateDowngradeFix } from '../fixes/downgrade';
import { defineFileRule, type RuleFinding } from './rule';

/** The upgrade function to undo, its downgrade's name, and whether that function is missing (or empty). */
export type MissingDowngradeData = { upgrade: string; downgrade: string; missing: boolean };

export const missingDowngrade = defineFileRule<MissingDowngradeData>({
  id: 'missing-downgrade',
  defaultSeverity: 'warning',
  description: 'upgrade() changes the database but downgrade() is missing or empty.',
  check({ migration, text, graph }) {
    const out: RuleFinding<MissingDowngradeData>[] = [];
    for (const { upgrade, downgrade, engine } of functionPairs(migration)) {
      if (hasNoEffect(migration, upgrade)) continue;
      const downgradeEmpty = !!downgrade && hasNoEffect(migration, downgrade);
      const downName = engine === undefined ? 'downgrade' : `downgrade_${engine}`;
      if (!downgrade || downgradeEmpty) {
        // A data migration (UPDATE, INSERT, a backfill) often has nothing to undo: the previous
        // revision's schema takes the rows as they are. Worth a note, not a warning.
        const kind = isDataOnly(migration, upgrade) ? 'data' : withoutSchemaChange(migration, upgrade);
        if (kind && kind !== 'data') {
          out.push({ range: (downgrade ?? upgrade).defLineRange, severity: 'information', message: NO_SCHEMA_MESSAGE[kind](upgrade.name, downgrade ? `${downName}() is empty` : `there is no ${downName}()`) });
          continue;
        }
        if (kind === 'data') {
          out.push({
            range: (downgrade ?? upgrade).defLineRange,
            severity: 'information',
            message: `${upgrade.name}() only changes data and ${downgrade ? `${downName}() is empty` : `there is no ${downName}()`}: a downgrade leaves the rows as ${upgrade.name}() wrote them. That is often right for a backfill; undo the change in ${downName}() if the previous revision's code cannot read them.`,
          });
          // No data, so no quick fix: there is no schema change to invert.
          continue;
        }
      }
      const convention = !downgrade || downgradeEmpty ? upgradeOnly(graph) : undefined;
      if (!downgrade && convention) {
        // The project writes no downgrades (OpenStack's policy since 2015: Octavia has one in 95 files).
        out.push({
          range: upgrade.defLineRange,
          severity: 'information',
          message: `There is no ${downName}(), as in ${convention.without} of the project's ${convention.total} revisions: it upgrades only. 'alembic downgrade' to before this revision fails. Write ${downName}() if the project is to roll back (the quick fix drafts one), or raise NotImplementedError in it to say that it does not.`,
          data: { upgrade: upgrade.name, downgrade: downName, missing: true },
        });
      } else if (!downgrade) {
        out.push({
          range: upgrade.defLineRange,
          message: `${upgrade.name}() changes the database but there is no ${downName}(): 'alembic downgrade' cannot undo this revision. Write ${downName}() (the quick fix drafts one from ${upgrade.name}()), or make it raise to declare the revision one-way.`,
          data: { upgrade: upgrade.name, downgrade: downName, missing: true },
        });
      } else if (downgradeEmpty && declaresOneWay(text, downgrade)) {
        // The author wrote why it does nothing ("pgAdmin only upgrades, downgrade not implemented"):
        // a decision, not an oversight; what is left to say is how Alembic would honour it.
        out.push({
          range: downgrade.defLineRange,
          severity: 'information',
          message: `${downName}() does nothing, and its comment says that is intended; 'alembic downgrade' still reports success past this revision and leaves ${upgrade.name}()'s changes in place. Raise instead (raise NotImplementedError("...")) to make the revision one-way: a downgrade then stops here.`,
          data: { upgrade: upgrade.name, downgrade: downName, missing: false },
        });
      } else if (downgradeEmpty && convention) {
        // Nova keeps `def downgrade(): pass` in the revisions it has from before the policy: the
        // same convention, written the other way.
        out.push({
          range: downgrade.defLineRange,
          severity: 'information',
          message: `${downName}() does nothing, and the project writes no downgrades (${convention.without} of its ${convention.total} revisions have none): 'alembic downgrade' still reports success past this revision and leaves ${upgrade.name}()'s changes in place. Raise NotImplementedError in it to make a downgrade stop here.`,
          data: { upgrade: upgrade.name, downgrade: downName, missing: false },
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

/**
 * At least this many revisions, and this share of them without a downgrade, make a project upgrade-only;
 * so do at least UPGRADE_ONLY_MIN_SMALL revisions of which at most one has a downgrade (Cinder's 8 of 8,
 * Nova's API database: 2 of 3). Autogenerate writes `def downgrade()` into every file: a project whose
 * files have none removed them on purpose.
 */
const UPGRADE_ONLY_MIN_REVISIONS = 10;
const UPGRADE_ONLY_SHARE = 0.8;
const UPGRADE_ONLY_MIN_SMALL = 3;

const upgradeOnlyMemo = new WeakMap<RevisionGraph, { without: number; total: number } | null>();

/**
 * The project writes no downgrades: of at least 10 revisions, 80 % or more define no `downgrade` at
 * all (read from each file's header); of 3 to 9, all but one. A missing or empty downgrade is then its
 * convention, not an oversight.
 */
function upgradeOnly(graph: RevisionGraph): { without: number; total: number } | undefined {
  let found = upgradeOnlyMemo.get(graph);
  if (found === undefined) {
    let without = 0;
    for (const node of graph.nodes.values()) if (!node.file.migration.definesDowngrade) without++;
    const total = graph.nodes.size;
    const upgradesOnly = total >= UPGRADE_ONLY_MIN_REVISIONS ? without >= UPGRADE_ONLY_SHARE * total : total >= UPGRADE_ONLY_MIN_SMALL && without >= total - 1;
    found = upgradesOnly ? { without, total } : null;
    upgradeOnlyMemo.set(graph, found);
  }
  return found ?? undefined;
}

/** Words of a comment or docstring that declares the downgrade left empty on purpose. */
const ONE_WAY = /\b(?:no|not|never|without|cannot|can't|won't|don't|doesn't|aren't|isn't|shouldn't|mustn't)\b[^\n]{0,40}\bdowngrad|\bdowngrad\w*\b[^\n]{0,40}\b(?:not\s+(?:implemented|supported|possible|needed|required)|unsupported|impossible)|\birreversible\b|\bone[- ]way\b|\bonly\s+upgrades?\b|\bno\s+going\s+back\b|\bno\s+need\s+to\s+(?:implement|revert|undo|restore|roll\s*back)\b|\bnot\s+reversible\b|\bnon[- ]reversible\b|\b(?:not|never|don't|won't)\b[^\n]{0,20}\bgo(?:ing)?\s+back\b|\b(?:nothing|(?:isn't|is\s+not|aren't)\s+(?:really\s+)?anything)\s+to\s+(?:back\s*out|undo|revert|roll\s*back)\b|\bdowngrad\w*\s+(?:is\s+)?(?:handled|done)\s+(?:by|in|elsewhere)\b/i;

/** Autogenerate's own markers, which say nothing about intent. */
const AUTOGENERATE_MARKER = /###\s*(?:commands auto generated by Alembic|end Alembic commands)/i;

/**
 * The empty function's comments or docstring say it is empty on purpose ("downgrade not implemented",
 * "irreversible", "one-way", "no downgrade"). Only the function's own lines are read.
 */
function declaresOneWay(text: string, fn: MigrationFunction): boolean {
  const lines = text.split(/\r?\n/).slice(fn.range.start.line + 1, fn.range.end.line + 1);
  // A TODO says the work is not done: that is the oversight this rule is for.
  if (lines.some((line) => /\b(?:TODO|FIXME|XXX)\b/.test(line))) return false;
  return lines.some((line) => !AUTOGENERATE_MARKER.test(line) && ONE_WAY.test(line));
}

/** What an upgrade does when it changes no schema object the linter can see. */
type NoSchemaChange = 'data' | 'extension' | 'enum-value' | 'settings' | 'code';

const NO_SCHEMA_MESSAGE: Record<Exclude<NoSchemaChange, 'data'>, (up: string, down: string) => string> = {
  extension: (up, down) => `${up}() only creates extensions if they do not exist and ${down}: a downgrade leaves the extension installed, and the next upgrade runs again without error. Drop it in the downgrade only if the previous revision must not have it.`,
  'enum-value': (up, down) => `${up}() adds values to an enum type and ${down}: PostgreSQL has no ALTER TYPE ... DROP VALUE, so there is nothing simple to undo. Write the downgrade only if you re-create the type without the value.`,
  settings: (up, down) => `${up}() only changes SQLite settings (PRAGMA) and ${down}: a setting stored in the database file (auto_vacuum, journal_mode, user_version) stays after a downgrade. Set it back in the downgrade if the previous revision must not have it.`,
  code: (up, down) => `${up}() calls code this check cannot follow (no Alembic operation or DDL is visible) and ${down}: if that code changes the schema, write a downgrade that undoes it.`,
};

const EXTENSION_SQL = /^\s*CREATE\s+EXTENSION\s+IF\s+NOT\s+EXISTS\b/i;
const ENUM_VALUE_SQL = /^\s*ALTER\s+TYPE\s+\S+\s+ADD\s+VALUE\b/i;

/**
 * Why the upgrade needs no downgrade as far as the file shows, or undefined when it changes the schema:
 * every operation is data (rows), a CREATE EXTENSION IF NOT EXISTS, an ALTER TYPE ... ADD VALUE, a
 * SQLite PRAGMA, or a
 * call of code outside Alembic's operations (a helper from another module, a Redis client): what is
 * not seen to change the schema is no warning. The most telling kind wins (enum values, extensions,
 * then data, then settings, then code).
 */
function withoutSchemaChange(m: Migration, fn: MigrationFunction): NoSchemaChange | undefined {
  const kinds = new Set<NoSchemaChange>();
  const read = new Set<ParsedCall>();
  for (const op of functionOps(m, fn)) {
    if (op.kind === 'other') {
      const recv = receiverOf(op.call.callee);
      const onOp = recv === 'op' || (!!op.batch && recv === op.batch.alias);
      if (onOp && methodOf(op.call.callee) !== 'bulk_insert') return undefined;
      kinds.add(onOp ? 'data' : 'code');
      continue;
    }
    if (op.kind !== 'execute' && !op.sql) return undefined;
    if (read.has(op.call)) continue;
    read.add(op.call);
    const executed = m.executedSql.find((s) => s.call === op.call);
    if (!executed) {
      if (op.call.callee === 'op.execute') return undefined;
      kinds.add('data');
      continue;
    }
    for (const statement of sqlStatements(executed.sql)) {
      if (EXTENSION_SQL.test(statement)) kinds.add('extension');
      else if (ENUM_VALUE_SQL.test(statement)) kinds.add('enum-value');
      else if (DATA_STATEMENT.test(statement)) kinds.add('data');
      else if (SETTING_STATEMENT.test(statement)) kinds.add('settings');
      else return undefined;
    }
  }
  for (const k of ['enum-value', 'extension', 'data', 'settings', 'code'] as const) if (kinds.has(k)) return k;
  return undefined;
}
