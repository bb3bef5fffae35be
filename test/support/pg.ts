import crypto from 'node:crypto';
import { Client } from 'pg';

/**
 * The superuser URL of the throwaway PostgreSQL that scripts/test.sh started
 * (`postgresql://postgres:PASSWORD@127.0.0.1:PORT/postgres`).
 */
export function testServerUrl(): string {
  const url = process.env.ALEMBIC_TEST_PG_URL;
  if (!url) {
    throw new Error('ALEMBIC_TEST_PG_URL is not set: run the integration tier through `npm test` ' +
      '(or `eval "$(scripts/pg-throwaway.sh start)"; export ALEMBIC_TEST_PG_URL=$PG_URL`)');
  }
  return url;
}

export interface ScratchDatabase {
  name: string;
  /** Plain libpq-style URL (postgresql://...). */
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty database on the test server; `drop()` removes it (forcing other sessions off). */
export async function createScratchDatabase(prefix = 'test'): Promise<ScratchDatabase> {
  const server = new URL(testServerUrl());
  const name = `${prefix}_${crypto.randomBytes(4).toString('hex')}`.toLowerCase();
  await withClient(server.toString(), (c) => c.query(`CREATE DATABASE "${name}"`));
  const dbUrl = new URL(server.toString());
  dbUrl.pathname = `/${name}`;
  return {
    name,
    url: dbUrl.toString(),
    drop: async () => {
      await withClient(server.toString(), (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

export async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Whether a database of that name exists on the test server. */
export async function databaseExists(name: string): Promise<boolean> {
  return withClient(testServerUrl(), async (c) =>
    (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1);
}
