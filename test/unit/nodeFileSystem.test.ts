// The Node file system's batch read: the same texts as one readFile per path, whatever their size
// (the shared buffer grows), with undefined where a path cannot be read.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readAllFiles } from '../../server/src/core/project/fs';
import { nodeFileSystem } from '../../server/src/fs/nodeFileSystem';

describe('nodeFileSystem.readFiles', () => {
  let dir = '';
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-readfiles-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads small, empty, large and multi-byte files in order, undefined for what is not a readable file', async () => {
    const write = (name: string, text: string): string => {
      const p = path.join(dir, name);
      fs.writeFileSync(p, text);
      return p;
    };
    // 600 KB of three-byte characters: the buffer grows twice, with characters across each boundary.
    const large = `revision = "big"\n${'é€'.repeat(120_000)}\n`;
    const paths = [
      write('a.py', 'revision = "a"\n'),
      write('empty.py', ''),
      write('large.py', large),
      path.join(dir, 'missing.py'),
      dir,
      write('b.py', '\ufeffrevision = "b"\r\n'),
    ];
    const texts = await nodeFileSystem.readFiles?.(paths);
    assert.ok(texts);
    assert.deepEqual(texts, ['revision = "a"\n', '', large, undefined, undefined, '\ufeffrevision = "b"\r\n']);
    const one = await Promise.all(paths.map((p) => nodeFileSystem.readFile(p)));
    assert.deepEqual(texts, one, 'the same as reading one file at a time');
    assert.deepEqual(await readAllFiles({ ...nodeFileSystem, readFiles: undefined }, paths), one, 'readAllFiles without a batch read');
  });

  it('gives each file its own text across batches of ASCII and other files, whatever fails between them', async () => {
    // Files are decoded a batch (about 900 KB) at a time, ASCII ones together: 3,000 files of 1 to 2 KB
    // make several batches, with non-ASCII, empty, unreadable and invalid UTF-8 files among them.
    const sub = fs.mkdtempSync(path.join(dir, 'many-'));
    const paths: string[] = [];
    const expected: (string | undefined)[] = [];
    for (let i = 0; i < 3000; i++) {
      const p = path.join(sub, `${String(i).padStart(4, '0')}_m.py`);
      paths.push(p);
      if (i % 997 === 5) {
        expected.push(undefined);
        continue;
      }
      let text = `revision = "${i}"\n${'x'.repeat(1000 + (i * 37) % 1000)}\n`;
      if (i % 113 === 0) text = `# café ${i}\n${text}`;
      if (i % 500 === 7) text = '';
      if (i % 701 === 3) {
        // A lone continuation byte: decoded to U+FFFD, as readFileSync does.
        fs.writeFileSync(p, Buffer.concat([Buffer.from(text), Buffer.from([0x80])]));
        expected.push(`${text}\ufffd`);
        continue;
      }
      fs.writeFileSync(p, text);
      expected.push(text);
    }
    const texts = await nodeFileSystem.readFiles?.(paths);
    assert.ok(texts);
    assert.equal(texts.length, expected.length);
    texts.forEach((t, i) => assert.equal(t, expected[i], `file ${i}`));
    assert.ok(expected.filter((t) => t?.includes('é')).length > 20, 'non-ASCII files in several batches');
  });
});
