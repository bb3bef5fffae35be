// A project on a real disk that a hostile (or just unusual) workspace can hold: links to folders and
// files, link loops, and migration files Alembic cannot load. Built in a temporary folder per test.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { discoverProjects, loadConfigFile, scanVersionLocations } from '../../server/src/core/project';
import { ProjectModel } from '../../server/src/core/project/model';
import { nodeFileSystem } from '../../server/src/fs/nodeFileSystem';
import { MAX_SOURCE_BYTES } from '../../server/src/fs/readFiles';
import { migrationText } from './graphSupport';
import { wireOf } from '../../server/src/lsp/wire';

const migration = (revision: string, down: string | null): string => migrationText(revision, down);
/** The line a comment appended to `migration(...)` lands on. */
const lineAfter = (text: string): number => text.split('\n').length;

/** A project folder: alembic.ini (recursive locations unless told), env.py, and the given files under versions/. */
function makeProject(files: Record<string, string | Buffer>, opts: { recursive?: boolean } = {}): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-links-')));
  fs.writeFileSync(path.join(root, 'alembic.ini'),
    `[alembic]\nscript_location = %(here)s/migrations\nrecursive_version_locations = ${opts.recursive === false ? 'false' : 'true'}\n`);
  fs.mkdirSync(path.join(root, 'migrations', 'versions'), { recursive: true });
  fs.writeFileSync(path.join(root, 'migrations', 'env.py'), '');
  for (const [name, content] of Object.entries(files)) {
    const p = path.join(root, 'migrations', 'versions', name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
  }
  return root;
}

describe('project on disk: links', () => {
  const roots: string[] = [];
  after(() => { for (const r of roots) fs.rmSync(r, { recursive: true, force: true }); });

  it('does not descend into linked folders, as os.walk does not, and lists a linked file once', async () => {
    const root = makeProject({ 'a.py': migration('a1', null), 'sub/b.py': migration('b1', 'a1') });
    roots.push(root);
    const versions = path.join(root, 'migrations', 'versions');
    fs.symlinkSync('.', path.join(versions, 'loop'));
    fs.symlinkSync('..', path.join(versions, 'sub', 'up'));
    fs.symlinkSync('a.py', path.join(versions, 'c.py'));
    const started = performance.now();
    const listing = await scanVersionLocations(nodeFileSystem, [versions], true);
    assert.ok(performance.now() - started < 500);
    assert.deepEqual(listing.files, [path.join(versions, 'a.py'), path.join(versions, 'sub', 'b.py')],
      'c.py is a.py again (Alembic: "loaded twice! ignoring"); loop/ and sub/up/ are not walked');
    assert.deepEqual(listing.folderLinks, [path.join(versions, 'loop'), path.join(versions, 'sub', 'up')]);

    const config = await loadConfigFile(nodeFileSystem, path.join(root, 'alembic.ini'));
    assert.ok(config);
    const model = await ProjectModel.load(nodeFileSystem, config);
    assert.deepEqual(model.paths(), listing.files);
    assert.deepEqual(model.findings().filter((f) => f.rule === 'duplicate-revision'), []);
    assert.equal(model.owns(path.join(versions, 'loop', 'a.py')), false, 'a path through a linked folder is not a file Alembic loads there');
    assert.equal(model.setFile(path.join(versions, 'loop', 'sub', 'b.py'), migration('b1', 'a1')), false);
    assert.equal(model.owns(path.join(versions, 'new.py')), true);
  });

  it('reads a location that is itself a link, and two locations that are one folder once', async () => {
    const root = makeProject({ 'a.py': migration('a1', null) });
    roots.push(root);
    const versions = path.join(root, 'migrations', 'versions');
    fs.symlinkSync(versions, path.join(root, 'linked'));
    const listing = await scanVersionLocations(nodeFileSystem, [path.join(root, 'linked'), versions], false);
    assert.deepEqual(listing.files, [path.join(root, 'linked', 'a.py')]);
  });

  it('finishes with two links back up the tree, in discovery and in the listing', async () => {
    const root = makeProject({ 'a.py': migration('a1', null) });
    roots.push(root);
    const versions = path.join(root, 'migrations', 'versions');
    fs.symlinkSync('.', path.join(versions, 'l1'));
    fs.symlinkSync('..', path.join(versions, 'l2'));
    fs.mkdirSync(path.join(root, 'other'));
    fs.symlinkSync(root, path.join(root, 'other', 'again'));
    const started = performance.now();
    const projects = await discoverProjects(nodeFileSystem, [root]);
    const listing = await scanVersionLocations(nodeFileSystem, [versions], true);
    assert.ok(performance.now() - started < 500, `took ${Math.round(performance.now() - started)} ms`);
    assert.deepEqual(projects.map((p) => p.id), [path.join(root, 'alembic.ini')], 'each real folder is visited once');
    assert.deepEqual(listing.files, [path.join(versions, 'a.py')]);
  });

  it('finds a project behind a link to a folder outside the root', async () => {
    const project = makeProject({ 'a.py': migration('a1', null) });
    const ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-ws-')));
    roots.push(project, ws);
    fs.symlinkSync(project, path.join(ws, 'service'));
    const projects = await discoverProjects(nodeFileSystem, [ws]);
    assert.deepEqual(projects.map((p) => p.id), [path.join(ws, 'service', 'alembic.ini')]);
  });
});

describe('project on disk: migration files Alembic cannot load', () => {
  const roots: string[] = [];
  after(() => { for (const r of roots) fs.rmSync(r, { recursive: true, force: true }); });

  it('reports each on the project and goes on with the others', async () => {
    const root = makeProject({
      'a.py': migration('a1', null),
      'b.py': Buffer.concat([Buffer.from(migration('b1', 'a1')), Buffer.from('# caf\xe9\n', 'latin1')]),
      'c.py': migration('c1', 'b1'),
      'huge.py': Buffer.alloc(MAX_SOURCE_BYTES + 10, 0x20),
    });
    roots.push(root);
    const versions = path.join(root, 'migrations', 'versions');
    fs.symlinkSync('gone.py', path.join(versions, 'dangling.py'));
    execFileSync('mkfifo', [path.join(versions, 'pipe.py')]);
    const config = await loadConfigFile(nodeFileSystem, path.join(root, 'alembic.ini'));
    assert.ok(config);
    const started = performance.now();
    const model = await ProjectModel.load(nodeFileSystem, config);
    assert.ok(performance.now() - started < 1000);
    const at = (name: string): string => path.join(versions, name);
    assert.deepEqual(model.problems(), [
      `${at('b.py')}: is not valid UTF-8 (line ${lineAfter(migration('b1', 'a1'))}: byte 0xe9) and declares no other encoding: Python refuses to import it (SyntaxError), and so Alembic fails`,
      `${at('dangling.py')}: is a symbolic link to gone.py, which does not exist`,
      `${at('huge.py')}: is 10 MB; alembic-lint reads files of up to 10 MB: not checked`,
      `${at('pipe.py')}: is not a regular file (a pipe, socket or device): not read`,
    ]);
    assert.deepEqual(wireOf(model).info().problems, model.problems());
    assert.deepEqual(model.paths(), [at('a.py'), at('b.py'), at('c.py')], 'the file that is not UTF-8 still defines its revision');
    assert.deepEqual(model.graph.heads, ['c1']);
    assert.deepEqual(model.findings().filter((f) => f.severity === 'error'), [], 'no false unknown-revision for c.py');

    // Fixed on disk and read again: the problem goes; deleted: it goes too.
    fs.writeFileSync(at('b.py'), migration('b1', 'a1'));
    assert.ok(model.setFileFromDisk(at('b.py'), (await nodeFileSystem.readFiles?.([at('b.py')]))?.[0] ?? {}));
    assert.equal(model.problems().length, 3);
    fs.unlinkSync(at('dangling.py'));
    assert.ok(model.setFileFromDisk(at('dangling.py'), (await nodeFileSystem.readFiles?.([at('dangling.py')]))?.[0] ?? {}));
    assert.equal(model.problems().length, 2);
  });
});
