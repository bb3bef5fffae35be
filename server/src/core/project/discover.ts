// Finding Alembic projects: every alembic.ini, every pyproject.toml with `[tool.alembic]`, or the one
// configuration file the user named (`alembic.configFile`).
import path from 'node:path';
import { isFlaskMigrateEnv, rendersAsBatch, scanEnvPy } from './envPy';
import { dialectOfEnvPy, dialectOfUrl, normalizeDialect } from '../facts/dialect';
import { dialectFromPyproject } from '../config/severities';
import { sqliteVersionFromPyproject } from '../config/sqliteVersion';
import { postgresVersionFromPyproject } from '../config/postgresVersion';
import { DEFAULT_POSTGRES_VERSION } from '../locks/table';
import { setsLockTimeout } from '../facts/lockTimeout';
import { type FileSystem, readAllFiles } from './fs';
import { isRevisionFileName, resolveLocations, type ResolvedLocations } from './locations';
import { folderSettings, namedEnvironments, readIniSettings, readPyprojectSettings, type AlembicSettings, type ReadIniOptions } from './settings';

/** One Alembic project with its locations resolved: everything needed to list and watch its files. */
export interface ProjectConfig extends AlembicSettings {
  /** Stable id: the absolute path of the configuration file (the folder for a bare folder). */
  id: string;
  /** Absolute `script_location`, when resolved. */
  scriptLocationPath?: string;
  /** Absolute version locations. */
  versionLocationPaths: string[];
  /** The folder Alembic is run in, when not the configuration's (see ResolvedLocations.workingFolder). */
  workingFolder?: string;
  versionTable?: string;
  versionTableSchema?: string;
  /**
   * What Alembic tolerates but the user should know (a version location that does not exist is
   * skipped). `problems` holds what Alembic would refuse: a project with problems cannot be trusted
   * to load as shown, and the CLI exits 2 for it.
   */
  warnings: string[];
  /**
   * The database the migrations run on (SQLAlchemy's dialect name, `postgresql`, `mysql`, ...), and
   * where that was read; undefined when nothing says. A setting (`alembic.lint.dialect`) wins over these.
   */
  dialect?: string;
  dialectSource?: string;
  /**
   * `[tool.alembic-lint] sqlite-version` ("3.31"): the oldest SQLite the migrations must run on, for
   * the ALTERs SQLite gained late (DROP COLUMN in 3.35, RENAME COLUMN in 3.25). Undefined: a current one.
   */
  sqliteVersion?: string;
  /** env.py passes `render_as_batch=True` to `context.configure(...)` (autogenerate writes batch blocks). */
  renderAsBatch?: boolean;
  /**
   * The PostgreSQL major version the lock information and the lock rules answer for: the
   * `alembic.postgresVersion` setting, `[tool.alembic-lint] postgres-version`, the connected server's
   * version, else DEFAULT_POSTGRES_VERSION (13); `postgresVersionSource` says which.
   */
  postgresVersion: number;
  postgresVersionSource: string;
  /** env.py sets `lock_timeout` for every migration (`SET lock_timeout`, `-c lock_timeout=` in connect options). */
  envSetsLockTimeout?: boolean;
  /**
   * Flask-Migrate's migrations folder: an alembic.ini without `script_location` beside Flask-Migrate's
   * env.py. `flask db` sets the script location to that folder, as the analysis does; Alembic's own
   * command line cannot run it.
   */
  flaskMigrate?: boolean;
}

export interface DiscoverOptions {
  /** `alembic.configFile`: when set, only this configuration (absolute, or relative to the first root). */
  configFile?: string;
  /** Folder names never descended into (in addition to virtual environments, found by pyvenv.cfg). */
  skipFolders?: string[];
  /** How deep below each root to look for configuration files. */
  maxDepth?: number;
}

const DEFAULT_SKIP = ['node_modules', '.git', '.hg', '.svn', '__pycache__', '.venv', 'venv', '.tox', '.nox',
  'site-packages', '.mypy_cache', '.pytest_cache', '.ruff_cache', 'dist', 'out'];

/** Every Alembic project under the roots (multi-root workspaces pass several), sorted by path. */
export async function discoverProjects(fs: FileSystem, roots: string[], opts: DiscoverOptions = {}): Promise<ProjectConfig[]> {
  if (opts.configFile) {
    const file = path.resolve(roots[0] ?? '/', opts.configFile);
    return loadConfigFiles(fs, file, roots);
  }
  const skip = new Set([...DEFAULT_SKIP, ...(opts.skipFolders ?? [])]);
  const maxDepth = opts.maxDepth ?? 12;
  const found = new Map<string, ProjectConfig>();
  // Each real folder once: links to folders are followed (a project may live behind one), but a link
  // back up the tree (`versions/loop -> .`) or a second link to the same folder is not walked again.
  // A folder's real path is its parent's plus its name unless it is a link, so only links are resolved.
  const visited = new Set<string>();
  const walk = async (dir: string, realDir: string, depth: number): Promise<void> => {
    if (visited.has(realDir)) return;
    visited.add(realDir);
    const entries = await fs.readDirectory(dir);
    if (!entries) return;
    const names = new Set(entries.map((e) => e.name));
    if (names.has('pyvenv.cfg')) return;
    for (const project of await loadFolderConfigs(fs, dir, names, roots)) found.set(project.id, project);
    if (depth >= maxDepth) return;
    const subdirs = entries.filter((e) => e.kind === 'directory' && !skip.has(e.name)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const d of subdirs) {
      const child = path.join(dir, d.name);
      await walk(child, d.symbolicLink && fs.realPath ? await fs.realPath(child) : path.join(realDir, d.name), depth + 1);
    }
  };
  for (const root of roots) await walk(root, fs.realPath ? await fs.realPath(root) : root, 0);
  return [...found.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The project whose configuration is in `dir` (alembic.ini first, else pyproject.toml with [tool.alembic]). */
export async function loadFolderConfig(fs: FileSystem, dir: string, names?: Set<string>, roots: string[] = [dir]): Promise<ProjectConfig | undefined> {
  return (await loadFolderConfigs(fs, dir, names, roots))[0];
}

/** Every project whose configuration is in `dir`: several for an alembic.ini with named environments. */
export async function loadFolderConfigs(fs: FileSystem, dir: string, names?: Set<string>, roots: string[] = [dir]): Promise<ProjectConfig[]> {
  const has = async (n: string): Promise<boolean> => (names ? names.has(n) : (await fs.stat(path.join(dir, n))) === 'file');
  if (await has('alembic.ini')) return loadConfigFiles(fs, path.join(dir, 'alembic.ini'), roots);
  if (await has('pyproject.toml')) return loadConfigFiles(fs, path.join(dir, 'pyproject.toml'), roots, true);
  return [];
}

/**
 * A project from one configuration file (an .ini of any name, or a pyproject.toml). A pyproject.toml
 * without `[tool.alembic]` is no project (`undefined`) when `quiet`, and a project with that problem
 * otherwise; an unreadable file is a project with a problem, so that the user sees why. For an .ini
 * with environments in named sections, the first of them (see loadConfigFiles).
 */
export async function loadConfigFile(fs: FileSystem, given: string, roots: string[] = [], quiet = false): Promise<ProjectConfig | undefined> {
  return (await loadConfigFiles(fs, given, roots, quiet))[0];
}

/**
 * Every project of one configuration file: an .ini's `[alembic]` environment, when it has a
 * script_location or nothing else does, and each named section with a script_location (`alembic --name
 * core`), whose id is the file's path and `#section`.
 */
export async function loadConfigFiles(fs: FileSystem, given: string, roots: string[] = [], quiet = false): Promise<ProjectConfig[]> {
  // Alembic's `%(here)s` is os.path.abspath of the file's folder: a relative path would be joined twice.
  const file = path.resolve(given);
  // Each file is read once: the [alembic] project and the named environments are made from the same texts.
  const text = await fs.readFile(file);
  const isIni = path.basename(file) !== 'pyproject.toml';
  const pyprojectPath = path.join(path.dirname(file), 'pyproject.toml');
  const pyproject = isIni && text !== undefined ? await fs.readFile(pyprojectPath) : undefined;
  const besideIni = pyproject === undefined ? {} : { pyproject: { path: pyprojectPath, text: pyproject } };
  const main = await loadOneConfig(fs, file, text, besideIni, roots, quiet);
  const named = isIni && text !== undefined ? namedEnvironments(text, file) : [];
  if (named.length === 0 || text === undefined) return main ? [main] : [];
  const out: ProjectConfig[] = [];
  // [alembic] without a script_location of its own, beside named environments, is no environment.
  if (main && (main.scriptLocationPath !== undefined || main.flaskMigrate)) out.push(main);
  for (const section of named) out.push(await completeConfig(fs, readIniSettings(file, text, { section, ...besideIni }), roots));
  return out;
}

/** The [alembic] project of a configuration file read as `text` (undefined: it could not be read). */
async function loadOneConfig(
  fs: FileSystem, file: string, text: string | undefined, besideIni: ReadIniOptions, roots: string[], quiet: boolean,
): Promise<ProjectConfig | undefined> {
  let settings: AlembicSettings | undefined;
  if (text === undefined) {
    // Asked again only now, for the reason (a folder, a pipe, too large, permission denied ...).
    const reason = (await readAllFiles(fs, [file]))[0]?.problem;
    settings = brokenSettings(path.basename(file) === 'pyproject.toml' ? 'pyproject' : 'ini', file,
      `${file}: cannot read the configuration file${reason && reason !== 'cannot be read' ? `: it ${reason}` : ''}`);
  } else if (path.basename(file) === 'pyproject.toml') {
    settings = readPyprojectSettings(file, text);
    if (!settings) {
      if (quiet) return undefined;
      settings = brokenSettings('pyproject', file, `${file}: no [tool.alembic] table`);
    }
  } else {
    settings = readIniSettings(file, text, besideIni);
  }
  return completeConfig(fs, settings, roots);
}

/** A bare folder of migration files, taken as one version location. */
export async function loadMigrationFolder(fs: FileSystem, folder: string): Promise<ProjectConfig> {
  return completeConfig(fs, folderSettings(path.resolve(folder)), []);
}

function brokenSettings(kind: 'ini' | 'pyproject', file: string, problem: string): AlembicSettings {
  return {
    kind, configFile: file, root: path.dirname(file), recursiveVersionLocations: false, prependSysPath: [],
    sourceless: false, problems: [problem],
  };
}

function setDialect(config: ProjectConfig, dialect: string, source: string): void {
  config.dialect = normalizeDialect(dialect);
  config.dialectSource = source;
}

/** Alembic's message for an ini without `script_location` (settings.ts). */
const NO_SCRIPT_LOCATION = "No 'script_location' key found in configuration.";

async function completeConfig(fs: FileSystem, given: AlembicSettings, roots: string[]): Promise<ProjectConfig> {
  let settings = given;
  // Flask-Migrate: `flask db` sets script_location to the ini's own folder, beside its env.py.
  const flaskMigrate = settings.kind === 'ini' && settings.scriptLocation === undefined &&
    isFlaskMigrateEnv((await fs.readFile(path.join(settings.root, 'env.py'))) ?? '');
  if (flaskMigrate) {
    settings = { ...settings, scriptLocation: settings.root, problems: settings.problems.filter((p) => !p.endsWith(NO_SCRIPT_LOCATION)) };
  }
  const locations: ResolvedLocations = settings.kind === 'folder'
    ? { scriptLocation: settings.root, versionLocations: [settings.root], problems: [] }
    : await resolveLocations(fs, settings, roots);
  const config: ProjectConfig = {
    ...settings,
    id: settings.iniSection === undefined ? settings.configFile : `${settings.configFile}#${settings.iniSection}`,
    versionLocationPaths: locations.versionLocations,
    problems: [...settings.problems, ...locations.problems],
    warnings: [],
    postgresVersion: DEFAULT_POSTGRES_VERSION,
    postgresVersionSource: `the default (${DEFAULT_POSTGRES_VERSION})`,
    ...(flaskMigrate ? { flaskMigrate: true } : {}),
    ...(locations.workingFolder !== undefined ? { workingFolder: locations.workingFolder } : {}),
  };
  let envDialect: string | undefined;
  if (locations.scriptLocation !== undefined) {
    config.scriptLocationPath = locations.scriptLocation;
    const env = await fs.readFile(path.join(locations.scriptLocation, 'env.py'));
    if (env !== undefined) {
      const facts = scanEnvPy(env);
      if (facts.versionTable !== undefined) config.versionTable = facts.versionTable;
      if (facts.versionTableSchema !== undefined) config.versionTableSchema = facts.versionTableSchema;
      envDialect = dialectOfEnvPy(env);
      if (rendersAsBatch(env)) config.renderAsBatch = true;
      if (setsLockTimeout(env)) config.envSetsLockTimeout = true;
    }
  }
  if (settings.kind === 'folder' && !config.envSetsLockTimeout) {
    // A folder of migrations is usually a script location's versions folder: its env.py is one up.
    const env = await fs.readFile(path.join(path.dirname(settings.root), 'env.py'));
    if (env !== undefined && setsLockTimeout(env)) config.envSetsLockTimeout = true;
  }
  if (settings.kind !== 'folder') {
    const pyprojectPath = path.join(settings.root, 'pyproject.toml');
    const pyproject = await fs.readFile(pyprojectPath);
    const configured = pyproject === undefined ? undefined : dialectFromPyproject(pyproject);
    const fromUrl = settings.sqlalchemyUrl === undefined ? undefined : dialectOfUrl(settings.sqlalchemyUrl);
    if (pyproject !== undefined) {
      const pg = postgresVersionFromPyproject(pyproject, pyprojectPath);
      if (pg.version !== undefined) {
        config.postgresVersion = pg.version;
        config.postgresVersionSource = `${pyprojectPath} [tool.alembic-lint] postgres-version`;
      }
      if (pg.problem !== undefined) config.warnings.push(pg.problem);
    }
    if (configured !== undefined) setDialect(config, configured, `${pyprojectPath} [tool.alembic-lint] dialect`);
    else if (fromUrl !== undefined) setDialect(config, fromUrl, `${settings.configFile} sqlalchemy.url`);
    else if (envDialect !== undefined) setDialect(config, envDialect, 'a database URL in env.py');
    const sqliteVersion = pyproject === undefined ? undefined : sqliteVersionFromPyproject(pyproject);
    if (sqliteVersion !== undefined) config.sqliteVersion = sqliteVersion;
  }
  if (settings.kind !== 'folder') {
    for (const loc of config.versionLocationPaths) {
      if ((await fs.stat(loc)) !== 'directory') {
        config.warnings.push(settings.versionLocations
          ? `${settings.configFile}: version location '${loc}' does not exist (Alembic skips it)`
          : `${settings.configFile}: versions folder '${loc}' does not exist`);
      } else if (!settings.recursiveVersionLocations) {
        const nested = await revisionSubfolders(fs, loc);
        if (nested.folders.length > 0) {
          // Prefect keeps one history per database in versions/postgresql and versions/sqlite, Neutron one
          // folder per release (versions/2024.1/expand): their tools set version_locations when they run.
          const names = nested.folders.map((n) => `'${n}'`).join(', ');
          config.warnings.push(`${settings.configFile}: ` + (nested.own
            ? `the subfolders ${names} of '${loc}' hold migration files that Alembic does not read (recursive_version_locations is off)`
            : `'${loc}' holds no migration file, but its subfolders ${names} do`) +
            '; Alembic reads them only with recursive_version_locations = true or with version_locations naming them ' +
            '(env.py or a tool may set them when it runs, which alembic-lint cannot follow): ' +
            'set one of these, or check a subfolder alone (alembic-lint check <folder>)');
        }
      }
    }
  }
  return config;
}

/** How deep below a version location migration files are looked for. */
const NESTED_DEPTH = 3;
/** A revision file's `revision = ...` line (or `revision: str = ...`). */
const REVISION_LINE = /^revision\s*(?::[^=\n]*)?=/m;

/**
 * The subfolders of a version location (non-recursive: Alembic reads only its own files) that hold
 * revision files, at most NESTED_DEPTH levels down; and whether the location has files of its own.
 * A subfolder counts only when a file in it has a `revision =` line: helper modules are not migrations.
 */
async function revisionSubfolders(fs: FileSystem, loc: string): Promise<{ own: boolean; folders: string[] }> {
  const entries = await fs.readDirectory(loc);
  if (!entries) return { own: false, folders: [] };
  const own = entries.some((e) => e.kind !== 'directory' && isRevisionFileName(e.name));
  const holdsRevision = async (dir: string, depth: number): Promise<boolean> => {
    const inner = await fs.readDirectory(dir);
    if (!inner) return false;
    for (const e of inner) {
      if (e.kind === 'directory' || !isRevisionFileName(e.name)) continue;
      const text = await fs.readFile(path.join(dir, e.name));
      if (text !== undefined && REVISION_LINE.test(text)) return true;
    }
    if (depth >= NESTED_DEPTH) return false;
    for (const d of inner) if (d.kind === 'directory' && d.name !== '__pycache__' && (await holdsRevision(path.join(dir, d.name), depth + 1))) return true;
    return false;
  };
  const folders: string[] = [];
  for (const d of entries.filter((e) => e.kind === 'directory' && e.name !== '__pycache__').sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (await holdsRevision(path.join(loc, d.name), 1)) folders.push(d.name);
  }
  return { own, folders };
}

/** Folders whose presence marks a repository root: the upward search stops there (after looking in it). */
const VCS_MARKERS = ['.git', '.hg', '.svn', '.jj'];

/**
 * The project configuration nearest above `fromDir` (that folder included), for a file opened outside
 * every workspace root's projects: editors such as eglot make the migration's own folder the root.
 * Looks up to the filesystem root or to the first repository root, whichever comes first, so a file
 * in one repository never picks up a configuration of an enclosing one.
 */
export async function findProjectAbove(fs: FileSystem, fromDir: string): Promise<ProjectConfig | undefined> {
  let dir = path.resolve(fromDir);
  for (;;) {
    const project = await loadFolderConfig(fs, dir, undefined, [dir]);
    if (project) return project;
    const markers = await Promise.all(VCS_MARKERS.map((m) => fs.stat(path.join(dir, m))));
    if (markers.some((kind) => kind !== undefined)) return undefined;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
