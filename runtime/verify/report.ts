// The verification report as Markdown (for a preview in the editor) and as plain text (for the CLI).
// It says, per revision, what the downgrade left behind, dropped or did not restore, with links to the
// migration lines responsible when the caller can find them (the extension asks the language server),
// and shows Alembic's own failures with the migration file and line of the traceback.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { markdownCode, markdownText } from '../../common/markdown';
import { groupDifferences, type ObjectKind, type SchemaDifference } from '../db/schemaDiff';
import { short, type AlembicFailure, type RevisionVerification, type VerifyStatus } from './roundTrip';
import type { VerifyReport } from './verifyProject';

/** A place in a migration file; `line` is 1-based, as Python and editors print it. */
export interface SourceLink {
  path: string;
  line: number;
}

/**
 * Finds the migration line responsible for an object of a revision (for instance the `op.create_index`
 * call of the upgrade that the downgrade does not undo). The extension implements it with the language
 * server's parsed calls; undefined when the calls cannot tell.
 */
export type ObjectLookup = (revision: string, objectName: string, kind: ObjectKind) =>
  SourceLink | undefined | Promise<SourceLink | undefined>;

export interface ReportOptions {
  lookup?: ObjectLookup;
  /** A link target for a file position. Default: a `file://` URI with `#L<line>`, which VS Code's preview opens. */
  linkTarget?: (file: string, line: number) => string;
}

const ICON: Record<VerifyStatus, string> = { passed: '✅', failed: '❌', error: '⚠️', cancelled: '⏹️', skipped: '⏭️' };

export async function renderMarkdownReport(report: VerifyReport, opts: ReportOptions = {}): Promise<string> {
  const link = (file: string, line: number): string => {
    const target = opts.linkTarget ? opts.linkTarget(file, line) : `${pathToFileURL(file).href}#L${line}`;
    return `[${mdText(`${relative(report.projectRoot, file)}:${line}`)}](${target.replace(/[()\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)})`;
  };
  const out: string[] = [];
  out.push(`# Round-trip verification of ${mdText(path.basename(report.projectRoot) || report.projectRoot)}`, '');
  out.push(`**${mdText(headline(report))}**`, '');
  out.push(...setupLines(report).map((l) => `- ${l}`), '');
  if (report.error) out.push(`> ${mdText(report.error).split('\n').join('\n> ')}`, '');

  if (report.revisions.length > 0) {
    out.push('| | Revision | Message | Result | Time |', '|---|---|---|---|---:|');
    for (const r of report.revisions) {
      const file = r.path ? link(r.path, 1).replace(/^\[[^\]]*\]/, `[${code(short(r.revision))}]`) : code(short(r.revision));
      out.push(`| ${ICON[r.status]} | ${file} | ${cell(r.message ?? '')} | ${cell(r.summary)} | ${seconds(r.durationMs)} |`);
    }
    out.push('');
  }

  for (const r of report.revisions.filter((x) => x.status === 'failed' || x.status === 'error')) {
    out.push(`## ${ICON[r.status]} ${code(r.revision)}${r.message ? ` — ${mdText(r.message)}` : ''}`, '');
    if (r.path) out.push(`Migration file: ${link(r.path, 1)}`, '');
    const kinds: [string, SchemaDifference[]][] = [
      ['leaves behind', r.downgradeDiff.filter((d) => d.change === 'added')],
      ['drops what existed before it', r.downgradeDiff.filter((d) => d.change === 'removed')],
      ['does not restore', r.downgradeDiff.filter((d) => d.change === 'changed')],
    ];
    for (const [verb, diffs] of kinds) {
      if (diffs.length === 0) continue;
      out.push(`**Downgrade of ${code(short(r.revision))} ${verb}:** ${diffs.map((d) => mdLabel(d)).join(', ')}`, '');
      const lines = await differenceLines(r.revision, diffs, opts, link);
      // The list only when it adds something (what changed, where it was created) to the line above.
      if (lines.some((l, i) => l !== `- ${mdLabel(diffs[i] as SchemaDifference)}`)) out.push(...lines, '');
    }
    if (r.versionTableMismatch) {
      out.push(`**After the downgrade the version table holds** ${ids(r.versionTableMismatch.actual)} ` +
        `**instead of** ${ids(r.versionTableMismatch.expected)}.`, '');
    }
    if (r.reupgradeDiff.length > 0) {
      out.push(`**Upgrading to ${code(short(r.revision))} a second time gives a different schema than the first time:**`, '');
      out.push(...await differenceLines(r.revision, r.reupgradeDiff, opts, link), '');
    }
    if (r.failure) out.push(...failureLines(r, r.failure, link), '');
  }
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

/** The same content without Markdown, for a terminal. */
export function renderTextReport(report: VerifyReport): string {
  const out: string[] = [headline(report), ...setupLines(report).map((l) => `  ${l.replace(/`/g, '')}`)];
  if (report.error) out.push('', report.error);
  out.push('');
  for (const r of report.revisions) {
    out.push(`${r.status.toUpperCase().padEnd(9)} ${r.revision}${r.message ? `  ${r.message}` : ''}`);
    if (r.status === 'passed') continue;
    out.push(`          ${r.summary}`);
    for (const g of groupDifferences(r.downgradeDiff)) {
      for (const d of g.items) out.push(`          - downgrade ${verbFor(d)} ${d.label}${d.details.length ? `: ${d.details.join('; ')}` : ''}`);
    }
    for (const d of r.reupgradeDiff) out.push(`          - second upgrade differs: ${d.label}${d.details.length ? `: ${d.details.join('; ')}` : ''}`);
    if (r.failure?.location) out.push(`          at ${r.failure.location.file}:${r.failure.location.line} in ${r.failure.location.function}`);
  }
  return `${out.join('\n').trimEnd()}\n`;
}

function headline(report: VerifyReport): string {
  const n = report.revisions.length;
  const count = (s: VerifyStatus): number => report.revisions.filter((r) => r.status === s).length;
  const bad = count('failed') + count('error');
  const time = seconds(report.durationMs);
  if (report.error && n === 0) return `Verification could not run (${time})`;
  if (report.cancelled) return `Cancelled after ${count('passed') + bad} of ${n} revisions (${time}); ${bad} failed so far`;
  if (n === 0) return `No revisions to verify (${time})`;
  if (bad === 0 && count('skipped') === 0) return `All ${n} revision${n === 1 ? '' : 's'} pass the round trip (${time})`;
  const skipped = count('skipped') > 0 ? `, ${count('skipped')} not verified` : '';
  return `${bad} of ${n} revision${n === 1 ? '' : 's'} fail the round trip${skipped} (${time})`;
}

function setupLines(report: VerifyReport): string[] {
  const lines: string[] = [];
  const s = report.scratch;
  if (s) {
    const where = `${s.location === 'local' ? 'a throwaway local PostgreSQL at ' : ''}${s.endpoint} (PostgreSQL ${s.serverVersion})`;
    lines.push(`Scratch database ${code(s.name)} on ${where}; ${s.dropped ? 'dropped afterwards' : `**not dropped**: ${s.dropError ?? 'unknown reason'}`}`);
    if (s.fallbackReason) lines.push(`The configured server was not used: ${s.fallbackReason}`);
  }
  lines.push(`Each revision: upgrade from its parent, downgrade to the parent, upgrade again; the schema is compared after each step`);
  return lines;
}

async function differenceLines(
  revision: string, diffs: readonly SchemaDifference[], opts: ReportOptions, link: (f: string, l: number) => string,
): Promise<string[]> {
  const lines: string[] = [];
  for (const d of diffs) {
    let where = '';
    if (opts.lookup) {
      try {
        const found = await opts.lookup(revision, d.name, d.kind);
        if (found) where = ` — ${link(found.path, found.line)}`;
      } catch {
        // A lookup that fails leaves the line without a link; the finding itself stands.
      }
    }
    const details = d.details.length > 0 ? `: ${mdText(d.details.join('; '))}` : '';
    lines.push(`- ${mdLabel(d)}${details}${where}`);
  }
  return lines;
}

function failureLines(r: RevisionVerification, f: AlembicFailure, link: (file: string, line: number) => string): string[] {
  const lines: string[] = [];
  const what: Record<AlembicFailure['phase'], string> = {
    prepare: `Bringing the scratch database to the state before ${code(short(r.revision))} failed`,
    upgrade: `The upgrade to ${code(short(r.revision))} failed`,
    downgrade: `The downgrade of ${code(short(r.revision))} failed in Alembic`,
    reupgrade: r.reupgradeBlockedByLeftovers
      ? `Upgrading to ${code(short(r.revision))} again failed, because the downgrade left the objects above behind`
      : `Upgrading to ${code(short(r.revision))} again after the downgrade failed`,
  };
  lines.push(`**${what[f.phase]}** (${code(f.command)}):`, '');
  lines.push(`> ${mdText(f.message)}`);
  if (f.location) lines.push('>', `> at ${link(f.location.file, f.location.line)} in ${code(f.location.function)}`);
  const detail = f.detail?.replace(/^\s*\n/, '').trimEnd();
  if (detail) lines.push('', '```text', detail.replace(/```/g, "'''"), '```');
  return lines;
}

function verbFor(d: SchemaDifference): string {
  return d.change === 'added' ? 'leaves behind' : d.change === 'removed' ? 'drops' : 'does not restore';
}

/** `index` `ix_projects_title` on `projects`, names in code spans (no Markdown escaping surprises). */
function mdLabel(d: SchemaDifference): string {
  return `${d.noun} ${code(d.display)}${d.onTable ? ` on ${code(d.onTable)}` : ''}`;
}

/** A code span that holds the text whole, whatever backticks it contains (common/markdown.ts). */
const code = markdownCode;

/** Running text, with line breaks kept (each line escaped on its own). */
function mdText(text: string): string {
  return text.split(/\r\n?|\n/).map(markdownText).join('\n');
}

function cell(text: string): string {
  return mdText(text).replace(/\n/g, ' ');
}

function ids(list: readonly string[]): string {
  return list.length === 0 ? 'nothing (base)' : list.map((i) => code(i)).join(', ');
}

function relative(root: string, file: string): string {
  const rel = path.relative(root, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
