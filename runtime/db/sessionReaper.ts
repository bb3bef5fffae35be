// Ending the database sessions a cancelled Alembic run leaves behind.
// Killing the Python process does not stop its statement on the server: PostgreSQL notices a vanished
// client only when it next talks to it, so a `pg_sleep(30)` or a long ALTER keeps running (and keeps
// its locks) until it finishes. A session is the run's when either
//   - it carries the run's tag: the runner sets PGAPPNAME, which libpq drivers (psycopg2, psycopg) send
//     as application_name unless the URL sets `application_name=` itself; or
//   - its client address and port are the local end of a TCP connection the run's processes held when
//     the cancel came (read from /proc on Linux): this finds asyncpg's sessions, which ignore PGAPPNAME,
//     and those of URLs with their own application_name.
// Those are ended. What neither finds (a Unix socket without the tag, a proxy or NAT in between, a
// system without /proc) is not guessed at: sessions of the same role on the same database that began
// while the run ran are reported as ones that may still be running, for the user to judge.
import type { Client } from 'pg';
import { canonicalAddress, type SocketEnd } from '../alembic/processSockets';

/** What is known about a cancelled run, to find its sessions. */
export interface RunSessions {
  /** The PGAPPNAME the run carried. */
  applicationName: string;
  /** When its process started (this machine's clock). */
  startedAt: Date;
  /** Local ends of its processes' TCP connections at the cancel; undefined: they could not be read. */
  clientEnds?: readonly SocketEnd[];
  /** Server processes never to touch (the run lock's session). */
  keepPids?: readonly number[];
}

export interface SessionSummary {
  pid: number;
  applicationName: string;
  state?: string;
  backendStart?: Date;
  /** The statement it runs, cut short. */
  query?: string;
}

export interface ReapResult {
  /** Sessions of the run that were ended. */
  ended: number;
  /** Sessions that may be the run's but could not be told apart from others: left alone. */
  mayRemain: SessionSummary[];
  /** Why some sessions could not be identified (shown with mayRemain). */
  note?: string;
}

/** Ends the server sessions of a cancelled run. */
export type SessionReaper = (run: RunSessions) => Promise<ReapResult>;

export interface ReaperOptions {
  /** How long to wait for terminated sessions to disappear (their rollback included). */
  timeoutMs?: number;
}

interface ActivityRow {
  pid: number;
  application_name: string | null;
  client_addr: string | null;
  client_port: number | null;
  backend_start: Date | null;
  state: string | null;
  query: string | null;
  /** Same role as the reaper's, on the reaper's database: what a run with the same URL would be. */
  mine: boolean;
}

/**
 * A reaper that opens its own session with `open` (e.g. the db module's connect) to the run's
 * database. The session must not carry the run's tag; open() should set its own application_name.
 */
export function pgSessionReaper(open: () => Promise<Client>, opts: ReaperOptions = {}): SessionReaper {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return async (run) => {
    const client = await open();
    try {
      const sent = Date.now();
      const rows = (await client.query<ActivityRow & { server_now: Date }>(
        `SELECT pid, application_name, host(client_addr) AS client_addr, client_port, backend_start, state,
                left(query, 200) AS query, usename = current_user AND datname = current_database() AS mine,
                now() AS server_now
           FROM pg_stat_activity
          WHERE pid <> pg_backend_pid()`)).rows;
      // The server's clock, not ours, stamps backend_start.
      const skewMs = rows[0] ? rows[0].server_now.getTime() - (sent + Date.now()) / 2 : 0;
      const keep = new Set(run.keepPids ?? []);
      const ends = new Set((run.clientEnds ?? []).map((e) => `${canonicalAddress(e.address)}:${e.port}`));
      const isRuns = (r: ActivityRow): boolean => !keep.has(r.pid) && (r.application_name === run.applicationName ||
        (r.client_addr !== null && r.client_port !== null && r.client_port > 0 && ends.has(`${canonicalAddress(r.client_addr)}:${r.client_port}`)));
      const runs = rows.filter(isRuns).map((r) => r.pid);
      let ended = 0;
      if (runs.length > 0) {
        const t = await client.query<{ n: string }>('SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM unnest($1::int[]) AS pid', [runs]);
        ended = Number(t.rows[0]?.n ?? 0);
        await waitUntilGone(client, runs, timeoutMs);
      }
      // Began after the run did (a second of slack for the clocks), same role, not found above, not kept.
      const since = run.startedAt.getTime() + skewMs - 1000;
      const mayRemain = rows
        .filter((r) => r.mine && !keep.has(r.pid) && !runs.includes(r.pid) && r.backend_start !== null && r.backend_start.getTime() >= since)
        .map(summary);
      const note = mayRemain.length === 0 ? undefined : run.clientEnds === undefined
        ? "the run's network connections cannot be read on this system, and these sessions do not carry its tag (asyncpg, or application_name= in the URL)"
        : "these sessions carry neither the run's tag (asyncpg, or application_name= in the URL) nor the address of one of its network connections (a Unix socket, a proxy or NAT in between)";
      return { ended, mayRemain, ...(note ? { note } : {}) };
    } finally {
      await client.end().catch(() => undefined);
    }
  };
}

/** A terminated backend rolls back before it leaves pg_stat_activity: wait, so that what is read next is final. */
async function waitUntilGone(client: Client, pids: number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = await client.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE pid = ANY($1::int[])', [pids]);
    const n = Number(left.rows[0]?.n ?? 0);
    if (n === 0) return;
    if (Date.now() > deadline) throw new Error(`${n} database session(s) of the cancelled run were still there ${timeoutMs} ms after being terminated`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function summary(r: ActivityRow): SessionSummary {
  return {
    pid: r.pid, applicationName: r.application_name ?? '',
    ...(r.state ? { state: r.state } : {}),
    ...(r.backend_start ? { backendStart: r.backend_start } : {}),
    ...(r.query ? { query: r.query.replace(/\s+/g, ' ').trim() } : {}),
  };
}
