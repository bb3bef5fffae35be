// Checks the tokenizer's body skip (header mode) against full tokenizing: outside the bodies it passed
// over, both token streams are the same token for token, and so are the comments and the problems.
// Both skips are checked: the WebAssembly scanner with the JavaScript skip behind it (what runs), and
// the JavaScript skip alone; and every answer of the scanner on its own against the full tokens.
import assert from 'node:assert/strict';
import { codeUnits, skipBodyFast } from '../../server/src/core/parse/codeUnits';
import { tokenize, TK_DEDENT, TK_INDENT, TK_NAME, TK_NEWLINE, TK_OP, type TokenStream } from '../../server/src/core/parse/tokenizer';

/** Index of the DEDENT closing the block opened by the INDENT at i. */
function blockEnd(ts: TokenStream, i: number): number {
  let depth = 0;
  for (let j = i; j < ts.count; j++) {
    if (ts.kind[j] === TK_INDENT) depth++;
    else if (ts.kind[j] === TK_DEDENT && --depth === 0) return j;
  }
  return ts.count - 1;
}

function atColumn0(text: string, offset: number): boolean {
  const before = text.charCodeAt(offset - 1);
  return offset === 0 || before === 10 || before === 13 || (offset === 1 && before === 0xfeff);
}

/** The INDENT index of each function body the skip may pass over: `def` at column 0 ... `:` NEWLINE INDENT. */
function skippableBodies(ts: TokenStream): Set<number> {
  const out = new Set<number>();
  const word = (i: number, w: string): boolean =>
    ts.kind[i] === TK_NAME && ts.text.slice(ts.start[i], ts.end[i]) === w;
  let lineFirst = 0;
  for (let i = 0; i < ts.count; i++) {
    const k = ts.kind[i];
    if (k === TK_INDENT || k === TK_DEDENT) { lineFirst = i + 1; continue; }
    if (k !== TK_NEWLINE) continue;
    const first = lineFirst;
    lineFirst = i + 1;
    const isDef = word(first, 'def') || (word(first, 'async') && word(first + 1, 'def'));
    if (!isDef || !atColumn0(ts.text, ts.start[first] ?? 0)) continue;
    if (ts.kind[i - 1] === TK_OP && ts.flags[i - 1] === 58 && ts.kind[i + 1] === TK_INDENT) out.add(i + 1);
  }
  return out;
}

const show = (ts: TokenStream, i: number): string =>
  `${ts.kind[i]}@${ts.start[i]}-${ts.end[i]}/${ts.flags[i]}`;

/**
 * Asserts that tokenizing with skipBodies gives what full tokenizing gives, except that some function
 * bodies are a bare INDENT + DEDENT, with and without the WebAssembly scanner; and that wherever the
 * scanner answers by itself, it finds the body's first line, its end and its comments as tokenizing
 * does, in a body with no problem. Returns how many bodies could be skipped (`bodies`), how many were
 * (`skipped`, the same in both modes) and how many the scanner answered (`fast`).
 */
export function checkSkippedTokens(text: string, what: string): { skipped: number; bodies: number; fast: number } {
  const full = tokenize(text);
  const bodies = skippableBodies(full);
  const skipped = compareSkipped(full, bodies, tokenize(text, undefined, { skipBodies: true }), what);
  const jsOnly = compareSkipped(full, bodies, tokenize(text, undefined, { skipBodies: true, fastSkip: false }), `${what} (JavaScript skip)`);
  assert.equal(skipped, jsOnly, `${what}: bodies skipped with the scanner and without`);
  codeUnits(text);
  let fast = 0;
  for (const i of bodies) {
    const p0 = full.end[i - 1] ?? 0;
    const comments: number[] = [];
    const result = { first: -1 };
    const end = skipBodyFast(p0, text.length, comments, result);
    if (end < 0) continue;
    fast++;
    const j = blockEnd(full, i);
    assert.equal(result.first, full.start[i], `${what}: the scanner's first line of the body at ${p0}`);
    assert.equal(end, full.start[j], `${what}: the scanner's end of the body at ${p0}`);
    const inside = (o: number | undefined): boolean => o !== undefined && o >= p0 && o < end;
    assert.deepEqual(comments, full.comments.filter((_, k) => inside(full.comments[k - (k % 2)])), `${what}: the scanner's comments in the body at ${p0}`);
    assert.deepEqual(full.problems.filter((p) => inside(p.start)), [], `${what}: the scanner passed over a body with problems at ${p0}`);
  }
  return { skipped, bodies: bodies.size, fast };
}

function compareSkipped(full: TokenStream, bodies: Set<number>, skip: TokenStream, what: string): number {
  let i = 0;
  let k = 0;
  let skipped = 0;
  while (i < full.count && k < skip.count) {
    if (bodies.has(i) && skip.kind[k] === TK_INDENT && skip.kind[k + 1] === TK_DEDENT) {
      const j = blockEnd(full, i);
      assert.equal(show(skip, k), show(full, i), `${what}: a skipped body's INDENT`);
      assert.equal(show(skip, k + 1), show(full, j), `${what}: a skipped body's DEDENT`);
      skipped++;
      i = j + 1;
      k += 2;
      continue;
    }
    assert.equal(show(skip, k), show(full, i), `${what}: token ${k} of the header tokens (${i} of the full ones)`);
    i++;
    k++;
  }
  assert.equal(i, full.count, `${what}: tokens left over in the full stream`);
  assert.equal(k, skip.count, `${what}: tokens left over in the header stream`);
  assert.deepEqual(skip.comments, full.comments, `${what}: comments`);
  assert.deepEqual(skip.problems, full.problems, `${what}: problems`);
  return skipped;
}

/** A token stream as plain data, to compare two of them. */
function streamData(ts: TokenStream): unknown {
  const n = ts.count;
  return {
    kind: Array.from(ts.kind.subarray(0, n)), start: Array.from(ts.start.subarray(0, n)), end: Array.from(ts.end.subarray(0, n)),
    flags: Array.from(ts.flags.subarray(0, n)), match: Array.from(ts.match.subarray(0, n)), comments: ts.comments, problems: ts.problems,
  };
}

/**
 * Asserts that tokenizing `text` does not depend on what an earlier, longer text left in the shared
 * code-unit buffer past this one's three zeros: each scan must stop at the text's end.
 */
export function checkIndependentOfEarlierText(text: string, what: string): void {
  const results = ['"""\n(\\\'#[{', 'x = 1\n    ', ' '].map((garbage) => {
    tokenize(garbage.repeat(Math.ceil((text.length + 64) / garbage.length)));
    return [streamData(tokenize(text)), streamData(tokenize(text, undefined, { skipBodies: true }))];
  });
  assert.deepEqual(results[1], results[0], `${what}: tokens after another text`);
  assert.deepEqual(results[2], results[0], `${what}: tokens after another text`);
}

