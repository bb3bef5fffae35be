// Masking of database passwords before anything reaches a log, a notification, a tooltip or the LSP
// trace. Pure (no vscode, no Node APIs), in common/ so that the server, the runtime, the CLI and the
// client share one definition of what a password looks like.

const MASK = '***';

// Where a URL starts: `scheme://`.
const SCHEME = /[a-z][a-z0-9+.-]*:\/\//gi;
// `password=` (libpq's keyword/value strings, query strings, PGPASSWORD=... in a command line).
const PASSWORD_KEY = /(^|[?&\s;,(])((?:pg)?password)(\s*=\s*)/gi;

/**
 * Masks every password in `text`, a URL or free text holding URLs and connection strings:
 *
 * - `scheme://user:password@host`: SQLAlchemy's pattern ends the user name at `:` or `/` (it may hold
 *   `@`, as Azure's `user@server` does) and the password at the first `@`; the password may hold
 *   spaces, quotes, backticks and `<`, so the mask runs to that `@` wherever it is on the line. A raw
 *   `@` inside the password (`p@ss@host`, which SQLAlchemy would split wrongly) is masked up to the
 *   last `@` before the host's `/`: over-masking is safe, under-masking is not.
 * - `scheme://user:password/db`, a URL that lost its `@host`: what follows the `:` is a port only
 *   when it is digits; anything else is masked.
 * - `password=...`, `password = '...'` (libpq quoting, `\'` inside), `?password=...&`, `PGPASSWORD=...`.
 *
 * Text without a password is returned unchanged. Runs in linear time: it may see the output of
 * processes working on a hostile workspace.
 */
export function redactUrl(text: string): string {
  return redactPasswordKeys(redactUrlPasswords(text));
}

/**
 * Masks every URL password in free text, and every literal secret given (raw, URL-encoded, and
 * `%`-doubled as written in alembic.ini), for output of child processes and error messages. Secrets
 * of one character are not masked on their own (every such character of the text would go); a
 * password is recognised by its place in a URL or connection string then.
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
  const forms = new Set([secret, encoded, encoded.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()), encoded.replace(/%20/g, '+')]);
  for (const f of [...forms]) if (f.includes('%')) forms.add(f.replace(/%/g, '%%'));
  // Longest first, so that masking one form does not leave part of a longer one behind.
  return [...forms].sort((a, b) => b.length - a.length);
}

function redactUrlPasswords(text: string): string {
  let out = '';
  let copied = 0;
  // The next `@` and line break at or after a position, looked for again only once passed: every
  // URL on a long line would otherwise scan the rest of the line again.
  let nextAt = -2;
  let nextBreak = -2;
  const atFrom = (i: number): number => {
    if (nextAt !== -1 && nextAt < i) nextAt = text.indexOf('@', i);
    return nextAt;
  };
  const breakFrom = (i: number): number => {
    if (nextBreak !== -1 && nextBreak < i) nextBreak = text.indexOf('\n', i);
    return nextBreak < 0 ? text.length : nextBreak;
  };
  const mask = (from: number, to: number): void => {
    out += text.slice(copied, from) + MASK;
    copied = to;
  };
  SCHEME.lastIndex = 0;
  for (let m = SCHEME.exec(text); m; m = SCHEME.exec(text)) {
    const userStart = m.index + m[0].length;
    let colon = userStart;
    while (colon < text.length && !endsUserName(text.charCodeAt(colon))) colon++;
    if (text.charCodeAt(colon) !== 58 /* : */) continue;
    const start = colon + 1;
    const lineEnd = breakFrom(start);
    let end = atFrom(start);
    // The `@` must be on this line and come before the next URL starts.
    if (end >= 0 && end < lineEnd) {
      const nextUrl = text.indexOf('://', start);
      if (nextUrl < 0 || nextUrl > end) {
        for (let k = end + 1; k < lineEnd && !endsHost(text.charCodeAt(k)); k++) if (text.charCodeAt(k) === 64 /* @ */) end = k;
        mask(start, end);
        SCHEME.lastIndex = end;
        continue;
      }
    }
    // No `@host`: digits are a port (`scheme://host:5432/db`); anything else is a password.
    let k = start;
    while (k < text.length && !endsHost(text.charCodeAt(k)) && text.charCodeAt(k) !== 64) k++;
    if (k > start && !/^\d+$/.test(text.slice(start, k))) {
      mask(start, k);
      SCHEME.lastIndex = k;
    }
  }
  return copied === 0 ? text : out + text.slice(copied);
}

function redactPasswordKeys(text: string): string {
  let out = '';
  let copied = 0;
  PASSWORD_KEY.lastIndex = 0;
  for (let m = PASSWORD_KEY.exec(text); m; m = PASSWORD_KEY.exec(text)) {
    const start = m.index + m[0].length;
    const quote = text[start];
    let from = start;
    let to: number;
    if (quote === "'" || quote === '"') {
      // libpq: a quoted value ends at the next unescaped quote (backslash escapes it).
      from = start + 1;
      to = from;
      while (to < text.length && text[to] !== quote) to += text[to] === '\\' ? 2 : 1;
      to = Math.min(to, text.length);
    } else {
      to = start;
      while (to < text.length && !endsPlainValue(text.charCodeAt(to))) to++;
    }
    if (to === from) continue;
    out += text.slice(copied, from) + MASK;
    copied = to;
    PASSWORD_KEY.lastIndex = to;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** What ends a URL's user name: SQLAlchemy's `[^:/]`, and the quotes and spaces of free text around it. */
function endsUserName(c: number): boolean {
  return c === 58 || c === 47 || isSpaceOrQuote(c);
}

/** What ends the host part after the userinfo: the path, query or fragment, or the end of the URL. */
function endsHost(c: number): boolean {
  return c === 47 /* / */ || c === 63 /* ? */ || c === 35 /* # */ || isSpaceOrQuote(c);
}

/** What ends an unquoted `password=` value: the next query parameter or keyword, or the string. */
function endsPlainValue(c: number): boolean {
  return c === 38 /* & */ || c === 59 /* ; */ || c === 44 /* , */ || c === 41 /* ) */ || isSpaceOrQuote(c);
}

function isSpaceOrQuote(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 34 || c === 39 || c === 96 /* ` */ || c === 60 /* < */ || c === 62 /* > */;
}
