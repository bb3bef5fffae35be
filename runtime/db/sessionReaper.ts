// Ending the database sessions a cancelled Alembic run leaves behind.
// Killing the Python process does not stop its statement on the server: PostgreSQL notices a vanished
// client only when it next talks to it, so a `pg_sleep(30)` or a long ALTER keeps running (and keeps
// its locks) until it finishes. The runner tags every run with `PGAPPNAME`, which libpq drivers
// (psycopg2, psycopg) send as application_name; this ends the sessions carrying that tag.
// asyncpg ignores PGAPPNAME, so its sessions cannot be found this way; they end when their statement does.
import { Client, type ClientConfig } from 'pg';

/** Ends the server sessions tagged with `applicationName`; resolves to how many there were. */
export type SessionReaper = (applicationName: string) => Promise<number>;

export interface ReaperOptions {
  /** How long to wait for terminated sessions to disappear (their rollback included). */
  timeoutMs?: number;
}

/** A reaper that connects with `pg` (a connection string or a config, e.g. from the db module). */
export function pgSessionReaper(config: ClientConfig | string, opts: ReaperOptions = {}): SessionReaper {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return async (applicationName) => {
    const base: ClientConfig = typeof config === 'string' ? { connectionString: config } : config;
    const client = new Client({
      connectionTimeoutMillis: 5_000, ...base,
      // Our own session must never match the tag it is looking for.
      application_name: 'alembic-vscode-reaper',
    });
    await client.connect();
    try {
      const ended = await client.query<{ n: string }>(
        `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM pg_stat_activity
          WHERE application_name = $1 AND pid <> pg_backend_pid()`, [applicationName]);
      const deadline = Date.now() + timeoutMs;
      // A terminated backend rolls back before it leaves pg_stat_activity: wait, so that callers who
      // look at the database afterwards see it as it was.
      for (;;) {
        const left = await client.query<{ n: string }>(
          'SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()', [applicationName]);
        if (Number(left.rows[0]?.n ?? 0) === 0) break;
        if (Date.now() > deadline) {
          throw new Error(`${left.rows[0]?.n} database session(s) tagged ${applicationName} were still there ${timeoutMs} ms after being terminated`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      return Number(ended.rows[0]?.n ?? 0);
    } finally {
      await client.end().catch(() => undefined);
    }
  };
}
