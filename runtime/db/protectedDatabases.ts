// `alembic.protectedDatabases`: glob patterns over `host/database` (or the database name alone) for
// databases treated like production. Downgrades and stamps ask for the database name; verify does not
// create scratch databases on such a server unless told it may (the editor asks, the CLI wants
// --allow-protected) and offers a local throwaway PostgreSQL instead. Pure.
import { parseDatabaseUrl } from './sqlalchemyUrl';

export interface DatabaseIdentity {
  host: string;
  database: string;
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

/** `host/database` of a PostgreSQL URL (libpq defaults from `env`), for the patterns and for messages. */
export function databaseIdentity(url: string, env: NodeJS.ProcessEnv = process.env): DatabaseIdentity | undefined {
  const parsed = parseDatabaseUrl(url, { env });
  if (parsed.kind !== 'postgres') return undefined;
  return { host: parsed.target.host ?? 'localhost', database: parsed.target.database ?? '' };
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
