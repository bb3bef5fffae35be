// How the tree marks a revision whose file has findings: each severity as itself (an information or
// a hint is not drawn as a warning). The description is plain text, so it carries a symbol; the
// tooltip renders codicons; the icon keeps the revision's applied state unless the file has an error.
// No `vscode` import: the unit tier checks the table.
import type { Severity } from '../../../common/protocol';

export interface SeverityMarker {
  /** In the row's description, before the count. */
  symbol: string;
  /** The codicon for the tooltip (`$(id)`), and for the row's icon on errors. */
  codicon: 'error' | 'warning' | 'info' | 'lightbulb';
  /** Its theme colour. */
  color: string;
  /** For the tooltip and screen readers. */
  word: string;
}

const MARKERS: Readonly<Record<Severity, SeverityMarker>> = {
  error: { symbol: '✖', codicon: 'error', color: 'problemsErrorIcon.foreground', word: 'error' },
  warning: { symbol: '⚠', codicon: 'warning', color: 'problemsWarningIcon.foreground', word: 'warning' },
  information: { symbol: 'ℹ', codicon: 'info', color: 'problemsInfoIcon.foreground', word: 'information' },
  hint: { symbol: '💡', codicon: 'lightbulb', color: 'editorLightBulb.foreground', word: 'hint' },
};

/** The marker of a file's worst severity; a count without a severity (an older server) is a warning. */
export function severityMarker(worst: Severity | undefined): SeverityMarker {
  return MARKERS[worst ?? 'warning'];
}

/** `ℹ 2`: the description's marker. */
export function severityBadge(worst: Severity | undefined, count: number): string {
  return `${severityMarker(worst).symbol} ${count}`;
}

/** `$(info) 2 problems in this file, the worst: information` (tooltip Markdown with theme icons). */
export function severitySummary(worst: Severity | undefined, count: number): string {
  const m = severityMarker(worst);
  return `$(${m.codicon}) ${count} ${count === 1 ? 'problem' : 'problems'} in this file, the worst: ${m.word}`;
}
