// A hand-written Python tokenizer, tuned for reading Alembic migrations fast and forgivingly.
//
// Tokens live in parallel typed arrays (no object per token) and carry offsets, not positions: the
// extractor turns the few offsets it reports into line/column ranges. It follows CPython's tokenizer
// where that matters for the facts we read (logical lines, INDENT/DEDENT, strings with every prefix,
// f-strings with nested fields as in Python 3.12) and recovers where CPython would stop:
//  - an unterminated single-quoted string ends at its line's end;
//  - an unterminated triple-quoted string ends before the next column-0 `def`/`class`/decorator;
//  - an open bracket is closed by force at a column-0 `def`/`class`/decorator, so a half-typed call in
//    `upgrade()` does not swallow `downgrade()`;
//  - a dedent to a column between two indentation levels stays in the deeper block.
// It never throws; every recovery is recorded as a problem.
import { codeUnits, skipBodyFast } from './codeUnits';

export const TK_NAME = 1;
export const TK_NUMBER = 2;
export const TK_STRING = 3;
export const TK_OP = 4;
/** End of a logical line (zero width when forced by a recovery or the end of the text). */
export const TK_NEWLINE = 5;
export const TK_INDENT = 6;
export const TK_DEDENT = 7;
export const TK_END = 8;
/** A character Python would reject (`$`, `?`, a stray backslash ...). */
export const TK_ERROR = 9;

export const TOKEN_KIND_NAMES = ['', 'NAME', 'NUMBER', 'STRING', 'OP', 'NEWLINE', 'INDENT', 'DEDENT', 'END', 'ERROR'] as const;

// Flags of STRING tokens.
export const SF_RAW = 1;
export const SF_BYTES = 2;
/** f-string (or a 3.14 t-string): its value is never evaluated. */
export const SF_FORMAT = 4;
export const SF_TRIPLE = 8;
export const SF_UNTERMINATED = 16;
export const SF_UNICODE = 32;
/** Bits 6-7: prefix length (0..2). */
const SF_PREFIX_SHIFT = 6;

// Operator codes (the `flags` of OP tokens): a single character's code, or one of these.
const op2 = (a: string, b: string): number => a.charCodeAt(0) * 128 + b.charCodeAt(0);
export const OP_POW = op2('*', '*');
export const OP_ARROW = op2('-', '>');
export const OP_WALRUS = op2(':', '=');
export const OP_EQ = op2('=', '=');
export const OP_ELLIPSIS = 60000;
export const OP_POW_ASSIGN = 60001;
export const OP_FLOORDIV_ASSIGN = 60002;
export const OP_LSHIFT_ASSIGN = 60003;
export const OP_RSHIFT_ASSIGN = 60004;
/** Augmented assignment operators (`+=`, `**=` ...). */
export const AUGMENTED_ASSIGN_OPS: ReadonlySet<number> = new Set([
  ...'+-*/%&|^@'.split('').map((c) => c.charCodeAt(0) * 128 + 61),
  OP_POW_ASSIGN, OP_FLOORDIV_ASSIGN, OP_LSHIFT_ASSIGN, OP_RSHIFT_ASSIGN,
]);

const CH_TAB = 9, CH_LF = 10, CH_FF = 12, CH_CR = 13, CH_SPACE = 32, CH_BANG = 33, CH_DQUOTE = 34, CH_HASH = 35;
const CH_SQUOTE = 39, CH_LPAREN = 40, CH_RPAREN = 41, CH_STAR = 42, CH_PLUS = 43, CH_MINUS = 45, CH_DOT = 46;
const CH_SLASH = 47, CH_0 = 48, CH_9 = 57, CH_COLON = 58, CH_LT = 60, CH_EQUALS = 61, CH_GT = 62, CH_AT = 64;
const CH_LBRACKET = 91, CH_BACKSLASH = 92, CH_RBRACKET = 93, CH_UNDERSCORE = 95, CH_LBRACE = 123, CH_RBRACE = 125;

/** Deeper f-string nesting than this is read as plain text (keeps recursion bounded on hostile input). */
const MAX_FSTRING_NESTING = 64;

export interface OffsetProblem {
  message: string;
  start: number;
  end: number;
}

export interface TokenStream {
  readonly text: string;
  /** Number of tokens; the last one is always TK_END. */
  readonly count: number;
  readonly kind: Uint8Array;
  readonly start: Int32Array;
  readonly end: Int32Array;
  /** STRING: SF_* flags; OP: operator code; others 0. */
  readonly flags: Uint16Array;
  /** For a bracket: the index of its partner, or -1 when it has none (recovered). */
  readonly match: Int32Array;
  /** Comments as [start, end) offset pairs, `#` included. */
  readonly comments: number[];
  readonly problems: OffsetProblem[];
  /**
   * The text's code units (see codeUnits), three zeros after them: shared, valid only until the next
   * tokenize() call. The parser reads them instead of charCodeAt (half the cost on sliced strings).
   */
  readonly units: Uint16Array;
}

/** ASCII character classes: 1 starts a name, 2 is a digit (continues a name). */
const ASCII_CLASS: Uint8Array = (() => {
  const a = new Uint8Array(128);
  for (let c = 0; c < 128; c++) {
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === CH_UNDERSCORE) a[c] = 1;
    else if (c >= CH_0 && c <= CH_9) a[c] = 2;
  }
  return a;
})();

// Character classes of the body skip (header mode). SK_ERROR: what the tokenizer would report.
const SK_ERROR = 0, SK_PLAIN = 1, SK_NAME = 2, SK_NUMBER = 3, SK_QUOTE = 4, SK_NEWLINE = 5, SK_HASH = 6;
const SK_OPEN = 7, SK_CLOSE = 8, SK_BANG = 9, SK_BACKSLASH = 10;
const SKIP_CLASS: Uint8Array = (() => {
  const a = new Uint8Array(128);
  for (let c = 0; c < 128; c++) a[c] = ASCII_CLASS[c] === 1 ? SK_NAME : ASCII_CLASS[c] === 2 ? SK_NUMBER : SK_ERROR;
  for (const ch of ' \t\f%&*+,-./:;<=>@^|~') a[ch.charCodeAt(0)] = SK_PLAIN;
  a[CH_DQUOTE] = SK_QUOTE; a[CH_SQUOTE] = SK_QUOTE;
  a[CH_LF] = SK_NEWLINE; a[CH_CR] = SK_NEWLINE;
  a[CH_HASH] = SK_HASH;
  a[CH_LPAREN] = SK_OPEN; a[CH_LBRACKET] = SK_OPEN; a[CH_LBRACE] = SK_OPEN;
  a[CH_RPAREN] = SK_CLOSE; a[CH_RBRACKET] = SK_CLOSE; a[CH_RBRACE] = SK_CLOSE;
  a[CH_BANG] = SK_BANG;
  a[CH_BACKSLASH] = SK_BACKSLASH;
  return a;
})();

export function isIdentStart(c: number): boolean {
  return c < 128 ? ASCII_CLASS[c] === 1 : c >= 0x80 && !isUnicodeSpace(c);
}

export function isIdentChar(c: number): boolean {
  return c < 128 ? ASCII_CLASS[c] !== 0 : c >= 0x80 && !isUnicodeSpace(c);
}

function isUnicodeSpace(c: number): boolean {
  return c === 0xa0 || c === 0xfeff || c === 0x2028 || c === 0x2029 || c === 0x3000 || (c >= 0x2000 && c <= 0x200b);
}

/** SF_* flags for a string prefix, or -1 when the letters are not a valid prefix. */
function prefixFlags(text: string, s: number, e: number): number {
  let flags = 0;
  for (let p = s; p < e; p++) {
    let bit: number;
    switch (text.charCodeAt(p) | 0x20) {
      case 114: bit = SF_RAW; break; // r
      case 98: bit = SF_BYTES; break; // b
      case 102: case 116: bit = SF_FORMAT; break; // f, t
      case 117: bit = SF_UNICODE; break; // u
      default: return -1;
    }
    if (flags & bit) return -1;
    flags |= bit;
  }
  if ((flags & SF_UNICODE) && flags !== SF_UNICODE) return -1;
  if ((flags & SF_BYTES) && (flags & SF_FORMAT)) return -1;
  return flags | ((e - s) << SF_PREFIX_SHIFT);
}

export function stringPrefixLength(flags: number): number {
  return (flags >> SF_PREFIX_SHIFT) & 3;
}

/** Offsets of the text between the quotes of a STRING token. */
export function stringBody(ts: TokenStream, i: number): [number, number] {
  return [stringBodyStart(ts, i), stringBodyEnd(ts, i)];
}

export function stringBodyStart(ts: TokenStream, i: number): number {
  const f = ts.flags[i] ?? 0;
  return (ts.start[i] ?? 0) + stringPrefixLength(f) + (f & SF_TRIPLE ? 3 : 1);
}

export function stringBodyEnd(ts: TokenStream, i: number): number {
  const f = ts.flags[i] ?? 0;
  const e = f & SF_UNTERMINATED ? ts.end[i] ?? 0 : (ts.end[i] ?? 0) - (f & SF_TRIPLE ? 3 : 1);
  return Math.max(stringBodyStart(ts, i), e);
}

class Tokenizer {
  readonly text: string;
  readonly n: number;
  count = 0;
  kind: Uint8Array;
  start: Int32Array;
  end: Int32Array;
  flags: Uint16Array;
  match: Int32Array;
  readonly comments: number[] = [];
  readonly problems: OffsetProblem[] = [];
  private readonly brackets: number[] = [];
  private readonly indents: number[] = [0];
  private lineHasTokens = false;
  private recoveredAtLineStart = false;
  /** Where a failed string scan stopped (a newline, or the end of the text). */
  private failAt = 0;
  /** What indentation() measured. */
  private column = 0;
  private formFeed = false;
  /**
   * The text's code units (see codeUnits), which the scans read instead of charCodeAt: half the cost,
   * and the texts of a project read from disk are slices of larger strings, which charCodeAt must
   * unwrap at every call. Three zeros follow the text.
   */
  private readonly units: Uint16Array;
  /** skipBody's indentation levels and open brackets (reused: it runs once per function). */
  private readonly skipLevels: number[] = [];
  private readonly skipBrackets: number[] = [];
  private readonly fastResult = { first: 0 };

  constructor(text: string, private readonly buffers?: TokenBuffers, private readonly skipBodies = false, private readonly fastSkip = true) {
    this.text = text;
    this.n = text.length;
    this.units = codeUnits(text);
    if (buffers) {
      this.kind = buffers.kind;
      this.start = buffers.start;
      this.end = buffers.end;
      this.flags = buffers.flags;
      this.match = buffers.match;
      return;
    }
    // Migrations average one token per ~5 characters; growing is rare.
    const cap = Math.max(64, (text.length >> 2) + 16);
    this.kind = new Uint8Array(cap);
    this.start = new Int32Array(cap);
    this.end = new Int32Array(cap);
    this.flags = new Uint16Array(cap);
    this.match = new Int32Array(cap);
  }

  private grow(): void {
    const cap = this.kind.length * 2;
    const k = new Uint8Array(cap); k.set(this.kind); this.kind = k;
    const s = new Int32Array(cap); s.set(this.start); this.start = s;
    const e = new Int32Array(cap); e.set(this.end); this.end = e;
    const f = new Uint16Array(cap); f.set(this.flags); this.flags = f;
    const m = new Int32Array(cap); m.set(this.match); this.match = m;
  }

  private emit(kind: number, s: number, e: number, flags: number): number {
    if (this.count === this.kind.length) this.grow();
    const i = this.count++;
    this.kind[i] = kind;
    this.start[i] = s;
    this.end[i] = e;
    this.flags[i] = flags;
    this.match[i] = -1;
    if (kind < TK_NEWLINE || kind === TK_ERROR) this.lineHasTokens = true;
    return i;
  }

  private newline(at: number, end: number): void {
    if (this.lineHasTokens) {
      this.emit(TK_NEWLINE, at, end, 0);
      this.lineHasTokens = false;
    }
  }

  run(): TokenStream {
    const t = this.text;
    const u = this.units;
    const n = this.n;
    let pos = n > 0 && u[0] === 0xfeff ? 1 : 0;
    let atLineStart = true;
    let continuation = false;
    /** The current logical line starts with a column-0 `def` (bodies may be skipped after it). */
    let defLine = false;
    for (;;) {
      if (atLineStart) {
        atLineStart = false;
        const lineBegin = pos;
        const p = this.indentation(pos);
        const col = this.column;
        if (p >= n) { pos = p; break; }
        const c = u[p] ?? 0;
        if (this.brackets.length > 0 || continuation) {
          if (p !== lineBegin || !this.startsBlockAtColumn0(p)) {
            continuation = false;
            pos = p;
            continue;
          }
          this.resetBrackets(p);
        }
        continuation = false;
        pos = p;
        if (c !== CH_LF && c !== CH_CR && c !== CH_HASH) {
          this.indentTo(col, p);
          defLine = this.skipBodies && col === 0 && (c === 100 /* d */ || c === 97 /* a */) && this.startsDefAt(p);
        }
        continue;
      }
      if (pos >= n) break;
      const c = u[pos] ?? 0;
      if (c === CH_LF || c === CH_CR) {
        const nl = pos;
        pos += c === CH_CR && u[pos + 1] === CH_LF ? 2 : 1;
        atLineStart = true;
        if (this.brackets.length > 0) continue;
        this.newline(nl, pos);
        if (defLine && this.endsWithColon()) {
          defLine = false;
          const after = this.skipBody(pos);
          if (after >= 0) pos = after;
        }
        continue;
      }
      if (c === CH_SPACE || c === CH_TAB || c === CH_FF) { pos++; continue; }
      if (c === CH_HASH) {
        let p = pos + 1;
        while (p < n) {
          const d = u[p] ?? 0;
          if (d === CH_LF || d === CH_CR) break;
          p++;
        }
        this.comments.push(pos, p);
        pos = p;
        continue;
      }
      if (isIdentStart(c)) {
        // The units end with zeros, which end a name: no bound check; ASCII by the table.
        let p = pos + 1;
        for (let d = u[p] ?? 0; d < 128 ? ASCII_CLASS[d] !== 0 : isIdentChar(d); d = u[++p] ?? 0);
        if (p > n) p = n;
        if (p - pos <= 2 && p < n) {
          const q = u[p] ?? 0;
          if (q === CH_SQUOTE || q === CH_DQUOTE) {
            const pf = prefixFlags(t, pos, p);
            if (pf >= 0) {
              pos = this.string(pos, p, pf);
              if (this.recoveredAtLineStart) atLineStart = true;
              continue;
            }
          }
        }
        this.emit(TK_NAME, pos, p, 0);
        pos = p;
        continue;
      }
      if ((c >= CH_0 && c <= CH_9) || (c === CH_DOT && isDigit(u[pos + 1] ?? 0))) {
        pos = this.number(pos);
        continue;
      }
      if (c === CH_SQUOTE || c === CH_DQUOTE) {
        pos = this.string(pos, pos, 0);
        if (this.recoveredAtLineStart) atLineStart = true;
        continue;
      }
      if (c === CH_BACKSLASH) {
        const d = u[pos + 1] ?? 0;
        if (d === CH_LF || d === CH_CR) {
          pos += d === CH_CR && u[pos + 2] === CH_LF ? 3 : 2;
          atLineStart = true;
          continuation = true;
          continue;
        }
        if (pos + 1 >= n) { pos++; continue; }
        this.problems.push({ message: 'unexpected character after line continuation character', start: pos, end: pos + 1 });
        this.emit(TK_ERROR, pos, pos + 1, 0);
        pos++;
        continue;
      }
      pos = this.operator(pos, c);
    }
    // End of text: close the last logical line, unclosed brackets, open blocks.
    for (const b of this.brackets) this.unclosed(b);
    this.brackets.length = 0;
    this.newline(n, n);
    while (this.indents.length > 1) {
      this.indents.pop();
      this.emit(TK_DEDENT, n, n, 0);
    }
    this.emit(TK_END, n, n, 0);
    const b = this.buffers;
    if (b) {
      // Keep what growing allocated for the next file.
      b.kind = this.kind; b.start = this.start; b.end = this.end; b.flags = this.flags; b.match = this.match;
    }
    return {
      text: this.text, count: this.count, kind: this.kind, start: this.start, end: this.end, flags: this.flags,
      match: this.match, comments: this.comments, problems: this.problems, units: this.units,
    };
  }

  /** Passes the indentation starting at p: sets `column` (and `formFeed`), returns where it ends. */
  private indentation(p: number): number {
    const u = this.units;
    const n = this.n;
    let col = 0;
    let ff = false;
    for (; p < n; p++) {
      const c = u[p] ?? 0;
      if (c === CH_SPACE) col++;
      else if (c === CH_TAB) col = (Math.floor(col / 8) + 1) * 8;
      else if (c === CH_FF) { col = 0; ff = true; }
      else break;
    }
    this.column = col;
    this.formFeed = ff;
    return p;
  }

  private startsDefAt(p: number): boolean {
    return this.keywordAt(p, 'def') || (this.keywordAt(p, 'async') && this.keywordAt(skipBlanks(this.text, p + 5), 'def'));
  }

  /** The logical line just closed (by the NEWLINE last emitted) ends with `:`. */
  private endsWithColon(): boolean {
    const k = this.count - 2;
    return k >= 0 && this.kind[k + 1] === TK_NEWLINE && this.kind[k] === TK_OP && this.flags[k] === CH_COLON;
  }

  /**
   * Header mode: passes over the indented body of a column-0 `def` whose header line ended just before
   * p, recording its comments, and emits an INDENT and a DEDENT for it (which is all the module-level
   * reader looks at). Returns where the next column-0 line starts (or the text's end). The loop only
   * finds where strings, comments, brackets and lines begin and end and emits no token, reading the
   * text's code units from a typed array (codeUnits): 40 % less than tokenizing once the JIT is warm,
   * more in a fresh process, where this one small loop gets optimized long before the tokenizer's
   * many paths do. It gives up (-1, nothing recorded: the caller tokenizes the body) at anything the
   * tokenizer would report or recover from, and at what it does not follow itself (non-ASCII code,
   * form feeds in indentation, a backslash not ending a line), so the tokens after the body and every
   * problem are exactly what tokenizing gives.
   */
  private skipBody(p0: number): number {
    const u = this.units;
    const n = this.n;
    // The same skip compiled to WebAssembly answers first where it can (fast from the first file on).
    const fast = this.fastSkip ? skipBodyFast(p0, n, this.comments, this.fastResult) : -1;
    if (fast >= 0) {
      this.emit(TK_INDENT, this.fastResult.first, this.fastResult.first, 0);
      this.emit(TK_DEDENT, fast, fast, 0);
      return fast;
    }
    const commentsBefore = this.comments.length;
    const levels = this.skipLevels;
    const open = this.skipBrackets;
    levels.length = 0;
    open.length = 0;
    let first = -1;
    let p = p0;
    let lineStart = true;
    let continuation = false;
    for (;;) {
      if (lineStart) {
        lineStart = false;
        const lineBegin = p;
        p = this.indentation(p);
        const col = this.column;
        if (this.formFeed) return this.giveUp(commentsBefore);
        if (p >= n) break;
        const c = u[p] ?? 0;
        if (open.length > 0 || continuation) {
          // A column-0 def/class/decorator would close brackets by force: the tokenizer's business.
          if (p === lineBegin && this.startsBlockAtColumn0(p)) return this.giveUp(commentsBefore);
          continuation = false;
          continue;
        }
        if (c === CH_LF || c === CH_CR || c === CH_HASH) continue;
        if (col === 0) {
          if (first < 0) return this.giveUp(commentsBefore);
          p = lineBegin;
          break;
        }
        if (first < 0) {
          first = p;
          levels.push(col);
          continue;
        }
        let top = levels[levels.length - 1] ?? 0;
        if (col > top) {
          levels.push(col);
          continue;
        }
        while (col < top) {
          levels.pop();
          top = levels[levels.length - 1] ?? -1;
        }
        if (col !== top) return this.giveUp(commentsBefore);
        continue;
      }
      if (p >= n) break;
      const c = u[p] ?? 0;
      if (c >= 128) return this.giveUp(commentsBefore);
      switch (SKIP_CLASS[c]) {
        case SK_PLAIN:
          p++;
          continue;
        case SK_NAME: {
          const s = p;
          p++;
          let d = u[p] ?? 0;
          while (d < 128 && ASCII_CLASS[d] !== 0) d = u[++p] ?? 0;
          if (d >= 128) return this.giveUp(commentsBefore);
          if ((d === CH_DQUOTE || d === CH_SQUOTE) && p - s <= 2) {
            const pf = prefixFlags(this.text, s, p);
            if (pf >= 0) {
              p = this.skipString(u, p, pf);
              if (p < 0) return this.giveUp(commentsBefore);
            }
          }
          continue;
        }
        case SK_NUMBER: {
          // As number() reads it: letters after digits belong to the number, never a string prefix.
          p++;
          let d = u[p] ?? 0;
          while (d < 128 && (ASCII_CLASS[d] !== 0 || d === CH_DOT)) d = u[++p] ?? 0;
          if (d >= 128) return this.giveUp(commentsBefore);
          continue;
        }
        case SK_QUOTE:
          p = this.skipString(u, p, 0);
          if (p < 0) return this.giveUp(commentsBefore);
          continue;
        case SK_NEWLINE:
          p += c === CH_CR && u[p + 1] === CH_LF ? 2 : 1;
          lineStart = true;
          continue;
        case SK_HASH: {
          const s = p;
          let d = u[++p] ?? 0;
          while (p < n && d !== CH_LF && d !== CH_CR) d = u[++p] ?? 0;
          this.comments.push(s, p);
          continue;
        }
        case SK_OPEN:
          open.push(c);
          p++;
          continue;
        case SK_CLOSE: {
          const want = c === CH_RPAREN ? CH_LPAREN : c === CH_RBRACKET ? CH_LBRACKET : CH_LBRACE;
          if (open.length === 0 || open[open.length - 1] !== want) return this.giveUp(commentsBefore);
          open.pop();
          p++;
          continue;
        }
        case SK_BANG:
          if (u[p + 1] !== CH_EQUALS) return this.giveUp(commentsBefore);
          p += 2;
          continue;
        case SK_BACKSLASH: {
          const d = u[p + 1] ?? 0;
          if (d === CH_LF) p += 2;
          else if (d === CH_CR) p += u[p + 2] === CH_LF ? 3 : 2;
          else return this.giveUp(commentsBefore);
          lineStart = true;
          continuation = true;
          continue;
        }
        default:
          return this.giveUp(commentsBefore);
      }
    }
    if (open.length > 0 || first < 0) return this.giveUp(commentsBefore);
    this.emit(TK_INDENT, first, first, 0);
    this.emit(TK_DEDENT, p, p, 0);
    return p;
  }

  private giveUp(commentsBefore: number): number {
    this.comments.length = commentsBefore;
    return -1;
  }

  /** The end of the string whose opening quote is at `quote`, or -1 when it does not end (a problem to report). */
  private skipString(u: Uint16Array, quote: number, pf: number): number {
    const n = this.n;
    const q = u[quote] ?? 0;
    const triple = u[quote + 1] === q && u[quote + 2] === q;
    // f-strings (fields may hold quotes) as the tokenizer reads them; the rest here, as body() does.
    if ((pf & SF_FORMAT) !== 0) return this.body(quote + (triple ? 3 : 1), q, triple, pf | (triple ? SF_TRIPLE : 0), 0);
    let p = quote + (triple ? 3 : 1);
    while (p < n) {
      const c = u[p] ?? 0;
      if (c === q) {
        if (!triple) return p + 1;
        if (u[p + 1] === q && u[p + 2] === q) return p + 3;
        p++;
      } else if (c === CH_BACKSLASH) {
        p += u[p + 1] === CH_CR && u[p + 2] === CH_LF ? 3 : 2;
      } else if ((c === CH_LF || c === CH_CR) && !triple) {
        return -1;
      } else {
        p++;
      }
    }
    return -1;
  }

  /** `def`, `class`, `async def` or a decorator starting at p (the first column of a line). */
  private startsBlockAtColumn0(p: number): boolean {
    const u = this.units;
    const c = u[p] ?? 0;
    if (c === CH_AT) return isIdentStart(u[p + 1] ?? 0);
    return this.keywordAt(p, 'class') || this.startsDefAt(p);
  }

  private keywordAt(p: number, word: string): boolean {
    return this.text.startsWith(word, p) && !isIdentChar(this.units[p + word.length] ?? 0);
  }

  private resetBrackets(p: number): void {
    for (const b of this.brackets) this.unclosed(b);
    this.brackets.length = 0;
    this.newline(p, p);
  }

  private unclosed(b: number): void {
    const s = this.start[b] ?? 0;
    this.problems.push({ message: `'${this.text[s] ?? '('}' was never closed`, start: s, end: s + 1 });
  }

  private indentTo(col: number, p: number): void {
    const ind = this.indents;
    let top = ind[ind.length - 1] ?? 0;
    if (col > top) {
      ind.push(col);
      this.emit(TK_INDENT, p, p, 0);
      return;
    }
    if (col === top) return;
    while (ind.length > 1 && col < top) {
      const below = ind[ind.length - 2] ?? 0;
      if (col > below) {
        // Between two levels: CPython refuses; stay in the deeper block, which keeps a
        // half-edited function body together.
        this.problems.push({ message: 'unindent does not match any outer indentation level', start: p, end: p });
        return;
      }
      ind.pop();
      this.emit(TK_DEDENT, p, p, 0);
      top = below;
    }
  }

  private number(pos: number): number {
    const u = this.units;
    const n = this.n;
    const hex = u[pos] === CH_0 && ((u[pos + 1] ?? 0) | 0x20) === 120;
    let p = pos + 1;
    while (p < n) {
      const c = u[p] ?? 0;
      if (isIdentChar(c) && c < 0x80) { p++; continue; }
      if (c === CH_DOT) { p++; continue; }
      if ((c === CH_PLUS || c === CH_MINUS) && !hex && ((u[p - 1] ?? 0) | 0x20) === 101 && isDigit(u[p + 1] ?? 0)) {
        p++;
        continue;
      }
      break;
    }
    this.emit(TK_NUMBER, pos, p, 0);
    return p;
  }

  /** A string literal whose prefix starts at tokStart and whose opening quote is at quote. */
  /** Returns the offset after the string; sets recoveredAtLineStart when recovery ended it before a line. */
  private string(tokStart: number, quote: number, pf: number): number {
    this.recoveredAtLineStart = false;
    const t = this.text;
    const u = this.units;
    const q = u[quote] ?? 0;
    const triple = u[quote + 1] === q && u[quote + 2] === q;
    let flags = pf | (triple ? SF_TRIPLE : 0);
    const r = this.body(quote + (triple ? 3 : 1), q, triple, flags, 0);
    if (r >= 0) {
      this.emit(TK_STRING, tokStart, r, flags);
      return r;
    }
    flags |= SF_UNTERMINATED;
    if (!triple) {
      let end = this.failAt;
      if (end >= this.n) end = lineEndFrom(t, quote);
      this.problems.push({ message: 'unterminated string literal', start: tokStart, end });
      this.emit(TK_STRING, tokStart, end, flags);
      return end;
    }
    const end = this.nextBlockLine(quote);
    this.problems.push({ message: 'unterminated triple-quoted string literal', start: tokStart, end: Math.min(end, quote + 3) });
    this.emit(TK_STRING, tokStart, end, flags);
    if (end >= this.n) return end;
    if (this.brackets.length === 0) this.newline(end, end);
    this.recoveredAtLineStart = true;
    return end;
  }

  /** Start of the first line after p that begins with a column-0 def/class/decorator, or the text's end. */
  private nextBlockLine(p: number): number {
    const u = this.units;
    const n = this.n;
    for (let i = p; i < n; i++) {
      const c = u[i] ?? 0;
      if (c !== CH_LF && c !== CH_CR) continue;
      const s = c === CH_CR && u[i + 1] === CH_LF ? i + 2 : i + 1;
      if (s < n && this.startsBlockAtColumn0(s)) return s;
    }
    return n;
  }

  /**
   * Scans a string body from p; returns the offset after the closing quote, or -1 (with failAt set)
   * when the string does not end.
   */
  private body(p: number, q: number, triple: boolean, flags: number, nest: number): number {
    const u = this.units;
    const n = this.n;
    const fmt = (flags & SF_FORMAT) !== 0 && nest < MAX_FSTRING_NESTING;
    const raw = (flags & SF_RAW) !== 0;
    while (p < n) {
      const c = u[p] ?? 0;
      if (c === q) {
        if (!triple) return p + 1;
        if (u[p + 1] === q && u[p + 2] === q) return p + 3;
        p++;
        continue;
      }
      if (c === CH_BACKSLASH) {
        const d = u[p + 1] ?? 0;
        if (fmt && (d === CH_LBRACE || d === CH_RBRACE)) { p++; continue; }
        if (fmt && !raw && d === 78 /* N */ && u[p + 2] === CH_LBRACE) {
          // \N{NAME} is an escape, not a replacement field.
          let r = p + 3;
          while (r < n && u[r] !== CH_RBRACE && u[r] !== q && !isNewline(u[r] ?? 0)) r++;
          p = u[r] === CH_RBRACE ? r + 1 : r;
          continue;
        }
        p += d === CH_CR && u[p + 2] === CH_LF ? 3 : 2;
        continue;
      }
      if (c === CH_LF || c === CH_CR) {
        if (!triple) { this.failAt = p; return -1; }
        p++;
        continue;
      }
      if (fmt && c === CH_LBRACE) {
        if (u[p + 1] === CH_LBRACE) { p += 2; continue; }
        const r = this.field(p + 1, q, triple, nest + 1);
        if (r < 0) return -1;
        p = r;
        continue;
      }
      p++;
    }
    this.failAt = n;
    return -1;
  }

  /** The expression part of an f-string replacement field; returns the offset after its `}`. */
  private field(p: number, q: number, triple: boolean, nest: number): number {
    const t = this.text;
    const u = this.units;
    const n = this.n;
    let depth = 0;
    while (p < n) {
      const c = u[p] ?? 0;
      if (c === CH_SQUOTE || c === CH_DQUOTE) {
        const r = this.nestedString(p, 0, nest);
        if (r < 0) return -1;
        p = r;
        continue;
      }
      if (isIdentStart(c)) {
        let e = p + 1;
        while (e < n && isIdentChar(u[e] ?? 0)) e++;
        const d = u[e] ?? 0;
        if (e - p <= 2 && (d === CH_SQUOTE || d === CH_DQUOTE)) {
          const pf = prefixFlags(t, p, e);
          if (pf >= 0) {
            const r = this.nestedString(e, pf, nest);
            if (r < 0) return -1;
            p = r;
            continue;
          }
        }
        p = e;
        continue;
      }
      if (c === CH_LPAREN || c === CH_LBRACKET || c === CH_LBRACE) depth++;
      else if (c === CH_RPAREN || c === CH_RBRACKET) { if (depth > 0) depth--; }
      else if (c === CH_RBRACE) {
        if (depth === 0) return p + 1;
        depth--;
      } else if (c === CH_COLON && depth === 0) {
        return this.formatSpec(p + 1, q, triple, nest);
      } else if (c === CH_LF || c === CH_CR) {
        if (!triple) { this.failAt = p; return -1; }
      }
      p++;
    }
    this.failAt = n;
    return -1;
  }

  /** A format spec after `:` in a replacement field: text with nested fields, up to `}`. */
  private formatSpec(p: number, q: number, triple: boolean, nest: number): number {
    const u = this.units;
    const n = this.n;
    while (p < n) {
      const c = u[p] ?? 0;
      if (c === CH_RBRACE) return p + 1;
      if (c === CH_LBRACE) {
        const r = this.field(p + 1, q, triple, nest + 1);
        if (r < 0) return -1;
        p = r;
        continue;
      }
      // The enclosing string's closing quote ends the field early (a half-typed spec).
      if (c === q && (!triple || (u[p + 1] === q && u[p + 2] === q))) return p;
      if ((c === CH_LF || c === CH_CR) && !triple) { this.failAt = p; return -1; }
      if (c === CH_BACKSLASH) { p += u[p + 1] === CH_CR && u[p + 2] === CH_LF ? 3 : 2; continue; }
      p++;
    }
    this.failAt = n;
    return -1;
  }

  private nestedString(quote: number, pf: number, nest: number): number {
    const u = this.units;
    const q = u[quote] ?? 0;
    const triple = u[quote + 1] === q && u[quote + 2] === q;
    return this.body(quote + (triple ? 3 : 1), q, triple, pf, nest);
  }

  private operator(pos: number, c: number): number {
    const t = this.text;
    const u = this.units;
    const c1 = u[pos + 1] ?? 0;
    const c2 = u[pos + 2] ?? 0;
    switch (c) {
      case CH_LPAREN: case CH_LBRACKET: case CH_LBRACE: {
        this.brackets.push(this.emit(TK_OP, pos, pos + 1, c));
        return pos + 1;
      }
      case CH_RPAREN: case CH_RBRACKET: case CH_RBRACE:
        this.close(pos, c);
        return pos + 1;
      case CH_DOT:
        if (c1 === CH_DOT && c2 === CH_DOT) return this.op(pos, 3, OP_ELLIPSIS);
        return this.op(pos, 1, c);
      case CH_MINUS:
        if (c1 === CH_GT) return this.op(pos, 2, OP_ARROW);
        if (c1 === CH_EQUALS) return this.op(pos, 2, c * 128 + c1);
        return this.op(pos, 1, c);
      case CH_STAR:
        if (c1 === CH_STAR) return c2 === CH_EQUALS ? this.op(pos, 3, OP_POW_ASSIGN) : this.op(pos, 2, OP_POW);
        return c1 === CH_EQUALS ? this.op(pos, 2, c * 128 + c1) : this.op(pos, 1, c);
      case CH_SLASH:
        if (c1 === CH_SLASH) return c2 === CH_EQUALS ? this.op(pos, 3, OP_FLOORDIV_ASSIGN) : this.op(pos, 2, c * 128 + c1);
        return c1 === CH_EQUALS ? this.op(pos, 2, c * 128 + c1) : this.op(pos, 1, c);
      case CH_LT:
        if (c1 === CH_LT) return c2 === CH_EQUALS ? this.op(pos, 3, OP_LSHIFT_ASSIGN) : this.op(pos, 2, c * 128 + c1);
        return c1 === CH_EQUALS || c1 === CH_GT ? this.op(pos, 2, c * 128 + c1) : this.op(pos, 1, c);
      case CH_GT:
        if (c1 === CH_GT) return c2 === CH_EQUALS ? this.op(pos, 3, OP_RSHIFT_ASSIGN) : this.op(pos, 2, c * 128 + c1);
        return c1 === CH_EQUALS ? this.op(pos, 2, c * 128 + c1) : this.op(pos, 1, c);
      case CH_EQUALS:
        return c1 === CH_EQUALS ? this.op(pos, 2, OP_EQ) : this.op(pos, 1, c);
      case CH_BANG:
        if (c1 === CH_EQUALS) return this.op(pos, 2, c * 128 + c1);
        break;
      case CH_COLON:
        return c1 === CH_EQUALS ? this.op(pos, 2, OP_WALRUS) : this.op(pos, 1, c);
      case CH_PLUS: case 37 /* % */: case 38 /* & */: case 124 /* | */: case 94 /* ^ */: case CH_AT:
        return c1 === CH_EQUALS ? this.op(pos, 2, c * 128 + c1) : this.op(pos, 1, c);
      case 126 /* ~ */: case 44 /* , */: case 59 /* ; */:
        return this.op(pos, 1, c);
      default:
        break;
    }
    // Keep a surrogate pair together so that no token starts inside a character.
    const len = c >= 0xd800 && c <= 0xdbff && c1 >= 0xdc00 && c1 <= 0xdfff ? 2 : 1;
    this.problems.push({ message: `invalid character '${t.slice(pos, pos + len)}'`, start: pos, end: pos + len });
    this.emit(TK_ERROR, pos, pos + len, 0);
    return pos + len;
  }

  private op(pos: number, len: number, code: number): number {
    this.emit(TK_OP, pos, pos + len, code);
    return pos + len;
  }

  private close(pos: number, c: number): void {
    const open = c === CH_RPAREN ? CH_LPAREN : c === CH_RBRACKET ? CH_LBRACKET : CH_LBRACE;
    const st = this.brackets;
    let k = st.length - 1;
    while (k >= 0 && this.flags[st[k] ?? 0] !== open) k--;
    const i = this.emit(TK_OP, pos, pos + 1, c);
    if (k < 0) {
      this.problems.push({ message: `unmatched '${String.fromCharCode(c)}'`, start: pos, end: pos + 1 });
      return;
    }
    // Brackets opened after the partner are left unclosed (`(]` style mistakes).
    for (let j = st.length - 1; j > k; j--) this.unclosed(st[j] ?? 0);
    const b = st[k] ?? 0;
    if (k === st.length - 1) st.pop();
    else st.length = k;
    this.match[b] = i;
    this.match[i] = b;
  }
}

function isDigit(c: number): boolean {
  return c >= CH_0 && c <= CH_9;
}

function isNewline(c: number): boolean {
  return c === CH_LF || c === CH_CR;
}

function skipBlanks(t: string, p: number): number {
  while (t.charCodeAt(p) === CH_SPACE || t.charCodeAt(p) === CH_TAB) p++;
  return p;
}

function lineEndFrom(t: string, p: number): number {
  const n = t.length;
  while (p < n && !isNewline(t.charCodeAt(p))) p++;
  return p;
}

/** Token arrays that successive tokenize() calls may share (allocating them is a tenth of the time). */
export interface TokenBuffers {
  kind: Uint8Array;
  start: Int32Array;
  end: Int32Array;
  flags: Uint16Array;
  match: Int32Array;
}

export function createTokenBuffers(capacity = 4096): TokenBuffers {
  return {
    kind: new Uint8Array(capacity), start: new Int32Array(capacity), end: new Int32Array(capacity),
    flags: new Uint16Array(capacity), match: new Int32Array(capacity),
  };
}

/**
 * Tokenizes Python source. Never throws. With `buffers`, the returned arrays are those buffers (grown
 * when needed): the result is valid only until the next call with the same buffers.
 */
export function tokenize(text: string, buffers?: TokenBuffers, opts?: TokenizeOptions): TokenStream {
  return new Tokenizer(text, buffers, opts?.skipBodies === true, opts?.fastSkip !== false).run();
}

export interface TokenizeOptions {
  /** Header mode: pass over the bodies of column-0 functions (see skipBody). */
  skipBodies?: boolean;
  /** Let the WebAssembly scanner skip bodies first (default true; false: the JavaScript skip only). */
  fastSkip?: boolean;
}

export interface TokenView {
  kind: (typeof TOKEN_KIND_NAMES)[number];
  text: string;
  start: number;
  end: number;
}

/** The tokens as objects, for tests and debugging (the parser itself reads the arrays). */
export function tokenViews(ts: TokenStream): TokenView[] {
  const out: TokenView[] = [];
  for (let i = 0; i < ts.count; i++) {
    const s = ts.start[i] ?? 0;
    const e = ts.end[i] ?? 0;
    out.push({ kind: TOKEN_KIND_NAMES[ts.kind[i] ?? 0] ?? '', text: ts.text.slice(s, e), start: s, end: e });
  }
  return out;
}
