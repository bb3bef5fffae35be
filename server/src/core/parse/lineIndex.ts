// Offsets to LSP positions (0-based line, UTF-16 column). JavaScript strings are UTF-16, so a
// column is simply the distance from the line's first offset. Line breaks are \n, \r\n and \r, as
// in LSP and in Python's universal newlines.
import type { Position, Range } from '../types';

// Positions are shared: every file's line 14, column 4 is the same frozen object. A parsed migration
// holds about a hundred ranges, and two of every three objects in it were positions; sharing them
// takes a third off the parser's memory and much of the garbage collector's work. Frozen, so that
// code mutating a position fails loudly instead of moving other files' ranges.
const SHARED_LINES = 8192;
const SHARED_COLUMNS = 256;
const sharedRows: (Position | undefined)[][] = [];

export function sharedPosition(line: number, character: number): Position {
  if (line >= SHARED_LINES || character >= SHARED_COLUMNS || line < 0 || character < 0) return { line, character };
  let row = sharedRows[line];
  if (row === undefined) {
    while (sharedRows.length <= line) sharedRows.push(new Array<Position | undefined>(SHARED_COLUMNS));
    row = sharedRows[line] as (Position | undefined)[];
  }
  let p = row[character];
  if (p === undefined) {
    p = Object.freeze({ line, character });
    row[character] = p;
  }
  return p;
}

export class LineIndex {
  /** Offset of the first character of every line; always starts with 0. */
  readonly starts: number[];
  private readonly text: string;
  /** Last line found: ranges are mostly asked for in source order. */
  private hint = 0;

  constructor(text: string) {
    this.text = text;
    const starts = [0];
    if (text.indexOf('\r') < 0) {
      for (let p = text.indexOf('\n'); p >= 0; p = text.indexOf('\n', p + 1)) starts.push(p + 1);
    } else {
      const n = text.length;
      for (let p = 0; p < n; p++) {
        const c = text.charCodeAt(p);
        if (c === 10) starts.push(p + 1);
        else if (c === 13) {
          if (text.charCodeAt(p + 1) === 10) p++;
          starts.push(p + 1);
        }
      }
    }
    this.starts = starts;
  }

  /** Lines as the `Migration.lineCount` comment defines them: a final line without newline counts. */
  get lineCount(): number {
    const last = this.starts[this.starts.length - 1] ?? 0;
    return last < this.text.length ? this.starts.length : this.starts.length - 1;
  }

  lineOf(offset: number): number {
    const s = this.starts;
    let h = this.hint;
    if ((s[h] ?? 0) <= offset) {
      // Mostly asked in source order: the same line or one of the next few.
      for (let k = 0; k < 4; k++, h++) {
        if (h + 1 >= s.length || (s[h + 1] ?? 0) > offset) {
          this.hint = h;
          return h;
        }
      }
    }
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((s[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    this.hint = lo;
    return lo;
  }

  position(offset: number): Position {
    const o = offset < 0 ? 0 : offset > this.text.length ? this.text.length : offset;
    const line = this.lineOf(o);
    return sharedPosition(line, o - (this.starts[line] ?? 0));
  }

  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end < start ? start : end) };
  }

  /** Offset just after the last character of a line, before its line break. */
  lineContentEnd(line: number): number {
    const next = this.starts[line + 1];
    if (next === undefined) return this.text.length;
    let e = next;
    if (this.text.charCodeAt(e - 1) === 10) e--;
    if (this.text.charCodeAt(e - 1) === 13) e--;
    return e;
  }
}
