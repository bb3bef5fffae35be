// Quick fixes for findings. Each rule declares its own fix (server/src/core/rules/<id>.ts), built from
// the edit builders of this folder; here a published finding is handed to its rule, found through the
// registry. A file rule's fix acts on the finding the rule reports in the file's current text, so a
// fix never acts on a stale diagnostic: when the text moved on and the finding is gone or elsewhere,
// there is simply no fix.
import { parseMigration } from '../parse';
import { getRule } from '../rules';
import type { ProjectConfig } from '../project/discover';
import type { Migration, Range } from '../types';
import type { HeadsContext } from './graph';
import { type QuickFix, SourceText } from './source';

export { applyEdits, SourceText, type QuickFix, type TextEdit } from './source';
export { repointTarget, type HeadInfo, type HeadsContext } from './graph';

export interface FixRequest {
  /** The finding's rule id and range (as published). */
  rule: string;
  range: Range;
  /** The file's current text. */
  text: string;
  path?: string;
  /** Parsed `text` (parsed here when absent). */
  migration?: Migration;
  /** The heads of the file's project, for the fixes of graph rules. */
  heads?: HeadsContext;
  /** The file's project (its dialect decides whether some rules report at all). */
  project?: ProjectConfig;
  /** The published finding's data as the editor sent it back (graph rules' fixes check it before use). */
  data?: unknown;
}

/** Every quick fix for one finding (the suppression comment is the editor glue's, not here). */
export function quickFixes(req: FixRequest): QuickFix[] {
  const fixAt = getRule(req.rule)?.fixAt;
  if (!fixAt) return [];
  const migration = req.migration ?? parseMigration(req.text);
  const fix = fixAt(req.range, { path: req.path ?? '/migration.py', src: new SourceText(req.text), migration, heads: req.heads, project: req.project, data: req.data });
  return fix ? [fix] : [];
}
