// Cancelling a long migration (pg_sleep(30) in SQL) and the one-run-at-a-time lock, with the real
// Alembic and PostgreSQL. Runs wait for the server to show the sleeping statement, never a fixed time.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as cmd from '../../runtime/alembic/commandArguments';
import { interpretRun } from '../../runtime/alembic/results';
import { AlembicBusyError, runningFor } from '../../runtime/alembic/runner';
import { runGuardsFor } from '../../runtime/db/runGuards';
import { createScratchDatabase, testServerUrl, withClient, type ScratchDatabase } from '../support/pg';
import { capture, otherSessions, project, reaperFor, runnerFor, tables, versions, waitFor, type Project } from './runner-support';

const FIRST = '5e5e00000001';

/** Whether SIGTERM (15) is in the process's ignored-signal mask (Linux /proc). */
function ignoresSigterm(pid: number): boolean {
  try {
    const m = /^SigIgn:\s+([0-9a-f]+)$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m !== null && (BigInt(`0x${m[1]}`) & (1n << 14n)) !== 0n;
  } catch {
    return false;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A killed child of a killed parent may linger as a zombie until reaped: that counts as gone.
  try {
    return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

describe('AlembicRunner: cancellation and one run at a time', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;
  let p: Project;
  beforeEach(async () => {
    db = await createScratchDatabase('cancel');
    p = project('runner-sleep');
  });
  afterEach(async () => {
    await db.drop();
    p.remove();
  });

  const sleeping = (): Promise<true | undefined> => otherSessions(testServerUrl(), db.name)
    .then((s) => (s.some((x) => x.query.includes('pg_sleep(30)')) ? true : undefined));

  it('cancelling kills the process tree within seconds, ends its session, and leaves the database unchanged', async () => {
    const r = runnerFor(p, db.url, { reapSessions: reaperFor(db.url), killGraceMs: 2_000 });
    assert.equal(interpretRun(await r.run(cmd.upgrade({ target: FIRST }))).status, 'success');
    const before = { v: await versions(db.url), t: await tables(db.url) };

    const ac = new AbortController();
    const out = capture();
    const running = r.run(cmd.upgrade({ target: 'head' }), { signal: ac.signal, sink: out.sink });
    await waitFor('the migration to sleep in PostgreSQL', sleeping);
    // Output streams while the run is under way, not only at its end.
    await waitFor('the log line of the sleeping step', async () =>
      (out.lines.some((l) => l.text.includes(`Running upgrade ${FIRST} -> 5e5e00000002`)) ? true : undefined));
    const sessionsWhileSleeping = await otherSessions(testServerUrl(), db.name);
    const t0 = Date.now();
    ac.abort();
    const result = await running;
    const took = Date.now() - t0;

    assert.equal(result.cancelled, true);
    assert.ok(took < 5_000, `cancellation took ${took} ms`);
    // The sleeping session carried the run's tag (PGAPPNAME), and the reaper ended it.
    assert.ok(sessionsWhileSleeping.some((s) => s.application_name === result.applicationName), JSON.stringify(sessionsWhileSleeping));
    assert.equal(result.sessionsEnded, 1);
    assert.deepEqual(await otherSessions(testServerUrl(), db.name), []);
    assert.deepEqual({ v: await versions(db.url), t: await tables(db.url) }, before);
    assert.deepEqual(before, { v: [FIRST], t: ['jobs'] });
    const o = interpretRun(result);
    assert.equal(o.status, 'cancelled');
    assert.deepEqual(o.failedStep?.to, ['5e5e00000002']);
    assert.match(o.message, /^Cancelled alembic upgrade head; ended 1 database session/);
    console.log(`      cancel → result in ${took} ms`);
  });

  it('takes down helper processes of the run too, with SIGKILL after the grace period when they ignore SIGTERM', async () => {
    const pidFile = path.join(p.dir, 'helper.pid');
    const graceMs = 1_000;
    const r = runnerFor(p, db.url, {
      reapSessions: reaperFor(db.url), killGraceMs: graceMs, env: { ...process.env, RUNNER_CHILD_PID_FILE: pidFile },
    });
    const ac = new AbortController();
    const running = r.run(cmd.upgrade({ target: 'head' }), { signal: ac.signal });
    await waitFor('the migration to sleep in PostgreSQL', sleeping);
    const helperPid = await waitFor('the helper pid file', async () => {
      const text = fs.existsSync(pidFile) ? fs.readFileSync(pidFile, 'utf8') : '';
      return text ? Number(text) : undefined;
    });
    // The helper must be ignoring SIGTERM before the test means anything (Python takes a while to start).
    await waitFor('the helper to ignore SIGTERM', async () => (ignoresSigterm(helperPid) ? true : undefined));
    const t0 = Date.now();
    ac.abort();
    const result = await running;
    const took = Date.now() - t0;
    assert.equal(result.cancelled, true);
    // The helper holds stdout open and ignores SIGTERM: only the SIGKILL after the grace period ends the run.
    assert.ok(took >= graceMs - 50 && took < graceMs + 4_000, `took ${took} ms`);
    await waitFor('the helper process to be gone', async () => (alive(helperPid) ? undefined : true), 5_000);
    assert.deepEqual(await otherSessions(testServerUrl(), db.name), []);
    assert.equal(await versions(db.url), undefined);
    assert.deepEqual(await tables(db.url), []);
  });

  /** Cancels `upgrade head` once the second migration sleeps in PostgreSQL; the sessions seen while it slept. */
  async function cancelWhileSleeping(r: ReturnType<typeof runnerFor>): Promise<{ result: Awaited<ReturnType<typeof r.run>>; whileSleeping: { application_name: string }[] }> {
    const ac = new AbortController();
    const running = r.run(cmd.upgrade({ target: 'head' }), { signal: ac.signal });
    await waitFor('the migration to sleep in PostgreSQL', sleeping);
    const whileSleeping = await otherSessions(testServerUrl(), db.name);
    ac.abort();
    return { result: await running, whileSleeping };
  }

  it('after a cancel, says which revisions were already committed (a transaction per migration)', async () => {
    const guards = runGuardsFor(db.url);
    const r = runnerFor(p, db.url, { ...guards, env: { ...process.env, RUNNER_TRANSACTION_PER_MIGRATION: '1' } });
    const { result } = await cancelWhileSleeping(r);
    assert.equal(result.cancelled, true);
    assert.deepEqual(result.versionTable, { before: [], after: [FIRST] });
    const o = interpretRun(result);
    assert.equal(o.message, 'Cancelled alembic upgrade head; ended 1 database session it left running. ' +
      `Already committed: ${FIRST} (create jobs); not committed: 5e5e00000002 (create runs then sleep) ` +
      `(the version table went from nothing (base) to ${FIRST}).`);
    assert.deepEqual(o.commits?.committed.map((s) => s.to), [[FIRST]]);
    assert.deepEqual({ v: await versions(db.url), t: await tables(db.url) }, { v: [FIRST], t: ['jobs'] });
  });

  it('after a cancel of a run in one transaction, says that nothing was committed', async () => {
    const r = runnerFor(p, db.url, runGuardsFor(db.url));
    assert.equal(interpretRun(await r.run(cmd.upgrade({ target: FIRST }))).status, 'success');
    const { result } = await cancelWhileSleeping(r);
    assert.deepEqual(result.versionTable, { before: [FIRST], after: [FIRST] });
    assert.match(interpretRun(result).message, new RegExp(`ended 1 database session it left running\. Nothing was committed: the version table still holds ${FIRST}\.$`));
    assert.deepEqual({ v: await versions(db.url), t: await tables(db.url) }, { v: [FIRST], t: ['jobs'] });
  });

  it('ends the sessions of asyncpg runs and of URLs with their own application_name, found by their network connection', async () => {
    const asyncpg = db.url.replace(/^postgresql:/, 'postgresql+asyncpg:');
    const named = `${db.url}${db.url.includes('?') ? '&' : '?'}application_name=custom_app`;
    for (const url of [asyncpg, named]) {
      const r = runnerFor(p, url, runGuardsFor(url));
      const { result, whileSleeping } = await cancelWhileSleeping(r);
      assert.equal(result.cancelled, true, url);
      // Neither carries the run's tag, so only the connection's address and port can find it.
      assert.ok(!whileSleeping.some((x) => x.application_name === result.applicationName), JSON.stringify(whileSleeping));
      assert.equal(result.sessionsEnded, 1, `${url}: ${JSON.stringify(result.sessionsMayRemain)}`);
      assert.equal(result.sessionsMayRemain, undefined);
      assert.deepEqual(await otherSessions(testServerUrl(), db.name), []);
      assert.deepEqual({ v: await versions(db.url), t: await tables(db.url) }, { v: undefined, t: [] });
    }
  });

  it('names the sessions that may remain when it cannot tell them apart (a Unix socket, its own application_name)', async () => {
    const socketDir = await withClient(testServerUrl(), async (c) =>
      (await c.query<{ d: string }>("SELECT split_part(current_setting('unix_socket_directories'), ',', 1) AS d")).rows[0]?.d ?? '');
    const port = new URL(testServerUrl()).port;
    const url = `postgresql://postgres@/${db.name}?host=${encodeURIComponent(socketDir)}&port=${port}&application_name=custom_app`;
    const r = runnerFor(p, url, runGuardsFor(url));
    const { result } = await cancelWhileSleeping(r);
    try {
      assert.equal(result.cancelled, true);
      assert.equal(result.sessionsEnded, 0);
      assert.equal(result.sessionsMayRemain?.length, 1, JSON.stringify(result.sessionsMayRemain));
      assert.equal(result.sessionsMayRemain?.[0]?.applicationName, 'custom_app');
      const o = interpretRun(result);
      assert.match(o.detail ?? '', /^1 database session of the same user may still be running for it and were left alone \(these sessions carry neither the run's tag .*a Unix socket.*\): server process \d+ 'custom_app', active since [0-9T:.-]+Z: SELECT pg_sleep\(30\)\. If one is the cancelled run's, end it with SELECT pg_terminate_backend\(<server process>\)\.$/);
    } finally {
      await withClient(testServerUrl(), (c) => c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'custom_app'", [db.name]));
    }
  });

  it('refuses a second run of the same project naming the running command, or queues it when asked', async () => {
    const r = runnerFor(p, db.url, { reapSessions: reaperFor(db.url) });
    const other = runnerFor(p, db.url); // another runner object for the same ini shares the lock
    const ac = new AbortController();
    const long = r.run(cmd.upgrade({ target: 'head' }), { signal: ac.signal });
    await waitFor('the migration to sleep in PostgreSQL', sleeping);
    assert.equal(runningFor(r.projectKey)?.display, 'alembic upgrade head');

    await assert.rejects(other.run(cmd.current()), (e: unknown) => {
      assert.ok(e instanceof AlembicBusyError);
      assert.equal(e.running, 'alembic upgrade head');
      assert.match(e.message, /already running "alembic upgrade head".*"alembic current" was not started/);
      return true;
    });

    // A waiting run that is cancelled while it waits never starts.
    const acWait = new AbortController();
    const gaveUp = other.run(cmd.heads(), { ifBusy: 'wait', signal: acWait.signal });
    acWait.abort();
    const gaveUpResult = await gaveUp;
    assert.equal(gaveUpResult.started, false);
    assert.equal(gaveUpResult.cancelled, true);

    const queued = other.run(cmd.heads(), { ifBusy: 'wait' });
    let queuedDone = false;
    void queued.then(() => { queuedDone = true; });
    // Still sleeping, so the queued run cannot have finished.
    assert.equal(await sleeping(), true);
    assert.equal(queuedDone, false);
    ac.abort();
    const longResult = await long;
    const queuedResult = await queued;
    assert.equal(longResult.cancelled, true);
    assert.equal(queuedResult.exitCode, 0);
    assert.equal(queuedResult.stdout.trim(), '5e5e00000002 (head)');
    assert.ok(queuedResult.startedAt.getTime() >= longResult.startedAt.getTime() + longResult.durationMs - 5,
      'the queued run started only after the first ended');
    assert.equal(runningFor(r.projectKey), undefined);

    // Different projects do not block each other.
    const q = project('runner-linear');
    try {
      const ac2 = new AbortController();
      const again = r.run(cmd.upgrade({ target: 'head' }), { signal: ac2.signal });
      await waitFor('the migration to sleep again', sleeping);
      const elsewhere = await runnerFor(q, undefined).run(cmd.heads());
      assert.equal(elsewhere.exitCode, 0);
      ac2.abort();
      assert.equal((await again).cancelled, true);
    } finally {
      q.remove();
    }
  });
});
