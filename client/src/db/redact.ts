// Masking of database passwords before anything reaches a log, a notification or a tooltip.
// Lives with the database code (no vscode import) so the runner, the log and the tests share it.

const MASK = '***';

/**
 * `postgresql+asyncpg://user:secret@host/db` → `postgresql+asyncpg://user:***@host/db`.
 * Works on any scheme://user:password@ form, including URL-encoded passwords; text without a
 * password is returned unchanged.
 */
export function redactUrl(url: string): string {
  return url.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):([^@\s]*)@/gi, (_m, head: string) => `${head}:${MASK}@`);
}

/**
 * Masks every URL password in free text, and every literal secret given (raw and URL-encoded),
 * for output of child processes and error messages.
 */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = redactUrl(text);
  for (const secret of secrets) {
    if (!secret || secret.length < 2) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) {
      out = out.split(form).join(MASK);
    }
  }
  return out;
}
