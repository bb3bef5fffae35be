// `alembic.protectedDatabases`: glob patterns over `host/database` (or the database name alone) that
// make downgrades and stamps ask for the database name. Pure.

/** Glob: `*` any run of characters, `?` one character; case-insensitive, whole string. */
export function matchesGlob(pattern: string, text: string): boolean {
  const re = pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&'))).join('');
  return new RegExp(`^${re}$`, 'i').test(text);
}

export function isProtected(patterns: readonly string[], identity: { host: string; database: string }): boolean {
  const subject = `${identity.host}/${identity.database}`;
  return patterns.some((p) => matchesGlob(p, subject) || matchesGlob(p, identity.database));
}
