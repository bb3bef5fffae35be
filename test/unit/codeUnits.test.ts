// The tokenizer reads a file's UTF-16 units from a shared typed array: they must be the string's own
// units (lone surrogates included), followed by zeros, whatever an earlier, longer text left there.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseMigrationHeader } from '../../server/src/core/parse';
import { codeUnits, hasFastSkip } from '../../server/src/core/parse/codeUnits';

function unitsOf(text: string): number[] {
  return Array.from({ length: text.length }, (_, i) => text.charCodeAt(i));
}

describe('codeUnits', () => {
  it('gives every UTF-16 unit of the text, then three zeros, after a longer text', () => {
    codeUnits('x'.repeat(500));
    const text = 'a = "é"  # 😀\ud800\r\n';
    const units = codeUnits(text);
    assert.deepEqual(Array.from(units.subarray(0, text.length)), unitsOf(text));
    assert.deepEqual(Array.from(units.subarray(text.length, text.length + 3)), [0, 0, 0]);
  });

  it('grows for a text longer than its buffer', () => {
    const text = `${'é€'.repeat(40_000)}\n`;
    const units = codeUnits(text);
    assert.ok(units.length >= text.length + 3);
    assert.equal(units[79_999], text.charCodeAt(79_999));
    assert.equal(units[text.length - 1], 10);
    assert.equal(units[text.length], 0);
  });

  it('parses the same without the WebAssembly scanner, where WebAssembly is unavailable (node --jitless)', () => {
    const text = 'revision = "a"\ndown_revision = ("b", "c")\n\ndef upgrade():\n    op.execute("x")  # one\n\ndef downgrade():\n    pass  # two\n';
    const parse = path.join(__dirname, '..', '..', 'server', 'src', 'core', 'parse');
    const script = `const c = require(${JSON.stringify(path.join(parse, 'codeUnits.js'))});
      const p = require(${JSON.stringify(path.join(parse, 'index.js'))});
      console.log(JSON.stringify({ fast: c.hasFastSkip, header: p.parseMigrationHeader(${JSON.stringify(text)}) }));`;
    const r = spawnSync(process.execPath, ['--jitless', '-e', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { fast: boolean; header: unknown };
    assert.equal(out.fast, false, 'the scanner is off under --jitless');
    assert.ok(hasFastSkip, 'and on here');
    assert.deepEqual(out.header, JSON.parse(JSON.stringify(parseMigrationHeader(text))));
  });
});
