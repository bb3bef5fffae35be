// The Node file system's batch read: the same texts as one readFile per path, whatever their size
// (the shared buffer grows), with the reason where a path cannot be read; and what it refuses to read.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { readAllFiles } from '../../server/src/core/project/fs';
import { nodeFileSystem } from '../../server/src/fs/nodeFileSystem';
import { MAX_SOURCE_BYTES } from '../../server/src/fs/readFiles';

describe('nodeFileSystem.readFiles', () => {
  let dir = '';
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-readfiles-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads small, empty, large and multi-byte files in order, with a reason for what is not a readable file', async () => {
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
    assert.deepEqual(texts, [
      { text: 'revision = "a"\n' }, { text: '' }, { text: large }, {}, { problem: 'is a folder' }, { text: '\ufeffrevision = "b"\r\n' },
    ]);
    const one = await Promise.all(paths.map((p) => nodeFileSystem.readFile(p)));
    assert.deepEqual(texts.map((t) => t.text), one, 'the same as reading one file at a time');
    assert.deepEqual(
      await readAllFiles({ ...nodeFileSystem, readFiles: undefined }, paths),
      one.map((text) => (text === undefined ? { problem: 'cannot be read' } : { text })),
      'readAllFiles without a batch read',
    );
  });

  it('gives each file its own text across batches of ASCII and other files, whatever fails between them', async () => {
    // Files are decoded a batch (about 900 KB) at a time, ASCII ones together: 3,000 files of 1 to 2 KB
    // make several batches, with non-ASCII, empty, unreadable and invalid UTF-8 files among them.
    const sub = fs.mkdtempSync(path.join(dir, 'many-'));
    const paths: string[] = [];
    const expected: { text?: string; problem?: RegExp }[] = [];
    for (let i = 0; i < 3000; i++) {
      const p = path.join(sub, `${String(i).padStart(4, '0')}_m.py`);
      paths.push(p);
      if (i % 997 === 5) {
        expected.push({});
        continue;
      }
      let text = `revision = "${i}"\n${'x'.repeat(1000 + (i * 37) % 1000)}\n`;
      if (i % 113 === 0) text = `# café ${i}\n${text}`;
      if (i % 500 === 7) text = '';
      if (i % 701 === 3) {
        // A lone continuation byte: decoded to U+FFFD, as readFileSync does, and reported.
        fs.writeFileSync(p, Buffer.concat([Buffer.from(text), Buffer.from([0x80])]));
        expected.push({ text: `${text}\ufffd`, problem: /^is not valid UTF-8 \(line \d: byte 0x80\) and declares no other encoding: Python refuses to import it/ });
        continue;
      }
      fs.writeFileSync(p, text);
      expected.push({ text });
    }
    const texts = await nodeFileSystem.readFiles?.(paths);
    assert.ok(texts);
    assert.equal(texts.length, expected.length);
    texts.forEach((t, i) => {
      const { text, problem } = expected[i] ?? {};
      assert.equal(t.text, text, `file ${i}`);
      if (problem) assert.match(t.problem ?? '', problem, `file ${i}`);
      else assert.equal(t.problem, undefined, `file ${i}`);
    });
    assert.ok(expected.filter((t) => t.text?.includes('é')).length > 20, 'non-ASCII files in several batches');
  });

  it('decodes as Python does: a PEP 263 coding comment, else UTF-8, and says where UTF-8 breaks', async () => {
    const write = (name: string, bytes: Buffer): string => {
      const p = path.join(dir, name);
      fs.writeFileSync(p, bytes);
      return p;
    };
    const latin1 = Buffer.from('# -*- coding: latin-1 -*-\nrevision = "caf\xe9"\n', 'latin1');
    const secondLine = Buffer.concat([Buffer.from('#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\nx = "'), Buffer.from([0x80]), Buffer.from('"\n')]);
    const notSecond = Buffer.concat([Buffer.from('x = 1\n# coding: latin-1\ny = "'), Buffer.from([0xe9]), Buffer.from('"\n')]);
    const texts = await nodeFileSystem.readFiles?.([
      write('latin1.py', latin1), write('cp1252.py', secondLine), write('not-second.py', notSecond),
      write('unknown.py', Buffer.from('# coding: klingon\nx = "\u00e9"\n')),
      write('overlong.py', Buffer.from([0x61, 0x0a, 0x0a, 0xc0, 0xaf])),
    ]);
    assert.deepEqual(texts, [
      { text: '# -*- coding: latin-1 -*-\nrevision = "café"\n' },
      { text: '#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\nx = "€"\n' },
      {
        text: 'x = 1\n# coding: latin-1\ny = "\ufffd"\n',
        problem: 'is not valid UTF-8 (line 3: byte 0xe9) and declares no other encoding: Python refuses to import it (SyntaxError), and so Alembic fails',
      },
      { text: '# coding: klingon\nx = "é"\n', problem: "declares the encoding 'klingon', which alembic-lint cannot decode: read as UTF-8" },
      {
        text: 'a\n\n\ufffd\ufffd',
        problem: 'is not valid UTF-8 (line 3: byte 0xc0) and declares no other encoding: Python refuses to import it (SyntaxError), and so Alembic fails',
      },
    ]);
  });

  it('refuses pipes, devices, and files larger than the limit, and names links to nothing', async () => {
    const fifo = path.join(dir, 'pipe.py');
    execFileSync('mkfifo', [fifo]);
    const device = path.join(dir, 'zero.py');
    fs.symlinkSync('/dev/zero', device);
    const dangling = path.join(dir, 'dangling.py');
    fs.symlinkSync('gone.py', dangling);
    const huge = path.join(dir, 'huge.py');
    fs.writeFileSync(huge, Buffer.alloc(MAX_SOURCE_BYTES + 1, 0x20));
    const small = path.join(dir, 'small.py');
    fs.writeFileSync(small, 'revision = "s"\n');
    const started = performance.now();
    const texts = await nodeFileSystem.readFiles?.([fifo, device, dangling, huge, small]);
    const one = await Promise.all([fifo, device, huge].map((p) => nodeFileSystem.readFile(p)));
    assert.ok(performance.now() - started < 500, 'nothing waits for a writer or reads without end');
    assert.deepEqual(texts, [
      { problem: 'is not a regular file (a pipe, socket or device): not read' },
      { problem: 'is not a regular file (a pipe, socket or device): not read' },
      { problem: 'is a symbolic link to gone.py, which does not exist' },
      { problem: 'is 10 MB; alembic-lint reads files of up to 10 MB: not checked' },
      { text: 'revision = "s"\n' },
    ]);
    assert.deepEqual(one, [undefined, undefined, undefined], 'readFile refuses them too (configuration files, env.py)');
  });

  it('marks links in folder listings, with the kind of what they point to', async () => {
    const sub = fs.mkdtempSync(path.join(dir, 'links-'));
    fs.writeFileSync(path.join(sub, 'a.py'), '');
    fs.symlinkSync('a.py', path.join(sub, 'b.py'));
    fs.symlinkSync('.', path.join(sub, 'loop'));
    fs.symlinkSync('nothing', path.join(sub, 'dangling.py'));
    const entries = (await nodeFileSystem.readDirectory(sub))?.sort((x, y) => (x.name < y.name ? -1 : 1));
    assert.deepEqual(entries, [
      { name: 'a.py', kind: 'file' },
      { name: 'b.py', kind: 'file', symbolicLink: true },
      { name: 'dangling.py', kind: 'other', symbolicLink: true },
      { name: 'loop', kind: 'directory', symbolicLink: true },
    ]);
  });
});
