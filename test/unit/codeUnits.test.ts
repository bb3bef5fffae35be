// The body skip reads a file's UTF-16 units from a shared typed array: they must be the string's own
// units (lone surrogates included), followed by zeros, whatever an earlier, longer text left there.
import assert from 'node:assert/strict';
import { codeUnits } from '../../server/src/core/parse/codeUnits';

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
});
