// The database's migration lock with the real Alembic and PostgreSQL: two runners with their own
// project keys stand for two editor windows (their in-process locks never meet), so only the
// PostgreSQL advisory lock can keep them apart. Waits for conditions, never a fixed time.
import assert from 'node:assert/strict';
import * as cmd from '../../runtime/alembic/commandArguments';
import { describeCommits, interpretRun } from '../../runtime/alembic/results';
import { DatabaseBusyError, pgRunLock, RUN_LOCK_NAMESPACE } from '../../runtime/db/runLock';
import { parseDatabaseUrl, type PostgresTarget } from '../../runtime/db/sqlalchemyUrl';
import { createScratchDatabase, testServerUrl, withClient, type ScratchDatabase } from '../support/pg';
import { closedPort, otherSessions, project, reaperFor, runnerFor, tables, versions, waitFor, type Project } from './runner-support';

const FIRST = '5e5e00000001';

function targetOf(url: string): PostgresTarget {
  const parsed = parseDatabaseUrl(url, { env: {} });
  if (parsed.kind !== 'postgres') throw new Error(`not a PostgreSQL URL: ${url}`);
  return parsed.target;
}

/** Advisory locks of the migration-lock namespace held in the database, with their holder's application_name. */
async function migrationLocks(db: ScratchDatabase): Promise<string[]> {
  return withClient(testServerUrl(), async (c) => (await c.query<{ application_name: string }>(
    `SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.classid = $1::int::oid AND a.datname = $2`, [RUN_LOCK_NAMESPACE, db.name])).rows.map((r) => r.application_name));
}

describe('AlembicRunner: the migration lock across windows', function () {
  this.timeout(90_000);
  let db: ScratchDatabase;
  const projects: Project[] = [];
  beforeEach(async () => {
    db = await createScratchDatabase('lock');
  });
  afterEach(async () => {
    await db.drop();
    for (const p of projects.splice(0)) p.remove();
  });
  const copy = (fixture: string): Project => {
    const p = project(fixture);
    projects.push(p);
    return p;
  };
  const sleeping = (): Promise<true | undefined> => otherSessions(testServerUrl(), db.name)
    .then((s) => (s.some((x) => x.query.includes('pg_sleep(30)')) ? true : undefined));

  it('refuses a second run that changes the same database, naming who holds the lock; read-only runs go on', async () => {
    const lockFor = (who: string) => pgRunLock({ target: targetOf(db.url), who });
    const first = runnerFor(copy('runner-sleep'), db.url, { runLock: lockFor('alice@laptop pid 4242'), reapSessions: reaperFor(db.url) });
    const second = runnerFor(copy('runner-sleep'), db.url, { runLock: lockFor('bob@desktop pid 99') });
    assert.notEqual(first.projectKey, second.projectKey, 'two windows: their in-process locks never meet');
    assert.equal(interpretRun(await first.run(cmd.upgrade({ target: FIRST }))).status, 'success');

    const ac = new AbortController();
    const running = first.run(cmd.upgrade({ target: 'head' }), { signal: ac.signal });
    await waitFor('the first run to sleep in PostgreSQL', sleeping);
    const holder = await waitFor('the lock session', async () => (await migrationLocks(db))[0]);
    assert.equal(holder, 'alembic-migrations: alice@laptop pid 4242 upgrade head');

    for (const command of [cmd.upgrade({ target: 'head' }), cmd.downgrade({ target: 'base' }), cmd.stamp({ revisions: ['base'] })]) {
      await assert.rejects(second.run(command), (e: unknown) => {
        assert.ok(e instanceof DatabaseBusyError, String(e));
        assert.match(e.message, new RegExp(`^127\\.0\\.0\\.1:\\d+/${db.name} is being migrated by another run`));
        assert.match(e.message, /the migration lock of its version table alembic_version is held by "alembic-migrations: alice@laptop pid 4242 upgrade head" \(server process \d+, user postgres from 127\.0\.0\.1, connected .* s ago\)/);
        assert.match(e.message, new RegExp(`"alembic ${command.name} [^"]+" was not started`));
        return true;
      });
    }
    // Reading is not migrating: `current` runs while the lock is held.
    const current = await second.run(cmd.current());
    assert.equal(current.exitCode, 0, current.stderr);
    assert.equal(current.stdout.trim(), `${FIRST}`);
    assert.equal(await sleeping(), true, 'the first run was never disturbed');

    ac.abort();
    assert.equal((await running).cancelled, true);
    assert.deepEqual(await migrationLocks(db), [], 'released after the cancel');
    // Free again: the other window's run goes ahead.
    const after = await second.run(cmd.downgrade({ target: 'base' }));
    assert.equal(interpretRun(after).status, 'success', after.stderr);
    assert.deepEqual(after.versionTable, { before: [FIRST], after: [] });
    assert.deepEqual(await migrationLocks(db), []);
    assert.deepEqual(await versions(db.url), []);
    assert.deepEqual(await tables(db.url), []);
  });

  it("holds the lock for the whole run without blocking Alembic's own work, and releases it after success and failure", async () => {
    const lock = pgRunLock({ target: targetOf(db.url), who: 'ci@runner pid 1' });
    // A failure first, on the empty database (runner-failing's second migration raises).
    const failing = runnerFor(copy('runner-failing'), db.url, { runLock: lock });
    const failed = await failing.run(cmd.upgrade({ target: 'head' }));
    const outcome = interpretRun(failed);
    assert.equal(outcome.ok, false);
    assert.ok(failed.started, 'it ran');
    // Its one transaction rolled back: the outcome says that nothing stayed.
    assert.deepEqual(failed.versionTable, { before: [], after: [] });
    assert.equal(outcome.commits && describeCommits(outcome.commits), 'Nothing was committed: the version table still holds nothing (base).');
    assert.deepEqual(await migrationLocks(db), [], 'released after a failure');

    const linear = runnerFor(copy('runner-linear'), db.url, { runLock: lock });
    // Three migrations, each creating tables and writing the version table, while the lock's session
    // (taken before Alembic started, as the first test sees) holds its advisory lock.
    const up = await linear.run(cmd.upgrade({ target: 'head' }));
    assert.equal(interpretRun(up).status, 'success', up.stderr);
    assert.deepEqual(up.versionTable, { before: [], after: ['c3d4e5f6a7b8'] });
    assert.deepEqual(await migrationLocks(db), []);
  });

  it('does not start when the lock cannot be taken, and says why', async () => {
    const unreachable = new URL(db.url);
    unreachable.port = String(await closedPort());
    const r = runnerFor(copy('runner-linear'), db.url, { runLock: pgRunLock({ target: targetOf(unreachable.toString()), timeoutMs: 2_000 }) });
    const result = await r.run(cmd.upgrade({ target: 'head' }));
    assert.equal(result.started, false);
    const outcome = interpretRun(result);
    assert.equal(outcome.status, 'notStarted');
    assert.match(outcome.message, /could not start: the migration lock of 127\.0\.0\.1:\d+\/lock_\w+ could not be taken: Cannot reach PostgreSQL/);
    assert.doesNotMatch(outcome.message, new RegExp(new URL(testServerUrl()).password));
    assert.equal(await versions(db.url), undefined, 'Alembic never ran');
  });
});
