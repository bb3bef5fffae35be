// Offsets to LSP positions (0-based line, UTF-16 column). JavaScript strings are UTF-16, so a
// column is simply the distance from the line's first offset. Line breaks are \n, \r\n and \r, as
// in LSP and in Python's universal newlines.
import type { Position, Range } from '../types';

// Positions and ranges are shared across files: every file's line 14, column 4 is the same frozen
// object, and so is every range from (14, 4) to (14, 31). Migrations are regular (the same template,
// the same indentation, similar statements): in a varied set of 10,000 generated files 99 % of the
// ranges have a twin, in this repository's hand-written fixtures 83 %. Sharing them takes most of the
// parser's objects off the heap, and with them much of the garbage collector's work (it copies every
// object that lives on). Frozen, so that code changing one fails loudly instead of moving other
// files' ranges. Positions past these bounds are made fresh, as are ranges once the table is full.
const SHARED_LINES = 8192;
const SHARED_COLUMNS = 256;
const sharedRows: (Position | undefined)[][] = new Array<(Position | undefined)[]>(SHARED_LINES);

export function sharedPosition(line: number, character: number): Position {
  if (line >= SHARED_LINES || character >= SHARED_COLUMNS || line < 0 || character < 0) return { line, character };
  let row = sharedRows[line];
  if (row === undefined) {
    row = [];
    sharedRows[line] = row;
  }
  let p = row[character];
  if (p === undefined) {
    p = Object.freeze({ line, character });
    row[character] = p;
  }
  return p;
}

/**
 * Open addressing over shared ranges, keyed by their two packed positions (line * SHARED_COLUMNS +
 * character) in an Int32Array: a lookup compares two integers per probe and touches no Position
 * object, which is most of what a parse costs in ranges (nearly every range asked for has a twin).
 * Grows to MAX_RANGE_SLOTS; once half full, further ranges are made fresh.
 */
const MAX_RANGE_SLOTS = 1 << 18;
let rangeSlots = 1 << 12;
/** Two keys per slot; -1 marks an empty slot (packed positions are never negative). */
let rangeKeys = new Int32Array(2 * rangeSlots).fill(-1);
let rangeTable: (Range | undefined)[] = new Array<Range | undefined>(rangeSlots);
let rangeCount = 0;

function rangeSlot(a: number, b: number, mask: number): number {
  const h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x3c6ef372, 0x85ebca6b);
  return (h ^ (h >>> 15)) & mask;
}

/** The shared range from (line, character) to (endLine, endCharacter); every argument is non-negative. */
export function sharedRangeAt(line: number, character: number, endLine: number, endCharacter: number): Range {
  if (line >= SHARED_LINES || character >= SHARED_COLUMNS || endLine >= SHARED_LINES || endCharacter >= SHARED_COLUMNS) {
    return { start: sharedPosition(line, character), end: sharedPosition(endLine, endCharacter) };
  }
  const a = line * SHARED_COLUMNS + character;
  const b = endLine * SHARED_COLUMNS + endCharacter;
  const keys = rangeKeys;
  const mask = rangeSlots - 1;
  let i = rangeSlot(a, b, mask);
  for (;;) {
    const k = keys[2 * i];
    if (k === -1) break;
    if (k === a && keys[2 * i + 1] === b) return rangeTable[i] as Range;
    i = (i + 1) & mask;
  }
  const r: Range = Object.freeze({ start: sharedPosition(line, character), end: sharedPosition(endLine, endCharacter) });
  if (rangeCount < MAX_RANGE_SLOTS >> 1) {
    if (rangeCount >= rangeSlots >> 1) {
      growRanges();
      i = rangeSlot(a, b, rangeSlots - 1);
      while (rangeKeys[2 * i] !== -1) i = (i + 1) & (rangeSlots - 1);
    }
    rangeKeys[2 * i] = a;
    rangeKeys[2 * i + 1] = b;
    rangeTable[i] = r;
    rangeCount++;
  }
  return r;
}

function growRanges(): void {
  const oldKeys = rangeKeys;
  const oldTable = rangeTable;
  const oldSlots = rangeSlots;
  rangeSlots *= 2;
  const mask = rangeSlots - 1;
  rangeKeys = new Int32Array(2 * rangeSlots).fill(-1);
  rangeTable = new Array<Range | undefined>(rangeSlots);
  for (let j = 0; j < oldSlots; j++) {
    const a = oldKeys[2 * j] ?? -1;
    if (a === -1) continue;
    const b = oldKeys[2 * j + 1] ?? 0;
    let i = rangeSlot(a, b, mask);
    while (rangeKeys[2 * i] !== -1) i = (i + 1) & mask;
    rangeKeys[2 * i] = a;
    rangeKeys[2 * i + 1] = b;
    rangeTable[i] = oldTable[j];
  }
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
    const n = this.text.length;
    const s = start < 0 ? 0 : start > n ? n : start;
    const e = end < s ? s : end > n ? n : end;
    const line = this.lineOf(s);
    const starts = this.starts;
    const lineStart = starts[line] ?? 0;
    // Most ranges end on the line they start on: no second search. The end of one that does not is
    // searched for below its start without moving the hint, which stays with the starts: they come
    // in source order (a call, then its arguments), its end is lines further on.
    const next = starts[line + 1];
    let endLine = line;
    if (next !== undefined && e >= next) {
      let lo = line + 1;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if ((starts[mid] ?? 0) <= e) lo = mid;
        else hi = mid - 1;
      }
      endLine = lo;
    }
    return sharedRangeAt(line, s - lineStart, endLine, e - (starts[endLine] ?? 0));
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
