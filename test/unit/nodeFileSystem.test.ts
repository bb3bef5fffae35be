// The Node file system's batch read: the same texts as one readFile per path, whatever their size
// (the shared buffer grows), with undefined where a path cannot be read.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readAllFiles } from '../../server/src/core/project/fs';
import { nodeFileSystem } from '../../server/src/nodeFileSystem';

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
});
