// `alembic.protectedDatabases`: glob patterns over `host/database` (or the database name alone; for a
// SQLite file its path or its name) for databases treated like production. Upgrades, downgrades and stamps of a matching database ask for its
// name; verify does not create scratch databases on such a server unless told it may (the editor asks,
// the CLI wants --allow-protected) and offers a local throwaway PostgreSQL instead. The database is the
// one the connection will reach: the URL with libpq's defaults filled in (PGHOST, PGDATABASE, the user
// name) by the same function connect() uses, so that `postgresql://app@/` with PGHOST=prod-db is prod-db.
import fs from 'node:fs';
import path from 'node:path';
import { withLibpqDefaults } from './connect';
import { parseDialectUrl } from './dialectUrl';
import { parseDatabaseUrl } from './sqlalchemyUrl';

/** Which database a URL reaches, as the check compares it. */
export interface DatabaseIdentity {
  host: string;
  /** The database name; for SQLite the file's name, which the confirmation asks to type. */
  database: string;
  /** Absent for PostgreSQL. */
  kind?: 'sqlite' | 'mysql';
  /** SQLite: the absolute file, which the patterns are matched against too. */
  file?: string;
}

/**
 * The host and database a connection made from this URL reaches, with the environment's libpq defaults;
 * for SQLite the file as Alembic opens it (a relative path from `baseDir`, the folder Alembic runs in), for
 * MySQL and MariaDB the host (or socket) and database; undefined for a URL of any other dialect, or not a URL.
 */
export function databaseIdentity(
  url: string, env: Readonly<Record<string, string | undefined>> = process.env, exists: (file: string) => boolean = fs.existsSync,
  baseDir?: string,
): DatabaseIdentity | undefined {
  const parsed = parseDatabaseUrl(url, { env });
  if (parsed.kind === 'unsupportedDialect') {
    const other = parseDialectUrl(url, { env, exists, ...(baseDir ? { baseDir } : {}) });
    if (other.dialect === 'sqlite' && other.target.file) {
      return { host: 'localhost', database: path.basename(other.target.file), kind: 'sqlite', file: other.target.file };
    }
    if (other.dialect === 'mysql') {
      return { host: other.target.socketPath ?? other.target.host, database: other.target.database ?? '', kind: 'mysql' };
    }
    return undefined;
  }
  if (parsed.kind !== 'postgres') return undefined;
  const { target } = withLibpqDefaults(parsed.target, env, exists);
  return { host: target.host ?? 'localhost', database: target.database ?? '' };
}

/** How the confirmation names the database: `host/database`, or a SQLite file's path. */
export function describeIdentity(identity: DatabaseIdentity): string {
  return identity.file ?? `${identity.host}/${identity.database}`;
}

/** Glob: `*` any run of characters, `?` one character; case-insensitive, whole string. */
export function matchesGlob(pattern: string, text: string): boolean {
  const re = pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&'))).join('');
  return new RegExp(`^${re}$`, 'i').test(text);
}

/** The first pattern that protects the database, if any. */
export function protectingPattern(patterns: readonly string[], identity: DatabaseIdentity): string | undefined {
  // A SQLite file is matched by its path (`*/prod/*`, `/srv/*.db`) and by its name (`prod.db`).
  const subjects = identity.file ? [identity.file, identity.database] : [`${identity.host}/${identity.database}`, identity.database];
  return patterns.find((p) => subjects.some((s) => matchesGlob(p, s)));
}

export function isProtected(patterns: readonly string[], identity: DatabaseIdentity): boolean {
  return protectingPattern(patterns, identity) !== undefined;
}

export interface ProtectedServer {
  identity: DatabaseIdentity;
  pattern: string;
}

/**
 * Whether a verification would create its scratch database on a protected server: the one of the
 * project's URL, unless only a local throwaway PostgreSQL is to be used. Verify connects to that
 * database to issue CREATE DATABASE, so its `host/database` is what the patterns are matched against.
 */
export function protectedVerifyServer(o: {
  databaseUrl?: string | undefined;
  where?: 'auto' | 'server' | 'local' | undefined;
  patterns: readonly string[];
  env?: NodeJS.ProcessEnv | undefined;
}): ProtectedServer | undefined {
  if (o.databaseUrl === undefined || o.where === 'local') return undefined;
  // Scratch databases are made on PostgreSQL only; any other project verifies on a local throwaway PostgreSQL.
  const identity = databaseIdentity(o.databaseUrl, o.env ?? process.env);
  if (identity?.kind !== undefined) return undefined;
  const pattern = identity ? protectingPattern(o.patterns, identity) : undefined;
  return identity && pattern !== undefined ? { identity, pattern } : undefined;
}
