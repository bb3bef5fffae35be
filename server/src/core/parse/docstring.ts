// The Alembic header in a migration's module docstring:
//
//     """add users table
//
//     Revision ID: 1975ea83b712
//     Revises: 3f2a..., 9c1b...
//     Create Date: 2024-05-01 10:00:00.000000
//     """
//
// Users edit these freely, so every field is optional. Ids keep their ranges for go-to-definition.
// The header is read from the raw source between the quotes so that ranges are exact.
import type { DocstringHeader, StringAt } from '../types';
import * as lists from './lists';
import * as strings from './strings';
import * as tok from './tokenizer';
import type { Tokens } from './tokens';

// Local copies of the token constants and imported functions: in CommonJS transpiled file by file
// (tests, benchmarks) every use of an import is a getter call, which cost a third of the parse time in
// these loops.
const SF_RAW = tok.SF_RAW, stringBodyStart = tok.stringBodyStart, stringBodyEnd = tok.stringBodyEnd;
const exact = lists.exact, decodeStringBody = strings.decodeStringBody;

const REVISION_ID = 'Revision ID:';
const REVISES = 'Revises:';
const CREATE_DATE = 'Create Date:';

/** Reads the header from the string tokens [a, b) that form the module docstring. */
export function readDocstringHeader(tk: Tokens, a: number, b: number): DocstringHeader {
  const header: DocstringHeader = { range: tk.range(a, b - 1) };
  // The code units, not charCodeAt: on a slice of a larger string each call unwraps it again.
  const u = tk.units;
  for (let i = a; i < b; i++) {
    const s = stringBodyStart(tk.ts, i);
    const e = stringBodyEnd(tk.ts, i);
    const raw = ((tk.flags[i] ?? 0) & SF_RAW) !== 0;
    let p = s;
    while (p <= e) {
      let le = p;
      for (let c = u[le] ?? 0; le < e && c !== 10 && c !== 13; c = u[++le] ?? 0);
      readLine(tk, header, trimStart(u, p, le), trimEnd(u, p, le), raw);
      if (le >= e) break;
      p = le + (u[le] === 13 && u[le + 1] === 10 ? 2 : 1);
    }
  }
  return header;
}

function readLine(tk: Tokens, header: DocstringHeader, s: number, e: number, raw: boolean): void {
  if (s >= e) return;
  const t = tk.text;
  const u = tk.units;
  // The first letter picks the one field the line may start with (no startsWith for the message lines).
  const c = u[s];
  if (c === 82 /* R */ && t.startsWith(REVISION_ID, s)) {
    if (header.revisionId) return;
    const vs = trimStart(u, s + REVISION_ID.length, e);
    if (vs < e) header.revisionId = { value: t.slice(vs, e), range: tk.lines.range(vs, e) };
    return;
  }
  if (c === 82 /* R */ && t.startsWith(REVISES, s)) {
    if (header.revises) return;
    header.revises = splitIds(tk, trimStart(u, s + REVISES.length, e), e);
    return;
  }
  if (c === 67 /* C */ && t.startsWith(CREATE_DATE, s)) {
    if (header.createDate === undefined) header.createDate = t.slice(trimStart(u, s + CREATE_DATE.length, e), e);
    return;
  }
  if (header.message === undefined && !header.revisionId && !header.revises && header.createDate === undefined) {
    header.message = (hasEscapeOrCr(u, s, e) ? decodeStringBody(t, s, e, raw) : undefined) ?? t.slice(s, e);
  }
}

/** Whether [s, e) holds a backslash or a CR (else its decoded value is its text). */
function hasEscapeOrCr(u: Uint16Array, s: number, e: number): boolean {
  for (let p = s; p < e; p++) {
    const c = u[p];
    if (c === 92 || c === 13) return true;
  }
  return false;
}

function splitIds(tk: Tokens, s: number, e: number): StringAt[] {
  const t = tk.text;
  const u = tk.units;
  const ids: StringAt[] = [];
  let p = s;
  while (p < e) {
    let q = p;
    while (q < e && u[q] !== 44) q++;
    const is = trimStart(u, p, q);
    const ie = trimEnd(u, is, q);
    if (ie > is) ids.push({ value: t.slice(is, ie), range: tk.lines.range(is, ie) });
    p = q + 1;
  }
  return exact(ids);
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 12;
}

function trimStart(u: Uint16Array, s: number, e: number): number {
  while (s < e && isBlank(u[s] ?? 0)) s++;
  return s;
}

function trimEnd(u: Uint16Array, s: number, e: number): number {
  while (e > s && isBlank(u[e - 1] ?? 0)) e--;
  return e;
}
