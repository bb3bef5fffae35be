// One call for the status bar, the tree and "Test Database Connection": choose the URL, connect,
// read the version table, close. Problems come back as values; nothing here throws. PostgreSQL is read
// with `pg` (below), a SQLite file with sql.js (sqliteState.ts), MySQL and MariaDB with mysql2
// (mysqlState.ts); any other dialect by asking Alembic (`alembic current`, alembicCurrent.ts).
import fs from 'node:fs';
import path from 'node:path';
import { readViaAlembic, type AlembicFallback } from './alembicCurrent';
import { connect, errorMessage } from './connect';
import { parseDialectUrl, type DialectTarget } from './dialectUrl';
import { readMysqlVersionTable } from './mysqlState';
import { readSqliteVersionTable, round, type DirectRead } from './sqliteState';
import { chooseDatabaseUrl, type DatabaseUrlInputs, type UrlSource } from './databaseUrl';
import { problem, type DbProblem } from './problems';
import { redactSecrets } from '../../common/redact';
import { parseDatabaseUrl } from './sqlalchemyUrl';
import { readVersionTable, type VersionTableName } from './versionTable';

export const DEFAULT_TIMEOUT_MS = 5000;

export interface DatabaseStateOptions {
  /** alembic.versionTable / alembic.versionTableSchema, or the literals from env.py. */
  versionTable?: VersionTableName;
  /** Connection (and query) timeout; default 5 s. */
  timeoutMs?: number;
  /** The editor's environment: PGSSLMODE, PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD. */
  env?: Readonly<Record<string, string | undefined>>;
  /** The folder Alembic runs in (the ini's): a relative SQLite path is relative to it. Default: process.cwd(). */
  baseDir?: string;
  /**
   * For dialects without a direct reader: how to run the project's Alembic (`alembic current`). Asked
   * for only then (finding the interpreter takes time); a rejection becomes the problem's message.
   */
  alembic?: () => Promise<AlembicFallback>;
  /**
   * `alembic`: ask Alembic even where a direct reader exists (SQLite, MySQL): to compare the two (the
   * integration tier, `npm run bench`). PostgreSQL is always read directly.
   */
  via?: 'auto' | 'alembic';
  /** Timeout of the `alembic current` fallback; default 30 s (Python starts, imports, then connects). */
  alembicTimeoutMs?: number;
}

/** The database product a state was read from, for messages: PostgreSQL, SQLite, MariaDB, Microsoft SQL Server ... */
export type DialectLabel = string;

export type DatabaseState =
  | {
      ok: true;
      /** PostgreSQL, SQLite, MySQL, MariaDB (the server's own answer when it says so), or another dialect's name. */
      dialect: DialectLabel;
      /** `direct`: read by this extension; `alembic`: what `alembic current` reported. */
      via: 'direct' | 'alembic';
      /**
       * `server_version` (`16.4 (Debian 16.4-1)`), MySQL's VERSION(), the SQLite version that last wrote the
       * file, or `unknown` (the Alembic fallback).
       */
      serverVersion: string;
      /** The version table's rows: empty at base, several when several heads are applied. */
      currentRevisions: string[];
      /** False when the version table does not exist yet (Alembic never ran): base. */
      versionTableExists: boolean;
      /** The quoted, qualified version table read. */
      versionTable: string;
      /** From the start of the connection to the last row read, in milliseconds. */
      latencyMs: number;
      connectMs: number;
      queryMs: number;
      source?: UrlSource;
      /** `host:port`, socket path, the SQLite file, or `alembic current` (never a password). */
      endpoint: string;
      tls: boolean;
      /** Things worth telling the user (SSL fallback, URL quirks); no passwords. */
      notes: string[];
    }
  | { ok: false; problem: DbProblem; source?: UrlSource; endpoint?: string; notes: string[] };

/** Chooses the URL from the inputs, then reads the state. */
export async function readDatabaseState(inputs: DatabaseUrlInputs, opts: DatabaseStateOptions = {}): Promise<DatabaseState> {
  const chosen = chooseDatabaseUrl({ ...inputs, env: inputs.env ?? opts.env });
  if (!chosen.ok) {
    const kind = chosen.kind === 'none' ? 'noUrl' : 'invalidUrl';
    return { ok: false, problem: problem(kind, chosen.message), ...(chosen.source ? { source: chosen.source } : {}), notes: chosen.notes };
  }
  // A relative SQLite path is relative to the folder Alembic runs in: the ini's, when the caller names none.
  const baseDir = opts.baseDir ?? (inputs.ini ? path.dirname(inputs.ini.path) : undefined);
  const state = await readDatabaseStateFromUrl(chosen.url, { ...opts, env: opts.env ?? inputs.env, ...(baseDir ? { baseDir } : {}) }, chosen.source);
  // Keep the choice's notes in front of what the connection found.
  state.notes = [...chosen.notes, ...state.notes];
  return state;
}

/** Reads the state of the database a known URL points at. */
export async function readDatabaseStateFromUrl(url: string, opts: DatabaseStateOptions = {}, source?: UrlSource): Promise<DatabaseState> {
  const withSource = source ? { source } : {};
  const env = opts.env ?? process.env;
  const parsed = parseDatabaseUrl(url, { env });
  if (parsed.kind === 'invalid') {
    return { ok: false, problem: problem('invalidUrl', redactSecrets(`The database URL cannot be used: ${parsed.message}.`)), ...withSource, notes: [] };
  }

  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (parsed.kind === 'unsupportedDialect') {
    const target = parseDialectUrl(url, { env, ...(opts.baseDir ? { baseDir: opts.baseDir } : {}), exists: fs.existsSync });
    return readOtherDialect(url, target, opts, timeoutMs, withSource);
  }
  const started = performance.now();
  const conn = await connect(parsed.target, { timeoutMs, env });
  const connected = performance.now();
  if (!conn.ok) return { ok: false, problem: conn.problem, ...withSource, endpoint: conn.endpoint, notes: [...parsed.target.notes] };

  const secrets = [parsed.target.password, env.PGPASSWORD];
  try {
    const version = await conn.client.query('SHOW server_version');
    const read = await readVersionTable(conn.client, opts.versionTable);
    const done = performance.now();
    if (!read.ok) {
      return { ok: false, problem: { ...read.problem, message: redactSecrets(read.problem.message, secrets) }, ...withSource, endpoint: conn.endpoint, notes: conn.notes };
    }
    const row = version.rows[0] as { server_version?: unknown } | undefined;
    return {
      ok: true,
      dialect: 'PostgreSQL',
      via: 'direct',
      serverVersion: typeof row?.server_version === 'string' ? row.server_version : 'unknown',
      currentRevisions: read.revisions,
      versionTableExists: read.tableExists,
      versionTable: read.table,
      latencyMs: round(done - started),
      connectMs: round(connected - started),
      queryMs: round(done - connected),
      ...withSource,
      endpoint: conn.endpoint,
      tls: conn.tls,
      notes: conn.notes,
    };
  } catch (err) {
    return {
      ok: false,
      problem: problem('queryFailed', redactSecrets(`Connected to ${conn.endpoint}, but a query failed: ${errorMessage(err)}`, secrets)),
      ...withSource, endpoint: conn.endpoint, notes: conn.notes,
    };
  } finally {
    await conn.client.end().catch(() => undefined);
  }
}

/** SQLite and MySQL/MariaDB read directly, anything else through Alembic. */
async function readOtherDialect(
  url: string, target: DialectTarget, opts: DatabaseStateOptions, timeoutMs: number, withSource: { source?: UrlSource },
): Promise<DatabaseState> {
  if (target.dialect === 'invalid') {
    return { ok: false, problem: problem('invalidUrl', redactSecrets(`The database URL cannot be used: ${target.message}.`)), ...withSource, notes: [] };
  }
  const started = performance.now();
  if ((target.dialect === 'sqlite' || target.dialect === 'mysql') && opts.via !== 'alembic') {
    const read: DirectRead = target.dialect === 'sqlite'
      ? await readSqliteVersionTable(target.target, opts.versionTable)
      : await readMysqlVersionTable(target.target, { timeoutMs, ...(opts.versionTable ? { versionTable: opts.versionTable } : {}) });
    if (!read.ok) return { ok: false, problem: read.problem, ...withSource, ...(read.endpoint ? { endpoint: read.endpoint } : {}), notes: read.notes };
    // The server says which it is: a mysql:// URL often reaches MariaDB.
    const label = target.dialect === 'mysql' && /mariadb/i.test(read.serverVersion) ? 'MariaDB' : target.label;
    return {
      ok: true, dialect: label, via: 'direct', serverVersion: read.serverVersion, currentRevisions: read.revisions,
      versionTableExists: read.tableExists, versionTable: read.table, latencyMs: round(performance.now() - started),
      connectMs: read.connectMs, queryMs: read.queryMs, ...withSource, endpoint: read.endpoint, tls: read.tls, notes: read.notes,
    };
  }
  if (!opts.alembic) {
    return {
      ok: false, ...withSource, notes: [],
      problem: problem('unsupportedDialect', `${target.label} databases are read by running "alembic current" with the project's interpreter, which is not available here.`),
    };
  }
  let fallback: AlembicFallback;
  try {
    fallback = await opts.alembic();
  } catch (err) {
    return {
      ok: false, ...withSource, notes: [],
      problem: problem('unsupportedDialect', `${target.label} databases are read by running "alembic current", and no interpreter with Alembic was found: ${errorMessage(err)}`),
    };
  }
  const read = await readViaAlembic(url, fallback, { timeoutMs: opts.alembicTimeoutMs ?? 30_000, label: target.label });
  if (!read.ok) return { ok: false, problem: { ...read.problem, message: redactSecrets(read.problem.message) }, ...withSource, endpoint: 'alembic current', notes: [] };
  return {
    ok: true, dialect: target.label, via: 'alembic', serverVersion: 'unknown', currentRevisions: read.revisions,
    versionTableExists: read.tableExists, versionTable: read.tables.join(', '), latencyMs: read.durationMs, connectMs: read.durationMs, queryMs: 0,
    ...withSource, endpoint: 'alembic current', tls: false, notes: read.notes,
  };
}

/** What "Test Database Connection" says about a state that was read (no password: none is in a state). */
export function describeDatabaseState(state: Extract<DatabaseState, { ok: true }>, current: string): string {
  const ms = Math.round(state.latencyMs);
  if (state.via === 'alembic') {
    return `Asked Alembic ("alembic current" with the project's interpreter) about the ${state.dialect} database in ${ms} ms; current revision: ${current}.`;
  }
  if (state.dialect === 'SQLite') {
    const version = state.serverVersion !== 'unknown' ? ` (last written by SQLite ${state.serverVersion})` : '';
    return `Read the SQLite file ${state.endpoint}${version} in ${ms} ms; current revision: ${current}.`;
  }
  return `Connected to ${state.dialect} ${state.serverVersion.split(/[ -]/)[0] ?? ''} at ${state.endpoint}${state.tls ? ' (TLS)' : ''} in ${ms} ms; current revision: ${current}.`;
}

