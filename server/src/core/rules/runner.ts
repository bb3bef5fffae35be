// Running rules: file rules per file, graph rules per project, then severity from configuration and
// suppression comments. Kept apart from the registry (index.ts) so that callers may pass any rule list.
import type { RuleSeverityMap } from '../config/severities';
import type { RevisionGraph } from '../graph/types';
import type { ProjectConfig } from '../project/discover';
import type { SchemaAt } from '../schema';
import type { Finding, Migration, Severity } from '../types';
import type { FileRule, FileRuleContext, FindingData, GraphRule, GraphRuleContext, ReleaseView, Rule, RuleFinding } from './rule';
import { isSuppressed, parseSuppressions, type Suppressions } from './suppression';

export interface FileInput {
  path: string;
  text: string;
  migration: Migration;
}

const suppressionCache = new WeakMap<Migration, Suppressions>();

function suppressionsOf(m: Migration | undefined): Suppressions | undefined {
  if (!m) return undefined;
  let s = suppressionCache.get(m);
  if (!s) {
    // Most files have no directive: nothing to parse, and nothing kept for them.
    if (!m.comments.some((c) => c.text.includes('alembic-lint'))) return undefined;
    s = parseSuppressions(m.comments);
    suppressionCache.set(m, s);
  }
  return s;
}

/** The severity a finding gets, or `off`. Configuration wins over the finding's own and the rule's default. */
export function effectiveSeverity(rule: Rule, finding: RuleFinding<FindingData>, severities: RuleSeverityMap = {}): Severity | 'off' {
  return severities[rule.id] ?? finding.severity ?? rule.defaultSeverity;
}

function toFinding(rule: Rule, path: string, f: RuleFinding<FindingData>, severities: RuleSeverityMap | undefined, suppress: Suppressions | undefined): Finding | undefined {
  const severity = effectiveSeverity(rule, f, severities);
  if (severity === 'off') return undefined;
  if (suppress && isSuppressed(suppress, rule.id, f.range.start.line)) return undefined;
  const finding: Finding = { path, range: f.range, severity, rule: rule.id, message: f.message };
  if (f.related && f.related.length > 0) finding.related = f.related;
  if (f.data) finding.data = f.data;
  return finding;
}

function enabled(rule: Rule, severities: RuleSeverityMap | undefined): boolean {
  return severities?.[rule.id] !== 'off';
}

/**
 * The file rules of `rules` that `severities` leaves on, made once for each list and configuration
 * (a project's files all run with the same two) instead of tested for every rule of every file.
 * Severity maps are not changed once made: callers key their own caches on them too.
 */
const fileRulesCache = new WeakMap<readonly Rule[], { severities: RuleSeverityMap | undefined; rules: readonly FileRule[] }>();

function enabledFileRules(rules: readonly Rule[], severities: RuleSeverityMap | undefined): readonly FileRule[] {
  const cached = fileRulesCache.get(rules);
  if (cached && cached.severities === severities) return cached.rules;
  const on = rules.filter((r): r is FileRule => r.kind === 'file' && enabled(r, severities));
  fileRulesCache.set(rules, { severities, rules: on });
  return on;
}

/** File rules over one file (with the schema model at its revision, when the caller has one). */
export function runFileRules(rules: readonly Rule[], file: FileInput, graph: RevisionGraph, project: ProjectConfig | undefined, severities?: RuleSeverityMap, schema?: SchemaAt): Finding[] {
  const out: Finding[] = [];
  const suppress = suppressionsOf(file.migration);
  // One context for every rule of the file (rules only read it).
  const ctx: FileRuleContext = { path: file.path, text: file.text, migration: file.migration, graph };
  if (project) ctx.project = project;
  if (schema) ctx.schema = schema;
  for (const rule of enabledFileRules(rules, severities)) {
    // Indexed: this loop runs for every rule of every file, and most rules find nothing.
    const found = rule.check(ctx);
    for (let i = 0; i < found.length; i++) {
      const finding = toFinding(rule, file.path, found[i] as RuleFinding<FindingData>, severities, suppress);
      if (finding) out.push(finding);
    }
  }
  return out;
}

/** Graph rules over a project's graph; findings land in the files they name. */
export function runGraphRules(
  rules: readonly Rule[], graph: RevisionGraph, project: ProjectConfig | undefined, severities?: RuleSeverityMap, release?: ReleaseView,
): Finding[] {
  const out: Finding[] = [];
  const ctx: GraphRuleContext = { graph, ...(project ? { project } : {}), ...(release ? { release } : {}) };
  for (const rule of rules) {
    if (rule.kind !== 'graph' || !enabled(rule, severities)) continue;
    for (const f of (rule as GraphRule).check(ctx)) {
      const suppress = suppressionsOf(graph.filesByPath.get(f.path)?.migration);
      const finding = toFinding(rule, f.path, f, severities, suppress);
      if (finding) out.push(finding);
    }
  }
  return out;
}

export interface RunRulesInput {
  graph: RevisionGraph;
  project?: ProjectConfig;
  /** File texts by path; file rules run on every graph file that has one. */
  texts: ReadonlyMap<string, string>;
  severities?: RuleSeverityMap;
}

/** Every rule over a whole project: graph rules once, file rules per file in load order. */
export function runRuleSet(rules: readonly Rule[], input: RunRulesInput): Finding[] {
  const out = runGraphRules(rules, input.graph, input.project, input.severities);
  for (const file of input.graph.files) {
    const text = input.texts.get(file.path);
    if (text === undefined) continue;
    out.push(...runFileRules(rules, { path: file.path, text, migration: file.migration }, input.graph, input.project, input.severities));
  }
  return out;
}
