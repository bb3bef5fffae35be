// SSL modes against a real PostgreSQL that speaks TLS: a throwaway cluster of its own (the shared
// one has no TLS, which dbConnect.test.ts relies on), with a certificate from a test CA made by
// openssl. Also pg_hba.conf that demands or forbids TLS, for libpq's allow/prefer fallbacks.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect } from '../../runtime/db/connect';
import { readDatabaseStateFromUrl, type DatabaseState } from '../../runtime/db/databaseState';
import { parseDatabaseUrl } from '../../runtime/db/sqlalchemyUrl';
import { repoRoot } from '../support/paths';
import { Client } from 'pg';

function run(cmd: string, args: string[], cwd?: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr || r.error}`);
  return r.stdout;
}

/** A CA, and a server certificate it signed for DNS:localhost only (so 127.0.0.1 does not match). */
function makeCertificates(dir: string): void {
  const conf = path.join(dir, 'san.cnf');
  fs.writeFileSync(conf, 'subjectAltName=DNS:localhost\n');
  run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=alembic test CA',
    '-keyout', 'ca.key', '-out', 'ca.crt'], dir);
  run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', 'server.key', '-out', 'server.csr'], dir);
  run('openssl', ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2',
    '-extfile', conf, '-out', 'server.crt'], dir);
}

async function until(what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('db: SSL modes against a PostgreSQL with TLS', function () {
  this.timeout(60_000);
  let pgDir = '';
  let certDir = '';

  let port = 0;
  let password = '';

  function url(query: string, host = '127.0.0.1'): string {
    return `postgresql://postgres:${encodeURIComponent(password)}@${host}:${port}/postgres${query ? `?${query}` : ''}`;
  }

  async function state(u: string): Promise<DatabaseState> {
    return readDatabaseStateFromUrl(u, { timeoutMs: 5000, env: {} });
  }

  /** Whether the server itself sees this connection as encrypted (pg_stat_ssl). */
  async function serverSeesTls(u: string): Promise<boolean> {
    const parsed = parseDatabaseUrl(u);
    assert.ok(parsed.kind === 'postgres');
    const c = await connect(parsed.target, { timeoutMs: 5000, env: {} });
    assert.ok(c.ok, c.ok ? '' : c.problem.message);
    try {
      const row = (await c.client.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).rows[0] as { ssl: boolean };
      assert.equal(row.ssl, c.tls, 'connect() reports what the server sees');
      return row.ssl;
    } finally {
      await c.client.end();
    }
  }

  /** A superuser session over the cluster's socket (trusted), which pg_hba.conf changes below never lock out. */
  async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
    const c = new Client({ host: path.join(pgDir, 'sock'), port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 5000 });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  }

  /** Whether a plain pg client (not the code under test) gets in over TCP, with or without TLS. */
  async function probe(tls: boolean): Promise<boolean> {
    const c = new Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres', connectionTimeoutMillis: 5000, ssl: tls ? { rejectUnauthorized: false } : false });
    try {
      await c.connect();
      return true;
    } catch {
      return false;
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  type Access = { plain: boolean; tls: boolean };

  /** Rewrites pg_hba.conf and waits until new connections see it (a reload is asynchronous). */
  async function setHba(line: string, expect: Access): Promise<void> {
    fs.writeFileSync(path.join(pgDir, 'data', 'pg_hba.conf'), `local all all trust\n${line}\n`);
    await admin((c) => c.query('SELECT pg_reload_conf()'));
    await until(`pg_hba.conf with "${line}" in effect`, async () =>
      (await probe(false)) === expect.plain && (await probe(true)) === expect.tls);
  }

  const OPEN = 'host all all 127.0.0.1/32 scram-sha-256';

  before(async function () {
    const which = spawnSync('openssl', ['version']);
    if (which.status !== 0) {
      console.log('      (skipped: openssl is not installed, so no test certificate can be made; apt-get install openssl)');
      this.skip();
    }
    const out = run('bash', [path.join(repoRoot, 'scripts', 'pg-throwaway.sh'), 'start']);
    const env = Object.fromEntries(out.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    pgDir = env.PG_DIR ?? '';

    const u = new URL(env.PG_URL ?? '');
    port = Number(u.port);
    password = decodeURIComponent(u.password);
    certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-tls-'));
    makeCertificates(certDir);
    const data = path.join(pgDir, 'data');
    for (const f of ['server.crt', 'server.key']) {
      fs.copyFileSync(path.join(certDir, f), path.join(data, f));
      fs.chmodSync(path.join(data, f), 0o600);
      if (process.getuid?.() === 0) run('chown', ['postgres', path.join(data, f)]);
    }
    await admin(async (c) => {
      await c.query('ALTER SYSTEM SET ssl = on');
      await c.query('SELECT pg_reload_conf()');
    });
    await until('ssl = on', () => admin(async (c) => (await c.query('SHOW ssl')).rows[0]?.ssl === 'on'));
  });

  after(() => {
    if (pgDir) run('bash', [path.join(repoRoot, 'scripts', 'pg-throwaway.sh'), 'stop', pgDir]);
    if (certDir) fs.rmSync(certDir, { recursive: true, force: true });
  });

  it('prefer (stated or by default) and require use TLS when the server offers it', async () => {
    for (const q of ['sslmode=prefer', '', 'sslmode=require']) {
      const r = await state(url(q));
      assert.ok(r.ok, JSON.stringify(r));
      assert.equal(r.ok && r.tls, true, q);
      assert.deepEqual(r.ok && r.notes, [], q);
      assert.equal(await serverSeesTls(url(q)), true, q);
    }
  });

  it('disable and allow connect without TLS when the server accepts that', async () => {
    for (const q of ['sslmode=disable', 'sslmode=allow']) assert.equal(await serverSeesTls(url(q)), false, q);
  });

  it('verify-full with the CA: accepted for the name in the certificate, refused for another', async () => {
    const ca = `sslrootcert=${encodeURIComponent(path.join(certDir, 'ca.crt'))}`;
    const good = await state(url(`sslmode=verify-full&${ca}`, 'localhost'));
    assert.ok(good.ok && good.tls, JSON.stringify(good));
    const bad = await state(url(`sslmode=verify-full&${ca}`));
    assert.ok(!bad.ok);
    if (bad.ok) return;
    assert.equal(bad.problem.kind, 'sslFailed');
    assert.match(bad.problem.message, /^SSL with PostgreSQL at 127\.0\.0\.1:\d+ failed \(sslmode=verify-full\): .*IP: 127\.0\.0\.1 is not in the cert's list.*give its CA with sslrootcert/);
  });

  it('verify-ca with the CA ignores the name; without the CA the chain is refused', async () => {
    const ca = `sslrootcert=${encodeURIComponent(path.join(certDir, 'ca.crt'))}`;
    const good = await state(url(`sslmode=verify-ca&${ca}`));
    assert.ok(good.ok && good.tls, JSON.stringify(good));
    const bad = await state(url('sslmode=verify-ca'));
    assert.ok(!bad.ok);
    if (bad.ok) return;
    assert.equal(bad.problem.kind, 'sslFailed');
    assert.match(bad.problem.message, /failed \(sslmode=verify-ca\): .*(self[- ]signed|unable to (get|verify))/i);
    assert.ok(!bad.problem.message.includes(password));
  });

  it('allow: a server that demands TLS (hostssl only) gets a second, encrypted attempt', async () => {
    await setHba('hostssl all all 127.0.0.1/32 scram-sha-256', { plain: false, tls: true });
    try {
      const r = await state(url('sslmode=allow'));
      assert.ok(r.ok, JSON.stringify(r));
      assert.equal(r.ok && r.tls, true);
      assert.deepEqual(r.ok && r.notes, ['The server refused the connection without SSL (pg_hba.conf); connected with SSL (sslmode=allow).']);
      const plain = await state(url('sslmode=disable'));
      assert.ok(!plain.ok);
      assert.equal(!plain.ok && plain.problem.kind, 'authRejected');
      assert.match(!plain.ok ? plain.problem.message : '', /^PostgreSQL at 127\.0\.0\.1:\d+ rejected user "postgres" for database "postgres": no pg_hba\.conf entry .*no encryption.*pg_hba\.conf on the server\.$/);
    } finally {
      await setHba(OPEN, { plain: true, tls: true });
    }
  });

  it('prefer: a server that refuses TLS for us (hostnossl only) gets a second, plain attempt', async () => {
    await setHba('hostnossl all all 127.0.0.1/32 scram-sha-256', { plain: true, tls: false });
    try {
      const r = await state(url('sslmode=prefer'));
      assert.ok(r.ok, JSON.stringify(r));
      assert.equal(r.ok && r.tls, false);
      assert.deepEqual(r.ok && r.notes, ['The server refused the SSL connection (pg_hba.conf); connected without encryption (sslmode=prefer).']);
      const required = await state(url('sslmode=require'));
      assert.equal(!required.ok && required.problem.kind, 'authRejected');
    } finally {
      await setHba(OPEN, { plain: true, tls: true });
    }
  });
});
