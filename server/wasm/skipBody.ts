// AssemblyScript, compiled to WebAssembly by esbuild.mjs (not part of the TypeScript project).
//
// The body skip of the tokenizer's header mode (Tokenizer.skipBody in server/src/core/parse/tokenizer.ts),
// as machine code from the first file on: in a fresh process the JavaScript loop runs unoptimized for
// its first thousand files. It takes the same decisions as the JavaScript skip wherever it answers, and
// answers less often: at anything it does not follow (tabs or form feeds in indentation, f-string and
// t-string prefixes, a line at column 0 inside brackets or after a backslash, too many brackets, levels
// or comments for its tables) it returns GIVE_UP and the JavaScript skip decides. Tests hold the two
// to the same results on every fixture and every fuzzed text.
//
// Memory: the text's UTF-16 code units from UNITS on (followed by zeros, see codeUnits.ts); results,
// tables and comments below it. UNITS, RESULT and COMMENTS are exported: codeUnits.ts reads them.

/** The indent of the body's first line (i32), then the number of comments recorded (i32). */
export const RESULT: usize = 1024;
/** Open brackets (u16 each). */
const BRACKETS: usize = 2048;
const MAX_BRACKETS: i32 = 1024;
/** Indentation levels (i32 each). */
const LEVELS: usize = 4096;
const MAX_LEVELS: i32 = 1024;
/** Comments: start and end offsets (i32 each). */
export const COMMENTS: usize = 8192;
const MAX_COMMENTS: i32 = 7168;
/** Per code unit (0-65535), what the scan does with it: a K_* class (0 for anything not ASCII). */
const CLASS: usize = 65536;
/** Per code unit, 1 for what continues a name or a number (letters, digits, `_`). */
const NAME_CHAR: usize = 2 * 65536;
/** Per code unit, 1 for what a string's scan stops at: quotes, backslash, line breaks. */
const STRING_STOP: usize = 3 * 65536;
export const UNITS: usize = 4 * 65536;

const K_ERROR: u8 = 0, K_PLAIN: u8 = 1, K_NAME: u8 = 2, K_NUMBER: u8 = 3, K_QUOTE: u8 = 4, K_NEWLINE: u8 = 5;
const K_HASH: u8 = 6, K_OPEN: u8 = 7, K_CLOSE: u8 = 8, K_BANG: u8 = 9, K_BACKSLASH: u8 = 10;

for (let c = 0; c < 128; c++) {
  let k = K_ERROR;
  if (((c | 0x20) >= 97 && (c | 0x20) <= 122) || c == 95) k = K_NAME;
  else if (c >= 48 && c <= 57) k = K_NUMBER;
  else if (c == 34 || c == 39) k = K_QUOTE;
  else if (c == 10 || c == 13) k = K_NEWLINE;
  else if (c == 35) k = K_HASH;
  else if (c == 40 || c == 91 || c == 123) k = K_OPEN;
  else if (c == 41 || c == 93 || c == 125) k = K_CLOSE;
  else if (c == 33) k = K_BANG;
  else if (c == 92) k = K_BACKSLASH;
  else {
    switch (c) {
      case 32: case 9: case 12: case 37: case 38: case 42: case 43: case 44: case 45: case 46: case 47:
      case 58: case 59: case 60: case 61: case 62: case 64: case 94: case 124: case 126:
        k = K_PLAIN;
    }
  }
  store<u8>(CLASS + c, k);
  store<u8>(NAME_CHAR + c, k == K_NAME || k == K_NUMBER ? 1 : 0);
  // NUL too: the units after the text are zeros, where the inner loop must stop.
  store<u8>(STRING_STOP + c, k == K_QUOTE || k == K_NEWLINE || k == K_BACKSLASH || c == 0 ? 1 : 0);
}

const GIVE_UP: i32 = -1;

// @ts-expect-error: AssemblyScript decorator
@inline function unit(p: i32): i32 {
  return <i32>load<u16>(UNITS + ((<usize>p) << 1));
}

// @ts-expect-error: AssemblyScript decorator
@inline function classOf(c: i32): u8 {
  return load<u8>(CLASS + <usize>c);
}

// @ts-expect-error: AssemblyScript decorator
@inline function isNameChar(c: i32): bool {
  return load<u8>(NAME_CHAR + <usize>c) != 0;
}

/** 1: a string prefix without f/t, 2: with one, 0: no valid prefix (as prefixFlags decides). */
function prefixKind(s: i32, e: i32): i32 {
  let seen = 0;
  for (let p = s; p < e; p++) {
    let bit = 0;
    switch (unit(p) | 0x20) {
      case 114: bit = 1; break; // r
      case 98: bit = 2; break; // b
      case 102: case 116: bit = 4; break; // f, t
      case 117: bit = 8; break; // u
      default: return 0;
    }
    if (seen & bit) return 0;
    seen |= bit;
  }
  if ((seen & 8) != 0 && seen != 8) return 0;
  if ((seen & 2) != 0 && (seen & 4) != 0) return 0;
  return (seen & 4) != 0 ? 2 : 1;
}

/** The end of the string (not an f-string) whose opening quote is at `quote`, or GIVE_UP when it does not end. */
function skipString(quote: i32, n: i32): i32 {
  const q = unit(quote);
  const triple = unit(quote + 1) == q && unit(quote + 2) == q;
  let p = quote + (triple ? 3 : 1);
  while (p < n) {
    let c = unit(p);
    while (load<u8>(STRING_STOP + <usize>c) == 0) c = unit(++p);
    if (p >= n) break;
    if (c == q) {
      if (!triple) return p + 1;
      if (unit(p + 1) == q && unit(p + 2) == q) return p + 3;
      p++;
    } else if (c == 92) {
      p += unit(p + 1) == 13 && unit(p + 2) == 10 ? 3 : 2;
    } else if ((c == 10 || c == 13) && !triple) {
      return GIVE_UP;
    } else {
      p++;
    }
  }
  return GIVE_UP;
}

/**
 * Passes over the body that starts at `p0` (just after the line break of a column-0 `def` header) in
 * a text of `n` units. Returns where the next column-0 line starts (or n), with the body's first
 * indented offset and its comments in RESULT and COMMENTS; or GIVE_UP.
 */
export function skipBody(p0: i32, n: i32): i32 {
  let first = -1;
  let open = 0;
  let levels = 0;
  let comments = 0;
  let p = p0;
  let lineStart = true;
  let continuation = false;
  while (true) {
    if (lineStart) {
      lineStart = false;
      const lineBegin = p;
      let c = 0;
      while (p < n) {
        c = unit(p);
        if (c != 32) break;
        p++;
      }
      if (p >= n) break;
      if (c == 9 || c == 12) return GIVE_UP;
      const col = p - lineBegin;
      if (open > 0 || continuation) {
        // A column-0 line here may close brackets by force: the JavaScript skip tells.
        if (col == 0 && (classOf(c) == K_NAME || c == 64)) return GIVE_UP;
        continuation = false;
        continue;
      }
      if (c == 10 || c == 13 || c == 35) continue;
      if (col == 0) {
        if (first < 0) return GIVE_UP;
        p = lineBegin;
        break;
      }
      if (first < 0) {
        first = p;
        store<i32>(LEVELS, col);
        levels = 1;
        continue;
      }
      let top = load<i32>(LEVELS + ((<usize>(levels - 1)) << 2));
      if (col > top) {
        if (levels == MAX_LEVELS) return GIVE_UP;
        store<i32>(LEVELS + ((<usize>levels) << 2), col);
        levels++;
        continue;
      }
      while (col < top) {
        levels--;
        top = levels > 0 ? load<i32>(LEVELS + ((<usize>(levels - 1)) << 2)) : -1;
      }
      if (col != top) return GIVE_UP;
      continue;
    }
    if (p >= n) break;
    const c = unit(p);
    switch (classOf(c)) {
      case K_PLAIN:
        p++;
        break;
      case K_NAME: {
        const s = p;
        p++;
        let d = unit(p);
        while (isNameChar(d)) d = unit(++p);
        if (d >= 128) return GIVE_UP;
        if ((d == 34 || d == 39) && p - s <= 2) {
          const kind = prefixKind(s, p);
          if (kind == 2) return GIVE_UP;
          if (kind == 1) {
            p = skipString(p, n);
            if (p < 0) return GIVE_UP;
          }
        }
        break;
      }
      case K_NUMBER: {
        // As the tokenizer reads numbers: letters after digits belong to the number, never a prefix.
        p++;
        let d = unit(p);
        while (isNameChar(d) || d == 46) d = unit(++p);
        if (d >= 128) return GIVE_UP;
        break;
      }
      case K_QUOTE:
        p = skipString(p, n);
        if (p < 0) return GIVE_UP;
        break;
      case K_NEWLINE:
        p += c == 13 && unit(p + 1) == 10 ? 2 : 1;
        lineStart = true;
        break;
      case K_HASH: {
        const s = p;
        p++;
        let d = unit(p);
        while (p < n && d != 10 && d != 13) d = unit(++p);
        if (comments == MAX_COMMENTS) return GIVE_UP;
        store<i32>(COMMENTS + ((<usize>comments) << 3), s);
        store<i32>(COMMENTS + ((<usize>comments) << 3) + 4, p);
        comments++;
        break;
      }
      case K_OPEN:
        if (open == MAX_BRACKETS) return GIVE_UP;
        store<u16>(BRACKETS + ((<usize>open) << 1), <u16>c);
        open++;
        p++;
        break;
      case K_CLOSE: {
        const want = c == 41 ? 40 : c == 93 ? 91 : 123;
        if (open == 0 || <i32>load<u16>(BRACKETS + ((<usize>(open - 1)) << 1)) != want) return GIVE_UP;
        open--;
        p++;
        break;
      }
      case K_BANG:
        if (unit(p + 1) != 61) return GIVE_UP;
        p += 2;
        break;
      case K_BACKSLASH: {
        const d = unit(p + 1);
        if (d == 10) p += 2;
        else if (d == 13) p += unit(p + 2) == 10 ? 3 : 2;
        else return GIVE_UP;
        lineStart = true;
        continuation = true;
        break;
      }
      default:
        // Not ASCII, or nothing Python allows here.
        return GIVE_UP;
    }
  }
  if (open > 0 || first < 0) return GIVE_UP;
  store<i32>(RESULT, first);
  store<i32>(RESULT + 4, comments);
  return p;
}
