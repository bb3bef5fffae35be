// alembic.lockTimeout with the real Alembic (psycopg2) and PostgreSQL: a downgrade that needs a table
// another session reads in an open transaction fails after the timeout instead of waiting behind it,
// the result says which table and what to do, and the database is as it was (transactional DDL).
import assert from 'node:assert/strict';
import { Client } from 'pg';
import * as cmd from '../../runtime/alembic/commandArguments';
import { interpretRun } from '../../runtime/alembic/results';
import { createScratchDatabase, type ScratchDatabase } from '../support/pg';
import { columns, project, runnerFor, versions, type Project } from './runner-support';

const B = 'b2c3d4e5f6a7';

describe('lock timeout of the runs we start', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;
  let p: Project;
  beforeEach(async () => {
    db = await createScratchDatabase('locks');
    p = project('runner-linear');
  });
  afterEach(async () => {
    await db.drop();
    p.remove();
  });

  it('a migration blocked by a lock from a second connection fails after lock_timeout, recognised, with no change', async () => {
    const ctx = { versionDirs: [p.versionsDir] };
    assert.equal(interpretRun(await runnerFor(p, db.url).run(cmd.upgrade({ target: B })), ctx).status, 'success');
    // A reader in an open transaction: its ACCESS SHARE lock blocks ALTER TABLE ... DROP COLUMN.
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT count(*) FROM widgets');
      const r = runnerFor(p, db.url, { timeouts: { lockTimeout: '1500ms' } });
      assert.deepEqual(r.session.applied, ['lock_timeout=1500ms']);
      const t0 = Date.now();
      const outcome = interpretRun(await r.run(cmd.downgrade({ target: '-1' })), ctx);
      const elapsed = Date.now() - t0;
      assert.equal(outcome.ok, false);
      assert.equal(outcome.advice?.kind, 'lockTimeout', `${outcome.message}\n${outcome.detail ?? ''}`);
      assert.equal(outcome.advice?.table, 'widgets');
      assert.match(outcome.message, /canceling statement due to lock timeout/);
      assert.ok(elapsed >= 1500 && elapsed < 20_000, `failed after ${elapsed} ms`);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }
    assert.deepEqual(await versions(db.url), [B]);
    assert.deepEqual(await columns(db.url, 'widgets'), ['id', 'name', 'colour']);
  });
});
