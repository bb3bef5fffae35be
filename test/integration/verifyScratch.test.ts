// The scratch database's life cycle against a real PostgreSQL: named after the user's database, gone
// afterwards whatever happened, a clear message without CREATEDB, and a local throwaway server instead.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { startLocalCluster } from '../../runtime/verify/localCluster';
import {
  createScratchDatabase, ScratchDatabaseError, scratchName, withDatabase, withScratchDatabase, type ScratchDatabase,
} from '../../runtime/verify/scratchDatabase';
import { databaseExists, testServerUrl, withClient } from '../support/pg';

/** The test server's URL, pointed at another database and optionally another role. */
function serverUrl(database: string, user?: { name: string; password: string }): string {
  const u = new URL(testServerUrl());
  u.pathname = `/${database}`;
  if (user) {
    u.username = user.name;
    u.password = user.password;
  }
  return u.toString();
}

async function canConnect(config: { host: string; port: number }): Promise<boolean> {
  const c = new Client({ ...config, user: 'nobody', password: 'x', database: 'x', connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    return true;
  } catch (e) {
    return (e as { code?: string }).code !== 'ECONNREFUSED';
  } finally {
    await c.end().catch(() => undefined);
  }
}

describe('verify: scratch database (real PostgreSQL)', function () {
  this.timeout(120_000);

  it('names it <database>_verify_<random>, within 63 bytes and lower case', () => {
    assert.match(scratchName('amani'), /^amani_verify_[0-9a-f]{8}$/);
    assert.match(scratchName('My-App DB'), /^my_app_db_verify_[0-9a-f]{8}$/);
    assert.ok(scratchName('x'.repeat(200)).length <= 63);
    assert.match(scratchName(undefined), /^alembic_verify_/);
    assert.notEqual(scratchName('a'), scratchName('a'));
  });

  it('puts another database into a SQLAlchemy URL and keeps everything else as written', () => {
    assert.equal(withDatabase('postgresql+asyncpg://u:p%40ss@db.example:6543/amani?ssl=require', 'x_verify_1'),
      'postgresql+asyncpg://u:p%40ss@db.example:6543/x_verify_1?ssl=require');
    assert.equal(withDatabase('postgresql://u@localhost', 'x'), 'postgresql://u@localhost/x');
    assert.equal(withDatabase('postgresql:///amani?host=/var/run/postgresql', 'x'), 'postgresql:///x?host=/var/run/postgresql');
    assert.equal(withDatabase('postgresql://u:p@[::1]:5432/amani', 'x'), 'postgresql://u:p@[::1]:5432/x');
  });

  it('creates it on the configured server and drops it', async () => {
    const db = await createScratchDatabase({ databaseUrl: serverUrl('postgres'), where: 'server' });
    try {
      assert.equal(db.location, 'server');
      assert.match(db.name, /^postgres_verify_[0-9a-f]{8}$/);
      assert.ok(await databaseExists(db.name));
      assert.ok(db.alembicUrl.endsWith(`/${db.name}`));
      const c = await db.connect();
      try {
        assert.equal((await c.query<{ d: string }>('SELECT current_database() AS d')).rows[0]?.d, db.name);
      } finally {
        await c.end();
      }
    } finally {
      await db.drop();
    }
    assert.equal(await databaseExists(db.name), false);
    await db.drop(); // a second drop is harmless
  });

  it('drops it when the work fails, even with a session still open in it', async () => {
    let name = '';
    let leftOpen: Client | undefined;
    await assert.rejects(withScratchDatabase({ databaseUrl: serverUrl('postgres'), where: 'server' }, async (db) => {
      name = db.name;
      leftOpen = await db.connect(); // as a killed Alembic process would leave its session
      leftOpen.on('error', () => undefined); // DROP ... WITH (FORCE) terminates it: expected
      throw new Error('boom');
    }), /boom/);
    assert.ok(name);
    assert.equal(await databaseExists(name), false);
    await leftOpen?.end().catch(() => undefined);
  });

  describe('a role without CREATEDB', () => {
    const role = { name: `verify_nocreate_${crypto.randomBytes(3).toString('hex')}`, password: 'pw-nocreate' };
    before(async () => {
      await withClient(testServerUrl(), (c) => c.query(`CREATE ROLE ${role.name} LOGIN NOCREATEDB PASSWORD '${role.password}'`));
    });
    after(async () => {
      await withClient(testServerUrl(), (c) => c.query(`DROP ROLE IF EXISTS ${role.name}`));
    });

    it('is told clearly what is missing and what to do', async () => {
      const err = await createScratchDatabase({ databaseUrl: serverUrl('postgres', role), where: 'server' }).then(
        () => assert.fail('created a database without CREATEDB'), (e: unknown) => e);
      assert.ok(err instanceof ScratchDatabaseError);
      assert.equal(err.code, 'no-createdb');
      assert.match(err.message, /lacks the CREATEDB privilege/);
      assert.match(err.message, new RegExp(`ALTER ROLE "${role.name}" CREATEDB`));
      assert.doesNotMatch(err.message, /pw-nocreate/);
    });

    it('falls back to a local throwaway PostgreSQL, which is gone afterwards', async () => {
      let db: ScratchDatabase | undefined;
      let dataDir = '';
      let endpoint: { host: string; port: number } | undefined;
      try {
        db = await createScratchDatabase({
          databaseUrl: serverUrl('postgres', role).replace(/^postgresql:/, 'postgresql+asyncpg:'),
          log: (l) => {
            const m = /initdb in (\S+)/.exec(l);
            if (m?.[1]) dataDir = m[1];
          },
        });
        assert.equal(db.location, 'local');
        assert.match(db.fallbackReason ?? '', /CREATEDB/);
        assert.match(db.alembicUrl, /^postgresql\+asyncpg:\/\/postgres:[0-9a-f]+@127\.0\.0\.1:\d+\//, 'keeps the driver of the user URL');
        const m = /@127\.0\.0\.1:(\d+)\//.exec(db.alembicUrl);
        endpoint = { host: '127.0.0.1', port: Number(m?.[1]) };
        const c = await db.connect();
        try {
          assert.equal((await c.query<{ d: string }>('SELECT current_database() AS d')).rows[0]?.d, db.name);
        } finally {
          await c.end();
        }
        assert.ok(dataDir && fs.existsSync(dataDir));
      } finally {
        await db?.drop();
      }
      assert.ok(endpoint);
      assert.equal(await canConnect(endpoint), false, 'the local server is stopped');
      assert.equal(fs.existsSync(dataDir), false, 'its folder is removed');
    });
  });

  it('starts a local throwaway PostgreSQL in a long temporary folder with a space in its name', async () => {
    // A Unix socket address holds at most 107 bytes, and pg_ctl hands its -o options to a shell: a
    // long TMPDIR (an editor's own, macOS's /var/folders/...) or one with a space must not matter.
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic long tmp '));
    const longTmp = path.join(parent, 'x'.repeat(60), 'y'.repeat(40));
    fs.mkdirSync(longTmp, { recursive: true });
    for (let d = longTmp; d.startsWith(parent); d = path.dirname(d)) fs.chmodSync(d, 0o755); // the postgres user must get in
    const savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = longTmp;
    try {
      const cluster = await startLocalCluster();
      try {
        assert.ok(cluster.dataDir.startsWith(longTmp), cluster.dataDir);
        const c = new Client({ host: cluster.host, port: cluster.port, user: cluster.user, password: cluster.password, database: 'postgres' });
        await c.connect();
        try {
          assert.equal((await c.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one, 1);
        } finally {
          await c.end();
        }
      } finally {
        await cluster.stop();
      }
    } finally {
      if (savedTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = savedTmp;
      fs.rmSync(parent, { recursive: true, force: true });
    }
  });

  it('refuses a URL that is not PostgreSQL with the reason', async () => {
    await assert.rejects(createScratchDatabase({ databaseUrl: 'mysql://u:p@h/db', where: 'server' }),
      (e: unknown) => e instanceof ScratchDatabaseError && e.code === 'invalid-url' &&
        e.message === 'verify runs on PostgreSQL only, and the project\'s database URL mysql://u:***@h/db is MySQL: the round trip is checked on PostgreSQL, not on MySQL');
  });
});
