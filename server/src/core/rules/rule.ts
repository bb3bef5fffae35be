// What a rule is. Two kinds share one registry and one runner:
//   file rules look at one migration file at a time (re-run only for the file that changed);
//   graph rules look at the whole revision graph of a project (re-run after every graph rebuild).
// A rule returns RuleFindings; the runner turns them into core Findings: severity from configuration
// (or the rule's default), suppression comments applied, the rule id attached.
import type { RevisionGraph } from '../graph/types';
import type { ProjectConfig } from '../project/discover';
import type { Finding, Migration, Range, Severity } from '../types';

export interface RuleFinding {
  range: Range;
  message: string;
  /**
   * A severity for this finding when the user has not configured the rule (some rules report a lesser
   * form of their problem more quietly). Configuration always wins.
   */
  severity?: Severity;
  related?: Finding['related'];
  data?: Record<string, unknown>;
}

/** A graph rule's finding names the file it belongs in. */
export interface GraphRuleFinding extends RuleFinding {
  path: string;
}

export interface RuleMeta {
  /** kebab-case, stable: users configure and suppress by it. */
  id: string;
  defaultSeverity: Severity;
  /** One line, shown in `--help`-like listings and SARIF; the full page is docs/rules/<id>.md. */
  description: string;
}

export interface FileRuleContext {
  /** Absolute path of the migration file. */
  path: string;
  text: string;
  migration: Migration;
  /** The project the file belongs to, when known (a lone file has none). */
  project?: ProjectConfig;
  /** The project's graph (the file's revision is in it when it has a usable id). */
  graph: RevisionGraph;
}

export interface GraphRuleContext {
  graph: RevisionGraph;
  project?: ProjectConfig;
}

export interface FileRule extends RuleMeta {
  kind: 'file';
  check(ctx: FileRuleContext): RuleFinding[];
}

export interface GraphRule extends RuleMeta {
  kind: 'graph';
  check(ctx: GraphRuleContext): GraphRuleFinding[];
}

export type Rule = FileRule | GraphRule;

type Definition<R extends Rule> = Omit<R, 'kind'>;

export function defineFileRule(def: Definition<FileRule>): FileRule {
  return { ...def, kind: 'file' };
}

export function defineGraphRule(def: Definition<GraphRule>): GraphRule {
  return { ...def, kind: 'graph' };
}
