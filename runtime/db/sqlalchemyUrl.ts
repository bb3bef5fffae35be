// SQLAlchemy database URLs → what `pg` needs. Parsing follows SQLAlchemy's own `make_url`
// (sqlalchemy/engine/url.py, 1.4): the same regular expression, user and password URL-decoded,
// the database name left as written, the query string decoded like Python's `parse_qsl` (blank
// values dropped, `+` is a space). Query options then mean what libpq (psycopg2, psycopg, pg8000)
// or asyncpg make of them, because SQLAlchemy passes them to the driver as keyword arguments.
import type { ClientConfig } from 'pg';
import type { ConnectionOptions } from 'node:tls';

export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** What SQLAlchemy's `make_url` sees in a URL, before any driver gives the parts a meaning. */
export interface SqlalchemyUrlParts {
  /** `postgresql+asyncpg` */
  drivername: string;
  /** `postgresql` */
  dialect: string;
  /** `asyncpg`; absent when the URL names no driver. */
  driver?: string;
  username?: string;
  password?: string;
  host?: string;
  port?: number;
  database?: string;
  /** Every query parameter with all its values, in order. */
  query: Map<string, string[]>;
}

/** A PostgreSQL connection target, independent of the driver named in the URL. */
export interface PostgresTarget {
  /** The SQLAlchemy driver (`psycopg2` when the URL names none, as SQLAlchemy defaults to it). */
  driver: string;
  /** Host name or IP address, or a Unix socket folder (starts with `/`); absent: libpq's default socket. */
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database?: string;
  sslMode: SslMode;
  /** Where the SSL mode came from: `sslmode=`, asyncpg's `ssl=`, PGSSLMODE, or libpq's default (`prefer`). */
  sslModeSource: 'sslmode' | 'ssl' | 'PGSSLMODE' | 'default';
  sslRootCert?: string;
  sslCert?: string;
  sslKey?: string;
  /** libpq `options`, such as `-c search_path=app`. */
  options?: string;
  applicationName?: string;
  /** libpq `connect_timeout`, in seconds. */
  connectTimeoutSeconds?: number;
  /** Query parameters this extension does not use (they still matter to Alembic's driver). */
  ignoredParameters: string[];
  /** Things worth telling the user: quirks of the URL that Alembic itself may trip over. */
  notes: string[];
}

export type ParsedDatabaseUrl =
  | { kind: 'postgres'; target: PostgresTarget }
  | { kind: 'unsupportedDialect'; dialect: string; driver?: string; message: string }
  | { kind: 'invalid'; message: string };

const POSTGRES_DIALECTS = new Set(['postgresql', 'postgres']);
const KNOWN_POSTGRES_DRIVERS = new Set(['psycopg2', 'psycopg', 'psycopg2cffi', 'asyncpg', 'pg8000', 'pygresql', 'psycopg_async']);
const DIALECT_NAMES: Record<string, string> = {
  sqlite: 'SQLite', mysql: 'MySQL', mariadb: 'MariaDB', mssql: 'Microsoft SQL Server', oracle: 'Oracle',
  snowflake: 'Snowflake', cockroachdb: 'CockroachDB', redshift: 'Amazon Redshift', duckdb: 'DuckDB',
  firebird: 'Firebird', sybase: 'Sybase', db2: 'IBM Db2', ibm_db_sa: 'IBM Db2',
};

// SQLAlchemy's pattern (1.4.16 and later, 2.x unchanged), transcribed (named groups, verbose mode
// removed). It anchors at the start only, as Python's re.match does. The password is `[^@]*`: it ends
// at the FIRST `@` after the user name, and a raw `@` inside it makes the rest part of the host
// (`app:p@ssw0rd@db` is user app, password p, host ssw0rd@db). SQLAlchemy up to 1.4.15 had `.*`
// there and split at the last `@` instead; the change came with its fix for `@` in database names.
const SQLALCHEMY_URL = new RegExp(
  '^(?<name>[\\w+]+)://' +
  '(?:(?<username>[^:/]*)(?::(?<password>[^@]*))?@)?' +
  '(?:(?:\\[(?<ipv6host>[^/?]+)\\]|(?<ipv4host>[^/:?]+))?(?::(?<port>[^/?]*))?)?' +
  '(?:/(?<database>[^?]*))?' +
  '(?:\\?(?<query>.*))?',
  's',
);

/** The product name of a SQLAlchemy dialect (`mssql` → Microsoft SQL Server), or the name as written. */
export function dialectName(dialect: string): string {
  return DIALECT_NAMES[dialect.toLowerCase()] ?? dialect;
}

/** Python's `urllib.parse.unquote`: invalid escapes stay as written instead of throwing. */
export function pyUnquote(text: string): string {
  if (!text.includes('%')) return text;
  return text.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      // Not valid UTF-8: Python substitutes U+FFFD; decode byte by byte as latin-1 is close enough
      // for a password that can then not be valid UTF-8 on the server either.
      return run.replace(/%([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
    }
  });
}

/** Python's `parse_qsl` with its defaults: `&` separated, blank values and pairs without `=` dropped. */
export function parseQuery(query: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    const key = pyUnquote(pair.slice(0, eq).replace(/\+/g, ' '));
    const value = pyUnquote(pair.slice(eq + 1).replace(/\+/g, ' '));
    if (!value) continue;
    const values = out.get(key);
    if (values) values.push(value);
    else out.set(key, [value]);
  }
  return out;
}

/** Splits a URL the way SQLAlchemy's `make_url` does. */
export function splitSqlalchemyUrl(url: string): { ok: true; parts: SqlalchemyUrlParts } | { ok: false; message: string } {
  const text = url.trim();
  const m = SQLALCHEMY_URL.exec(text);
  const g = m?.groups;
  if (!g || g.name === undefined) {
    return { ok: false, message: 'not a SQLAlchemy database URL (expected dialect[+driver]://user:password@host:port/database)' };
  }
  const name = g.name;
  const plus = name.indexOf('+');
  let port: number | undefined;
  if (g.port) {
    if (!/^\d+$/.test(g.port)) {
      // Without a user part, `scheme://app:s3cret/db` is a URL that lost its `@host`: the "port" is the
      // password, and must not reach a message (SQLAlchemy's own ValueError prints it).
      if (g.username === undefined) {
        return { ok: false, message: `what follows "${g.ipv4host ?? g.ipv6host ?? ''}:" is not a port number; if it is a user name and password, the URL lacks "@host"` };
      }
      return { ok: false, message: `the port "${g.port}" is not a number` };
    }
    port = Number(g.port);
  }
  const parts: SqlalchemyUrlParts = {
    drivername: name,
    dialect: plus < 0 ? name : name.slice(0, plus),
    query: g.query !== undefined ? parseQuery(g.query) : new Map(),
  };
  if (plus >= 0) parts.driver = name.slice(plus + 1);
  if (g.username !== undefined) parts.username = pyUnquote(g.username);
  if (g.password !== undefined) parts.password = pyUnquote(g.password);
  const host = g.ipv4host ?? g.ipv6host;
  if (host) parts.host = host;
  if (port !== undefined) parts.port = port;
  if (g.database !== undefined) parts.database = g.database;
  return { ok: true, parts };
}

/** The SSL mode a `sslmode=` (libpq) or `ssl=` (asyncpg) value stands for, if any. */
export function sslModeFrom(value: string, param: 'sslmode' | 'ssl'): SslMode | undefined {
  const v = value.trim().toLowerCase();
  if ((SSL_MODES as readonly string[]).includes(v)) return v as SslMode;
  if (param === 'ssl') {
    // asyncpg's Python-level `ssl=True` means a default SSL context: verified certificate and host.
    if (['true', '1', 'yes', 'on'].includes(v)) return 'verify-full';
    if (['false', '0', 'no', 'off'].includes(v)) return 'disable';
  }
  return undefined;
}

export interface ParseOptions {
  /** The editor's environment, for PGSSLMODE (libpq and asyncpg honour it when the URL says nothing). */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Parses a SQLAlchemy URL into a PostgreSQL target, or says why it cannot be used. */
export function parseDatabaseUrl(url: string, opts: ParseOptions = {}): ParsedDatabaseUrl {
  const split = splitSqlalchemyUrl(url);
  if (!split.ok) return { kind: 'invalid', message: split.message };
  const p = split.parts;
  const dialect = p.dialect.toLowerCase();
  if (!POSTGRES_DIALECTS.has(dialect)) {
    const label = dialectName(p.dialect);
    // Not an error of the URL: the callers that need PostgreSQL (the migration lock, verify's scratch
    // databases) say what that means for them; the applied state has readers for other dialects (dialectUrl.ts).
    return {
      kind: 'unsupportedDialect', dialect: p.dialect, ...(p.driver ? { driver: p.driver } : {}),
      message: `the URL is a ${label} URL, not PostgreSQL`,
    };
  }
  const notes: string[] = [];
  if (dialect === 'postgres') {
    notes.push('SQLAlchemy 1.4 and later reject the "postgres://" scheme (NoSuchModuleError); Alembic needs "postgresql://".');
  }
  const driver = p.driver ?? 'psycopg2';
  if (!KNOWN_POSTGRES_DRIVERS.has(driver)) notes.push(`Unknown PostgreSQL driver "${driver}"; connecting as libpq would.`);
  const isAsyncpg = driver === 'asyncpg';

  if (p.host?.includes('@')) {
    // A raw `@` in the password (or user name): SQLAlchemy ends the password at the first one and takes
    // the rest for the host, so Alembic would look up a host named after the end of the password.
    return {
      kind: 'invalid',
      message: 'the URL has more than one "@" before the host: SQLAlchemy ends the password at the first "@" and reads ' +
        'the rest as the host name; write a "@" inside the password (or user name) as %40',
    };
  }
  const target: PostgresTarget = { driver, sslMode: 'prefer', sslModeSource: 'default', ignoredParameters: [], notes };
  if (p.username) target.user = p.username;
  if (p.password !== undefined && p.password !== '') target.password = p.password;
  if (p.host) target.host = p.host;
  if (p.port !== undefined) target.port = p.port;
  if (p.database) target.database = p.database;

  const first = (key: string): string | undefined => {
    const values = p.query.get(key);
    if (values && values.length > 1) notes.push(`"${key}" is given ${values.length} times; the first one is used.`);
    return values?.[0];
  };

  for (const key of p.query.keys()) {
    switch (key) {
      case 'host': {
        // SQLAlchemy passes query options over the URL's own parts (opts.update(url.query)).
        const value = first(key) ?? '';
        const hosts = value.split(',');
        if (hosts.length > 1) notes.push(`Several hosts given (${value}); only the first one is tried.`);
        const hostPart = hosts[0] ?? '';
        // psycopg2's multi-host form `host=h1:p1&host=h2:p2` carries ports too.
        const hp = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(hostPart);
        if (hp && !hostPart.startsWith('/')) {
          target.host = hp[1]!.replace(/^\[|\]$/g, '');
          target.port = Number(hp[2]);
        } else if (hostPart) {
          target.host = hostPart;
        }
        break;
      }
      case 'port': {
        const value = (first(key) ?? '').split(',')[0] ?? '';
        if (!/^\d+$/.test(value)) return { kind: 'invalid', message: `the port "${value}" is not a number` };
        target.port = Number(value);
        break;
      }
      case 'user': {
        const v = first(key);
        if (v) target.user = v;
        break;
      }
      case 'password': {
        const v = first(key);
        if (v) target.password = v;
        break;
      }
      case 'dbname':
      case 'database': {
        const v = first(key);
        if (v) target.database = v;
        break;
      }
      case 'sslmode':
      case 'ssl': {
        const value = first(key) ?? '';
        const mode = sslModeFrom(value, key);
        if (!mode) {
          return { kind: 'invalid', message: `${key}=${value} is not an SSL mode (one of ${SSL_MODES.join(', ')})` };
        }
        target.sslMode = mode;
        target.sslModeSource = key;
        if (key === 'sslmode' && isAsyncpg) {
          notes.push('asyncpg does not accept "sslmode=" (Alembic fails with "unexpected keyword argument \'sslmode\'"); use "ssl=" instead.');
        } else if (key === 'ssl' && !isAsyncpg) {
          notes.push(`"ssl=" is asyncpg's option; ${driver} (libpq) rejects it ("invalid connection option"); use "sslmode=" instead.`);
        } else if (key === 'ssl' && !(SSL_MODES as readonly string[]).includes(value.toLowerCase())) {
          notes.push(`asyncpg rejects ssl=${value} given in a URL ("sslmode parameter must be one of ..."); use ssl=require or ssl=disable. Read as ${mode}.`);
        }
        break;
      }
      case 'sslrootcert': { const v = first(key); if (v) target.sslRootCert = v; break; }
      case 'sslcert': { const v = first(key); if (v) target.sslCert = v; break; }
      case 'sslkey': { const v = first(key); if (v) target.sslKey = v; break; }
      case 'options': { const v = first(key); if (v) target.options = v; break; }
      case 'application_name': { const v = first(key); if (v) target.applicationName = v; break; }
      case 'connect_timeout': {
        const v = Number(first(key));
        if (Number.isFinite(v) && v > 0) target.connectTimeoutSeconds = v;
        break;
      }
      default:
        target.ignoredParameters.push(key);
    }
  }

  if (target.sslModeSource === 'default') {
    const envMode = opts.env?.PGSSLMODE ? sslModeFrom(opts.env.PGSSLMODE, 'sslmode') : undefined;
    if (envMode) {
      target.sslMode = envMode;
      target.sslModeSource = 'PGSSLMODE';
    }
  }
  if (target.host?.startsWith('/') && target.sslMode !== 'disable' && target.sslModeSource !== 'default') {
    notes.push(`sslmode=${target.sslMode} has no effect on a Unix socket (${target.host}): libpq never uses TLS there.`);
  }
  return { kind: 'postgres', target };
}

/** Whether the target is reached through a Unix socket folder rather than TCP. */
export function isSocketHost(host: string | undefined): boolean {
  return host !== undefined && host.startsWith('/');
}

/** `host:port` or the socket path, for messages (never holds the password). */
export function describeEndpoint(target: Pick<PostgresTarget, 'host' | 'port'>): string {
  const port = target.port ?? 5432;
  if (target.host === undefined) return `the default local socket (port ${port})`;
  if (isSocketHost(target.host)) return `${target.host.replace(/\/$/, '')}/.s.PGSQL.${port}`;
  return `${target.host.includes(':') ? `[${target.host}]` : target.host}:${port}`;
}

/** The TLS settings for one attempt, from the SSL mode; `files` holds what the cert paths contain. */
export function tlsOptions(
  target: PostgresTarget,
  files: { ca?: string | Buffer; cert?: string | Buffer; key?: string | Buffer } = {},
): ConnectionOptions {
  const tls: ConnectionOptions = {};
  if (files.ca !== undefined) tls.ca = files.ca;
  if (files.cert !== undefined) tls.cert = files.cert;
  if (files.key !== undefined) tls.key = files.key;
  switch (target.sslMode) {
    case 'verify-full':
      tls.rejectUnauthorized = true;
      break;
    case 'verify-ca':
      tls.rejectUnauthorized = true;
      // The chain must be trusted; the name in the certificate is not checked (libpq's verify-ca).
      tls.checkServerIdentity = () => undefined;
      break;
    default:
      // libpq: with a root certificate given, `require` behaves like verify-ca; otherwise it encrypts
      // without verifying, and so do allow and prefer.
      if (target.sslMode === 'require' && files.ca !== undefined) {
        tls.rejectUnauthorized = true;
        tls.checkServerIdentity = () => undefined;
      } else {
        tls.rejectUnauthorized = false;
      }
  }
  return tls;
}

export interface PgConfigOptions {
  /** Connection timeout in milliseconds (always set; the URL's connect_timeout can only shorten it). */
  timeoutMs: number;
  /** TLS for this attempt: false for plain, or the options from `tlsOptions`. */
  ssl: false | ConnectionOptions;
  /** Host to use when the target names none (the resolved default socket folder). */
  defaultHost?: string;
}

/** The `pg` client configuration for one connection attempt. Never a connection string. */
export function toPgConfig(target: PostgresTarget, opts: PgConfigOptions): ClientConfig {
  const urlTimeout = target.connectTimeoutSeconds !== undefined ? target.connectTimeoutSeconds * 1000 : Infinity;
  const timeout = Math.max(1, Math.round(Math.min(opts.timeoutMs, urlTimeout)));
  const config: ClientConfig = {
    connectionTimeoutMillis: timeout,
    query_timeout: timeout,
    ssl: opts.ssl,
    fallback_application_name: 'vscode-alembic',
  };
  const host = target.host ?? opts.defaultHost;
  if (host !== undefined) config.host = host;
  if (target.port !== undefined) config.port = target.port;
  if (target.user !== undefined) config.user = target.user;
  if (target.password !== undefined) config.password = target.password;
  if (target.database !== undefined) config.database = target.database;
  if (target.options !== undefined) config.options = target.options;
  if (target.applicationName !== undefined) config.application_name = target.applicationName;
  return config;
}
