// Which database URL a project uses, and where it came from. Pure: the caller reads the setting,
// the environment, the `.env` file, alembic.ini and SecretStorage, and passes their values in.
//
// First match wins:
//   1. the `alembic.databaseUrl` setting (of the project's workspace folder),
//   2. the variable named by `alembic.databaseUrlEnvVar` (default DATABASE_URL) in the editor's
//      environment, then in the workspace's `.env` file (an existing variable is never overridden
//      by `.env`, as dotenv itself does),
//   3. `sqlalchemy.url` in alembic.ini (after configparser interpolation; Alembic's placeholder
//      `driver://user:pass@localhost/dbname` counts as not set).
import { parse as parseDotenv } from 'dotenv';
import { pyUnquote } from './sqlalchemyUrl';

export const DEFAULT_ENV_VAR = 'DATABASE_URL';
/** The value `alembic init` writes; Alembic fails on it, so it means "not configured". */
export const ALEMBIC_PLACEHOLDER_URL = 'driver://user:pass@localhost/dbname';

export type UrlSourceKind = 'setting' | 'environment' | 'dotenv' | 'alembicIni';

export interface UrlSource {
  kind: UrlSourceKind;
  /** For the UI: `setting alembic.databaseUrl`, `environment variable DATABASE_URL`, ... */
  label: string;
  /** The `.env` or alembic.ini file, for the `dotenv` and `alembicIni` sources. */
  file?: string;
  /** The environment variable's name, for the `environment` and `dotenv` sources. */
  variable?: string;
}

export interface DatabaseUrlInputs {
  /** `alembic.databaseUrl` for the project's workspace folder. */
  settingUrl?: string;
  /** `alembic.databaseUrlEnvVar`; blank means DATABASE_URL. */
  envVarName?: string;
  /** The editor's environment (process.env of the extension host). */
  env?: Readonly<Record<string, string | undefined>>;
  /** The workspace's `.env` file: its path and text, when it exists. */
  dotenv?: { path: string; text: string };
  /** alembic.ini: its path and `sqlalchemy.url` exactly as written (before interpolation). */
  ini?: { path: string; url?: string };
  /**
   * The password kept in SecretStorage by "Configure Database Connection…". It belongs to the URL
   * that command wrote to the setting, so it is merged only into a password-less setting URL.
   */
  secretPassword?: string;
}

export type ChosenUrl =
  | {
      ok: true;
      url: string;
      source: UrlSource;
      /** Where the password in `url` came from. */
      passwordFrom: 'url' | 'secretStorage' | 'none';
      notes: string[];
    }
  | {
      ok: false;
      /** `none`: nothing configured anywhere; `invalid`: the chosen source cannot be used as written. */
      kind: 'none' | 'invalid';
      message: string;
      source?: UrlSource;
      notes: string[];
    };

/** Chooses the project's database URL; never throws. */
export function chooseDatabaseUrl(inputs: DatabaseUrlInputs): ChosenUrl {
  const notes: string[] = [];
  const varName = inputs.envVarName?.trim() || DEFAULT_ENV_VAR;

  const setting = inputs.settingUrl?.trim();
  if (setting) {
    const source: UrlSource = { kind: 'setting', label: 'setting alembic.databaseUrl' };
    if (hasPassword(setting)) {
      if (inputs.secretPassword) notes.push('The URL in the setting has its own password; the one in SecretStorage is not used.');
      return { ok: true, url: setting, source, passwordFrom: 'url', notes };
    }
    if (inputs.secretPassword) {
      return { ok: true, url: mergePassword(setting, inputs.secretPassword), source, passwordFrom: 'secretStorage', notes };
    }
    return { ok: true, url: setting, source, passwordFrom: 'none', notes };
  }

  const fromEnv = inputs.env?.[varName]?.trim();
  if (fromEnv) {
    return found(fromEnv, { kind: 'environment', label: `environment variable ${varName}`, variable: varName }, notes);
  }

  if (inputs.dotenv) {
    let vars: Record<string, string> = {};
    try {
      vars = parseDotenv(inputs.dotenv.text);
    } catch (err) {
      notes.push(`${inputs.dotenv.path} could not be read as a .env file: ${err instanceof Error ? err.message : String(err)}`);
    }
    const value = vars[varName]?.trim();
    if (value) {
      if (/\$\{?\w/.test(value)) {
        notes.push(`${varName} in ${inputs.dotenv.path} refers to other variables ($VAR); they are not expanded.`);
      }
      return found(value, { kind: 'dotenv', label: `${varName} in ${inputs.dotenv.path}`, file: inputs.dotenv.path, variable: varName }, notes);
    }
  }

  const rawIni = inputs.ini?.url?.trim();
  if (inputs.ini && rawIni) {
    const source: UrlSource = { kind: 'alembicIni', label: `sqlalchemy.url in ${inputs.ini.path}`, file: inputs.ini.path };
    if (rawIni === ALEMBIC_PLACEHOLDER_URL) {
      notes.push(`sqlalchemy.url in ${inputs.ini.path} is still Alembic's placeholder (${ALEMBIC_PLACEHOLDER_URL}).`);
    } else {
      const value = interpolateIniValue(rawIni, { here: dirname(inputs.ini.path) });
      if (!value.ok) return { ok: false, kind: 'invalid', message: `sqlalchemy.url in ${inputs.ini.path}: ${value.message}`, source, notes };
      return found(value.value, source, notes);
    }
  }

  return {
    ok: false, kind: 'none', notes,
    message: `No database URL: set alembic.databaseUrl (Alembic: Configure Database Connection…), the ${varName} ` +
      'environment variable (or in the workspace .env file), or sqlalchemy.url in alembic.ini.',
  };
}

function found(url: string, source: UrlSource, notes: string[]): ChosenUrl {
  return { ok: true, url, source, passwordFrom: hasPassword(url) ? 'url' : 'none', notes };
}

function dirname(file: string): string {
  const cut = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  return cut <= 0 ? (cut === 0 ? file.slice(0, 1) : '.') : file.slice(0, cut);
}

/**
 * configparser's BasicInterpolation as Alembic's Config uses it: `%%` is a `%`, `%(here)s` is the
 * ini's folder; any other `%` is an error there too (a URL-encoded password must be written `%%40`).
 */
export function interpolateIniValue(raw: string, vars: Readonly<Record<string, string>>): { ok: true; value: string } | { ok: false; message: string } {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i];
    if (ch !== '%') {
      out += ch;
      continue;
    }
    const next = raw[i + 1];
    if (next === '%') {
      out += '%';
      i++;
      continue;
    }
    const m = next === '(' ? /^%\(([^)]*)\)s/.exec(raw.slice(i)) : null;
    if (!m) {
      return {
        ok: false,
        message: `a single "%" at position ${i + 1} breaks Alembic's configparser interpolation; ` +
          'write "%%" (a URL-encoded "%40" becomes "%%40" in alembic.ini).',
      };
    }
    const name = (m[1] ?? '').toLowerCase();
    const value = vars[name];
    if (value === undefined) {
      return { ok: false, message: `%(${m[1] ?? ''})s refers to an option this extension does not resolve (only %(here)s).` };
    }
    out += value;
    i += m[0].length - 1;
  }
  return { ok: true, value: out };
}

// The start of a SQLAlchemy URL: scheme, then optional `user[:password]@` (the same groups as
// make_url's pattern, so a `@` in the query is never taken for the end of the user part).
const USERINFO = /^(\s*[\w+]+:\/\/)(?:([^:/]*)(?::([^@]*))?@)?/s;

/** Whether the URL carries a password (in the user part or as a `password=` query parameter). */
export function hasPassword(url: string): boolean {
  return splitPassword(url).password !== undefined;
}

/**
 * Where the password of `scheme://user:password@host` is, as the user meant it: SQLAlchemy ends it at
 * the first `@` (see sqlalchemyUrl.ts), but a password typed with a raw `@` (`p@ssw0rd@db`) means the
 * last `@` before the host, which cannot hold `/`, `?` or `#`. So the end moves on to every further
 * `@` reached before one of those (a `@` in the database name or query stays where it is). The user
 * name ends at the first `:` or `/`, as in SQLAlchemy's pattern, and may hold `@` (Azure's user@server).
 */
function userinfo(url: string): { scheme: string; user: string; rawPassword: string; rest: string } | undefined {
  const m = /^(\s*[\w+]+:\/\/)([^:/]*):/s.exec(url);
  if (!m) return undefined;
  const start = m[0].length;
  let at = url.indexOf('@', start);
  if (at < 0) return undefined;
  for (let k = at + 1; k < url.length && !'/?#'.includes(url[k] ?? ''); k++) if (url[k] === '@') at = k;
  return { scheme: m[1] ?? '', user: m[2] ?? '', rawPassword: url.slice(start, at), rest: url.slice(at + 1) };
}

/**
 * Takes the password out of a URL: for "Configure Database Connection…", which keeps the password
 * in SecretStorage and writes only the rest to settings, and for the list of secrets a log masks.
 * The password is returned decoded, and as written (`passwordAsWritten`, for masking).
 */
export function splitPassword(url: string): { urlWithoutPassword: string; password?: string; passwordAsWritten?: string } {
  if (!USERINFO.test(url)) return { urlWithoutPassword: url };
  const info = userinfo(url);
  let password: string | undefined;
  let passwordAsWritten: string | undefined;
  let start: string;
  let rest: string;
  if (info) {
    if (info.rawPassword !== '') {
      password = pyUnquote(info.rawPassword);
      passwordAsWritten = info.rawPassword;
    }
    start = info.scheme + (info.user ? `${info.user}@` : '');
    rest = info.rest;
  } else {
    const m = USERINFO.exec(url);
    start = url.slice(0, m?.[0].length ?? 0);
    rest = url.slice(start.length);
  }
  const q = rest.indexOf('?');
  if (q >= 0) {
    const kept: string[] = [];
    for (const pair of rest.slice(q + 1).split('&')) {
      const key = pyUnquote(pair.split('=', 1)[0]?.replace(/\+/g, ' ') ?? '');
      const value = pair.includes('=') ? pair.slice(pair.indexOf('=') + 1) : '';
      if (key === 'password') {
        if (value && password === undefined) {
          password = pyUnquote(value.replace(/\+/g, ' '));
          passwordAsWritten = value;
        }
        continue;
      }
      kept.push(pair);
    }
    rest = rest.slice(0, q) + (kept.length ? `?${kept.join('&')}` : '');
  }
  if (password === undefined) return { urlWithoutPassword: url };
  return { urlWithoutPassword: start + rest, password, ...(passwordAsWritten !== undefined ? { passwordAsWritten } : {}) };
}

/** Puts a password into a password-less URL, encoded so that SQLAlchemy decodes it back. */
export function mergePassword(url: string, password: string): string {
  const m = USERINFO.exec(url);
  if (!m || hasPassword(url)) return url;
  const [head, scheme, user] = m;
  return `${scheme ?? ''}${user ?? ''}:${encodeURIComponent(password)}@${url.slice(head.length)}`;
}

/**
 * The URL with its password percent-encoded where it was typed raw, so that SQLAlchemy reads the
 * password that was meant (`postgresql://app:p@ssw0rd@db/app` becomes `...app:p%40ssw0rd@db/app`).
 */
export function withEncodedPassword(url: string): string {
  const split = splitPassword(url);
  return split.password === undefined ? url : mergePassword(split.urlWithoutPassword, split.password);
}
