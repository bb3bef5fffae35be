// Masking of database passwords before anything reaches a log, a notification or a tooltip.
// Lives with the database code (no vscode import) so the runner, the log and the tests share it.

const MASK = '***';

// A URL token: scheme:// followed by everything up to whitespace or a quoting character.
const URL_TOKEN = /[a-z][a-z0-9+.-]*:\/\/[^\s'"<>`]*/gi;
// `password=...` in a query string or a libpq keyword/value string (`password=x host=y`).
const PASSWORD_PARAM = /((?:^|[?&\s;])password=)([^&\s'";]*)/gim;

/**
 * `postgresql+asyncpg://user:secret@host/db` → `postgresql+asyncpg://user:***@host/db`.
 * Works on any scheme://user:password@ form, including URL-encoded passwords and passwords holding
 * a raw `@` or `/` (everything between the first `:` after the user and the last `@` before the
 * query counts as password: over-masking is safe, under-masking is not). Also masks a
 * `?password=` query parameter. Text without a password is returned unchanged.
 */
export function redactUrl(url: string): string {
  return url.replace(URL_TOKEN, redactUrlToken).replace(PASSWORD_PARAM, (_m, head: string) => `${head}${MASK}`);
}

function redactUrlToken(token: string): string {
  const schemeEnd = token.indexOf('://') + 3;
  const firstAt = token.indexOf('@', schemeEnd);
  if (firstAt < 0) return token;
  // The query can only start after the first `@`; a `?` before it belongs to the password.
  const queryAt = token.indexOf('?', firstAt);
  const at = (queryAt < 0 ? token : token.slice(0, queryAt)).lastIndexOf('@');
  const colon = token.indexOf(':', schemeEnd);
  if (colon < 0 || colon > at) return token;
  return `${token.slice(0, colon + 1)}${MASK}${token.slice(at)}`;
}

/**
 * Masks every URL password in free text, and every literal secret given (raw, URL-encoded, and
 * `%`-doubled as written in alembic.ini), for output of child processes and error messages.
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = redactUrl(text);
  for (const secret of secrets) {
    if (!secret || secret.length < 2) continue;
    for (const form of secretForms(secret)) {
      out = out.split(form).join(MASK);
    }
  }
  return out;
}

function secretForms(secret: string): string[] {
  const encoded = encodeURIComponent(secret);
  const forms = new Set([secret, encoded, encoded.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase())]);
  for (const f of [...forms]) if (f.includes('%')) forms.add(f.replace(/%/g, '%%'));
  // Longest first, so that masking one form does not leave part of a longer one behind.
  return [...forms].sort((a, b) => b.length - a.length);
}
