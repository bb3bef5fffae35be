// `npm start -- PATH` (scripts/start.sh): the argument handling, run for real with --dry-run, which
// checks everything and prints what would start without installing, building or starting anything.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { copyFixture, repoRoot } from '../support/paths';

function start(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  // --code-server: the same answer whether or not this machine has a desktop `code` and a display.
  const r = spawnSync('bash', [path.join(repoRoot, 'scripts', 'start.sh'), '--dry-run', '--code-server', ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm start: the project folder argument', function () {
  this.timeout(60_000);
  const scratch: string[] = [];
  const temp = (): string => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-start-'));
    scratch.push(d);
    return d;
  };
  after(() => {
    for (const d of scratch) fs.rmSync(d, { recursive: true, force: true });
  });

  it('without PATH: the demo copy and its throwaway database, as before', () => {
    const r = start();
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^folder: a scratch copy of test\/fixtures\/amani$/m);
    assert.match(r.stdout, /^database: an empty throwaway PostgreSQL/m);
    assert.match(r.stdout, /^dry run: nothing started$/m);
  });

  it('PATH: that folder itself, its alembic.ini found below it, no database started unless --demo-db', () => {
    const root = temp();
    const project = copyFixture('amani');
    scratch.push(project);
    fs.renameSync(project, path.join(root, 'service'));
    const r = start(root);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^folder: ${fs.realpathSync(root)}$`, 'm'));
    assert.match(r.stdout, new RegExp(`^project: ${fs.realpathSync(root)}/service/alembic.ini$`, 'm'));
    assert.match(r.stdout, /^database: yours .*nothing started$/m);
    assert.match(start(root, '--demo-db').stdout, /^database: an empty throwaway PostgreSQL/m);
    assert.deepEqual(fs.readdirSync(root), ['service'], 'nothing written into the folder');
  });

  it('a pyproject.toml with [tool.alembic] is a project; one without it is not', () => {
    const root = temp();
    fs.writeFileSync(path.join(root, 'pyproject.toml'), '[project]\nname = "x"\n');
    assert.equal(start(root).status, 2);
    fs.writeFileSync(path.join(root, 'pyproject.toml'), '[tool.alembic]\nscript_location = "migrations"\n');
    assert.match(start(root).stdout, new RegExp(`^project: ${fs.realpathSync(root)}/pyproject.toml$`, 'm'));
  });

  it('a script folder without alembic.ini gets a generated ini outside the folder', () => {
    const root = temp();
    fs.mkdirSync(path.join(root, 'app', 'migrations', 'versions'), { recursive: true });
    fs.writeFileSync(path.join(root, 'app', 'migrations', 'env.py'), '');
    const r = start(root);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^project: a generated alembic.ini in the temporary folder, script_location = ${fs.realpathSync(root)}/app/migrations$`, 'm'));
  });

  it('clear errors: a missing PATH, a file, a folder with no Alembic project (saying where it looked), two folders', () => {
    const missing = path.join(temp(), 'nope');
    let r = start(missing);
    assert.equal(r.status, 2);
    assert.match(r.stderr, new RegExp(`${missing} does not exist`));
    const file = path.join(temp(), 'alembic.ini');
    fs.writeFileSync(file, '[alembic]\n');
    r = start(file);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /is not a folder \(give the folder that holds your alembic\.ini/);
    const empty = temp();
    fs.mkdirSync(path.join(empty, 'node_modules', 'pkg'), { recursive: true });
    fs.writeFileSync(path.join(empty, 'node_modules', 'pkg', 'alembic.ini'), '[alembic]\n');
    r = start(empty);
    assert.equal(r.status, 2);
    assert.match(r.stderr, new RegExp(`no alembic.ini \\(or pyproject.toml with \\[tool.alembic\\]\\) found in ${fs.realpathSync(empty)} or the folders below it`));
    assert.match(r.stderr, /12 levels deep.*skipping node_modules/s);
    assert.equal(r.stdout, '', 'nothing would start');
    r = start(empty, empty);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /one project folder at a time/);
  });
});
