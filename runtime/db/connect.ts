// One connection to PostgreSQL with `pg`, the way libpq would make it: defaults from the PG*
// environment, the SSL mode honoured (including `prefer` and `allow`, which `pg` does not emulate:
// it treats any `ssl` as mandatory), a timeout always set, and failures turned into problems whose
// messages say what to do and never hold the password.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { ConnectionOptions } from 'node:tls';
import { problem, type DbProblem } from './problems';
import { redactSecrets } from '../../common/redact';
import { describeEndpoint, isSocketHost, tlsOptions, toPgConfig, type PostgresTarget } from './sqlalchemyUrl';

export interface ConnectOptions {
  /** Connection timeout in milliseconds; always applied (the URL's connect_timeout may shorten it). */
  timeoutMs: number;
  /** The editor's environment, for PGHOST, PGPORT, PGUSER, PGDATABASE (libpq's defaults). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Reads certificate files named by sslrootcert / sslcert / sslkey. */
  readFile?: (file: string) => Buffer;
  /** Whether a path exists (for finding the default socket folder). */
  exists?: (file: string) => boolean;
}

export type ConnectResult =
  | {
      ok: true;
      client: Client;
      /** Whether the session is encrypted. */
      tls: boolean;
      /** `host:port` or the socket path actually used. */
      endpoint: string;
      /** The target with libpq's defaults filled in. */
      target: PostgresTarget;
      notes: string[];
    }
  | { ok: false; problem: DbProblem; endpoint: string };

/** Where libpq looks for the local socket when no host is given (Debian's folder, then the upstream default). */
export const DEFAULT_SOCKET_DIRS = ['/var/run/postgresql', '/tmp'];

/** Fills in host, port, user and database the way libpq does when the URL leaves them out. */
export function withLibpqDefaults(
  target: PostgresTarget,
  env: Readonly<Record<string, string | undefined>>,
  exists: (file: string) => boolean,
): { target: PostgresTarget; notes: string[] } {
  const t: PostgresTarget = { ...target, notes: [...target.notes], ignoredParameters: [...target.ignoredParameters] };
  const notes: string[] = [];
  if (t.port === undefined) {
    const envPort = Number(env.PGPORT);
    t.port = Number.isInteger(envPort) && envPort > 0 ? envPort : 5432;
  }
  if (t.host === undefined) {
    if (env.PGHOST) {
      t.host = env.PGHOST.split(',')[0];
    } else if (process.platform === 'win32') {
      t.host = 'localhost';
    } else {
      const dir = DEFAULT_SOCKET_DIRS.find((d) => exists(path.join(d, `.s.PGSQL.${t.port}`)));
      if (dir) {
        t.host = dir;
      } else {
        t.host = 'localhost';
        notes.push(`No host in the URL and no local socket in ${DEFAULT_SOCKET_DIRS.join(' or ')}; trying localhost.`);
      }
    }
  }
  if (t.user === undefined) t.user = env.PGUSER || safeUserName();
  if (t.database === undefined) t.database = env.PGDATABASE || t.user;
  return { target: t, notes };
}

function safeUserName(): string | undefined {
  try {
    return os.userInfo().username;
  } catch {
    return undefined;
  }
}

type Attempt = { tls: false } | { tls: true; options: ConnectionOptions };

/**
 * Connects, or says why not. The returned client belongs to the caller, who must `end()` it; it has
 * an `error` listener so that a server going away later cannot crash the extension host.
 */
export async function connect(input: PostgresTarget, opts: ConnectOptions): Promise<ConnectResult> {
  const env = opts.env ?? process.env;
  const { target, notes } = withLibpqDefaults(input, env, opts.exists ?? fs.existsSync);
  const endpoint = describeEndpoint(target);
  const secrets = [target.password, env.PGPASSWORD];
  const fail = (p: DbProblem): ConnectResult => ({ ok: false, endpoint, problem: { ...p, message: redactSecrets(p.message, secrets) } });

  let tls: ConnectionOptions | undefined;
  const socket = isSocketHost(target.host);
  if (!socket && target.sslMode !== 'disable') {
    const files = readCertificates(target, opts.readFile ?? ((f) => fs.readFileSync(f)));
    if (!files.ok) return fail(files.problem);
    tls = tlsOptions(target, files.files);
  }

  // libpq's order of attempts per SSL mode; TLS is never used over a Unix socket.
  const first: Attempt = !tls || target.sslMode === 'allow' ? { tls: false } : { tls: true, options: tls };
  const deadline = Date.now() + opts.timeoutMs;
  let result = await attempt(target, first, opts.timeoutMs);
  if (!result.ok && tls) {
    const fallback = fallbackAfter(target.sslMode, first, result.error);
    const remaining = deadline - Date.now();
    if (fallback && remaining > 0) {
      const retry: Attempt = fallback.to === 'tls' ? { tls: true, options: tls } : { tls: false };
      result = await attempt(target, retry, remaining);
      if (result.ok) notes.push(fallback.note);
    }
  }
  if (!result.ok) return fail(describeFailure(result.error, target, endpoint, opts.timeoutMs));
  return { ok: true, client: result.client, tls: result.tls, endpoint, target, notes: [...target.notes, ...notes] };
}

/** connect() for callers that want a client or an exception; the message says what to do and holds no password. */
export async function openClient(target: PostgresTarget, opts: ConnectOptions): Promise<Client> {
  const r = await connect(target, opts);
  if (r.ok) return r.client;
  throw Object.assign(new Error(r.problem.message), r.problem.code ? { code: r.problem.code } : {});
}

/** Whether libpq would try again the other way after this failure, and what to tell the user then. */
function fallbackAfter(mode: PostgresTarget['sslMode'], first: Attempt, error: unknown): { to: 'tls' | 'plain'; note: string } | undefined {
  const code = errorCode(error);
  if (mode === 'prefer' && first.tls) {
    if (errorMessage(error) === 'The server does not support SSL connections') {
      return { to: 'plain', note: 'The server does not support SSL; connected without encryption (sslmode=prefer).' };
    }
    // pg_hba.conf has only `hostnossl` lines for us.
    if (code === '28000') {
      return { to: 'plain', note: 'The server refused the SSL connection (pg_hba.conf); connected without encryption (sslmode=prefer).' };
    }
  }
  if (mode === 'allow' && !first.tls && code === '28000') {
    return { to: 'tls', note: 'The server refused the connection without SSL (pg_hba.conf); connected with SSL (sslmode=allow).' };
  }
  return undefined;
}

type AttemptResult = { ok: true; client: Client; tls: boolean } | { ok: false; error: unknown };

async function attempt(target: PostgresTarget, how: Attempt, timeoutMs: number): Promise<AttemptResult> {
  const client = new Client(toPgConfig(target, { timeoutMs, ssl: how.tls ? how.options : false }));
  let late: unknown;
  client.on('error', (err) => {
    late = err;
  });
  // pg's own timer covers the socket, TLS and startup; this one also covers anything pg might miss
  // (a stalled DNS lookup), so a connect can never hang past its deadline.
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('timeout expired')), timeoutMs + 1000);
  });
  try {
    await Promise.race([client.connect(), guard]);
    return { ok: true, client, tls: how.tls };
  } catch (error) {
    client.end().catch(() => undefined);
    return { ok: false, error: late && !errorCode(error) ? late : error };
  } finally {
    clearTimeout(timer);
  }
}

function readCertificates(
  target: PostgresTarget,
  readFile: (file: string) => Buffer,
): { ok: true; files: { ca?: Buffer; cert?: Buffer; key?: Buffer } } | { ok: false; problem: DbProblem } {
  const files: { ca?: Buffer; cert?: Buffer; key?: Buffer } = {};
  const wanted: [keyof typeof files, string | undefined, string][] = [
    ['ca', target.sslRootCert, 'sslrootcert'],
    ['cert', target.sslCert, 'sslcert'],
    ['key', target.sslKey, 'sslkey'],
  ];
  for (const [slot, file, param] of wanted) {
    if (!file) continue;
    try {
      files[slot] = readFile(file);
    } catch (err) {
      return { ok: false, problem: problem('sslFailed', `Cannot read the ${param} file ${file}: ${errorMessage(err)}.`, errorCode(err)) };
    }
  }
  if (!files.ca && (target.sslMode === 'verify-ca' || target.sslMode === 'verify-full')) {
    // libpq's default root certificate; without it the system's CAs are used (as asyncpg's ssl=True does).
    const home = safeHome();
    if (home) {
      try {
        files.ca = readFile(path.join(home, '.postgresql', 'root.crt'));
      } catch {
        // no such file: the system's CAs
      }
    }
  }
  return { ok: true, files };
}

function safeHome(): string | undefined {
  try {
    return os.homedir();
  } catch {
    return undefined;
  }
}

export function errorCode(err: unknown): string | undefined {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|EPROTO$)/;

/** A connection failure as a problem: what happened at which endpoint, and what to do. */
export function describeFailure(err: unknown, target: PostgresTarget, endpoint: string, timeoutMs: number): DbProblem {
  const code = errorCode(err);
  const msg = errorMessage(err);
  const user = target.user ?? '(default user)';
  const db = target.database ?? user;
  const sslParam = target.driver === 'asyncpg' ? 'ssl' : 'sslmode';
  switch (code) {
    case 'ECONNREFUSED':
      return problem('unreachable', `Cannot reach PostgreSQL at ${endpoint}: connection refused. Is the server running, and are the host and port right?`, code);
    case 'ENOENT':
      return problem('unreachable', `No PostgreSQL socket at ${endpoint}. Is the server running, and is that folder one of its unix_socket_directories?`, code);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ECONNRESET':
    case 'EPIPE':
      return problem('unreachable', `Cannot reach PostgreSQL at ${endpoint} (${code}). Check the host, the network, VPN or firewall.`, code);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
      return problem('hostNotFound', `The host "${target.host ?? ''}" was not found (DNS lookup failed). Check the host name in the database URL.`, code);
    case 'EACCES':
    case 'EPERM':
      return problem('permissionDenied', `Not allowed to open ${endpoint} (${code}). Check the socket folder's permissions.`, code);
    case '28P01':
      return problem('authFailed', `Password authentication failed for user "${user}" at ${endpoint}: the password is wrong or the user does not exist. ` +
        'Run "Alembic: Configure Database Connection…" to set the user and password.', code);
    case '28000':
      return problem('authRejected', `PostgreSQL at ${endpoint} rejected user "${user}" for database "${db}": ${msg}. ` +
        'Check the user name, and pg_hba.conf on the server.', code);
    case '3D000':
      return problem('databaseMissing', `The database "${db}" does not exist on ${endpoint}. Create it (createdb ${db}) or fix the database name in the URL.`, code);
    case '57P03':
    case '53300':
    case '57P01':
      return problem('serverBusy', `PostgreSQL at ${endpoint} cannot accept the connection now: ${msg}. Try again shortly.`, code);
    default:
      break;
  }
  if (msg === 'timeout expired' || /connection timeout/i.test(msg) || code === 'ETIMEDOUT') {
    const seconds = Math.round((target.connectTimeoutSeconds !== undefined ? Math.min(timeoutMs, target.connectTimeoutSeconds * 1000) : timeoutMs) / 100) / 10;
    return problem('timeout', `No answer from PostgreSQL at ${endpoint} within ${seconds} s. Check the host and port, and any firewall or VPN in between.`, code ?? 'timeout');
  }
  if (msg === 'The server does not support SSL connections') {
    return problem('sslRefused', `PostgreSQL at ${endpoint} does not support SSL, but ${sslParam}=${target.sslMode} requires it. ` +
      `Enable SSL on the server, or use ${sslParam}=prefer (or disable) in the URL.`, code);
  }
  if (/password must be a string|no password supplied|password authentication/i.test(msg)) {
    return problem('passwordMissing', `PostgreSQL at ${endpoint} asks for a password for user "${user}", but none is configured. ` +
      'Run "Alembic: Configure Database Connection…" to store one in the editor\'s secret storage.', code);
  }
  if ((code && TLS_CODES.test(code)) || /certificate|SSL|TLS/i.test(msg)) {
    const hint = target.sslMode === 'verify-full' || target.sslMode === 'verify-ca'
      ? ` The server's certificate could not be verified: give its CA with sslrootcert=/path/ca.pem, or use ${sslParam}=require to encrypt without verifying.`
      : '';
    return problem('sslFailed', `SSL with PostgreSQL at ${endpoint} failed (${sslParam}=${target.sslMode}): ${msg}.${hint}`, code);
  }
  if (/terminated unexpectedly|Connection terminated/i.test(msg)) {
    return problem('unreachable', `PostgreSQL at ${endpoint} closed the connection during start-up: ${msg}. Is it a PostgreSQL server?`, code);
  }
  return problem('other', `Could not connect to PostgreSQL at ${endpoint}: ${msg}`, code);
}
