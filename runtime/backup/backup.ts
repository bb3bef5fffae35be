// Backups before a downgrade or stamp, and restoring one: the real pg_dump and pg_restore, run without a
// shell, their arguments an array that holds no password (it goes in PGPASSWORD), the connection given as
// libpq environment variables made from the same parsed URL the extension connects with. A backup is
// `<database>-<revision>-<timestamp>.dump` (custom format, `--no-owner`) with a `.json` beside it saying
// which server, database and revisions it holds. No vscode import.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { redactSecrets } from '../../common/redact';
import { openClient, withLibpqDefaults } from '../db/connect';
import { describeEndpoint, parseDatabaseUrl, type PostgresTarget } from '../db/sqlalchemyUrl';
import { findTool, serverMajor, type PgTool, type PgToolName } from './pgTools';

/** The folder `alembic.backupFolder` names when empty, inside the workspace folder; git-ignored. */
export const DEFAULT_BACKUP_FOLDER = '.alembic-backups';

export type BackupPolicy = 'ask' | 'always' | 'never';

/**
 * What the confirmation offers: `ask` both buttons, `always` only the one that backs up, `never` only
 * the plain one. A protected database backs up always unless the setting was chosen explicitly.
 */
export function effectiveBackupPolicy(setting: BackupPolicy, explicitlySet: boolean, protectedDatabase: boolean): BackupPolicy {
  if (!explicitlySet && protectedDatabase) return 'always';
  return setting;
}

/** The setting's folder as an absolute path: relative to the workspace folder, absolute as given. */
export function resolveBackupFolder(setting: string, workspaceFolder: string): string {
  const s = setting.trim();
  if (!s) return path.join(workspaceFolder, DEFAULT_BACKUP_FOLDER);
  return path.isAbsolute(s) ? s : path.join(workspaceFolder, s);
}

/**
 * Creates the folder (owner-only: dumps hold the data) with a `.gitignore` of `*` inside when this
 * creates it, so the default folder in a workspace is never committed. An existing folder is left as it is.
 */
export function ensureBackupFolder(folder: string): void {
  if (fs.existsSync(folder)) return;
  fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(folder, '.gitignore'), '# Database backups made by the Alembic extension: never commit them.\n*\n');
}

export class BackupError extends Error {
  constructor(readonly code: 'invalid-url' | 'connect' | 'tool' | 'failed' | 'cancelled' | 'missing', message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

/** A file-name part: letters, digits, `_`, `.` and `+` kept, anything else `_`. */
function namePart(text: string): string {
  return text.replace(/[^A-Za-z0-9_.+]+/g, '_') || '_';
}

/** `20261201T233000Z` */
export function timestampPart(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** `<database>-<revision>-<timestamp>.dump`; several heads are joined with `+`, none is `base`. */
export function backupFileName(database: string, revisions: readonly string[], when: Date): string {
  const rev = revisions.length ? revisions.map(namePart).join('+') : 'base';
  return `${namePart(database)}-${rev}-${timestampPart(when)}.dump`;
}

/** What the `.json` beside a dump says. */
export interface BackupMetadata {
  database: string;
  host: string;
  port: number;
  /** The version table's rows when the backup was made. */
  revisions: string[];
  createdAt: string;
  serverVersion: string;
  tool: string;
}

export interface BackupEntry extends BackupMetadata {
  file: string;
  bytes: number;
}

/** The connection the libpq programs make: the URL's target with libpq's defaults, as environment variables. */
export interface LibpqConnection {
  target: PostgresTarget;
  env: NodeJS.ProcessEnv;
  /** `dbname='…'`: a conninfo string, so that a database name that looks like a URL stays a name. */
  dbnameArg: string;
  database: string;
  host: string;
  port: number;
}

export function libpqConnection(databaseUrl: string, baseEnv: NodeJS.ProcessEnv = process.env): LibpqConnection {
  const parsed = parseDatabaseUrl(databaseUrl, { env: baseEnv });
  if (parsed.kind !== 'postgres') throw new BackupError('invalid-url', `backups need a PostgreSQL database: ${parsed.message}`);
  const { target } = withLibpqDefaults(parsed.target, baseEnv, fs.existsSync);
  const env: NodeJS.ProcessEnv = { ...baseEnv };
  const set = (k: string, v: string | number | undefined): void => {
    if (v !== undefined && v !== '') env[k] = String(v);
  };
  set('PGHOST', target.host);
  set('PGPORT', target.port);
  set('PGUSER', target.user);
  set('PGPASSWORD', target.password);
  set('PGSSLMODE', target.sslMode);
  set('PGSSLROOTCERT', target.sslRootCert);
  set('PGSSLCERT', target.sslCert);
  set('PGSSLKEY', target.sslKey);
  set('PGCONNECT_TIMEOUT', target.connectTimeoutSeconds ?? 10);
  env.PGAPPNAME = 'alembic-backup';
  // The URL's database is the one backed up, whatever the environment says.
  delete env.PGDATABASE;
  delete env.PGSERVICE;
  const database = target.database ?? '';
  return {
    target, env, database, host: target.host ?? 'localhost', port: target.port ?? 5432,
    dbnameArg: `--dbname=dbname='${database.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`,
  };
}

/** The server's version, read over the extension's own connection (so a wrong password is said plainly). */
async function serverVersion(conn: LibpqConnection, env: NodeJS.ProcessEnv): Promise<{ version: string; major: number }> {
  let client;
  try {
    client = await openClient(conn.target, { timeoutMs: 10_000, env });
  } catch (e) {
    throw new BackupError('connect', e instanceof Error ? e.message : String(e));
  }
  try {
    const r = await client.query<{ v: string; n: string }>("SELECT current_setting('server_version') AS v, current_setting('server_version_num') AS n");
    const row = r.rows[0];
    return { version: (row?.v ?? '').split(' ')[0] ?? '', major: serverMajor(Number(row?.n ?? 0)) };
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface ToolRunOptions {
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** One line per step pg_dump or pg_restore reports (`dumping contents of table "public.users"`). */
  onProgress?: (message: string) => void;
  /** Where the commands and their outcome go (no password ever). */
  log?: (line: string) => void;
}

/**
 * Checks the tool against the server before anything runs: undefined tools and too-old versions come
 * back as a BackupError whose message names the package to install.
 */
export async function toolFor(name: PgToolName, databaseUrl: string, env: NodeJS.ProcessEnv = process.env): Promise<{ tool: PgTool; conn: LibpqConnection; server: { version: string; major: number } }> {
  const conn = libpqConnection(databaseUrl, env);
  const server = await serverVersion(conn, env);
  const found = await findTool(name, server, env);
  if (!found.ok) throw new BackupError('tool', found.message);
  return { tool: found.tool, conn, server };
}

interface Spawned { code: number | null; errors: string[]; cancelled: boolean }

/** Runs a libpq program; `--verbose` lines become progress, the rest are kept as its error text. */
function runTool(tool: PgTool, args: string[], conn: LibpqConnection, o: ToolRunOptions): Promise<Spawned> {
  const secrets = [conn.target.password, conn.env.PGPASSWORD];
  return new Promise((resolve) => {
    const child = spawn(tool.path, args, { env: conn.env, shell: false, stdio: ['ignore', 'ignore', 'pipe'], windowsHide: true });
    const errors: string[] = [];
    let cancelled = false;
    let rest = '';
    const onAbort = (): void => {
      cancelled = true;
      child.kill('SIGTERM');
    };
    if (o.signal?.aborted) onAbort();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const line = (raw: string): void => {
      const text = redactSecrets(raw, secrets);
      if (!text.trim()) return;
      // `pg_dump: dumping contents of table "public.users"`; errors say `pg_dump: error: …`.
      const m = new RegExp(`^${tool.name}: (?!error:|warning:|detail:|hint:)(.*)$`).exec(text);
      if (m?.[1]) o.onProgress?.(m[1]);
      else errors.push(text);
    };
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      const lines = (rest + chunk).split(/\r?\n/);
      rest = lines.pop() ?? '';
      lines.forEach(line);
    });
    child.on('error', (err) => errors.push(`${tool.name} did not start: ${err.message}`));
    child.on('close', (code) => {
      if (rest) line(rest);
      o.signal?.removeEventListener('abort', onAbort);
      resolve({ code, errors, cancelled });
    });
  });
}

export interface BackupOptions extends ToolRunOptions {
  databaseUrl: string;
  folder: string;
  /** The version table's rows now (the file name and the metadata name them). */
  revisions: readonly string[];
  now?: Date;
}

export interface BackupResult {
  file: string;
  bytes: number;
  durationMs: number;
  tool: PgTool;
}

/**
 * pg_dump of the URL's database into the folder. The dump is written as `<name>.partial` and renamed when
 * pg_dump succeeded, so a failed or cancelled backup leaves nothing that looks like a backup.
 */
export async function backupDatabase(o: BackupOptions): Promise<BackupResult> {
  const started = Date.now();
  const env = o.env ?? process.env;
  const { tool, conn, server } = await toolFor('pg_dump', o.databaseUrl, env);
  if (o.signal?.aborted) throw new BackupError('cancelled', 'the backup was cancelled before it started');
  ensureBackupFolder(o.folder);
  const file = path.join(o.folder, backupFileName(conn.database, o.revisions, o.now ?? new Date()));
  const partial = `${file}.partial`;
  const args = ['--format=custom', '--no-owner', '--verbose', '--file', partial, conn.dbnameArg];
  o.log?.(`${tool.path} ${args.join(' ')} (${describeEndpoint(conn.target)}, user ${conn.target.user ?? ''}; password in PGPASSWORD)`);
  const run = await runTool(tool, args, conn, o);
  if (run.cancelled || run.code !== 0) {
    fs.rmSync(partial, { force: true });
    if (run.cancelled) throw new BackupError('cancelled', `the backup of ${conn.database} was cancelled; nothing was kept`);
    throw new BackupError('failed', `pg_dump of ${conn.database} on ${describeEndpoint(conn.target)} failed (exit ${run.code ?? 'signal'}): ` +
      (run.errors.join(' ').replace(/^pg_dump: error: /, '') || 'no message'));
  }
  fs.renameSync(partial, file);
  const meta: BackupMetadata = {
    database: conn.database, host: conn.host, port: conn.port, revisions: [...o.revisions],
    createdAt: (o.now ?? new Date()).toISOString(), serverVersion: server.version, tool: `${tool.name} ${tool.version}`,
  };
  fs.writeFileSync(`${file}.json`, `${JSON.stringify(meta, null, 2)}\n`);
  const bytes = fs.statSync(file).size;
  o.log?.(`backup written: ${file} (${bytes} bytes)`);
  return { file, bytes, durationMs: Date.now() - started, tool };
}

/**
 * The backups in a folder, newest first; with `of`, only those of that database (and, when the metadata
 * says, that host and port). A dump without its `.json` is read from its name.
 */
export function listBackups(folder: string, of?: { database: string; host?: string; port?: number }): BackupEntry[] {
  let names: string[];
  try {
    names = fs.readdirSync(folder).filter((n) => n.endsWith('.dump'));
  } catch {
    return [];
  }
  const out: BackupEntry[] = [];
  for (const name of names) {
    const file = path.join(folder, name);
    let bytes: number;
    try { bytes = fs.statSync(file).size; } catch { continue; }
    const meta = readMetadata(`${file}.json`) ?? metadataFromName(name);
    if (!meta) continue;
    if (of) {
      if (meta.database !== of.database && namePart(of.database) !== meta.database) continue;
      if (meta.host && of.host && meta.host !== of.host) continue;
      if (meta.port && of.port && meta.port !== of.port) continue;
    }
    out.push({ ...meta, file, bytes });
  }
  return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

function readMetadata(file: string): BackupMetadata | undefined {
  try {
    const m = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<BackupMetadata>;
    if (typeof m.database !== 'string' || !Array.isArray(m.revisions) || typeof m.createdAt !== 'string') return undefined;
    return {
      database: m.database, host: typeof m.host === 'string' ? m.host : '', port: typeof m.port === 'number' ? m.port : 0,
      revisions: m.revisions.filter((r): r is string => typeof r === 'string'), createdAt: m.createdAt,
      serverVersion: typeof m.serverVersion === 'string' ? m.serverVersion : '', tool: typeof m.tool === 'string' ? m.tool : '',
    };
  } catch {
    return undefined;
  }
}

/** `<database>-<revision>-<timestamp>.dump` read back (the database part may itself hold `-`). */
export function metadataFromName(name: string): BackupMetadata | undefined {
  const m = /^(.+)-([A-Za-z0-9_.+]+)-(\d{8}T\d{6}Z)\.dump$/.exec(name);
  if (!m?.[1] || !m[2] || !m[3]) return undefined;
  const t = m[3];
  const createdAt = `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}T${t.slice(9, 11)}:${t.slice(11, 13)}:${t.slice(13, 15)}.000Z`;
  return { database: m[1], host: '', port: 0, revisions: m[2] === 'base' ? [] : m[2].split('+'), createdAt, serverVersion: '', tool: '' };
}

export interface RestoreOptions extends ToolRunOptions {
  databaseUrl: string;
  file: string;
}

/**
 * pg_restore of a backup into the URL's database: `--clean --if-exists` drops what the dump holds before
 * re-creating it, in one transaction, so a restore that fails changes nothing.
 */
export async function restoreBackup(o: RestoreOptions): Promise<{ durationMs: number; tool: PgTool }> {
  const started = Date.now();
  if (!fs.existsSync(o.file)) throw new BackupError('missing', `the backup ${o.file} does not exist`);
  const env = o.env ?? process.env;
  const { tool, conn } = await toolFor('pg_restore', o.databaseUrl, env);
  const args = ['--clean', '--if-exists', '--single-transaction', '--no-owner', '--verbose', conn.dbnameArg, o.file];
  o.log?.(`${tool.path} ${args.join(' ')} (${describeEndpoint(conn.target)}, user ${conn.target.user ?? ''}; password in PGPASSWORD)`);
  const run = await runTool(tool, args, conn, o);
  if (run.cancelled) throw new BackupError('cancelled', `the restore into ${conn.database} was cancelled; its transaction was rolled back`);
  if (run.code !== 0) {
    throw new BackupError('failed', `pg_restore of ${path.basename(o.file)} into ${conn.database} on ${describeEndpoint(conn.target)} failed ` +
      `(exit ${run.code ?? 'signal'}); nothing was changed (one transaction): ${run.errors.join(' ') || 'no message'}`);
  }
  o.log?.(`restored ${o.file} into ${conn.database}`);
  return { durationMs: Date.now() - started, tool };
}

/**
 * The backup, then `then` only when the dump succeeded: the order the editor's "Back Up and Downgrade"
 * keeps. A failed or cancelled backup throws its BackupError and `then` never runs.
 */
export async function afterBackup<T>(o: BackupOptions, then: (backup: BackupResult) => Promise<T>): Promise<{ backup: BackupResult; result: T }> {
  const backup = await backupDatabase(o);
  return { backup, result: await then(backup) };
}
