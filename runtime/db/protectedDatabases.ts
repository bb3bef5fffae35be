// `alembic.protectedDatabases`: glob patterns over `host/database` (or the database name alone) that
// make commands which change a matching database ask for its name. The database is the one the
// connection will reach: the URL with libpq's defaults filled in (PGHOST, PGDATABASE, the user name), by
// the same function connect() uses, so that `postgresql://app@/` with PGHOST=prod-db is matched as prod-db.
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

export function isProtected(patterns: readonly string[], identity: { host: string; database: string }): boolean {
  const subject = `${identity.host}/${identity.database}`;
  return patterns.some((p) => matchesGlob(p, subject) || matchesGlob(p, identity.database));
}
