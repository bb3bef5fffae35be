// One call for the status bar, the tree and "Test Database Connection": choose the URL, connect,
// read the version table, close. Problems come back as values; nothing here throws.
import { connect, errorMessage } from './connect';
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
}

export type DatabaseState =
  | {
      ok: true;
      /** `server_version`, such as `16.4 (Debian 16.4-1)`. */
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
      /** `host:port` or socket path (never a password). */
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
  const state = await readDatabaseStateFromUrl(chosen.url, { ...opts, env: opts.env ?? inputs.env }, chosen.source);
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
  if (parsed.kind === 'unsupportedDialect') {
    return { ok: false, problem: problem('unsupportedDialect', parsed.message), ...withSource, notes: [] };
  }

  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
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

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
