// The errors people meet, produced by the real Alembic and drivers, and what results.ts makes of them.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as cmd from '../../runtime/alembic/commandArguments';
import { interpretRun, type RunOutcome } from '../../runtime/alembic/results';
import type { AlembicRunner } from '../../runtime/alembic/runner';
import { discoverProjects } from '../../server/src/core/project';
import { nodeFileSystem } from '../../server/src/fs/nodeFileSystem';
import { createScratchDatabase, type ScratchDatabase } from '../support/pg';
import { closedPort, project, runnerFor, versions, type Project } from './runner-support';

function withPassword(url: string, password: string): string {
  const u = new URL(url);
  u.password = password;
  return u.toString();
}

function withPort(url: string, port: number): string {
  const u = new URL(url);
  u.port = String(port);
  return u.toString();
}

function asyncpg(url: string): string {
  return url.replace(/^postgresql:/, 'postgresql+asyncpg:');
}

describe('AlembicRunner: known errors and their advice', function () {
  this.timeout(90_000);
  let db: ScratchDatabase;
  const projects: Project[] = [];
  const use = (fixture: string): Project => {
    const p = project(fixture);
    projects.push(p);
    return p;
  };
  const outcome = async (r: AlembicRunner, c: cmd.AlembicCommand, p?: Project): Promise<RunOutcome> =>
    interpretRun(await r.run(c), p ? { versionDirs: [p.versionsDir] } : {});

  beforeEach(async () => { db = await createScratchDatabase('errors'); });
  afterEach(async () => {
    await db.drop();
    for (const p of projects.splice(0)) p.remove();
  });

  it('two heads: upgrade head fails with multipleHeads advice; merge heads makes one head that upgrades', async () => {
    const p = use('runner-heads');
    const r = runnerFor(p, db.url);
    const o = await outcome(r, cmd.upgrade({ target: 'head' }));
    assert.equal(o.status, 'alembicError');
    assert.match(o.message, /^Multiple head revisions are present for given argument 'head'/);
    assert.equal(o.advice?.kind, 'multipleHeads');
    assert.deepEqual(o.advice?.actions, ['mergeHeads', 'chooseHead']);
    assert.equal(await versions(db.url), undefined, 'the failed command created nothing');

    const merged = await r.run(cmd.merge({ revisions: ['2000bbbb0002', '3000cccc0003'], message: 'merge heads', revId: 'merge0000001' }));
    assert.equal(merged.exitCode, 0, merged.stdout + merged.stderr);
    const up = await outcome(r, cmd.upgrade({ target: 'head' }));
    assert.equal(up.status, 'success', up.message);
    assert.equal(up.steps.length, 4);
    assert.deepEqual(up.steps[3]?.from, ['2000bbbb0002', '3000cccc0003']);
    assert.deepEqual(await versions(db.url), ['merge0000001']);
  });

  it('downgrade -1 at a merge point: Ambiguous walk; a named target works, and the log splits the merge step', async () => {
    const p = use('runner-merge');
    const r = runnerFor(p, db.url);
    assert.equal((await outcome(r, cmd.upgrade({ target: 'head' }))).status, 'success');
    const o = await outcome(r, cmd.downgrade({ target: '-1' }));
    assert.equal(o.status, 'alembicError');
    assert.equal(o.message, 'Ambiguous walk');
    assert.equal(o.advice?.kind, 'ambiguousWalk');
    assert.deepEqual(await versions(db.url), ['444400000004']);

    const known = new Set(['111100000001', '222200000002', '333300000003', '444400000004']);
    const down = interpretRun(await r.run(cmd.downgrade({ target: '111100000001' })), { knownRevisions: known });
    assert.equal(down.status, 'success', down.message);
    assert.deepEqual(down.steps[0]?.to, ['222200000002', '333300000003']);
    assert.equal(down.steps[0]?.message, 'merge left and right');
    assert.deepEqual(await versions(db.url), ['111100000001']);
  });

  it("unknown revision, relative step past base, not up to date, usage error", async () => {
    const p = use('runner-linear');
    const r = runnerFor(p, db.url);
    const missing = await outcome(r, cmd.upgrade({ target: 'deadbeef' }));
    assert.equal(missing.advice?.kind, 'unknownRevision');
    assert.equal(missing.advice?.revision, 'deadbeef');
    assert.equal((await outcome(r, cmd.downgrade({ target: '-1' }))).advice?.kind, 'relativeOutOfRange');
    const auto = await outcome(r, cmd.revision({ message: 'auto', autogenerate: true }));
    assert.equal(auto.status, 'alembicError');
    assert.equal(auto.message, 'Target database is not up to date.');
    assert.equal(auto.advice?.kind, 'notUpToDate');
    const usage = await outcome(r, { ...cmd.current(), args: ['nosuchcommand'] });
    assert.equal(usage.status, 'usageError');
    assert.match(usage.message, /invalid choice: 'nosuchcommand'/);
  });

  it('connection refused, wrong password and missing database, with psycopg2 and with asyncpg', async () => {
    const port = await closedPort();
    const sync = use('runner-linear');
    const asy = use('runner-async');
    const cases: [string, AlembicRunner, string][] = [
      ['psycopg2 refused', runnerFor(sync, withPort(db.url, port)), 'connectionRefused'],
      ['psycopg2 password', runnerFor(sync, withPassword(db.url, 'wrong-password')), 'authenticationFailed'],
      ['psycopg2 database', runnerFor(sync, `${db.url}_nope`), 'databaseMissing'],
      ['asyncpg refused', runnerFor(asy, asyncpg(withPort(db.url, port)), { databaseUrlEnvVar: 'APP_DB_URL' }), 'connectionRefused'],
      ['asyncpg password', runnerFor(asy, asyncpg(withPassword(db.url, 'wrong-password')), { databaseUrlEnvVar: 'APP_DB_URL' }), 'authenticationFailed'],
      ['asyncpg database', runnerFor(asy, asyncpg(`${db.url}_nope`), { databaseUrlEnvVar: 'APP_DB_URL' }), 'databaseMissing'],
    ];
    for (const [name, r, kind] of cases) {
      const o = await outcome(r, cmd.upgrade({ target: 'head' }));
      assert.equal(o.status, 'pythonError', `${name}: ${o.message}`);
      assert.equal(o.advice?.kind, kind, `${name}: ${o.message}`);
      assert.equal(o.location, undefined, `${name}: no migration file is involved`);
    }
  });

  it('the URL goes in the variable env.py reads; unset, the advice says which variable', async () => {
    const asy = use('runner-async');
    const ok = await outcome(runnerFor(asy, asyncpg(db.url), { databaseUrlEnvVar: 'APP_DB_URL' }), cmd.upgrade({ target: 'head' }));
    assert.equal(ok.status, 'success', ok.message);
    assert.deepEqual(await versions(db.url), ['a5a5a5a50001']);

    const sync = use('runner-linear');
    const env = { ...process.env };
    delete env.DATABASE_URL;
    const run = await runnerFor(sync, undefined, { env }).run(cmd.current());
    const o = interpretRun(run, { versionDirs: [sync.versionsDir], databaseUrlEnvVar: 'DATABASE_URL' });
    assert.equal(o.status, 'pythonError');
    assert.equal(o.message, "KeyError: 'DATABASE_URL'");
    assert.equal(o.advice?.kind, 'databaseUrlMissing');
    assert.equal(o.projectLocation?.file, path.join(sync.dir, 'migrations', 'env.py'));
  });

  it('a named environment of the ini (alembic --name): the runner passes its section, and the project knows it', async () => {
    const p = use('runner-linear');
    // The [alembic] section keeps only shared options; the environment is [core] (Netflix Dispatch's layout).
    const ini = fs.readFileSync(p.ini, 'utf8').replace(/^script_location = migrations$/m, '').replace('[loggers]', '[core]\nscript_location = migrations\n\n[loggers]');
    fs.writeFileSync(p.ini, ini);
    const [config] = await discoverProjects(nodeFileSystem, [p.dir]);
    assert.equal(config?.id, `${p.ini}#core`);
    assert.equal(config?.iniSection, 'core');
    const named = await runnerFor(p, db.url, { iniSection: 'core' }).run(cmd.heads());
    assert.equal(named.exitCode, 0, named.stderr);
    assert.match(named.stdout, /\(head\)/);
    const plain = await runnerFor(p, db.url).run(cmd.heads());
    assert.notEqual(plain.exitCode, 0, 'without --name Alembic reads [alembic], which has no script_location');
    assert.match(`${plain.stdout}${plain.stderr}`, /script_location/);
  });

  it('an ini in conf/ whose script_location starts at the repository root: the project knows its working folder, and the runner runs Alembic there', async () => {
    // hypothesis' h and lms: conf/alembic.ini says `script_location = h/migrations`, run as `alembic -c conf/alembic.ini` from the root.
    const p = use('runner-linear');
    fs.mkdirSync(path.join(p.dir, 'conf'));
    const moved = path.join(p.dir, 'conf', 'alembic.ini');
    fs.renameSync(p.ini, moved);
    const [config] = await discoverProjects(nodeFileSystem, [p.dir]);
    assert.equal(config?.configFile, moved);
    assert.deepEqual(config?.problems, []);
    assert.equal(config?.workingFolder, p.dir);
    const there = await runnerFor({ ...p, ini: moved }, db.url, { workingFolder: config?.workingFolder ?? '' }).run(cmd.heads());
    assert.equal(there.exitCode, 0, there.stderr);
    assert.match(there.stdout, /\(head\)/);
    const besideIni = await runnerFor({ ...p, ini: moved }, db.url).run(cmd.heads());
    assert.notEqual(besideIni.exitCode, 0, 'from conf/ Alembic finds no conf/migrations');
    assert.match(`${besideIni.stdout}${besideIni.stderr}`, /Path doesn't exist/);
  });

  it('an interpreter that does not exist: not started, with the reason', async () => {
    const p = use('runner-linear');
    const r = runnerFor(p, db.url, { python: path.join(p.dir, 'no-such-python') });
    const run = await r.run(cmd.heads());
    assert.equal(run.started, false);
    assert.match(run.startError ?? '', /ENOENT/);
    assert.equal(interpretRun(run).status, 'notStarted');
  });
});
