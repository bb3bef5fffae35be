// Checks the tokenizer's body skip (header mode) against full tokenizing: outside the bodies it passed
// over, both token streams are the same token for token, and so are the comments and the problems.
import assert from 'node:assert/strict';
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
 * bodies are a bare INDENT + DEDENT. Returns how many bodies were skipped and how many could have been.
 */
export function checkSkippedTokens(text: string, what: string): { skipped: number; bodies: number } {
  const full = tokenize(text);
  const skip = tokenize(text, undefined, { skipBodies: true });
  const bodies = skippableBodies(full);
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
  return { skipped, bodies: bodies.size };
}
