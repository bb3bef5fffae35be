// The text a fix edits: positions to offsets, lines, indentation, and applying edits (tests and the
// CLI apply them the same way the editor does: all ranges refer to the original text).
import { LineIndex } from '../parse/lineIndex';
import type { Position, Range } from '../types';

/** An LSP-shaped text edit (0-based lines, UTF-16 columns). */
export interface TextEdit {
  range: Range;
  newText: string;
}

export interface QuickFix {
  title: string;
  edits: TextEdit[];
  /** The fix most users want for this finding (VS Code applies it with "Auto Fix"). */
  isPreferred?: boolean;
}

export class SourceText {
  readonly lines: LineIndex;
  /** The file's line break, kept in everything a fix inserts. */
  readonly eol: string;

  constructor(readonly text: string) {
    this.lines = new LineIndex(text);
    const nl = text.indexOf('\n');
    this.eol = nl > 0 && text[nl - 1] === '\r' ? '\r\n' : '\n';
  }

  offset(p: Position): number {
    const start = this.lines.starts[p.line];
    if (start === undefined) return this.text.length;
    return Math.min(start + p.character, this.lines.lineContentEnd(p.line));
  }

  position(offset: number): Position {
    return this.lines.position(offset);
  }

  slice(r: Range): string {
    return this.text.slice(this.offset(r.start), this.offset(r.end));
  }

  line(n: number): string {
    const start = this.lines.starts[n];
    if (start === undefined) return '';
    return this.text.slice(start, this.lines.lineContentEnd(n));
  }

  /** Leading blanks of a line. */
  indentOf(n: number): string {
    return /^[ \t]*/.exec(this.line(n))?.[0] ?? '';
  }

  /** End of a line's content, as a position. */
  lineEnd(n: number): Position {
    return { line: n, character: this.lines.lineContentEnd(n) - (this.lines.starts[n] ?? 0) };
  }
}

export function samePosition(a: Position, b: Position): boolean {
  return a.line === b.line && a.character === b.character;
}

/** Applies non-overlapping edits (ranges in the original text), as an editor does. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const src = new SourceText(text);
  const sorted = edits
    .map((e) => ({ start: src.offset(e.range.start), end: src.offset(e.range.end), newText: e.newText }))
    .sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  let limit = Infinity;
  for (const e of sorted) {
    if (e.end > limit) throw new Error(`overlapping edits at offset ${e.start}`);
    out = out.slice(0, e.start) + e.newText + out.slice(e.end);
    limit = e.start;
  }
  return out;
}

/** A Python string literal for `value` in the given quote style. */
export function pyString(value: string, quote: "'" | '"'): string {
  const body = value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(new RegExp(quote, 'g'), `\\${quote}`);
  return `${quote}${body}${quote}`;
}
