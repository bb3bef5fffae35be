// The value of a Python `str` literal, as Python computes it. Anything we cannot evaluate exactly
// (bytes, f-strings, `\N{...}` names, malformed escapes) yields undefined: callers report it rather
// than guess.
import * as tok from './tokenizer';
import type { TokenStream } from './tokenizer';

// Local copies of the token constants: in CommonJS transpiled file by file (tests, benchmarks) an
// imported constant is a getter call, which cost a third of the parse time in these loops.
const SF_BYTES = tok.SF_BYTES, SF_FORMAT = tok.SF_FORMAT, SF_RAW = tok.SF_RAW, TK_STRING = tok.TK_STRING;
const stringBodyStart = tok.stringBodyStart, stringBodyEnd = tok.stringBodyEnd;

/** The value of one STRING token, or undefined when it is not a plain `str` literal we can evaluate. */
export function stringTokenValue(ts: TokenStream, i: number): string | undefined {
  const f = ts.flags[i] ?? 0;
  if (f & (SF_BYTES | SF_FORMAT)) return undefined;
  const s = stringBodyStart(ts, i);
  const e = stringBodyEnd(ts, i);
  // Most strings hold no escape and no CR: their value is their text, found on the code units
  // (cheaper than decodeStringBody's charCodeAt on a slice of a larger string).
  const u = ts.units;
  let p = s;
  while (p < e) {
    const c = u[p] ?? 0;
    if (c === 92 || c === 13) return decodeStringBody(ts.text, s, e, (f & SF_RAW) !== 0);
    p++;
  }
  return ts.text.slice(s, e);
}

/** The value of adjacent STRING tokens [a, b) (implicit concatenation), or undefined. */
export function concatenatedValue(ts: TokenStream, a: number, b: number): string | undefined {
  if (b - a === 1) return stringTokenValue(ts, a);
  let out = '';
  for (let i = a; i < b; i++) {
    if (ts.kind[i] !== TK_STRING) return undefined;
    const v = stringTokenValue(ts, i);
    if (v === undefined) return undefined;
    out += v;
  }
  return out;
}

/** Decodes text[s, e) as the inside of a str literal. Line breaks become \n, as Python reads source. */
export function decodeStringBody(text: string, s: number, e: number, raw: boolean): string | undefined {
  let fast = true;
  for (let p = s; p < e; p++) {
    const c = text.charCodeAt(p);
    if (c === 92 || c === 13) { fast = false; break; }
  }
  if (fast) return text.slice(s, e);
  let out = '';
  let run = s;
  let p = s;
  while (p < e) {
    const c = text.charCodeAt(p);
    if (c === 13) {
      out += text.slice(run, p) + '\n';
      p += text.charCodeAt(p + 1) === 10 && p + 1 < e ? 2 : 1;
      run = p;
      continue;
    }
    if (c !== 92) { p++; continue; }
    if (raw) {
      // A raw string keeps the backslash, and the escaped character is never the end of the string.
      const d = text.charCodeAt(p + 1);
      p += p + 1 < e && d !== 13 ? 2 : 1;
      continue;
    }
    out += text.slice(run, p);
    if (p + 1 >= e) return undefined;
    const d = text.charCodeAt(p + 1);
    p += 2;
    switch (d) {
      case 10: break; // line continuation
      case 13: if (text.charCodeAt(p) === 10 && p < e) p++; break;
      case 92: out += '\\'; break;
      case 39: out += "'"; break;
      case 34: out += '"'; break;
      case 97: out += '\x07'; break;
      case 98: out += '\b'; break;
      case 102: out += '\f'; break;
      case 110: out += '\n'; break;
      case 114: out += '\r'; break;
      case 116: out += '\t'; break;
      case 118: out += '\v'; break;
      case 120: case 117: case 85: { // \xhh \uhhhh \Uhhhhhhhh
        const len = d === 120 ? 2 : d === 117 ? 4 : 8;
        if (p + len > e) return undefined;
        let v = 0;
        for (let k = 0; k < len; k++) {
          const h = hexValue(text.charCodeAt(p + k));
          if (h < 0) return undefined;
          v = v * 16 + h;
        }
        if (v > 0x10ffff) return undefined;
        out += String.fromCodePoint(v);
        p += len;
        break;
      }
      case 78: return undefined; // \N{NAME}: needs the Unicode name table
      default:
        if (d >= 48 && d <= 55) {
          let v = d - 48;
          for (let k = 0; k < 2 && p < e; k++) {
            const o = text.charCodeAt(p);
            if (o < 48 || o > 55) break;
            v = v * 8 + (o - 48);
            p++;
          }
          out += String.fromCharCode(v);
        } else {
          // Unknown escapes keep their backslash (Python warns, but keeps it).
          out += '\\' + text.slice(p - 1, p);
        }
    }
    run = p;
  }
  return out + text.slice(run, e);
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}
