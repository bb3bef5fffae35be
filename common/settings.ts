// The extension's own settings, `alembic.*` in the editor, as one typed object. Their defaults are
// read from package.json's configuration schema, the same defaults VS Code shows and returns, so no
// second copy of them can drift. The client reads them through VS Code (`readEditorSettings`), the
// server parses the section it receives over LSP (`parseEditorSettings`); both check every value's
// type and fall back to the default for a value of the wrong type, saying why.
//
// Not to be confused with Alembic's own configuration (alembic.ini, [tool.alembic] in pyproject.toml):
// that is `AlembicSettings` in server/src/core/project/settings.ts.
import { contributes } from '../package.json';

/** The section every setting of the extension lives in: `alembic.<name>`. */
export const SETTINGS_SECTION = 'alembic';

export type ServerTrace = 'off' | 'messages' | 'verbose';

/** Whether a downgrade or stamp backs the database up first. */
export type BackupBeforeDowngrade = 'ask' | 'always' | 'never';

/** Which revisions the file rules check. */
export type LintScope = 'new' | 'all';

/** Every `alembic.*` setting by its name inside the section (package.json documents each one). */
export interface EditorSettings {
  /** alembic.ini or pyproject.toml to use; empty: every Alembic configuration in the workspace. */
  configFile: string;
  /** Severity per rule id, as written (the server checks the ids and severities). */
  rules: Record<string, string>;
  /** Interpreter that runs Alembic; empty: found from the Python extension or the project. */
  pythonPath: string;
  databaseUrl: string;
  /** Never empty: an empty name falls back to the default. */
  databaseUrlEnvVar: string;
  versionTable: string;
  versionTableSchema: string;
  /** Glob patterns over `host/database`. */
  protectedDatabases: string[];
  /** Seconds; 0 turns the periodic refresh off. */
  refreshInterval: number;
  codeLens: boolean;
  /** PostgreSQL major version for the lock information; 0: from the project, the connected server, else 13. */
  postgresVersion: number;
  /** The lock of each operation as an inlay hint. */
  'inlayHints.locks': boolean;
  /** The project's database (SQLAlchemy's dialect name); empty: read from the project. */
  'lint.dialect': string;
  /** A git ref, or `auto`; empty: no base (core/release). */
  'lint.base': string;
  /** A revision id or prefix; empty: none. */
  'lint.since': string;
  'lint.scope': LintScope;
  /** Read by vscode-languageclient itself; here so that every setting has one typed home. */
  'trace.server': ServerTrace;
  /** Whether a downgrade or stamp backs the database up first (runtime/backup). */
  backupBeforeDowngrade: BackupBeforeDowngrade;
  /** Empty: `.alembic-backups` in the workspace folder. */
  backupFolder: string;
  /** PostgreSQL time (`5s`) for the runs' sessions; empty: off (runtime/alembic/sessionSettings.ts). */
  lockTimeout: string;
  statementTimeout: string;
}

export type EditorSettingName = keyof EditorSettings;

/** The setting names package.json declares, without the section prefix. */
type SchemaProperties = typeof contributes.configuration.properties;
type SchemaName = { [K in keyof SchemaProperties]: K extends `${typeof SETTINGS_SECTION}.${infer Name}` ? Name : never }[keyof SchemaProperties];
// A setting added to package.json without a field here (or the other way round) fails the type check.
type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaAndTypeAgree: SameKeys<SchemaName, EditorSettingName> = true;
void schemaAndTypeAgree;

interface SchemaProperty {
  default?: unknown;
  scope?: string;
  markdownDescription?: string;
}
const schema: Readonly<Record<string, SchemaProperty>> = contributes.configuration.properties;

/**
 * Checks one value: returns it (normalised: strings trimmed) when it has the setting's type, else
 * undefined. Parts of a compound value that are wrong are dropped and described in `problems`.
 */
type Check<T> = (value: unknown, name: string, problems: string[]) => T | undefined;

/** What a check expects, for the message when a value does not pass. */
interface Checker<T> {
  check: Check<T>;
  expected: string;
}

const text: Checker<string> = {
  expected: 'a string',
  check: (v) => (typeof v === 'string' ? v.trim() : undefined),
};

const nonEmptyText: Checker<string> = {
  expected: 'a non-empty string',
  check: (v) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined),
};

const flag: Checker<boolean> = {
  expected: 'true or false',
  check: (v) => (typeof v === 'boolean' ? v : undefined),
};

const nonNegativeNumber: Checker<number> = {
  expected: 'a number of at least 0',
  check: (v) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined),
};

const textList: Checker<string[]> = {
  expected: 'a list of strings',
  check: (v, name, problems) => {
    if (!Array.isArray(v)) return undefined;
    const strings = v.filter((item): item is string => typeof item === 'string');
    if (strings.length < v.length) problems.push(`${SETTINGS_SECTION}.${name}: entries that are not strings are ignored`);
    return strings;
  },
};

const textByName: Checker<Record<string, string>> = {
  expected: 'an object mapping names to strings',
  check: (v, name, problems) => {
    if (!isObject(v)) return undefined;
    const map: Record<string, string> = {};
    for (const [key, value] of Object.entries(v)) {
      if (typeof value === 'string') map[key] = value;
      else problems.push(`${SETTINGS_SECTION}.${name}: '${key}': ${shown(value)} is not a string; ignored`);
    }
    return map;
  },
};

function oneOf<T extends string>(...values: T[]): Checker<T> {
  return {
    expected: `one of ${values.map((x) => `"${x}"`).join(', ')}`,
    check: (v) => (values.find((x) => x === v)),
  };
}

const checkers: { readonly [K in EditorSettingName]: Checker<EditorSettings[K]> } = {
  configFile: text,
  rules: textByName,
  pythonPath: text,
  databaseUrl: text,
  databaseUrlEnvVar: nonEmptyText,
  versionTable: text,
  versionTableSchema: text,
  protectedDatabases: textList,
  refreshInterval: nonNegativeNumber,
  codeLens: flag,
  postgresVersion: nonNegativeNumber,
  'inlayHints.locks': flag,
  'lint.dialect': text,
  'lint.base': text,
  'lint.since': text,
  'lint.scope': oneOf<LintScope>('new', 'all'),
  'trace.server': oneOf<ServerTrace>('off', 'messages', 'verbose'),
  backupBeforeDowngrade: oneOf<BackupBeforeDowngrade>('ask', 'always', 'never'),
  backupFolder: text,
  lockTimeout: text,
  statementTimeout: text,
};

export const editorSettingNames = Object.keys(checkers) as EditorSettingName[];

/** The defaults, from package.json. A default that fails its own check is a bug in the manifest. */
export const editorSettingDefaults: Readonly<EditorSettings> = (() => {
  const defaults: Partial<Record<EditorSettingName, unknown>> = {};
  for (const name of editorSettingNames) {
    const declared = schema[`${SETTINGS_SECTION}.${name}`]?.default;
    const value = checkers[name].check(declared, name, []);
    if (value === undefined) throw new Error(`package.json: ${SETTINGS_SECTION}.${name} has no default of its type (${checkers[name].expected})`);
    defaults[name] = value;
  }
  return Object.freeze(defaults as EditorSettings);
})();

/** Whether VS Code keeps the setting per window (read it without a resource) or per resource. */
export function isWindowScoped(name: EditorSettingName): boolean {
  return schema[`${SETTINGS_SECTION}.${name}`]?.scope === 'window';
}

export interface ParsedEditorSettings {
  settings: EditorSettings;
  /** One line per value that was not used as given: its name, what was wrong, what is used instead. */
  problems: string[];
}

/**
 * The settings from a reader by name (VS Code's `WorkspaceConfiguration.get`, which gives package.json's
 * default for a setting nobody set). A value of the wrong type, or none, is replaced by the default.
 */
export function readEditorSettings(get: (name: EditorSettingName) => unknown): ParsedEditorSettings {
  const problems: string[] = [];
  const settings: Partial<Record<EditorSettingName, unknown>> = {};
  for (const name of editorSettingNames) settings[name] = checked(name, get(name), problems);
  return { settings: settings as EditorSettings, problems };
}

function checked<K extends EditorSettingName>(name: K, value: unknown, problems: string[]): EditorSettings[K] {
  if (value === undefined || value === null) return editorSettingDefaults[name];
  const { check, expected } = checkers[name];
  const result = check(value, name, problems);
  if (result !== undefined) return result;
  problems.push(`${SETTINGS_SECTION}.${name}: expected ${expected}, got ${shown(value)}; using the default ${JSON.stringify(editorSettingDefaults[name])}`);
  return editorSettingDefaults[name];
}

/**
 * The settings from the `alembic` section as an LSP client sends it (`workspace/configuration` or the
 * `settings` of `workspace/didChangeConfiguration`): a JSON object in which a dotted name is nested
 * (`trace.server` arrives as `{ trace: { server } }`). Names the extension does not have are reported.
 */
export function parseEditorSettings(section: unknown): ParsedEditorSettings {
  const values = isObject(section) ? section : {};
  const parsed = readEditorSettings((name) => valueAt(values, name.split('.')));
  const unknown = unknownNames(values, '');
  if (unknown.length > 0) parsed.problems.push(`unknown setting(s) ignored: ${unknown.map((n) => `${SETTINGS_SECTION}.${n}`).join(', ')}`);
  if (section !== undefined && section !== null && !isObject(section)) {
    parsed.problems.unshift(`the ${SETTINGS_SECTION} settings arrived as ${shown(section)}, not an object; using the defaults`);
  }
  return parsed;
}

/** The names whose values differ between two sets of settings (objects compared by content). */
export function changedEditorSettings(before: EditorSettings, after: EditorSettings): EditorSettingName[] {
  return editorSettingNames.filter((name) => !sameJson(before[name], after[name]));
}

function valueAt(values: Record<string, unknown>, path: string[]): unknown {
  let current: unknown = values;
  for (const key of path) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

function unknownNames(values: Record<string, unknown>, prefix: string): string[] {
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    const name = prefix + key;
    if ((editorSettingNames as string[]).includes(name)) continue;
    // A group such as `trace` holds dotted settings (`trace.server`): look inside it.
    const isGroup = editorSettingNames.some((n) => n.startsWith(`${name}.`));
    if (isGroup && isObject(value)) unknown.push(...unknownNames(value, `${name}.`));
    else unknown.push(name);
  }
  return unknown;
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  }
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && sameJson(a[k], b[k]));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function shown(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : JSON.stringify(value);
}

/**
 * The one `alembic` section the server uses, from the three ways a client can pass settings, lowest
 * precedence first: `initializationOptions` (Helix, Zed, eglot's `:initializationOptions`, lsp-mode),
 * the `settings.alembic` of the last `workspace/didChangeConfiguration` push (nvim-lspconfig, Sublime),
 * and the last `workspace/configuration` answer (VS Code, eglot's workspace configuration). A later
 * source wins setting by setting (top-level names), and a source that sent nothing, or null, keeps
 * what the earlier ones said: eglot and Neovim answer null when the user set nothing, which must not
 * undo the initialization options.
 */
export function layeredSettingsSection(...layers: unknown[]): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const layer of layers) if (isObject(layer)) Object.assign(merged, layer);
  return merged;
}
