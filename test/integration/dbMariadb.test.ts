// The applied state of a real MariaDB (the throwaway server scripts/test.sh starts), written by the real
// Alembic through Debian's PyMySQL and read directly with mysql2; Alembic's own `current` must agree.
// Connection failures are problems with their own kind and message, and never hold the password.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { computeAppliedState } from '../../server/src/core/graph/appliedState';
import { readViaAlembic } from '../../runtime/db/alembicCurrent';
import { describeDatabaseState, readDatabaseStateFromUrl, type DatabaseState, type DatabaseStateOptions } from '../../runtime/db/databaseState';
import { runGuardsFor } from '../../runtime/db/runGuards';
import { downgrade, upgrade } from '../../runtime/alembic/commandArguments';
import { interpretRun } from '../../runtime/alembic/results';
import { AlembicRunner } from '../../runtime/alembic/runner';
import { closedPort } from './runner-support';
import { createScratchMariadb, testMariadbServer, withMariadb, type ScratchMariadb } from '../support/mariadb';
import { A, B, C, LINEAR, ok } from '../support/dialects';
import { copyFixture } from '../support/paths';
import { runPython, testPython } from '../support/python';


describe('db: MySQL/MariaDB applied state from a real MariaDB server', function () {
  this.timeout(60_000);
  let db: ScratchMariadb;
  let dir: string;
  const seen: string[] = [];

  beforeEach(async () => {
    db = await createScratchMariadb('dbstate');
    dir = copyFixture('dialects');
  });
  afterEach(async () => {
    await db?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  after(() => {
    // Nothing anywhere in what the reads returned holds the password.
    const { password } = testMariadbServer();
    for (const s of seen) assert.ok(!s.includes(password), `the password leaked: ${s}`);
  });

  async function read(opts: DatabaseStateOptions = {}, url = db.url): Promise<DatabaseState> {
    const r = await readDatabaseStateFromUrl(url, { env: {}, timeoutMs: 5000, ...opts });
    seen.push(JSON.stringify(r));
    return r;
  }

  function alembic(args: string[], env: Record<string, string> = {}, project = dir): void {
    const r = runPython(undefined, ['-m', 'alembic', '-c', path.join(project, 'alembic.ini'), ...args], { cwd: project, env: { DATABASE_URL: db.url, ...env } });
    assert.equal(r.status, 0, `alembic ${args.join(' ')} failed:\n${r.stderr}`);
  }

  async function viaAlembic(versionTable?: string, project = dir): Promise<string[]> {
    const r = await readViaAlembic(db.url, {
      python: testPython(), iniPath: path.join(project, 'alembic.ini'),
      env: { ...process.env, ...(versionTable ? { ALEMBIC_TEST_VERSION_TABLE: versionTable } : {}) },
    }, { timeoutMs: 30_000, label: 'MariaDB' });
    seen.push(JSON.stringify(r));
    assert.ok(r.ok, JSON.stringify(r));
    return r.ok ? r.revisions : [];
  }

  it('an empty database is at base; the server is named MariaDB even behind a mysql:// URL', async () => {
    const r = ok(await read());
    assert.deepEqual(r.currentRevisions, []);
    assert.equal(r.versionTableExists, false);
    assert.equal(r.dialect, 'MariaDB');
    assert.equal(r.via, 'direct');
    assert.match(r.serverVersion, /MariaDB/);
    const { host, port } = testMariadbServer();
    assert.equal(r.endpoint, `${host}:${port}`);
    assert.match(describeDatabaseState(r, 'base'), new RegExp(`^Connected to MariaDB \\d+\\.\\d+\\.\\d+ at ${host}:${port} in \\d+ ms; current revision: base\\.$`));
    assert.deepEqual(await viaAlembic(), []);
  });

  it('partly applied, then at head, read the same through mariadb+pymysql://; Alembic agrees', async () => {
    alembic(['upgrade', B]);
    const partly = ok(await read());
    assert.deepEqual(partly.currentRevisions, [B]);
    assert.deepEqual(computeAppliedState(LINEAR, partly.currentRevisions).pending, [C]);
    assert.deepEqual(await viaAlembic(), [B]);
    alembic(['upgrade', 'head']);
    const head = ok(await read({}, db.url.replace(/^mysql\+pymysql:/, 'mariadb+pymysql:')));
    assert.deepEqual(head.currentRevisions, [C]);
    assert.equal(computeAppliedState(LINEAR, head.currentRevisions).atHead, true);
    assert.deepEqual(await viaAlembic(), [C]);
  });

  it('several heads: two rows, both current; Alembic reads the same two', async () => {
    const heads = copyFixture('runner-heads');
    try {
      alembic(['upgrade', 'heads'], {}, heads);
      const r = ok(await read());
      assert.deepEqual(r.currentRevisions, ['2000bbbb0002', '3000cccc0003']);
      assert.deepEqual(await viaAlembic(undefined, heads), r.currentRevisions);
    } finally {
      fs.rmSync(heads, { recursive: true, force: true });
    }
  });

  it('a revision no migration file defines is read as it is, and the state calls it unknown', async () => {
    alembic(['upgrade', A]);
    await withMariadb(db.name, (c) => c.query("UPDATE alembic_version SET version_num = '5f2c0ffee999'"));
    const r = ok(await read());
    assert.deepEqual(r.currentRevisions, ['5f2c0ffee999']);
    assert.deepEqual(computeAppliedState(LINEAR, r.currentRevisions).unknown, ['5f2c0ffee999']);
  });

  it('a custom version table, also in another database (version_table_schema); the default name reads as base', async () => {
    alembic(['upgrade', B], { ALEMBIC_TEST_VERSION_TABLE: 'schema_versions' });
    const custom = ok(await read({ versionTable: { table: 'schema_versions' } }));
    assert.deepEqual(custom.currentRevisions, [B]);
    assert.equal(custom.versionTable, '`schema_versions`');
    assert.equal(ok(await read()).versionTableExists, false);
    assert.deepEqual(await viaAlembic('schema_versions'), [B]);
    const qualified = ok(await read({ versionTable: { table: 'schema_versions', schema: db.name } }));
    assert.deepEqual(qualified.currentRevisions, [B]);
    assert.equal(ok(await read({ versionTable: { table: 'schema_versions', schema: `${db.name}_none` } })).versionTableExists, false,
      'a version table schema (database) that does not exist yet means base');
  });

  it('a wrong password is authFailed, and its message names the user, not the password', async () => {
    const wrong = db.url.replace(/:[^:@/]*@/, ':not-the-password-42@');
    const r = await read({}, wrong);
    assert.ok(!r.ok, JSON.stringify(r));
    if (r.ok) return;
    assert.equal(r.problem.kind, 'authFailed');
    const { host, port, user } = testMariadbServer();
    assert.equal(r.problem.message, `Access denied for user "${user}" at ${host}:${port}: the password is wrong or the user may not connect from here. ` +
      'Run "Alembic: Configure Database Connection…" to set the user and password.');
    assert.doesNotMatch(JSON.stringify(r), /not-the-password-42/);
  });

  it('no password at all is passwordMissing; a missing database is databaseMissing', async () => {
    const none = await read({}, db.url.replace(/:[^:@/]*@/, '@'));
    assert.ok(!none.ok && none.problem.kind === 'passwordMissing', JSON.stringify(none));
    const missing = await read({}, db.url.replace(/\/[^/]*$/, '/no_such_db'));
    assert.ok(!missing.ok && missing.problem.kind === 'databaseMissing', JSON.stringify(missing));
    if (!missing.ok) assert.match(missing.problem.message, /^The database "no_such_db" does not exist on /);
  });

  it('an unreachable server (a closed port) is unreachable, within the timeout', async () => {
    const port = await closedPort();
    const t0 = Date.now();
    const r = await read({ timeoutMs: 3000 }, `mysql+pymysql://alembic:pw-unused@127.0.0.1:${port}/app`);
    assert.ok(Date.now() - t0 < 4500);
    assert.ok(!r.ok, JSON.stringify(r));
    if (r.ok) return;
    assert.equal(r.problem.kind, 'unreachable');
    assert.equal(r.problem.message, `Cannot reach MySQL at 127.0.0.1:${port}: connection refused. Is the server running, and are the host and port right?`);
  });

  it('upgrade and downgrade through the extension\'s runner, and the state afterwards', async () => {
    const guards = runGuardsFor(db.url);
    assert.equal(guards.runLock, undefined);
    assert.match(guards.missing ?? '', /^MySQL: no migration lock across windows/);
    const runner = new AlembicRunner({ python: testPython(), iniPath: path.join(dir, 'alembic.ini'), databaseUrl: db.url });
    const up = await runner.run(upgrade({ target: 'head' }));
    assert.equal(interpretRun(up).ok, true, up.stderr);
    assert.deepEqual(ok(await read()).currentRevisions, [C]);
    const down = await runner.run(downgrade({ target: A }));
    assert.equal(interpretRun(down).ok, true, down.stderr);
    const after = ok(await read());
    assert.deepEqual(after.currentRevisions, [A]);
    assert.deepEqual(computeAppliedState(LINEAR, after.currentRevisions).pending, [C, B]);
    const tables = await withMariadb(db.name, async (c) => ((await c.query('SHOW TABLES'))[0] as Record<string, string>[]).map((r) => Object.values(r)[0]).sort());
    assert.deepEqual(tables, ['alembic_version', 'widgets']);
    assert.doesNotMatch(up.stdout + up.stderr + down.stdout + down.stderr, new RegExp(testMariadbServer().password));
  });
});
