// "Rehearse Upgrade" on the amani fixture with the real pg_dump, pg_restore, Alembic and PostgreSQL:
// every step runs on a scratch copy made from the backup, the real database stays as it was (schema,
// version table and rows), the copy is dropped, and the backup file stays. A one-revision rehearsal
// checks that the downgrade gives the schema back; a downgrade that does not is the step that fails.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as cmd from '../../runtime/alembic/commandArguments';
import { AlembicRunner } from '../../runtime/alembic/runner';
import { takeSnapshot } from '../../runtime/db/snapshot';
import { rehearseUpgrade } from '../../runtime/verify/rehearsal';
import { copyFixture } from '../support/paths';
import { createScratchDatabase, testServerUrl, withClient, type ScratchDatabase } from '../support/pg';
import { testPython } from '../support/python';
import { project as runnerProject, psql, versions } from './runner-support';

async function state(url: string): Promise<string> {
  return withClient(url, async (c) => JSON.stringify({
    schema: await takeSnapshot(c),
    versions: (await c.query('SELECT version_num FROM alembic_version ORDER BY 1')).rows,
    users: (await c.query("SELECT * FROM users ORDER BY 1")).rows,
  }));
}

async function scratchCopies(): Promise<string[]> {
  return withClient(testServerUrl(), async (c) => (await c.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE '%\\_verify\\_%'")).rows.map((r) => r.datname));
}

describe('rehearse upgrade on a scratch copy', function () {
  this.timeout(240_000);
  let db: ScratchDatabase;
  let dir = '';
  let folder = '';
  beforeEach(async () => {
    db = await createScratchDatabase('rehearse');
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-rehearsal-'));
  });
  afterEach(async () => {
    await db.drop();
    fs.rmSync(folder, { recursive: true, force: true });
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = '';
  });

  it('amani: back up, upgrade, downgrade one, upgrade again on the copy; the real database is untouched', async () => {
    dir = copyFixture('amani');
    const ini = path.join(dir, 'alembic.ini');
    const real = new AlembicRunner({ python: testPython(), iniPath: ini, databaseUrl: db.url });
    assert.ok((await real.run(cmd.upgrade({ target: '002_user_phone' }))).exitCode === 0);
    assert.equal(psql(db.url, "INSERT INTO users (email, hashed_password) VALUES ('a@example.com', 'x'), ('b@example.com', 'y');").status, 0, 'rows in the real database');
    const before = await state(db.url);
    const copiesBefore = await scratchCopies();
    const seen: string[] = [];
    const result = await rehearseUpgrade({
      databaseUrl: db.url, python: testPython(), iniPath: ini, backupFolder: folder, revisions: ['002_user_phone'],
      onStep: (s) => seen.push(`${s.name}:${s.ok === undefined ? 'start' : s.ok ? 'ok' : 'failed'}`),
    });
    assert.ok(result.ok, result.failure);
    assert.deepEqual(result.steps.map((s) => s.name), ['backup', 'copy', 'upgrade', 'downgrade', 'reupgrade']);
    assert.deepEqual(seen, ['backup:start', 'backup:ok', 'copy:start', 'copy:ok', 'upgrade:start', 'upgrade:ok', 'downgrade:start', 'downgrade:ok', 'reupgrade:start', 'reupgrade:ok']);
    assert.match(result.steps[2]?.message ?? '', /^Upgrade to head: .*\+1 table/);
    assert.equal(await state(db.url), before, 'the real database is exactly as it was');
    assert.deepEqual(await scratchCopies(), copiesBefore, 'the scratch copy is dropped');
    assert.ok(result.backup && fs.existsSync(result.backup.file), 'the backup stays');
  });

  it('one revision whose downgrade leaves its table: the downgrade step fails, naming the backup', async () => {
    const p = runnerProject('runner-linear');
    dir = p.dir;
    const file = path.join(p.versionsDir, 'c3d4e5f6a7b8_create_gadgets.py');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace("    op.drop_table('gadgets')", '    pass'));
    const real = new AlembicRunner({ python: testPython(), iniPath: p.ini, databaseUrl: db.url });
    await real.run(cmd.upgrade({ target: 'b2c3d4e5f6a7' }));
    const result = await rehearseUpgrade({ databaseUrl: db.url, python: testPython(), iniPath: p.ini, backupFolder: folder, revisions: ['b2c3d4e5f6a7'] });
    assert.equal(result.ok, false);
    const last = result.steps[result.steps.length - 1];
    assert.equal(last?.name, 'downgrade');
    assert.match(result.failure ?? '', /not back as it was before the upgrade: \+1 table differ\. The backup of the real database is .*\.dump\./);
    assert.deepEqual(await versions(db.url), ['b2c3d4e5f6a7']);
  });
});
