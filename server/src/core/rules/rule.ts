// What a rule is. Two kinds share one registry and one runner:
//   file rules look at one migration file at a time (re-run only for the file that changed);
//   graph rules look at the whole revision graph of a project (re-run after every graph rebuild).
// A rule returns RuleFindings; the runner turns them into core Findings: severity from configuration
// (or the rule's default), suppression comments applied, the rule id attached.
// A rule may declare its quick fix beside its check, typed by the data its own findings carry; the
// code-action layer reaches it through the registry (`fixAt`), never by the rule's id.
import type { HeadsContext } from '../fixes/graph';
import { type QuickFix, samePosition, type SourceText } from '../fixes/source';
import { buildRevisionGraph } from '../graph/build';
import type { RevisionGraph } from '../graph/types';
import type { ProjectConfig } from '../project/discover';
import type { ProjectRelease, ReleaseReason } from '../release/release';
import type { SchemaAt } from '../schema';
import type { Finding, Migration, Range, Severity } from '../types';

/**
 * Facts a finding carries for its rule's quick fix. Published as the diagnostic's `data`, so plain
 * JSON; declare a rule's data with `type`, not `interface` (an interface has no index signature).
 */
export type FindingData = Readonly<Record<string, unknown>>;

/** `Data` is the rule's own data type; a rule without data leaves it `never`, so findings carry none. */
export interface RuleFinding<Data extends FindingData = never> {
  range: Range;
  message: string;
  /**
   * A severity for this finding when the user has not configured the rule (some rules report a lesser
   * form of their problem more quietly). Configuration always wins.
   */
  severity?: Severity;
  related?: Finding['related'];
  /** What the rule's fix reads; a finding without data gets no fix (there is nothing mechanical to do). */
  data?: Data;
}

/** A graph rule's finding names the file it belongs in. */
export interface GraphRuleFinding<Data extends FindingData = never> extends RuleFinding<Data> {
  path: string;
}

export interface RuleMeta {
  /** kebab-case, stable: users configure and suppress by it. */
  id: string;
  defaultSeverity: Severity;
  /** One line, shown in `--help`-like listings and SARIF; the full page is docs/rules/<id>.md. */
  description: string;
  /** The findings mark text that does nothing (editors fade it, as for a stale docstring header). */
  unnecessary?: boolean;
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
  /**
   * The static schema model at the file's revision (core/schema), when the file is checked as part of
   * its project; absent for a file on its own. Replayed when a rule first asks.
   */
  schema?: SchemaAt;
}

/** Which revisions are released, for the graph rules that compare this branch with its base. */
export interface ReleaseView {
  state: ProjectRelease;
  /** Why the file's revision is released; undefined when it is new. */
  reasonOf(path: string): ReleaseReason | undefined;
  /** The project's current text of a migration file (rules that compare it with the released text). */
  textOf(path: string): string | undefined;
}

export interface GraphRuleContext {
  graph: RevisionGraph;
  project?: ProjectConfig;
  /** Present once the release is known (server/src/git); rules that need a base report nothing before. */
  release?: ReleaseView;
}

/** The file a quick fix edits, as the editor has it now. */
export interface FixFile {
  path: string;
  /** The current text (`src.text`), with the offsets and lines the edit builders need. */
  src: SourceText;
  /** `src.text`, parsed. */
  migration: Migration;
  /** The heads of the file's project, when the caller knows the project (graph rules' fixes read them). */
  heads?: HeadsContext | undefined;
  /** The file's project, when the caller knows it: rules that depend on its dialect only report with it. */
  project?: ProjectConfig | undefined;
  /**
   * The published finding's data as the editor sent it back: JSON from the client, so a graph rule's fix
   * checks its shape before use (file rules' fixes get their data re-found instead).
   */
  data?: unknown;
}

/** A published finding's fix: the finding is known by where it starts. Undefined when there is none. */
export type FixAt = (range: Range, file: FixFile) => QuickFix | undefined;

/** What a rule file writes for a file rule. */
export interface FileRuleDefinition<Data extends FindingData> extends RuleMeta {
  check(ctx: FileRuleContext): RuleFinding<Data>[];
  /**
   * The quick fix for one of the rule's findings, or undefined when the text allows no safe edit. It is
   * called with the finding as the rule reports it in the file's current text (so never for a stale
   * diagnostic), and only for findings with data.
   */
  fix?(finding: RuleFinding<Data> & { data: Data }, file: FixFile): QuickFix | undefined;
}

/** What a rule file writes for a graph rule. */
export interface GraphRuleDefinition<Data extends FindingData> extends RuleMeta {
  check(ctx: GraphRuleContext): GraphRuleFinding<Data>[];
  /**
   * The quick fix for the rule's finding at `range` in `file`. Graph findings are not looked up again
   * (that takes the whole project): the fix decides from `file.heads`, the project as the caller has it.
   */
  fix?(range: Range, file: FixFile): QuickFix | undefined;
}

// `Data` only appears in what a rule returns, so a rule with its own data is also a `Rule` (whose
// findings carry some FindingData): the registry needs no cast, and a fix only ever sees data its own
// rule produced, because `fixAt` pairs them inside the rule.
export interface FileRule<Data extends FindingData = FindingData> extends RuleMeta {
  kind: 'file';
  check(ctx: FileRuleContext): RuleFinding<Data>[];
  /** Present when the rule has a quick fix. */
  fixAt?: FixAt;
}

export interface GraphRule<Data extends FindingData = FindingData> extends RuleMeta {
  kind: 'graph';
  check(ctx: GraphRuleContext): GraphRuleFinding<Data>[];
  /** Present when the rule has a quick fix. */
  fixAt?: FixAt;
}

export type Rule = FileRule | GraphRule;

export function defineFileRule<Data extends FindingData = never>(def: FileRuleDefinition<Data>): FileRule<Data> {
  const { fix, ...meta } = def;
  const rule: FileRule<Data> = { ...meta, kind: 'file' };
  if (fix) {
    rule.fixAt = (range, file) => {
      // The file on its own, as the language server checks an open file.
      const graph = buildRevisionGraph([{ path: file.path, migration: file.migration }]);
      const ctx: FileRuleContext = { path: file.path, text: file.src.text, migration: file.migration, graph };
      if (file.project) ctx.project = file.project;
      const finding = def.check(ctx)
        .find((f) => samePosition(f.range.start, range.start));
      return finding?.data ? fix({ ...finding, data: finding.data }, file) : undefined;
    };
  }
  return rule;
}

export function defineGraphRule<Data extends FindingData = never>(def: GraphRuleDefinition<Data>): GraphRule<Data> {
  const { fix, ...meta } = def;
  const rule: GraphRule<Data> = { ...meta, kind: 'graph' };
  if (fix) rule.fixAt = (range, file) => fix(range, file);
  return rule;
}
