// Alembic's own configuration, read the way Alembic reads it: the `[alembic]` section of an .ini file
// (configparser, `%(here)s`) and, since Alembic 1.16, `[tool.alembic]` in pyproject.toml (TOML values,
// `%(here)s` substituted with Python %-formatting). When both exist, the .ini value wins.
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { iniGet, iniHasSection, parseIni, type IniFile } from './ini';

export type ProjectKind = 'ini' | 'pyproject' | 'folder';

/** The options of one Alembic configuration that decide which files make the revision graph. */
export interface AlembicSettings {
  kind: ProjectKind;
  /** Absolute path of the alembic.ini / pyproject.toml (for `folder`, the folder itself). */
  configFile: string;
  /** Folder of the configuration file: Alembic runs here, relative paths start here. */
  root: string;
  /** The ini section read (`alembic --name <section>`), when not `[alembic]`. */
  iniSection?: string;
  /** `script_location` as configured (interpolated), not yet resolved. */
  scriptLocation?: string;
  /** `version_locations` entries as configured (interpolated, split); absent when not set. */
  versionLocations?: string[];
  recursiveVersionLocations: boolean;
  fileTemplate?: string;
  sqlalchemyUrl?: string;
  /** `prepend_sys_path` entries (where `package:path` locations are searched first). */
  prependSysPath: string[];
  sourceless: boolean;
  /** What Alembic would refuse or warn about in this configuration, with the file and option named. */
  problems: string[];
}

export interface ReadIniOptions {
  /** Section holding Alembic's options (`alembic -n NAME`); `alembic` by default. */
  section?: string;
  /** pyproject.toml beside the .ini, consulted for options the .ini does not set (Alembic >= 1.16). */
  pyproject?: { path: string; text: string };
}

/** Alembic's settings from an .ini file's text. `iniPath` must be absolute. */
export function readIniSettings(iniPath: string, text: string, opts: ReadIniOptions = {}): AlembicSettings {
  const root = path.dirname(iniPath);
  const section = opts.section ?? 'alembic';
  const ini = parseIni(text, { here: root });
  const problems = ini.problems.map((p) => `${iniPath}:${p.line}: ${p.message}`);
  const toml = opts.pyproject ? readToolAlembic(opts.pyproject.path, opts.pyproject.text) : undefined;
  if (toml) problems.push(...toml.problems);
  if (ini.problems.length === 0 && !iniHasSection(ini, section) && !toml?.table) {
    problems.push(`${iniPath}: No config file '${iniPath}' found, or file has no '[${section}]' section`);
  }
  const get = (name: string): string | undefined => iniValue(ini, section, name, iniPath, problems);
  const getAny = (name: string): string | undefined => get(name) ?? toml?.string(name);

  const settings: AlembicSettings = {
    kind: 'ini',
    configFile: iniPath,
    root,
    recursiveVersionLocations: false,
    prependSysPath: [],
    sourceless: false,
    problems,
  };
  const scriptLocation = getAny('script_location');
  if (scriptLocation !== undefined) settings.scriptLocation = scriptLocation;
  else problems.push(`${iniPath}: No 'script_location' key found in configuration.`);
  if (section !== 'alembic') settings.iniSection = section;

  const versionLocations = get('version_locations');
  if (versionLocations) {
    const sep = separator(ini, section, iniPath, problems, ['path_separator', 'version_path_separator']);
    settings.versionLocations = sep === undefined
      // Legacy splitting, Alembic's `, *|(?: +)`: empty pieces survive and mean the working folder.
      ? versionLocations.split(/, *| +/)
      : versionLocations.split(sep).filter((x) => x).map((x) => x.trim());
  } else if (toml) {
    const list = toml.list('version_locations');
    if (list) settings.versionLocations = list;
  }

  const prepend = get('prepend_sys_path');
  if (prepend) {
    const sep = separator(ini, section, iniPath, problems, ['path_separator']);
    settings.prependSysPath = sep === undefined ? prepend.split(/, *| +|:/) : prepend.split(sep).filter((x) => x).map((x) => x.trim());
  } else if (toml) {
    settings.prependSysPath = toml.list('prepend_sys_path') ?? [];
  }

  settings.recursiveVersionLocations = boolOption(get('recursive_version_locations'), toml, 'recursive_version_locations');
  settings.sourceless = boolOption(get('sourceless'), toml, 'sourceless');
  const fileTemplate = getAny('file_template');
  if (fileTemplate !== undefined) settings.fileTemplate = fileTemplate;
  const url = get('sqlalchemy.url');
  if (url !== undefined) settings.sqlalchemyUrl = url;
  return settings;
}

/**
 * Alembic's settings from pyproject.toml's `[tool.alembic]`, or `undefined` when the file has no such
 * table (then it is not an Alembic configuration).
 */
export function readPyprojectSettings(pyprojectPath: string, text: string): AlembicSettings | undefined {
  const toml = readToolAlembic(pyprojectPath, text);
  if (!toml.table && toml.problems.length === 0) return undefined;
  const root = path.dirname(pyprojectPath);
  const settings: AlembicSettings = {
    kind: 'pyproject',
    configFile: pyprojectPath,
    root,
    recursiveVersionLocations: boolOption(undefined, toml, 'recursive_version_locations'),
    prependSysPath: toml.list('prepend_sys_path') ?? [],
    sourceless: boolOption(undefined, toml, 'sourceless'),
    problems: toml.problems,
  };
  const scriptLocation = toml.string('script_location');
  if (scriptLocation !== undefined) settings.scriptLocation = scriptLocation;
  else settings.problems.push(`${pyprojectPath}: No 'script_location' key found in configuration.`);
  const versionLocations = toml.list('version_locations');
  if (versionLocations) settings.versionLocations = versionLocations;
  const fileTemplate = toml.string('file_template');
  if (fileTemplate !== undefined) settings.fileTemplate = fileTemplate;
  return settings;
}

/** Settings for a bare folder of migration files, taken as the one version location. */
export function folderSettings(folder: string): AlembicSettings {
  return {
    kind: 'folder', configFile: folder, root: folder, scriptLocation: folder, versionLocations: [folder],
    recursiveVersionLocations: false, prependSysPath: [], sourceless: false, problems: [],
  };
}

interface ToolAlembic {
  table?: Record<string, unknown>;
  problems: string[];
  string(name: string): string | undefined;
  list(name: string): string[] | undefined;
  bool(name: string): boolean | undefined;
}

/** `[tool.alembic]` of a pyproject.toml, with Alembic's `%(here)s` substitution applied on access. */
export function readToolAlembic(pyprojectPath: string, text: string): ToolAlembic {
  const problems: string[] = [];
  let table: Record<string, unknown> | undefined;
  try {
    const doc = parseToml(text) as Record<string, unknown>;
    const tool = doc.tool;
    const alembic = isTable(tool) ? tool.alembic : undefined;
    if (alembic !== undefined) {
      if (isTable(alembic)) table = alembic;
      else problems.push(`${pyprojectPath}: Incorrect TOML format ([tool.alembic] is not a table)`);
    }
  } catch (err) {
    problems.push(`${pyprojectPath}: cannot parse TOML: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  const here = path.dirname(pyprojectPath);
  const subst = (name: string, v: string): string => percentFormat(v, { here }, (msg) => problems.push(`${pyprojectPath}: [tool.alembic] ${name}: ${msg}`));
  return {
    table,
    problems,
    string(name) {
      const v = table?.[name];
      if (v === undefined || v === null) return undefined;
      if (typeof v === 'string') return subst(name, v);
      if (typeof v === 'number' || typeof v === 'bigint') return String(v);
      problems.push(`${pyprojectPath}: [tool.alembic] ${name}: expected a string`);
      return undefined;
    },
    list(name) {
      const v = table?.[name];
      if (v === undefined || v === null) return undefined;
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.map((x: string) => subst(name, x));
      problems.push(`${pyprojectPath}: [tool.alembic] ${name}: expected a list of strings`);
      return undefined;
    },
    bool(name) {
      const v = table?.[name];
      if (v === undefined) return undefined;
      if (typeof v === 'boolean') return v;
      problems.push(`${pyprojectPath}: boolean value expected for TOML parameter '${name}'`);
      return undefined;
    },
  };
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The sections other than `[alembic]` that set script_location: each is an environment Alembic runs
 * with `alembic --name <section>` (Netflix Dispatch's [core] and [tenant]), in file order.
 */
export function namedEnvironments(text: string, iniPath: string): string[] {
  const ini = parseIni(text, { here: path.dirname(iniPath) });
  return [...ini.sections].filter(([name, options]) => name !== 'alembic' && options.has('script_location')).map(([name]) => name);
}

function iniValue(ini: IniFile, section: string, name: string, iniPath: string, problems: string[]): string | undefined {
  const r = iniGet(ini, section, name);
  if (!r) return undefined;
  if (r.ok) return r.value;
  problems.push(`${iniPath}: ${r.message}`);
  return undefined;
}

// Alembic's separator names; `newline` and `path_separator` arrived after 1.8 and are accepted here
// because projects written for newer Alembic use them.
const SEPARATORS: Record<string, string> = { space: ' ', newline: '\n', os: path.delimiter, ':': ':', ';': ';' };

function separator(ini: IniFile, section: string, iniPath: string, problems: string[], names: string[]): string | undefined {
  for (const name of names) {
    const v = iniValue(ini, section, name, iniPath, problems);
    if (v === undefined) continue;
    const sep = SEPARATORS[v];
    if (sep === undefined) {
      problems.push(`${iniPath}: '${v}' is not a valid value for ${name}; expected 'space', 'newline', 'os', ':', ';'`);
      return undefined;
    }
    return sep;
  }
  return undefined;
}

function boolOption(iniRaw: string | undefined, toml: ToolAlembic | undefined, name: string): boolean {
  // Alembic compares the .ini text with "true" exactly; TOML needs a real boolean.
  if (iniRaw !== undefined) return iniRaw === 'true';
  return toml?.bool(name) ?? false;
}

/**
 * Python's `value % mapping` for the `%(name)s` and `%%` forms Alembic's TOML values use; any other `%`
 * is left as written. One scan: the `)` that closes a `%(` is looked for once and reused by every `%(`
 * before it (a regular expression would scan to the end again at each of 50,000 unclosed `%(`).
 * Only the first unknown name is reported, cut short: the value comes from the workspace.
 */
function percentFormat(value: string, vars: Record<string, string>, problem: (msg: string) => void): string {
  let out = '';
  let i = 0;
  // Index of the next `)` at or after the current `%(` (-1: there is none left; -2: not looked for yet).
  let close = -2;
  let reported = false;
  for (;;) {
    const p = value.indexOf('%', i);
    if (p < 0) return out + value.slice(i);
    out += value.slice(i, p);
    const next = value[p + 1];
    if (next === '%') {
      out += '%';
      i = p + 2;
      continue;
    }
    if (next === '(') {
      if (close !== -1 && close < p + 2) close = value.indexOf(')', p + 2);
      if (close >= 0 && value[close + 1] === 's') {
        const name = value.slice(p + 2, close);
        const v = vars[name];
        if (v === undefined && !reported) {
          reported = true;
          const shown = name.length > 40 ? `${name.slice(0, 40)}…` : name;
          problem(`unknown substitution %(${shown})s (only %(here)s is defined)`);
        }
        out += v ?? value.slice(p, close + 2);
        i = close + 2;
        continue;
      }
    }
    out += '%';
    i = p + 1;
  }
}
