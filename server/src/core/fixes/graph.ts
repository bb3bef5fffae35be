// Fixes for the graph rules: repoint the newest head's down_revision at the other head
// (multiple-heads), and bring a stale docstring header in line with the variables
// (docstring-mismatch).
import type { Migration, StringAt } from '../types';
import { type QuickFix, type SourceText, type TextEdit, pyString } from './source';

/** What the multiple-heads fix needs to know about a head. */
export interface HeadInfo {
  revision: string;
  parents: readonly string[];
  /** The docstring's Create Date as written (Alembic's format sorts as text). */
  createDate?: string;
}

/** What the multiple-heads fix needs from the project graph. */
export interface HeadsContext {
  /** The head revision defined in this file. */
  self: HeadInfo;
  heads: readonly HeadInfo[];
  childrenOf(revision: string): readonly string[];
}

/**
 * The head this file's head should sit on, when repointing is a real fix: exactly two heads, this
 * one is the newer (or the dates do not say), it has a single parent, and that parent keeps another
 * child (otherwise the parent becomes a head and nothing is gained).
 */
export function repointTarget(self: HeadInfo, heads: readonly HeadInfo[], childrenOf: (revision: string) => readonly string[]): string | undefined {
  const others = heads.filter((h) => h.revision !== self.revision);
  if (heads.length !== 2 || others.length !== 1) return undefined;
  const other = others[0] as HeadInfo;
  if (self.createDate && other.createDate && self.createDate < other.createDate) return undefined;
  if (self.parents.length !== 1) return undefined;
  const parent = self.parents[0] as string;
  if (childrenOf(parent).filter((c) => c !== self.revision).length === 0) return undefined;
  return other.revision;
}

function quoteOf(src: SourceText, at: StringAt['range']): "'" | '"' {
  return src.text[src.offset(at.start)] === '"' ? '"' : "'";
}

/** down_revision = '<target>', and the docstring's Revises: line when it named the old parent. */
export function repointDownRevisionFix(src: SourceText, m: Migration, target: string): QuickFix | undefined {
  const v = m.downRevision?.value;
  let valueRange: StringAt['range'] | undefined;
  let old: string | undefined;
  if (v?.kind === 'string') {
    valueRange = v.range;
    old = v.value;
  } else if (v?.kind === 'sequence' && v.items.length === 1) {
    valueRange = v.items[0]?.range;
    old = v.items[0]?.value;
  }
  if (!valueRange || old === undefined) return undefined;
  const edits: TextEdit[] = [{ range: valueRange, newText: pyString(target, quoteOf(src, valueRange)) }];
  const revises = m.docstring?.revises;
  if (revises && revises.length === 1 && revises[0]?.value === old) edits.push({ range: revises[0].range, newText: target });
  return { title: `Point down_revision at the other head '${target}' (instead of '${old}')`, edits };
}

/** Rewrites the header field the finding names with the value the variables hold. */
export function docstringHeaderFix(src: SourceText, m: Migration, field: 'revisionId' | 'revises'): QuickFix | undefined {
  const header = m.docstring;
  if (!header) return undefined;
  if (field === 'revisionId') {
    const rev = m.revision?.value;
    if (!header.revisionId || rev?.kind !== 'string') return undefined;
    return { title: `Update the docstring: Revision ID: ${rev.value}`, edits: [{ range: header.revisionId.range, newText: rev.value }], isPreferred: true };
  }
  const down = m.downRevision?.value;
  if (!down || down.kind === 'unresolved') return undefined;
  const ids = down.kind === 'string' ? (down.value ? [down.value] : []) : down.kind === 'sequence' ? down.items.map((i) => i.value) : [];
  // The Revises: line inside the docstring; its ids run to the end of that line.
  for (let l = header.range.start.line; l <= header.range.end.line; l++) {
    const line = src.line(l);
    const mm = /^(\s*Revises:)(.*)$/.exec(line);
    if (!mm) continue;
    const start = (mm[1] ?? '').length;
    let end = line.length;
    // The docstring may close on this line (a comment may follow the quotes).
    const close = line.slice(start).search(/"""|'''/);
    if (close >= 0) end = start + close;
    const text = ids.length > 0 ? ` ${ids.join(', ')}` : '';
    return {
      title: `Update the docstring: Revises: ${ids.join(', ') || '(nothing)'}`,
      edits: [{ range: { start: { line: l, character: start }, end: { line: l, character: end } }, newText: text }],
      isPreferred: true,
    };
  }
  return undefined;
}
