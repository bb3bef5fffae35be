// The scratch database a verification runs in: `<name>_verify_<random>`, created on the configured
// server (needs CREATEDB) or on a throwaway local PostgreSQL, and always dropped afterwards. The user's
// own database is only ever connected to as a place to issue CREATE/DROP DATABASE from; nothing in it
// is read or written. No vscode import.
import crypto from 'node:crypto';
import { Client, type ClientConfig } from 'pg';
import { redactUrl } from '../../common/redact';
import { openClient } from '../db/connect';
import { describeEndpoint, dialectName, parseDatabaseUrl, splitSqlalchemyUrl, type PostgresTarget } from '../db/sqlalchemyUrl';
import { localClusterUnavailable, startLocalCluster, type LocalCluster } from './localCluster';

export type ScratchLocation = 'server' | 'local';

export interface ScratchDatabase {
  name: string;
  location: ScratchLocation;
  /** SQLAlchemy URL Alembic is given: the user's URL (same driver, options) with this database in it. */
  alembicUrl: string;
  /** A new `pg` connection to it (the caller ends it). */
  connect(): Promise<Client>;
  /** `host:port` (never a password), for messages. */
  endpoint: string;
  /** `server_version` of the server it lives on. */
  serverVersion: string;
  /** Why the local server was used instead of the configured one, when it was a fallback. */
  fallbackReason?: string;
  /** Drops it (forcing other sessions off) and stops a local server. Idempotent; never throws for "already gone". */
  drop(): Promise<void>;
}

export type ScratchErrorCode = 'no-createdb' | 'invalid-url' | 'connect' | 'local-unavailable' | 'local-failed' | 'cancelled';

export class ScratchDatabaseError extends Error {
  constructor(readonly code: ScratchErrorCode, message: string) {
    super(message);
    this.name = 'ScratchDatabaseError';
  }
}

/** Opens a `pg` connection for a target (TLS as its sslmode says). The db module's connect can be passed in. */
export type ConnectFn = (target: PostgresTarget, database: string) => Promise<Client>;

export interface ScratchOptions {
  /** The project's database URL (SQLAlchemy form). Absent: only a local server can be used. */
  databaseUrl?: string;
  /**
   * `server`: only the configured server; `local`: only a throwaway local PostgreSQL; `auto` (default):
   * the configured server, falling back to a local one when the server refuses (no CREATEDB, cannot
   * connect) and PostgreSQL binaries are installed.
   */
  where?: 'auto' | ScratchLocation;
  connect?: ConnectFn;
  signal?: AbortSignal;
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

const CONNECT_TIMEOUT_MS = 10_000;

/** Creates the scratch database. The caller must `drop()` it: prefer `withScratchDatabase`. */
export async function createScratchDatabase(opts: ScratchOptions): Promise<ScratchDatabase> {
  const where = opts.where ?? 'auto';
  const log = opts.log ?? (() => undefined);
  const connect = opts.connect ?? libpqConnect(opts.env);
  let target: PostgresTarget | undefined;
  let problem: ScratchDatabaseError | undefined;

  if (opts.databaseUrl !== undefined && where !== 'local') {
    const parsed = parseDatabaseUrl(opts.databaseUrl, { env: opts.env ?? process.env });
    if (parsed.kind === 'unsupportedDialect') {
      // Scratch databases, the schema snapshot and its diff are PostgreSQL's: a project on another database
      // is verified on PostgreSQL, which checks its migrations' round trip, not how its own database takes them.
      const label = dialectName(parsed.dialect);
      problem = new ScratchDatabaseError('invalid-url', `verify runs on PostgreSQL only, and the project's database URL ` +
        `${redactUrl(opts.databaseUrl)} is ${label}: the round trip is checked on PostgreSQL, not on ${label}`);
    } else if (parsed.kind !== 'postgres') {
      problem = new ScratchDatabaseError('invalid-url', `database URL ${redactUrl(opts.databaseUrl)}: ${parsed.message}`);
    } else {
      target = parsed.target;
      try {
        return await createOnServer(opts.databaseUrl, target, connect, log);
      } catch (e) {
        problem = e instanceof ScratchDatabaseError ? e : new ScratchDatabaseError('connect', errorText(e));
      }
    }
    if (where === 'server') throw problem;
  } else if (where === 'server') {
    throw new ScratchDatabaseError('invalid-url', 'no database URL is configured, so there is no server to create a scratch database on');
  }

  checkAborted(opts.signal);
  const unavailable = localClusterUnavailable(opts.env);
  if (unavailable) {
    if (problem) {
      throw new ScratchDatabaseError(problem.code, `${problem.message}\nA local throwaway PostgreSQL could not be used either: ${unavailable}.`);
    }
    throw new ScratchDatabaseError('local-unavailable', `cannot verify without a database server: ${unavailable}`);
  }
  if (problem) log(`scratch database: ${problem.message}; using a local throwaway PostgreSQL instead`);
  return createOnLocalCluster(opts.databaseUrl, target, problem?.message ?? (opts.databaseUrl === undefined ? 'no database URL configured' : undefined), opts, log);
}

/** Runs `fn` with a fresh scratch database and drops it afterwards, whatever happens (error, cancel). */
export async function withScratchDatabase<T>(opts: ScratchOptions, fn: (db: ScratchDatabase) => Promise<T>): Promise<T> {
  const db = await createScratchDatabase(opts);
  try {
    return await fn(db);
  } finally {
    await db.drop();
  }
}

/** `<base>_verify_<8 hex>`, within PostgreSQL's 63-byte identifier limit, lower case, no quoting surprises. */
export function scratchName(base: string | undefined): string {
  const clean = (base ?? '').toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 40) || 'alembic';
  return `${clean}_verify_${crypto.randomBytes(4).toString('hex')}`;
}

/**
 * The same SQLAlchemy URL with another database name: driver, user, password (as encoded), host,
 * port and query options untouched, so env.py connects exactly as it would to the real database.
 */
export function withDatabase(url: string, database: string): string {
  // SQLAlchemy's make_url pattern, with everything before the database captured as one prefix.
  const m = /^([\w+]+:\/\/(?:[^:/]*(?::[^@]*)?@)?(?:\[[^/?]+\]|[^/:?]+)?(?::[^/?]*)?)(?:\/[^?]*)?(\?.*)?$/s.exec(url.trim());
  if (!m?.[1]) throw new ScratchDatabaseError('invalid-url', `cannot put a database name into ${redactUrl(url)}`);
  return `${m[1]}/${database}${m[2] ?? ''}`;
}

async function createOnServer(url: string, target: PostgresTarget, connect: ConnectFn, log: (l: string) => void): Promise<ScratchDatabase> {
  const endpoint = describeEndpoint(target);
  // CREATE DATABASE can be issued from any database; the user's own is the one we know we may enter.
  const adminDb = target.database || target.user || 'postgres';
  const name = scratchName(target.database);
  let admin: Client;
  try {
    admin = await connect(target, adminDb);
  } catch (e) {
    throw new ScratchDatabaseError('connect', `cannot connect to ${endpoint} to create a scratch database: ${pgErrorText(e)}`);
  }
  let serverVersion = '';
  try {
    serverVersion = await versionOf(admin);
    await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === '42501') {
      const role = target.user ?? 'the connecting role';
      throw new ScratchDatabaseError('no-createdb',
        `the role ${role} may not create databases on ${endpoint} (it lacks the CREATEDB privilege), so no scratch ` +
        `database can be made there. Either have an administrator run ALTER ROLE ${quoteIdent(role)} CREATEDB; ` +
        'or install the PostgreSQL server binaries (initdb, pg_ctl) on this machine so that a local throwaway ' +
        'server can be used instead.');
    }
    throw new ScratchDatabaseError('connect', `cannot create a scratch database on ${endpoint}: ${pgErrorText(e)}`);
  } finally {
    await admin.end().catch(() => undefined);
  }
  log(`scratch database ${name} created on ${endpoint}`);
  const drop = once(async () => {
    const c = await connect(target, adminDb);
    try {
      await dropDatabase(c, name);
    } finally {
      await c.end().catch(() => undefined);
    }
    log(`scratch database ${name} dropped from ${endpoint}`);
  });
  return {
    name, location: 'server', alembicUrl: withDatabase(url, name), endpoint, serverVersion,
    connect: () => connect(target, name), drop,
  };
}

async function createOnLocalCluster(
  userUrl: string | undefined, target: PostgresTarget | undefined, fallbackReason: string | undefined,
  opts: ScratchOptions, log: (l: string) => void,
): Promise<ScratchDatabase> {
  let cluster: LocalCluster;
  try {
    cluster = await startLocalCluster({ env: opts.env, signal: opts.signal, log });
  } catch (e) {
    if (opts.signal?.aborted) throw new ScratchDatabaseError('cancelled', 'cancelled while starting a local PostgreSQL');
    throw new ScratchDatabaseError('local-failed', `${fallbackReason ? `${fallbackReason}\n` : ''}${errorText(e)}`);
  }
  const name = scratchName(target?.database);
  const config = (database: string): ClientConfig => ({
    host: cluster.host, port: cluster.port, user: cluster.user, password: cluster.password, database,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: 'alembic-verify',
  });
  let serverVersion = '';
  try {
    const c = new Client(config('postgres'));
    await c.connect();
    try {
      serverVersion = await versionOf(c);
      await c.query(`CREATE DATABASE ${quoteIdent(name)}`);
    } finally {
      await c.end().catch(() => undefined);
    }
  } catch (e) {
    await cluster.stop().catch(() => undefined);
    throw new ScratchDatabaseError('local-failed', `cannot create a database on the local PostgreSQL: ${pgErrorText(e)}`);
  }
  // Keep the user's driver (asyncpg env.py files need it); the local server speaks no TLS, so no options.
  const scheme = userUrl ? (splitSqlalchemyUrl(userUrl).ok ? /^[\w+]+/.exec(userUrl.trim())?.[0] : undefined) : undefined;
  const alembicUrl = `${scheme ?? 'postgresql'}://${cluster.user}:${cluster.password}@${cluster.host}:${cluster.port}/${name}`;
  const drop = once(async () => {
    try {
      const c = new Client(config('postgres'));
      await c.connect();
      try {
        await dropDatabase(c, name);
      } finally {
        await c.end().catch(() => undefined);
      }
      log(`scratch database ${name} dropped from the local PostgreSQL`);
    } finally {
      await cluster.stop();
      log('local PostgreSQL stopped and removed');
    }
  });
  return {
    name, location: 'local', alembicUrl, endpoint: `${cluster.host}:${cluster.port}`,
    serverVersion, ...(fallbackReason ? { fallbackReason } : {}), drop,
    connect: async () => {
      const c = new Client(config(name));
      await c.connect();
      return c;
    },
  };
}

/** DROP DATABASE, forcing off sessions a cancelled Alembic run may have left (PostgreSQL 13+ has FORCE). */
async function dropDatabase(c: Client, name: string): Promise<void> {
  const version = Number((await c.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0]?.v ?? 0);
  if (version >= 130000) {
    await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    return;
  }
  const deadline = Date.now() + 15_000;
  for (;;) {
    await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
    try {
      await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
      return;
    } catch (e) {
      // 55006: still being accessed by a session that had not gone yet.
      if ((e as { code?: string }).code !== '55006' || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function versionOf(c: Client): Promise<string> {
  return (await c.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? '';
}

/**
 * The db module's libpq-like connect (PG* defaults, sslmode prefer/allow, certificate files), as a
 * throwing function; its messages already say what to do and hold no password.
 */
export function libpqConnect(env?: NodeJS.ProcessEnv): ConnectFn {
  return (target, database) => openClient({ ...target, database }, { timeoutMs: CONNECT_TIMEOUT_MS, env: env ?? process.env });
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let p: Promise<void> | undefined;
  return () => (p ??= fn());
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ScratchDatabaseError('cancelled', 'cancelled before a scratch database was created');
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function pgErrorText(e: unknown): string {
  const err = e as { code?: string; message?: string };
  switch (err.code) {
    case 'ECONNREFUSED': return `connection refused (is PostgreSQL running there?) [${err.message ?? ''}]`;
    case '28P01': return 'password authentication failed';
    case '3D000': return `database does not exist (${err.message ?? ''})`;
    default: return err.code ? `${err.message ?? String(e)} (${err.code})` : errorText(e);
  }
}
