// `alembic.protectedDatabases`: glob patterns over `host/database` (or the database name alone) for
// databases treated like production. Upgrades, downgrades and stamps of a matching database ask for its
// name; verify does not create scratch databases on such a server unless told it may (the editor asks,
// the CLI wants --allow-protected) and offers a local throwaway PostgreSQL instead. The database is the
// one the connection will reach: the URL with libpq's defaults filled in (PGHOST, PGDATABASE, the user
// name) by the same function connect() uses, so that `postgresql://app@/` with PGHOST=prod-db is prod-db.
import fs from 'node:fs';
import { withLibpqDefaults } from './connect';
import { parseDatabaseUrl } from './sqlalchemyUrl';

/** Which database a URL reaches, as the check compares it. */
export interface DatabaseIdentity {
  host: string;
  database: string;
}

/**
 * The host and database a connection made from this URL reaches, with the environment's libpq defaults;
 * undefined for a URL this extension cannot read (another dialect, or not a URL).
 */
export function databaseIdentity(
  url: string, env: Readonly<Record<string, string | undefined>> = process.env, exists: (file: string) => boolean = fs.existsSync,
): DatabaseIdentity | undefined {
  const parsed = parseDatabaseUrl(url, { env });
  if (parsed.kind !== 'postgres') return undefined;
  const { target } = withLibpqDefaults(parsed.target, env, exists);
  return { host: target.host ?? 'localhost', database: target.database ?? '' };
}

/** Glob: `*` any run of characters, `?` one character; case-insensitive, whole string. */
export function matchesGlob(pattern: string, text: string): boolean {
  const re = pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&'))).join('');
  return new RegExp(`^${re}$`, 'i').test(text);
}

/** The first pattern that protects the database, if any. */
export function protectingPattern(patterns: readonly string[], identity: DatabaseIdentity): string | undefined {
  const subject = `${identity.host}/${identity.database}`;
  return patterns.find((p) => matchesGlob(p, subject) || matchesGlob(p, identity.database));
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
  const identity = databaseIdentity(o.databaseUrl, o.env ?? process.env);
  const pattern = identity ? protectingPattern(o.patterns, identity) : undefined;
  return identity && pattern !== undefined ? { identity, pattern } : undefined;
}
