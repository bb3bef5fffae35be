// Which kind of database a SQLAlchemy URL reaches, and what the direct readers need to reach the same one
// the migration run reaches: PostgreSQL (sqlalchemyUrl.ts), a SQLite file, a MySQL or MariaDB server; any
// other dialect is read by asking Alembic itself (alembicCurrent.ts). Never holds a password in a message.
import path from 'node:path';
import { dialectName, parseDatabaseUrl, splitSqlalchemyUrl, type PostgresTarget, type SqlalchemyUrlParts } from './sqlalchemyUrl';

export interface SqliteTarget {
  driver: string;
  /** The absolute file, as SQLAlchemy's pysqlite dialect makes it (os.path.abspath in Alembic's folder). */
  file?: string;
  /** `sqlite://` or `:memory:`: a database that lives only inside the migration process. */
  memory: boolean;
  notes: string[];
}

export interface MysqlTarget {
  /** `mysql` or `mariadb`, as the URL says (both speak the same protocol). */
  dialect: 'mysql' | 'mariadb';
  driver: string;
  host: string;
  port: number;
  /** The Unix socket the driver uses instead of TCP (`unix_socket=`, or libmysqlclient's for localhost). */
  socketPath?: string;
  user?: string;
  password?: string;
  database?: string;
  connectTimeoutSeconds?: number;
  /** Query parameters not used here (they still matter to Alembic's driver). */
  ignoredParameters: string[];
  notes: string[];
}

export type DialectTarget =
  | { dialect: 'postgresql'; label: 'PostgreSQL'; target: PostgresTarget }
  | { dialect: 'sqlite'; label: 'SQLite'; target: SqliteTarget }
  | { dialect: 'mysql'; label: 'MySQL' | 'MariaDB'; target: MysqlTarget }
  /** Read by asking Alembic (`alembic current`): SQL Server, Oracle, SQLCipher, anything else. */
  | { dialect: 'other'; label: string; name: string; driver?: string }
  | { dialect: 'invalid'; message: string };

export interface DialectUrlOptions {
  env?: Readonly<Record<string, string | undefined>>;
  /** The folder Alembic runs in (the ini's): a relative SQLite path is relative to it. Default: process.cwd(). */
  baseDir?: string;
  exists?: (file: string) => boolean;
}

const MYSQL_DIALECTS = new Set(['mysql', 'mariadb']);
/** Drivers that go through libmysqlclient / Connector/C, where `localhost` means the local socket. */
const C_CLIENT_DRIVERS = new Set(['mysqldb', 'mariadbconnector']);
/** Where Debian's (and most distributions') server puts its socket. */
export const DEFAULT_MYSQL_SOCKETS = ['/run/mysqld/mysqld.sock', '/var/run/mysqld/mysqld.sock', '/tmp/mysql.sock'];

export function parseDialectUrl(url: string, opts: DialectUrlOptions = {}): DialectTarget {
  const split = splitSqlalchemyUrl(url);
  if (!split.ok) return { dialect: 'invalid', message: split.message };
  const p = split.parts;
  const dialect = p.dialect.toLowerCase();
  if (dialect === 'postgresql' || dialect === 'postgres') {
    const parsed = parseDatabaseUrl(url, opts.env ? { env: opts.env } : {});
    if (parsed.kind === 'postgres') return { dialect: 'postgresql', label: 'PostgreSQL', target: parsed.target };
    return { dialect: 'invalid', message: parsed.message };
  }
  if (dialect === 'sqlite') {
    const driver = p.driver ?? 'pysqlite';
    // SQLCipher files are encrypted: only the project's own driver (with its key) can read them.
    if (driver === 'pysqlcipher') return { dialect: 'other', label: 'SQLCipher', name: 'sqlite', driver };
    return { dialect: 'sqlite', label: 'SQLite', target: sqliteTarget(driver, p.database, p.query, opts.baseDir ?? process.cwd()) };
  }
  if (MYSQL_DIALECTS.has(dialect)) {
    const t = mysqlTarget(dialect as 'mysql' | 'mariadb', p, opts.exists);
    if ('message' in t) return { dialect: 'invalid', message: t.message };
    return { dialect: 'mysql', label: dialect === 'mariadb' ? 'MariaDB' : 'MySQL', target: t };
  }
  return { dialect: 'other', label: dialectName(p.dialect), name: p.dialect, ...(p.driver ? { driver: p.driver } : {}) };
}

function sqliteTarget(driver: string, database: string | undefined, query: Map<string, string[]>, baseDir: string): SqliteTarget {
  const notes: string[] = [];
  let name = database ?? '';
  const uri = ['true', '1'].includes((query.get('uri')?.[0] ?? '').toLowerCase());
  if (uri) {
    // `sqlite:///file:path/app.db?mode=ro&uri=true`: the path part of the SQLite URI.
    const m = /^file:(?:\/\/[^/]*)?([^?#]*)/.exec(name);
    name = m ? decodeURIComponent(m[1] ?? '') : name;
    if (query.get('mode')?.[0] === 'memory') return { driver, memory: true, notes };
  }
  if (name === '' || name === ':memory:') return { driver, memory: true, notes };
  const file = path.resolve(baseDir, name);
  if (!path.isAbsolute(name)) notes.push(`The SQLite path "${name}" is relative: it is the file ${file}, in the folder Alembic runs in.`);
  return { driver, file, memory: false, notes };
}

function mysqlTarget(
  dialect: 'mysql' | 'mariadb', p: SqlalchemyUrlParts,
  exists: ((file: string) => boolean) | undefined,
): MysqlTarget | { message: string } {
  // SQLAlchemy's default MySQL driver is mysqlclient (MySQLdb); for mariadb:// it is the same.
  const driver = p.driver ?? 'mysqldb';
  if (p.host?.includes('@')) {
    return { message: 'the URL has more than one "@" before the host: SQLAlchemy ends the password at the first "@"; write a "@" inside the password as %40' };
  }
  const t: MysqlTarget = { dialect, driver, host: p.host ?? 'localhost', port: p.port ?? 3306, ignoredParameters: [], notes: [] };
  if (p.username) t.user = p.username;
  if (p.password !== undefined && p.password !== '') t.password = p.password;
  if (p.database) t.database = p.database;
  for (const [key, values] of p.query) {
    const v = values[0] ?? '';
    switch (key) {
      case 'unix_socket': t.socketPath = v; break;
      case 'connect_timeout': { const n = Number(v); if (Number.isFinite(n) && n > 0) t.connectTimeoutSeconds = n; break; }
      case 'charset': case 'binary_prefix': break;
      case 'read_default_file': case 'read_default_group':
        t.notes.push(`${key}=${v}: the driver reads options from a MySQL option file, which this direct read does not; if the state looks wrong, check that file.`);
        t.ignoredParameters.push(key);
        break;
      default: t.ignoredParameters.push(key);
    }
  }
  if (!t.socketPath && C_CLIENT_DRIVERS.has(driver) && t.host === 'localhost') {
    // libmysqlclient and Connector/C take `localhost` for the local socket, never TCP.
    const found = DEFAULT_MYSQL_SOCKETS.find((s) => (exists ?? (() => false))(s));
    if (found) t.socketPath = found;
    else t.notes.push(`${driver} reaches "localhost" through the local socket, and none was found in ${DEFAULT_MYSQL_SOCKETS.join(', ')}; trying TCP port ${t.port}.`);
  }
  return t;
}

/** `host:port` or the socket, for messages (never the password). */
export function describeMysqlEndpoint(t: Pick<MysqlTarget, 'host' | 'port' | 'socketPath'>): string {
  return t.socketPath ?? `${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`;
}
