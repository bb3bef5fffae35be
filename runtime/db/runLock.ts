// The migration lock: one run that changes a database (upgrade, downgrade, stamp) at a time, across
// editor windows, editors and machines, where the runner's own lock only covers one extension host.
// It is a PostgreSQL session-level advisory lock on a key derived from the version table, taken with
// pg_try_advisory_lock on a session of its own that is held for the whole run. Advisory locks conflict
// with nothing but themselves, and the session sits idle outside any transaction, so Alembic's own
// work is never blocked by it. The session's application_name says who holds the lock, which is what
// another run reads from pg_locks and pg_stat_activity (application_name is visible to every role) to
// say who is busy. No vscode import.
import os from 'node:os';
import type { Client } from 'pg';
import { connect, errorMessage } from './connect';
import { describeEndpoint, type PostgresTarget } from './sqlalchemyUrl';
import { DEFAULT_VERSION_TABLE, readVersionTable, type VersionTableName } from './versionTable';

/** First half of the two-part advisory key, `alem` in ASCII: the lock is recognisable in pg_locks. */
export const RUN_LOCK_NAMESPACE = 0x616c656d;

/** Every lock session's application_name starts with this. */
export const RUN_LOCK_APPLICATION_PREFIX = 'alembic-migrations:';

export interface RunLockHolder {
  /** Server process of the session holding the lock. */
  pid: number;
  applicationName: string;
  user?: string;
  /** The client's address as the server sees it (absent for Unix sockets and for roles that may not see it). */
  clientAddress?: string;
  backendStart?: Date;
}

/** Another run holds the database's migration lock; nothing was started. */
export class DatabaseBusyError extends Error {
  constructor(readonly database: string, readonly versionTable: string, readonly holders: readonly RunLockHolder[], readonly requested: string) {
    super(`${database} is being migrated by another run: the migration lock of its version table ${versionTable} is held by ` +
      `${holders.length > 0 ? holders.map(describeHolder).join('; ') : 'a session this database role may not see'}. ` +
      `"${requested}" was not started. Wait for that run to finish, or cancel it where it runs.`);
    this.name = 'DatabaseBusyError';
  }
}

function describeHolder(h: RunLockHolder): string {
  const where = [h.user ? `user ${h.user}` : '', h.clientAddress ? `from ${h.clientAddress}` : ''].filter(Boolean).join(' ');
  const since = h.backendStart ? `, connected ${h.backendStart.toISOString()} (${Math.max(0, Math.round((Date.now() - h.backendStart.getTime()) / 1000))} s ago)` : '';
  return `"${h.applicationName || '(no application_name)'}" (server process ${h.pid}${where ? `, ${where}` : ''}${since})`;
}

export interface HeldRunLock {
  /** The lock session's server process id (so that a cancel's clean-up leaves it alone). */
  backendPid: number;
  /** The version table's rows, sorted; undefined when they cannot be read (the lock still holds). */
  readVersionTable(): Promise<string[] | undefined>;
  /** Releases the lock and closes its session. Never throws. */
  release(): Promise<void>;
}

export interface RunLock {
  /**
   * Takes the lock for a run of `display` (shown to others who find it busy). Rejects with
   * DatabaseBusyError when another session holds it, or with an Error saying why the lock could not be
   * taken (the caller must not run then: without the lock nothing keeps two runs apart).
   */
  acquire(display: string): Promise<HeldRunLock>;
}

export interface RunLockOptions {
  target: PostgresTarget;
  versionTable?: VersionTableName;
  /** libpq defaults (PGHOST ...). Default process.env. */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Who runs, for the holder's application_name. Default `<user>@<host> pid <pid>` of this process. */
  who?: string;
}

/** `alembic-migrations: alice@laptop pid 4242 upgrade head`, in the 63 ASCII bytes application_name keeps. */
export function lockApplicationName(who: string, display: string): string {
  const text = `${RUN_LOCK_APPLICATION_PREFIX} ${who} ${display.replace(/^alembic /, '')}`;
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 63);
}

function defaultWho(): string {
  let user = 'unknown';
  try { user = os.userInfo().username; } catch { /* no passwd entry */ }
  return `${user}@${os.hostname()} pid ${process.pid}`;
}

// The key: the version table's schema-qualified name, hashed by the server. Without a schema Alembic
// uses the session's default schema, so `public.alembic_version` and `alembic_version` share a key.
const KEY_SQL = "hashtext(coalesce($1::text, current_schema(), 'public') || '.' || $2::text)";

export function pgRunLock(o: RunLockOptions): RunLock {
  const timeoutMs = o.timeoutMs ?? 10_000;
  const schema = o.versionTable?.schema?.trim() || null;
  const table = o.versionTable?.table?.trim() || DEFAULT_VERSION_TABLE;
  const tableName = `${schema ? `${schema}.` : ''}${table}`;
  const databaseName = `${describeEndpoint(o.target)}/${o.target.database ?? o.target.user ?? ''}`;
  return {
    acquire: async (display) => {
      const applicationName = lockApplicationName(o.who ?? defaultWho(), display);
      const connected = await connect({ ...o.target, applicationName }, { timeoutMs, env: o.env ?? process.env });
      if (!connected.ok) throw new Error(`the migration lock of ${databaseName} could not be taken: ${connected.problem.message}`);
      const client = connected.client;
      const release = async (): Promise<void> => {
        // Ending the session releases a session-level advisory lock in any case.
        await client.end().catch(() => undefined);
      };
      try {
        for (let attempt = 0; ; attempt++) {
          const r = await client.query<{ got: boolean; key: number; pid: number }>(
            `SELECT pg_try_advisory_lock($3::int, ${KEY_SQL}) AS got, ${KEY_SQL} AS key, pg_backend_pid() AS pid`,
            [schema, table, RUN_LOCK_NAMESPACE]);
          const row = r.rows[0];
          if (!row) throw new Error('pg_try_advisory_lock returned no row');
          if (row.got) {
            return {
              backendPid: row.pid,
              readVersionTable: async () => {
                const read = await readVersionTable(client, o.versionTable ?? {}).catch(() => undefined);
                return read?.ok ? read.revisions : undefined;
              },
              release,
            };
          }
          const holders = await lockHolders(client, row.key);
          // Released between the two queries: try once more before calling it busy.
          if (holders.length > 0 || attempt > 0) throw new DatabaseBusyError(databaseName, tableName, holders, display);
        }
      } catch (e) {
        await release();
        if (e instanceof DatabaseBusyError) throw e;
        throw new Error(`the migration lock of ${databaseName} could not be taken: ${errorMessage(e)}`);
      }
    },
  };
}

async function lockHolders(client: Client, key: number): Promise<RunLockHolder[]> {
  const r = await client.query<{ pid: number; application_name: string | null; usename: string | null; client_addr: string | null; backend_start: Date | null }>(
    `SELECT l.pid, a.application_name, a.usename, host(a.client_addr) AS client_addr, a.backend_start
       FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
        AND l.classid = ($1::int)::oid AND l.objid = ($2::int)::oid
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      ORDER BY l.pid`, [RUN_LOCK_NAMESPACE, key]);
  return r.rows.map((row) => ({
    pid: row.pid, applicationName: row.application_name ?? '',
    ...(row.usename ? { user: row.usename } : {}),
    ...(row.client_addr ? { clientAddress: row.client_addr } : {}),
    ...(row.backend_start ? { backendStart: row.backend_start } : {}),
  }));
}
