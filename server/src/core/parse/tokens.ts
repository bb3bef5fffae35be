// Reading helpers over a TokenStream shared by the extractor modules: token tests without building
// strings, bracket skipping bounded by a statement's end, and offset ranges.
import type { Range } from '../types';
import * as intern from './intern';
import * as lineIndex from './lineIndex';
import type { LineIndex } from './lineIndex';
import * as tok from './tokenizer';
import type { TokenStream } from './tokenizer';

// Local copies of the token constants and imported functions: in CommonJS transpiled file by file
// (tests, benchmarks) every use of an import is a getter call, which cost a third of the parse time in
// these loops.
const TK_NAME = tok.TK_NAME, TK_NEWLINE = tok.TK_NEWLINE, TK_OP = tok.TK_OP;
const internUnits = intern.internUnits, LineIndexClass = lineIndex.LineIndex;

const PYTHON_KEYWORDS = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del',
  'elif', 'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal',
  'not', 'or', 'pass', 'raise', 'return', 'try', 'while', 'with', 'yield',
]);

/**
 * The keywords by first letter (ASCII): a name is compared with the few of its letter and length,
 * without making a string (`op`, `sa`, `batch_op` start most calls).
 */
const KEYWORDS_BY_FIRST: (readonly string[] | undefined)[] = (() => {
  const by: string[][] = [];
  for (const w of PYTHON_KEYWORDS) (by[w.charCodeAt(0)] ??= []).push(w);
  return Array.from({ length: 128 }, (_, c) => by[c]);
})();

export class Tokens {
  readonly ts: TokenStream;
  readonly text: string;
  readonly kind: Uint8Array;
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly flags: Uint16Array;
  readonly match: Int32Array;
  /** The text's code units (TokenStream.units): valid while this file is parsed. */
  readonly units: Uint16Array;
  readonly lines: LineIndex;

  constructor(ts: TokenStream) {
    this.ts = ts;
    this.text = ts.text;
    this.kind = ts.kind;
    this.start = ts.start;
    this.end = ts.end;
    this.flags = ts.flags;
    this.match = ts.match;
    this.units = ts.units;
    this.lines = new LineIndexClass(ts.text);
  }

  isOp(i: number, code: number): boolean {
    return this.kind[i] === TK_OP && this.flags[i] === code;
  }

  /** Token i is the NAME `word`. */
  isWord(i: number, word: string): boolean {
    if (this.kind[i] !== TK_NAME) return false;
    const s = this.start[i] ?? 0;
    // The first letter before startsWith: most tests fail there, without a call into the runtime.
    return (this.end[i] ?? 0) - s === word.length && this.units[s] === word.charCodeAt(0) && this.text.startsWith(word, s);
  }

  isKeyword(i: number): boolean {
    if (this.kind[i] !== TK_NAME) return false;
    const s = this.start[i] ?? 0;
    const len = (this.end[i] ?? 0) - s;
    if (len < 2 || len > 8) return false;
    const c = this.units[s] ?? 0;
    const candidates = c < 128 ? KEYWORDS_BY_FIRST[c] : undefined;
    if (candidates === undefined) return false;
    for (const w of candidates) if (w.length === len && this.text.startsWith(w, s)) return true;
    return false;
  }

  tokText(i: number): string {
    return this.text.slice(this.start[i] ?? 0, this.end[i] ?? 0);
  }

  /** A NAME token's text, shared across files (names repeat: `op`, `nullable`, `sa.Column` ...). */
  name(i: number): string {
    return internUnits(this.units, this.text, this.start[i] ?? 0, this.end[i] ?? 0);
  }

  /** Like spanText, shared across files: for dotted names. */
  nameSpan(a: number, b: number): string {
    return internUnits(this.units, this.text, this.start[a] ?? 0, this.end[b] ?? 0);
  }

  /** Source text from token a's start to token b's end (inclusive). */
  spanText(a: number, b: number): string {
    return this.text.slice(this.start[a] ?? 0, this.end[b] ?? 0);
  }

  /** Range from token a's start to token b's end (inclusive). */
  range(a: number, b: number): Range {
    return this.lines.range(this.start[a] ?? 0, this.end[b] ?? 0);
  }

  tokRange(i: number): Range {
    return this.lines.range(this.start[i] ?? 0, this.end[i] ?? 0);
  }

  /** Index of the bracket closing the one at i, or `bound` when it is unclosed within the statement. */
  closeOf(i: number, bound: number): number {
    const m = this.match[i] ?? -1;
    return m > i && m < bound ? m : bound;
  }

  /** The token after the bracket group opening at i, bounded. */
  after(i: number, bound: number): number {
    const c = this.closeOf(i, bound);
    return c < bound ? c + 1 : bound;
  }

  isOpenBracket(i: number): boolean {
    if (this.kind[i] !== TK_OP) return false;
    const f = this.flags[i];
    return f === 40 || f === 91 || f === 123;
  }

  isCloseBracket(i: number): boolean {
    if (this.kind[i] !== TK_OP) return false;
    const f = this.flags[i];
    return f === 41 || f === 93 || f === 125;
  }

  /** First token in [i, bound) that is the operator `code` outside brackets, or bound. */
  findOp(i: number, bound: number, code: number): number {
    while (i < bound) {
      if (this.kind[i] === TK_OP) {
        const f = this.flags[i];
        if (f === code) return i;
        if (f === 40 || f === 91 || f === 123) { i = this.after(i, bound); continue; }
      }
      i++;
    }
    return bound;
  }

  /** Index of the NEWLINE ending the logical line that contains i (the last token when none). */
  lineEnd(i: number): number {
    const n = this.ts.count - 1;
    while (i < n && this.kind[i] !== TK_NEWLINE) i++;
    return i;
  }
}
