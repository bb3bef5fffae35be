// Connecting to the real throwaway PostgreSQL through every URL form the extension accepts, and
// every failure mode with the message the user sees. At the end, every message produced here is
// searched for the passwords used.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import net from 'node:net';
import { connect } from '../../runtime/db/connect';
import { readDatabaseState, readDatabaseStateFromUrl, type DatabaseState, type DatabaseStateOptions } from '../../runtime/db/databaseState';
import type { DatabaseUrlInputs } from '../../runtime/db/databaseUrl';
import { parseDatabaseUrl } from '../../runtime/db/sqlalchemyUrl';
import { createScratchDatabase, testServerUrl, withClient, type ScratchDatabase } from '../support/pg';

// Characters that need URL encoding, and nothing that could appear in a message by accident.
const PASSWORD = `Zq7%p@ss:w/rd?&#Secret-${crypto.randomBytes(3).toString('hex')}`;
const WRONG_PASSWORD = `Wr0ng!Pw/${crypto.randomBytes(3).toString('hex')}`;
const enc = encodeURIComponent;

describe('db: connecting to the real PostgreSQL', function () {
  this.timeout(30_000);
  const role = `dbconn_${crypto.randomBytes(3).toString('hex')}`;
  const server = new URL(testServerUrl());
  const host = server.hostname;
  const port = Number(server.port);
  const seen: string[] = [];
  let db: ScratchDatabase;
  let socketDir = '';

  function url(scheme: string, query = '', auth = `${role}:${enc(PASSWORD)}@`, hostPart = `${host}:${port}`): string {
    return `${scheme}://${auth}${hostPart}/${db.name}${query ? `?${query}` : ''}`;
  }

  async function state(u: string, opts: DatabaseStateOptions = {}): Promise<DatabaseState> {
    const r = await readDatabaseStateFromUrl(u, { timeoutMs: 5000, env: {}, ...opts });
    seen.push(JSON.stringify(r));
    return r;
  }

  function ok(r: DatabaseState): Extract<DatabaseState, { ok: true }> {
    assert.ok(r.ok, `expected a connection: ${JSON.stringify(r)}`);
    if (!r.ok) throw new Error('unreachable');
    return r;
  }

  function failed(r: DatabaseState, kind: string): string {
    assert.ok(!r.ok, `expected a ${kind} problem, got ${JSON.stringify(r)}`);
    if (r.ok) throw new Error('unreachable');
    assert.equal(r.problem.kind, kind, r.problem.message);
    return r.problem.message;
  }

  before(async () => {
    db = await createScratchDatabase('dbconn');
    await withClient(testServerUrl(), async (c) => {
      await c.query(`CREATE ROLE ${role} LOGIN PASSWORD '${PASSWORD}'`);
      await c.query(`GRANT pg_read_all_data TO ${role}`);
      socketDir = String((await c.query('SHOW unix_socket_directories')).rows[0]?.unix_socket_directories ?? '').split(',')[0]?.trim() ?? '';
    });
    await withClient(db.url, async (c) => {
      await c.query('CREATE TABLE alembic_version (version_num varchar(32) NOT NULL PRIMARY KEY)');
      await c.query(`INSERT INTO alembic_version VALUES ('3c4d5e6f7a03')`);
      await c.query('CREATE SCHEMA app');
      await c.query('CREATE TABLE app.alembic_version (version_num varchar(32) NOT NULL PRIMARY KEY)');
      await c.query(`INSERT INTO app.alembic_version VALUES ('aaaa00000001')`);
    });
  });

  after(async () => {
    await db?.drop();
    await withClient(testServerUrl(), (c) => c.query(`DROP ROLE IF EXISTS ${role}`));
  });

  describe('every URL form', () => {
    const forms: [string, () => string][] = [
      ['postgresql://', () => url('postgresql')],
      ['postgresql+psycopg2://', () => url('postgresql+psycopg2')],
      ['postgresql+psycopg://', () => url('postgresql+psycopg')],
      ['postgresql+pg8000://', () => url('postgresql+pg8000')],
      ['postgresql+asyncpg:// with ssl=disable', () => url('postgresql+asyncpg', 'ssl=disable')],
      ['postgres:// (libpq style)', () => url('postgres')],
      ['user and password in the query', () => url('postgresql', `user=${role}&password=${enc(PASSWORD)}`, '')],
      ['psycopg2 multi-host form host=h:port', () => url('postgresql', `host=${host}:${port}`, `${role}:${enc(PASSWORD)}@`, '')],
      ['sslmode=disable', () => url('postgresql', 'sslmode=disable')],
    ];
    for (const [name, make] of forms) {
      it(`reads the version table through ${name}`, async () => {
        const r = ok(await state(make()));
        assert.deepEqual(r.currentRevisions, ['3c4d5e6f7a03']);
        assert.equal(r.endpoint, `${host}:${port}`);
        assert.equal(r.tls, false);
        assert.match(r.serverVersion, /^\d+(\.\d+)?/);
        assert.ok(r.latencyMs > 0 && r.latencyMs >= r.connectMs);
      });
    }

    it('connects through the socket folder given as host=/socket/dir (with port=)', async () => {
      assert.ok(socketDir.startsWith('/'), `the test server has a socket folder (${socketDir})`);
      const r = ok(await state(`postgresql+psycopg2://${role}@/${db.name}?host=${enc(socketDir)}&port=${port}`));
      assert.equal(r.endpoint, `${socketDir}/.s.PGSQL.${port}`);
      assert.deepEqual(r.currentRevisions, ['3c4d5e6f7a03']);
      assert.equal(r.tls, false);
      assert.deepEqual(r.notes, [], 'no SSL attempt over a socket');
    });

    it("fills in a URL without host from PGHOST / PGPORT, as libpq does", async () => {
      const r = ok(await state(`postgresql://${role}@/${db.name}`, { env: { PGHOST: socketDir, PGPORT: String(port) } }));
      assert.equal(r.endpoint, `${socketDir}/.s.PGSQL.${port}`);
    });

    it('sslmode=prefer against a server without TLS falls back to plain, and says so', async () => {
      for (const u of [url('postgresql', 'sslmode=prefer'), url('postgresql'), url('postgresql+asyncpg', 'ssl=prefer')]) {
        const r = ok(await state(u));
        assert.equal(r.tls, false);
        assert.deepEqual(r.notes, [`The server does not support SSL; connected without encryption (sslmode=prefer).`], u);
      }
    });

    it('sslmode=allow connects without TLS first', async () => {
      const r = ok(await state(url('postgresql', 'sslmode=allow')));
      assert.equal(r.tls, false);
      assert.deepEqual(r.notes, []);
    });

    it('PGSSLMODE=disable from the environment skips the TLS attempt', async () => {
      const r = ok(await state(url('postgresql'), { env: { PGSSLMODE: 'disable' } }));
      assert.deepEqual(r.notes, []);
    });

    it('passes options (search_path) through: the version table is found in that schema', async () => {
      const r = ok(await state(url('postgresql', `options=${enc('-c search_path=app')}`)));
      assert.deepEqual(r.currentRevisions, ['aaaa00000001']);
    });

    it('passes application_name through, with vscode-alembic as the fallback', async () => {
      for (const [query, expected] of [['application_name=my+tool', 'my tool'], ['', 'vscode-alembic']] as const) {
        const parsed = parseDatabaseUrl(url('postgresql', query));
        assert.equal(parsed.kind, 'postgres');
        if (parsed.kind !== 'postgres') return;
        const c = await connect(parsed.target, { timeoutMs: 5000, env: {} });
        assert.ok(c.ok, JSON.stringify(c.ok ? '' : c.problem));
        if (!c.ok) return;
        try {
          assert.equal((await c.client.query('SELECT current_setting($1) AS v', ['application_name'])).rows[0]?.v, expected);
        } finally {
          await c.client.end();
        }
      }
    });

    it('chooses the URL from .env, and merges the SecretStorage password into a setting URL', async () => {
      const inputs: DatabaseUrlInputs = { env: {}, dotenv: { path: '/w/.env', text: `DATABASE_URL='${url('postgresql+asyncpg', 'ssl=disable')}'\n` } };
      const fromDotenv = await readDatabaseState(inputs, { env: {} });
      seen.push(JSON.stringify(fromDotenv));
      assert.equal(ok(fromDotenv).source?.kind, 'dotenv');
      const fromSecret = await readDatabaseState({ settingUrl: url('postgresql', 'sslmode=disable', `${role}@`), secretPassword: PASSWORD }, { env: {} });
      seen.push(JSON.stringify(fromSecret));
      assert.equal(ok(fromSecret).source?.kind, 'setting');
      assert.deepEqual(ok(fromSecret).currentRevisions, ['3c4d5e6f7a03']);
    });
  });

  describe('failure modes, each with its message', () => {
    it('wrong password', async () => {
      const msg = failed(await state(url('postgresql', '', `${role}:${enc(WRONG_PASSWORD)}@`)), 'authFailed');
      assert.equal(msg, `Password authentication failed for user "${role}" at ${host}:${port}: the password is wrong or the user does not exist. ` +
        'Run "Alembic: Configure Database Connection…" to set the user and password.');
    });

    it('no such user (the server does not tell it from a wrong password)', async () => {
      const msg = failed(await state(url('postgresql', '', `nobody_here:${enc(PASSWORD)}@`)), 'authFailed');
      assert.match(msg, /for user "nobody_here" at /);
    });

    it('no password configured while the server asks for one', async () => {
      const msg = failed(await state(url('postgresql', '', `${role}@`)), 'passwordMissing');
      assert.equal(msg, `PostgreSQL at ${host}:${port} asks for a password for user "${role}", but none is configured. ` +
        'Run "Alembic: Configure Database Connection…" to store one in the editor\'s secret storage.');
    });

    it('missing database, named', async () => {
      const u = url('postgresql').replace(`/${db.name}`, '/no_such_db');
      const msg = failed(await state(u), 'databaseMissing');
      assert.equal(msg, `The database "no_such_db" does not exist on ${host}:${port}. Create it (createdb no_such_db) or fix the database name in the URL.`);
    });

    it('refused port', async () => {
      const closed = await freePort();
      const msg = failed(await state(url('postgresql', '', undefined, `127.0.0.1:${closed}`)), 'unreachable');
      assert.equal(msg, `Cannot reach PostgreSQL at 127.0.0.1:${closed}: connection refused. Is the server running, and are the host and port right?`);
    });

    it('timeout against a port that accepts and never answers (with and without an SSL request)', async () => {
      const sockets = new Set<net.Socket>();
      const blackHole = net.createServer((s) => { sockets.add(s); s.on('error', () => undefined); });
      await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
      const bhPort = (blackHole.address() as net.AddressInfo).port;
      try {
        for (const query of ['sslmode=disable', 'sslmode=prefer']) {
          const started = Date.now();
          const msg = failed(await state(url('postgresql', query, undefined, `127.0.0.1:${bhPort}`), { timeoutMs: 700 }), 'timeout');
          const elapsed = Date.now() - started;
          assert.equal(msg, `No answer from PostgreSQL at 127.0.0.1:${bhPort} within 0.7 s. Check the host and port, and any firewall or VPN in between.`);
          assert.ok(elapsed >= 600 && elapsed < 2500, `gave up after ${elapsed} ms (timeout 700 ms)`);
        }
        assert.ok(sockets.size >= 2, 'the connections reached the black hole');
      } finally {
        for (const s of sockets) s.destroy();
        await new Promise<void>((resolve) => blackHole.close(() => resolve()));
      }
    });

    it("connect_timeout in the URL shortens the editor's timeout", async () => {
      const blackHole = net.createServer((s) => { s.on('error', () => undefined); });
      await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
      const bhPort = (blackHole.address() as net.AddressInfo).port;
      try {
        const started = Date.now();
        failed(await state(url('postgresql', 'connect_timeout=1&sslmode=disable', undefined, `127.0.0.1:${bhPort}`), { timeoutMs: 20_000 }), 'timeout');
        assert.ok(Date.now() - started < 4000);
      } finally {
        blackHole.close();
        // closing the server does not end accepted sockets; pg destroyed its own on timeout.
      }
    });

    it('socket folder without a server', async () => {
      const msg = failed(await state(`postgresql://${role}@/${db.name}?host=/nonexistent/socket/dir&port=${port}`), 'unreachable');
      assert.equal(msg, `No PostgreSQL socket at /nonexistent/socket/dir/.s.PGSQL.${port}. Is the server running, and is that folder one of its unix_socket_directories?`);
    });

    it('unknown host', async () => {
      const msg = failed(await state(url('postgresql', '', undefined, 'no-such-host.invalid:5432')), 'hostNotFound');
      assert.equal(msg, 'The host "no-such-host.invalid" was not found (DNS lookup failed). Check the host name in the database URL.');
    });

    it('sslmode=require (and verify-full) against a server without TLS fails clearly', async () => {
      for (const [query, param, mode] of [['sslmode=require', 'sslmode', 'require'], ['sslmode=verify-full', 'sslmode', 'verify-full']] as const) {
        const msg = failed(await state(url('postgresql', query)), 'sslRefused');
        assert.equal(msg, `PostgreSQL at ${host}:${port} does not support SSL, but ${param}=${mode} requires it. ` +
          `Enable SSL on the server, or use ${param}=prefer (or disable) in the URL.`);
      }
      const asyncpg = failed(await state(url('postgresql+asyncpg', 'ssl=require')), 'sslRefused');
      assert.match(asyncpg, /but ssl=require requires it\. .* use ssl=prefer/);
    });

    it('an unreadable sslrootcert file', async () => {
      const msg = failed(await state(url('postgresql', 'sslmode=verify-ca&sslrootcert=/nonexistent/ca.pem')), 'sslFailed');
      assert.match(msg, /^Cannot read the sslrootcert file \/nonexistent\/ca\.pem: ENOENT/);
    });

    it('a user who may not read the version table', async () => {
      const noread = `dbnoread_${crypto.randomBytes(3).toString('hex')}`;
      await withClient(testServerUrl(), (c) => c.query(`CREATE ROLE ${noread} LOGIN PASSWORD '${PASSWORD}'`));
      try {
        const msg = failed(await state(url('postgresql', '', `${noread}:${enc(PASSWORD)}@`)), 'permissionDenied');
        assert.match(msg, /^The database user may not read the version table "alembic_version": permission denied for table alembic_version\. Grant SELECT on it\.$/);
      } finally {
        await withClient(testServerUrl(), (c) => c.query(`DROP ROLE ${noread}`));
      }
    });

    it('a dialect without a direct reader and no interpreter to ask Alembic: said so, without connecting', async () => {
      // SQLite and MySQL are read directly (dbSqlite.test.ts, dbMariadb.test.ts); SQL Server asks Alembic.
      for (const u of [`mssql+pyodbc://sa:${enc(PASSWORD)}@127.0.0.1/app`, `oracle+oracledb://app:${enc(PASSWORD)}@127.0.0.1/xe`]) {
        const r = await readDatabaseState({ settingUrl: u }, { env: {} });
        seen.push(JSON.stringify(r));
        assert.match(failed(r, 'unsupportedDialect'), /^(Microsoft SQL Server|Oracle) databases are read by running "alembic current" with the project's interpreter, which is not available here\.$/);
      }
    });

    it('nothing configured', async () => {
      const r = await readDatabaseState({ env: {} }, { env: {} });
      seen.push(JSON.stringify(r));
      assert.match(failed(r, 'noUrl'), /^No database URL: set alembic\.databaseUrl/);
    });
  });

  // Nested, so that it runs after the suites above (mocha runs a suite's own tests first).
  describe('afterwards', () => {
    it('no message, note or result produced above contains a password, raw or encoded', function () {
      if (seen.length === 0) {
        console.log('      (skipped: the suites above were filtered out, so there is nothing to search)');
        this.skip();
      }
      const all = seen.join('\n');
      for (const secret of [PASSWORD, WRONG_PASSWORD]) {
        for (const form of [secret, enc(secret), JSON.stringify(secret).slice(1, -1)]) {
          assert.ok(!all.includes(form), `a result holds the password (${form === secret ? 'raw' : 'encoded'})`);
        }
      }
      // And the server's own password (the throwaway superuser's) never appears either.
      const serverPassword = decodeURIComponent(server.password);
      if (serverPassword.length >= 4) assert.ok(!all.includes(`:${serverPassword}@`));
    });
  });
});

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const p = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return p;
}
