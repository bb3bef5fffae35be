// The rule registry. Adding a rule = writing `rules/<id>.ts` (its check and quick fix), docs/rules/<id>.md
// and its fixtures, and listing it in `allRules` below: `node scripts/new-rule.mjs <id>` scaffolds all of
// it. The language server, its code actions and `alembic-lint check` use whatever is listed here.
import type { Finding } from '../types';
import { duplicateBranchLabel } from './duplicate-branch-label';
import { duplicateRevision } from './duplicate-revision';
import { docstringMismatch } from './docstring-mismatch';
import { invalidRevisionId } from './invalid-revision-id';
import { multipleHeads } from './multiple-heads';
import { revisionCycle } from './revision-cycle';
import type { Rule } from './rule';
import { runRuleSet, type RunRulesInput } from './runner';
import { unknownRevision } from './unknown-revision';
import { unresolvedValue } from './unresolved-value';
import { addNotNullColumnWithoutDefault } from './add-not-null-column-without-default';
import { changeColumnType } from './change-column-type';
import { concurrentIndexOutsideAutocommit } from './concurrent-index-outside-autocommit';
import { destructiveSql } from './destructive-sql';
import { destructiveUpgrade } from './destructive-upgrade';
import { downgradeAsymmetry } from './downgrade-asymmetry';
import { enumWithoutCheckfirst } from './enum-without-checkfirst';
import { foreignKeyWithoutNotValid } from './foreign-key-without-not-valid';
import { irreversibleMigration } from './irreversible-migration';
import { missingDowngrade } from './missing-downgrade';
import { nonConcurrentIndex } from './non-concurrent-index';
import { renameColumnOrTable } from './rename-column-or-table';
import { setNotNullOnExistingColumn } from './set-not-null-on-existing-column';
import { dropConstraintWithoutName } from './drop-constraint-without-name';
import { multipleHeadsAfterMerge } from './multiple-heads-after-merge';
import { releasedRevisionModified } from './released-revision-modified';
import { sqliteAlterWithoutBatch } from './sqlite-alter-without-batch';
import { lockTimeoutMissing } from './lock-timeout-missing';
import { uniqueConstraintOnExistingTable } from './unique-constraint-on-existing-table';
import { checkConstraintWithoutNotValid } from './check-constraint-without-not-valid';
import { addColumnWithVolatileDefault } from './add-column-with-volatile-default';
import { enumValueRewrite } from './enum-value-rewrite';
import { commitInsideMigration } from './commit-inside-migration';

export const allRules: readonly Rule[] = [
  // Graph rules: the revision graph as Alembic builds it.
  unknownRevision,
  duplicateRevision,
  multipleHeads,
  revisionCycle,
  duplicateBranchLabel,
  multipleHeadsAfterMerge,
  releasedRevisionModified,
  // File rules: one migration file at a time.
  invalidRevisionId,
  docstringMismatch,
  unresolvedValue,
  missingDowngrade,
  irreversibleMigration,
  enumWithoutCheckfirst,
  downgradeAsymmetry,
  // PostgreSQL safety: locks, failures on tables with rows, data loss.
  addNotNullColumnWithoutDefault,
  nonConcurrentIndex,
  concurrentIndexOutsideAutocommit,
  destructiveUpgrade,
  destructiveSql,
  renameColumnOrTable,
  changeColumnType,
  foreignKeyWithoutNotValid,
  setNotNullOnExistingColumn,
  dropConstraintWithoutName,
  sqliteAlterWithoutBatch,
  lockTimeoutMissing,
  uniqueConstraintOnExistingTable,
  checkConstraintWithoutNotValid,
  addColumnWithVolatileDefault,
  enumValueRewrite,
  commitInsideMigration,
];

const byId = new Map(allRules.map((r) => [r.id, r]));

export function getRule(id: string): Rule | undefined {
  return byId.get(id);
}

export const ruleIds: ReadonlySet<string> = new Set(byId.keys());

/** Every registered rule (or `rules`) over a project. */
export function runRules(input: RunRulesInput & { rules?: readonly Rule[] }): Finding[] {
  return runRuleSet(input.rules ?? allRules, input);
}

export { runFileRules, runGraphRules, effectiveSeverity, type FileInput, type RunRulesInput } from './runner';
export { parseSuppressions, isSuppressed, type Suppressions } from './suppression';
export * from './rule';
