// The version table of a MySQL or MariaDB database, read with mysql2 (the protocol in JavaScript, nothing
// native): connect with a timeout always set, `SELECT VERSION()`, the version table's rows, close. Failures
// become problems with their own kind and message, as PostgreSQL's do in connect.ts; never the password.
import type { Connection, ConnectionOptions } from 'mysql2/promise';
import { errorCode, errorMessage } from './connect';
import { problem, type DbProblem } from './problems';
import { describeMysqlEndpoint, type MysqlTarget } from './dialectUrl';
import { redactSecrets } from '../../common/redact';
import { round, type DirectRead } from './sqliteState';
import { DEFAULT_VERSION_TABLE, type VersionTableName } from './versionTable';

/** A MySQL identifier in backquotes. */
export function quoteMysqlIdent(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

export function qualifiedMysqlVersionTable(name: VersionTableName = {}): string {
  const table = quoteMysqlIdent(name.table?.trim() || DEFAULT_VERSION_TABLE);
  const schema = name.schema?.trim();
  return schema ? `${quoteMysqlIdent(schema)}.${table}` : table;
}

export async function readMysqlVersionTable(target: MysqlTarget, o: { timeoutMs: number; versionTable?: VersionTableName }): Promise<DirectRead> {
  const endpoint = describeMysqlEndpoint(target);
  const notes = [...target.notes];
  const secrets = [target.password];
  const fail = (p: DbProblem): DirectRead => ({ ok: false, endpoint, notes, problem: { ...p, message: redactSecrets(p.message, secrets) } });
  const timeoutMs = Math.max(1, Math.round(Math.min(o.timeoutMs, (target.connectTimeoutSeconds ?? Infinity) * 1000)));
  const table = qualifiedMysqlVersionTable(o.versionTable);

  const started = performance.now();
  let conn: Connection;
  try {
    conn = await open(target, timeoutMs, false);
  } catch (err) {
    if (errorNumber(err) === 3159) {
      // require_secure_transport=ON: encrypt, as libmysqlclient's ssl-mode=PREFERRED would have from the start.
      try {
        conn = await open(target, timeoutMs, true);
        notes.push('The server requires TLS; connected with TLS without verifying its certificate (give ssl_ca= in the URL to verify it).');
      } catch (err2) {
        return fail(describeMysqlFailure(err2, target, endpoint, timeoutMs));
      }
    } else {
      return fail(describeMysqlFailure(err, target, endpoint, timeoutMs));
    }
  }
  const connected = performance.now();
  try {
    const [versionRows] = await conn.query({ sql: 'SELECT VERSION() AS v', timeout: timeoutMs });
    const serverVersion = String((versionRows as { v?: unknown }[])[0]?.v ?? 'unknown');
    let revisions: string[] = [];
    let tableExists = true;
    try {
      const [rows] = await conn.query({ sql: `SELECT version_num FROM ${table}`, timeout: timeoutMs });
      revisions = (rows as { version_num?: unknown }[]).map((r) => r.version_num).filter((v): v is string => typeof v === 'string' && v.length > 0);
    } catch (err) {
      const n = errorNumber(err);
      // 1146 ER_NO_SUCH_TABLE: Alembic never ran here (base). 1049: the version table's schema (a database) does not exist yet.
      if (n === 1146 || n === 1049) tableExists = false;
      else if (n === 1054) return fail(problem('queryFailed', `The table ${table} has no version_num column: it is not an Alembic version table. Check alembic.versionTable.`, errorCode(err)));
      else if (n === 1142) return fail(problem('permissionDenied', `The database user may not read the version table ${table}: ${errorMessage(err)}. Grant SELECT on it.`, errorCode(err)));
      else throw err;
    }
    const end = performance.now();
    const tls = Boolean((conn as unknown as { connection?: { stream?: { encrypted?: boolean } } }).connection?.stream?.encrypted);
    return {
      ok: true, serverVersion, revisions: [...new Set(revisions)].sort(), tableExists, table,
      connectMs: round(connected - started), queryMs: round(end - connected), endpoint, tls, notes,
    };
  } catch (err) {
    return fail(problem('queryFailed', `Connected to ${endpoint}, but a query failed: ${errorMessage(err)}`, errorCode(err)));
  } finally {
    await conn.end().catch(() => conn.destroy());
  }
}

async function open(target: MysqlTarget, timeoutMs: number, tls: boolean): Promise<Connection> {
  const mysql = await import('mysql2/promise');
  const options: ConnectionOptions = { connectTimeout: timeoutMs, ...(target.socketPath ? { socketPath: target.socketPath } : { host: target.host, port: target.port }) };
  if (target.user !== undefined) options.user = target.user;
  if (target.password !== undefined) options.password = target.password;
  if (target.database !== undefined) options.database = target.database;
  if (tls) options.ssl = { rejectUnauthorized: false };
  // mysql2's own timer covers the handshake; this one anything it might miss (a stalled DNS lookup).
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' })), timeoutMs + 1000);
  });
  try {
    const conn = await Promise.race([mysql.createConnection(options), guard]);
    // A server that goes away later must not crash the extension host.
    conn.on('error', () => undefined);
    return conn;
  } finally {
    clearTimeout(timer);
  }
}

/** MySQL's error number (`errno`), when the error came from the server. */
function errorNumber(err: unknown): number | undefined {
  if (err && typeof err === 'object' && 'errno' in err && typeof err.errno === 'number') return err.errno;
  return undefined;
}

/** A connection failure as a problem: what happened at which endpoint, and what to do. */
export function describeMysqlFailure(err: unknown, target: MysqlTarget, endpoint: string, timeoutMs: number): DbProblem {
  const code = errorCode(err);
  const n = errorNumber(err);
  const msg = errorMessage(err);
  const user = target.user ?? '(no user)';
  const server = target.dialect === 'mariadb' ? 'MariaDB' : 'MySQL';
  switch (code) {
    case 'ECONNREFUSED':
      return problem('unreachable', `Cannot reach ${server} at ${endpoint}: connection refused. Is the server running, and are the host and port right?`, code);
    case 'ENOENT':
      return problem('unreachable', `No ${server} socket at ${endpoint}. Is the server running, and is that its socket?`, code);
    case 'EHOSTUNREACH': case 'ENETUNREACH': case 'ECONNRESET': case 'EPIPE':
      return problem('unreachable', `Cannot reach ${server} at ${endpoint} (${code}). Check the host, the network, VPN or firewall.`, code);
    case 'ENOTFOUND': case 'EAI_AGAIN': case 'EAI_FAIL':
      return problem('hostNotFound', `The host "${target.host}" was not found (DNS lookup failed). Check the host name in the database URL.`, code);
    case 'EACCES': case 'EPERM':
      return problem('permissionDenied', `Not allowed to open ${endpoint} (${code}). Check the socket's permissions.`, code);
    case 'ETIMEDOUT':
      return problem('timeout', `No answer from ${server} at ${endpoint} within ${Math.round(timeoutMs / 100) / 10} s. Check the host and port, and any firewall or VPN in between.`, code);
    default:
      break;
  }
  if (n === 1045) {
    const usedPassword = /using password: YES/.test(msg);
    return usedPassword || target.password !== undefined
      ? problem('authFailed', `Access denied for user "${user}" at ${endpoint}: the password is wrong or the user may not connect from here. Run "Alembic: Configure Database Connection…" to set the user and password.`, code)
      : problem('passwordMissing', `${server} at ${endpoint} refused user "${user}" without a password. Run "Alembic: Configure Database Connection…" to store one in the editor's secret storage.`, code);
  }
  if (n === 1044) return problem('authRejected', `${server} at ${endpoint} does not let user "${user}" use the database "${target.database ?? ''}": ${msg}.`, code);
  if (n === 1049) return problem('databaseMissing', `The database "${target.database ?? ''}" does not exist on ${endpoint}. Create it (CREATE DATABASE) or fix the database name in the URL.`, code);
  if (n === 1040 || n === 1203) return problem('serverBusy', `${server} at ${endpoint} cannot accept the connection now: ${msg}. Try again shortly.`, code);
  if (n === 1130) return problem('authRejected', `${server} at ${endpoint} does not accept connections for user "${user}" from this host: ${msg}.`, code);
  if (/certificate|SSL|TLS/i.test(msg)) return problem('sslFailed', `TLS with ${server} at ${endpoint} failed: ${msg}.`, code);
  return problem('other', `Could not connect to ${server} at ${endpoint}: ${msg}`, code);
}
