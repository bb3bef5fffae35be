// The throwaway MariaDB that scripts/test.sh starts for the integration tier (scripts/mariadb-throwaway.sh).
import crypto from 'node:crypto';
import type { Connection } from 'mysql2/promise';

/** `mysql+pymysql://alembic:PASSWORD@127.0.0.1:PORT/alembic_test`. */
export function testMariadbUrl(): string {
  const url = process.env.ALEMBIC_TEST_MARIADB_URL;
  if (!url) {
    throw new Error('ALEMBIC_TEST_MARIADB_URL is not set: run the integration tier through `npm test` ' +
      '(or `eval "$(scripts/mariadb-throwaway.sh start)"; export ALEMBIC_TEST_MARIADB_URL=$MARIADB_URL`)');
  }
  return url;
}

export interface MariadbServer {
  host: string;
  port: number;
  user: string;
  password: string;
}

export function testMariadbServer(): MariadbServer {
  const u = new URL(testMariadbUrl().replace(/^mysql\+pymysql:/, 'mysql:'));
  return { host: u.hostname, port: Number(u.port), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
}

export async function withMariadb<T>(database: string | undefined, fn: (c: Connection) => Promise<T>): Promise<T> {
  const mysql = await import('mysql2/promise');
  const s = testMariadbServer();
  const c = await mysql.createConnection({ host: s.host, port: s.port, user: s.user, password: s.password, ...(database ? { database } : {}) });
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export interface ScratchMariadb {
  name: string;
  /** `mysql+pymysql://...` to the scratch database, as Alembic takes it. */
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty database on the test server; `drop()` removes it. */
export async function createScratchMariadb(prefix = 'test'): Promise<ScratchMariadb> {
  const name = `${prefix}_${crypto.randomBytes(4).toString('hex')}`;
  await withMariadb(undefined, (c) => c.query(`CREATE DATABASE \`${name}\``));
  const s = testMariadbServer();
  return {
    name,
    url: `mysql+pymysql://${encodeURIComponent(s.user)}:${encodeURIComponent(s.password)}@${s.host}:${s.port}/${name}`,
    drop: async () => { await withMariadb(undefined, (c) => c.query(`DROP DATABASE IF EXISTS \`${name}\``)); },
  };
}
