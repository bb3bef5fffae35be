// parseMigration on thousands of damaged migrations: truncations, character edits and byte edits of
// every .py under test/fixtures. It must never throw, never take long, and never report a range
// outside the document. parseMigrationHeader must read the same module-level facts from every one of
// them (the revision graph is built from it).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseMigration, parseMigrationHeader } from '../../server/src/core/parse';
import { hasFastSkip } from '../../server/src/core/parse/codeUnits';
import type { Migration } from '../../server/src/core/types';
import { fixturesDir, pythonFilesUnder } from '../support/paths';
import { seededRandom } from '../support/random';
import { checkIndependentOfEarlierText, checkSkippedTokens } from '../support/skipBodies';

const rng = seededRandom;

/** Line lengths of the document as an LSP client sees it (\n, \r\n and \r end lines). */
function lineLengths(text: string): number[] {
  const lengths: number[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) {
      lengths.push(i - start);
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
    }
  }
  lengths.push(text.length - start);
  return lengths;
}

interface Pos { line: number; character: number }

function isPos(v: unknown): v is Pos {
  return typeof v === 'object' && v !== null && typeof (v as Pos).line === 'number' && typeof (v as Pos).character === 'number';
}

/** Every {start, end} in the result, wherever it sits, must lie inside the document. */
function checkRanges(m: Migration, text: string, what: string): number {
  const lengths = lineLengths(text);
  let count = 0;
  const inside = (p: Pos, where: string): void => {
    assert.ok(Number.isInteger(p.line) && Number.isInteger(p.character), `${what}: ${where} not integers`);
    assert.ok(p.line >= 0 && p.line < lengths.length, `${what}: ${where} line ${p.line} outside 0..${lengths.length - 1}`);
    assert.ok(p.character >= 0 && p.character <= (lengths[p.line] ?? 0), `${what}: ${where} column ${p.character} past line ${p.line} (length ${lengths[p.line]})`);
  };
  const walk = (v: unknown, where: string): void => {
    if (Array.isArray(v)) { v.forEach((x, i) => walk(x, `${where}[${i}]`)); return; }
    if (typeof v !== 'object' || v === null) return;
    const o = v as Record<string, unknown>;
    if (isPos(o.start) && isPos(o.end)) {
      inside(o.start, `${where}.start`);
      inside(o.end, `${where}.end`);
      const ordered = o.start.line < o.end.line || (o.start.line === o.end.line && o.start.character <= o.end.character);
      assert.ok(ordered, `${what}: ${where} ends before it starts`);
      count++;
      return;
    }
    for (const [k, x] of Object.entries(o)) walk(x, `${where}.${k}`);
  };
  walk(m, 'migration');
  return count;
}

/** What parseMigrationHeader promises to read exactly as parseMigration does. */
function headerFacts(m: Migration): Partial<Migration> {
  const { revision, downRevision, branchLabels, dependsOn, docstring, comments, lineCount, syntaxProblems } = m;
  return { revision, downRevision, branchLabels, dependsOn, docstring, comments, lineCount, syntaxProblems };
}

const PALETTE = ['"', "'", '"""', "'''", '(', ')', '[', ']', '{', '}', ':', '#', '\\', '\n', '\r\n', '\r', '\t', ' ', '    ', 'f"{',
  '}', 'def ', 'class ', '@', 'rb', '=', ',', ';', '\ufeff', '😀', '\ud800', 'é', 'revision = ', 'with ', ' as ', '.', '*', '\0'];

describe('parseMigration fuzz', function () {
  this.timeout(60_000);

  const files = pythonFilesUnder(fixturesDir);
  const sources = files.map((f) => fs.readFileSync(f, 'utf8'));
  const MAX_MS_PER_PARSE = 1000;
  // The fixture folder grows with the project: spread a fixed number of parses over its files so
  // the suite stays within its time budget (about 40,000 parses, 4 to 8 s on two loaded cores).
  const perFile = (total: number, most: number): number => Math.max(10, Math.min(most, Math.floor(total / Math.max(1, files.length))));
  const cuts = perFile(20_000, 300);
  const charRounds = perFile(14_000, 150);
  const byteRounds = perFile(6_000, 60);

  let parses = 0;
  let headers = 0;
  let bodies = 0;
  let skippedBodies = 0;
  let fastBodies = 0;
  let independent = 0;
  let ranges = 0;
  let slowest = 0;

  function check(text: string, what: string): void {
    const t0 = performance.now();
    const m = parseMigration(text);
    const ms = performance.now() - t0;
    parses++;
    slowest = Math.max(slowest, ms);
    assert.ok(ms < MAX_MS_PER_PARSE, `${what}: took ${ms.toFixed(0)} ms`);
    for (const p of m.syntaxProblems) assert.ok(!p.message.startsWith('internal parser error'), `${what}: ${p.message}`);
    ranges += checkRanges(m, text, what);
    assert.deepEqual(headerFacts(parseMigrationHeader(text)), headerFacts(m), `${what}: the header parse reads other module-level facts`);
    headers++;
    const s = checkSkippedTokens(text, what);
    skippedBodies += s.skipped;
    fastBodies += s.fast;
    bodies += s.bodies;
    // Every text is tokenized after texts that fill the shared buffer differently now and then.
    if (parses % 16 === 0) {
      checkIndependentOfEarlierText(text, what);
      independent++;
    }
  }

  after(() => {
    console.log(`      ${parses} parses of ${files.length} fixture files, ${ranges} ranges checked, slowest parse ${slowest.toFixed(1)} ms, ${headers} header parses agreed, ${skippedBodies} of ${bodies} function bodies skipped by the header tokenizer (${fastBodies} by its WebAssembly scanner), ${independent} texts tokenized alike after three different longer ones`);
  });

  it('walks at least the parser fixtures', () => {
    assert.ok(files.filter((f) => f.includes(`${path.sep}parser${path.sep}`)).length >= 10, files.join('\n'));
  });

  it('skips the function bodies of the fixtures as written when reading headers, with the same tokens around them', () => {
    let skipped = 0;
    let fast = 0;
    let all = 0;
    const notSkipped: string[] = [];
    sources.forEach((text, i) => {
      const file = files[i] ?? '';
      const s = checkSkippedTokens(text, file);
      skipped += s.skipped;
      fast += s.fast;
      all += s.bodies;
      if (s.skipped < s.bodies) notSkipped.push(path.basename(file));
    });
    console.log(`      ${skipped} of ${all} fixture bodies skipped, ${fast} of them by the WebAssembly scanner`);
    // Only bodies holding what the tokenizer reports or recovers from are left to it.
    assert.ok(all > 500, `${all} bodies`);
    assert.ok(notSkipped.every((f) => f.startsWith('broken_')), `bodies not skipped in ${notSkipped.join(', ')} (${skipped} of ${all} skipped)`);
    // The scanner is built in and answers for ordinary bodies (the rest falls to the JavaScript skip).
    assert.ok(hasFastSkip, 'the WebAssembly body scanner is not in this build (esbuild.mjs embeds it)');
    assert.ok(fast >= 0.9 * skipped, `the scanner answered for ${fast} of ${skipped} skipped bodies`);
  });

  it('survives every truncation point of every fixture (sampled on long files)', () => {
    for (const [k, text] of sources.entries()) {
      const step = Math.max(1, Math.floor(text.length / cuts));
      for (let n = 0; n <= text.length; n += step) check(text.slice(0, n), `${files[k]} cut at ${n}`);
    }
  });

  it('survives random character edits', () => {
    const r = rng(20240611);
    for (const [k, text] of sources.entries()) {
      for (let round = 0; round < charRounds; round++) {
        let t = text;
        const edits = 1 + Math.floor(r() * 4);
        for (let e = 0; e < edits; e++) {
          const at = Math.floor(r() * (t.length + 1));
          const op = r();
          if (op < 0.35) t = t.slice(0, at) + (PALETTE[Math.floor(r() * PALETTE.length)] ?? '') + t.slice(at);
          else if (op < 0.7) t = t.slice(0, at) + t.slice(at + 1 + Math.floor(r() * 40));
          else if (op < 0.85) t = t.slice(0, at) + String.fromCharCode(Math.floor(r() * 0x3000)) + t.slice(at + 1);
          else {
            // Move a chunk: lines end up in another block.
            const len = Math.floor(r() * 200);
            const chunk = t.slice(at, at + len);
            const to = Math.floor(r() * (t.length - chunk.length + 1));
            const rest = t.slice(0, at) + t.slice(at + len);
            t = rest.slice(0, to) + chunk + rest.slice(to);
          }
        }
        check(t, `${files[k]} char edit round ${round}`);
      }
    }
  });

  it('survives random byte edits (invalid UTF-8 included)', () => {
    const r = rng(7);
    for (const [k, text] of sources.entries()) {
      const bytes = Buffer.from(text, 'utf8');
      for (let round = 0; round < byteRounds; round++) {
        const b = Buffer.from(bytes);
        const edits = 1 + Math.floor(r() * 8);
        for (let e = 0; e < edits && b.length > 0; e++) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
        check(b.toString('utf8'), `${files[k]} byte edit round ${round}`);
      }
    }
  });

  it('stays fast and bounded on pathological nesting', () => {
    const deep = 20_000;
    const cases: [string, string][] = [
      ['nested calls', `def upgrade():\n    op.f(${'g('.repeat(deep)}${')'.repeat(deep)})\n`],
      ['nested parens', `revision = ${'('.repeat(deep)}"a"${')'.repeat(deep)}\n`],
      ['nested lists', `def upgrade():\n    op.f(${'['.repeat(deep)}${']'.repeat(deep)})\n`],
      ['unclosed brackets', `def upgrade():\n    op.f(${'('.repeat(deep)}\ndef downgrade():\n    pass\n`],
      ['nested f-strings', `x = ${'f"{'.repeat(deep)}`],
      ['many blocks', `def upgrade():\n${Array.from({ length: 2000 }, (_, i) => `${'    '.repeat(1 + (i % 50))}if x:\n`).join('')}${'    '.repeat(51)}pass\n`],
      ['long line', `revision = "${'a'.repeat(200_000)}"\n`],
    ];
    for (const [what, text] of cases) check(text, what);
    assert.equal(parseMigration(cases[1]![1]).revision?.value.kind, 'string');
  });
});
