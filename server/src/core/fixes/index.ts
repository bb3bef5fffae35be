// Quick fixes for findings: pure edit builders over the file's current text. The finding is looked up
// again in that text (the rule re-run on it), so a fix never acts on a stale diagnostic: when the
// text moved on and the finding is gone or elsewhere, there is simply no fix.
import { buildRevisionGraph } from '../graph';
import { parseMigration } from '../parse';
import { missingInverses } from '../rules/downgrade-asymmetry';
import { getRule } from '../rules';
import type { FileRule, RuleFinding } from '../rules/rule';
import type { Migration, ParsedCall, Position, Range } from '../types';
import { generateDowngradeFix, insertInverseFix } from './downgrade';
import { checkfirstFix, dropTypeIfExistsFix } from './enum';
import { docstringHeaderFix, type HeadInfo, repointDownRevisionFix, repointTarget } from './graph';
import { autocommitFix, concurrentlyFix, notValidFix } from './postgres';
import { type QuickFix, SourceText } from './source';

export { applyEdits, SourceText, type QuickFix, type TextEdit } from './source';
export { repointTarget, type HeadInfo } from './graph';

/** What the multiple-heads fix needs from the project graph. */
export interface HeadsContext {
  /** The head revision defined in this file. */
  self: HeadInfo;
  heads: readonly HeadInfo[];
  childrenOf(revision: string): readonly string[];
}

export interface FixRequest {
  /** The finding's rule id and range (as published). */
  rule: string;
  range: Range;
  /** The file's current text. */
  text: string;
  path?: string;
  /** Parsed `text` (parsed here when absent). */
  migration?: Migration;
  /** For multiple-heads. */
  heads?: HeadsContext;
}

function samePosition(a: Position, b: Position): boolean {
  return a.line === b.line && a.character === b.character;
}

/** The rule's finding at `range` in the current text, if it is still there. */
function findingAt(rule: FileRule, path: string, text: string, m: Migration, range: Range): RuleFinding | undefined {
  const graph = buildRevisionGraph([{ path, migration: m }]);
  return rule.check({ path, text, migration: m, graph }).find((f) => samePosition(f.range.start, range.start));
}

/** The statement-level call of any migration function starting at `start`. */
function callAt(m: Migration, start: Position): ParsedCall | undefined {
  for (const fn of m.functions) for (const c of fn.calls) if (samePosition(c.range.start, start)) return c;
  return undefined;
}

/** Every quick fix for one finding (the suppression comment is the editor glue's, not here). */
export function quickFixes(req: FixRequest): QuickFix[] {
  const m = req.migration ?? parseMigration(req.text);
  const src = new SourceText(req.text);
  const path = req.path ?? '/migration.py';
  const one = (f: QuickFix | undefined): QuickFix[] => (f ? [f] : []);
  if (req.rule === 'multiple-heads') {
    const h = req.heads;
    const target = h && repointTarget(h.self, h.heads, (r) => h.childrenOf(r));
    return target ? one(repointDownRevisionFix(src, m, target)) : [];
  }
  const rule = getRule(req.rule);
  if (!rule || rule.kind !== 'file') return [];
  const finding = findingAt(rule, path, req.text, m, req.range);
  if (!finding) return [];
  const data = finding.data ?? {};
  switch (req.rule) {
    case 'docstring-mismatch':
      return data.field === 'revisionId' || data.field === 'revises' ? one(docstringHeaderFix(src, m, data.field)) : [];
    case 'missing-downgrade':
      return typeof data.upgrade === 'string' ? one(generateDowngradeFix(src, m, data.upgrade)) : [];
    case 'downgrade-asymmetry': {
      const mi = missingInverses(m, req.text).find((x) => samePosition(x.range.start, finding.range.start));
      return mi ? one(insertInverseFix(src, m, mi)) : [];
    }
    case 'enum-without-checkfirst': {
      const call = callAt(m, finding.range.start);
      if (!call) return [];
      return one(data.fix === 'drop-type-if-exists' ? dropTypeIfExistsFix(src, call) : checkfirstFix(src, call));
    }
    case 'non-concurrent-index': {
      const call = data.fix === 'concurrently' ? callAt(m, finding.range.start) : undefined;
      return call ? one(concurrentlyFix(src, m, call)) : [];
    }
    case 'concurrent-index-outside-autocommit': {
      const call = data.fix === 'autocommit' ? callAt(m, finding.range.start) : undefined;
      return call ? one(autocommitFix(src, m, call)) : [];
    }
    case 'foreign-key-without-not-valid': {
      const call = data.fix === 'not-valid' ? callAt(m, finding.range.start) : undefined;
      return call ? one(notValidFix(src, call)) : [];
    }
    default:
      return [];
  }
}
