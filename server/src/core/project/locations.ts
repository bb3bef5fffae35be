// Where a project's migration files are, and which of them Alembic loads.
import path from 'node:path';
import type { FileSystem } from './fs';
import type { AlembicSettings } from './settings';

/**
 * Alembic's filter for revision files (`_only_source_rev_file` in alembic/script/base.py, 1.8 through
 * current): a name ending in `.py`, not starting with `.#` (editor lock files) nor with `__init__`.
 */
const REVISION_FILE_RE = /^(?!\.#|__init__).*\.py$/;

export function isRevisionFileName(name: string): boolean {
  return REVISION_FILE_RE.test(name);
}

export interface ResolvedLocations {
  /** Absolute `script_location` (the folder holding env.py), when it could be resolved. */
  scriptLocation?: string;
  /** Absolute version locations, in configuration order (existing or not). */
  versionLocations: string[];
  /**
   * The folder Alembic must be run in for the relative locations to exist, when it is not the
   * configuration's own folder (an ini in `conf/` naming `h/migrations`, run from the repository root).
   */
  workingFolder?: string;
  problems: string[];
}

/**
 * Resolves `script_location` and `version_locations` to absolute folders. Alembic resolves relative
 * paths against the folder it is run in: the configuration's folder, unless the relative
 * `script_location` exists only from a workspace root or a folder above the configuration (hypothesis'
 * `conf/alembic.ini` says `h/migrations`, and is run from the repository root as `alembic -c
 * conf/alembic.ini`); then that folder is the working folder, for the version locations too;
 * `package:path` names a folder inside a Python package, looked up in `prepend_sys_path`, the
 * configuration's folder, its `src/`, the workspace roots and their `src/`, and the folders above the
 * configuration (a package that holds its own alembic.ini).
 */
export async function resolveLocations(fs: FileSystem, settings: AlembicSettings, workspaceRoots: string[] = []): Promise<ResolvedLocations> {
  const problems: string[] = [];
  const bases = [
    ...settings.prependSysPath.map((p) => path.resolve(settings.root, p)),
    settings.root,
    path.join(settings.root, 'src'),
    ...workspaceRoots.flatMap((r) => [r, path.join(r, 'src')]),
    // A configuration inside the package it names (Prefect: src/prefect/server/database/alembic.ini
    // with `prefect:server:database:_migrations`): the folder the package is installed from is above it.
    ...ancestors(settings.root, PACKAGE_ANCESTORS),
  ];
  const workingFolder = await findWorkingFolder(fs, settings, workspaceRoots);
  const coerce = async (value: string, option: string): Promise<string | undefined> => {
    if (path.isAbsolute(value) || !value.includes(':')) return path.resolve(workingFolder ?? settings.root, value);
    const [pkg = '', ...rest] = value.split(':');
    const rel = path.join(...pkg.split('.'), ...rest);
    for (const base of unique(bases)) {
      const candidate = path.join(base, rel);
      if ((await fs.stat(candidate)) === 'directory') return candidate;
    }
    problems.push(`${settings.configFile}: ${option} '${value}': package '${pkg}' not found in the workspace (looked in ${unique(bases).join(', ')})`);
    return undefined;
  };
  const result: ResolvedLocations = { versionLocations: [], problems };
  if (workingFolder !== undefined) result.workingFolder = workingFolder;
  if (settings.scriptLocation !== undefined) {
    const loc = await coerce(settings.scriptLocation, 'script_location');
    if (loc !== undefined) {
      result.scriptLocation = loc;
      if ((await fs.stat(loc)) !== 'directory') {
        problems.push(`${settings.configFile}: Path doesn't exist: '${loc}'.  Please use the 'init' command to create a new scripts folder.`);
      }
    }
  }
  if (settings.versionLocations) {
    for (const v of settings.versionLocations) {
      const loc = await coerce(v, 'version_locations');
      if (loc !== undefined) result.versionLocations.push(loc);
    }
  } else if (result.scriptLocation !== undefined) {
    result.versionLocations.push(path.join(result.scriptLocation, 'versions'));
  }
  result.versionLocations = unique(result.versionLocations);
  return result;
}

/**
 * The folder, other than the configuration's, from which a relative `script_location` exists: the
 * workspace roots that hold the configuration, then the folders above it, nearest first. Undefined
 * when the location is absolute, a `package:path`, exists from the configuration's folder, or exists
 * from nowhere (then Alembic's own "Path doesn't exist" is reported for the configuration's folder).
 */
async function findWorkingFolder(fs: FileSystem, settings: AlembicSettings, workspaceRoots: readonly string[]): Promise<string | undefined> {
  const value = settings.scriptLocation;
  if (value === undefined || path.isAbsolute(value) || value.includes(':')) return undefined;
  if ((await fs.stat(path.resolve(settings.root, value))) === 'directory') return undefined;
  const holding = workspaceRoots.filter((r) => isInside(settings.root, r));
  for (const base of unique([...holding, ...ancestors(settings.root, PACKAGE_ANCESTORS)])) {
    if ((await fs.stat(path.resolve(base, value))) === 'directory') return base;
  }
  return undefined;
}

function isInside(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** How many folders above the configuration a `package:path` is looked for in. */
const PACKAGE_ANCESTORS = 6;

/** The folders above `dir`, nearest first, at most `limit` of them. */
function ancestors(dir: string, limit: number): string[] {
  const out: string[] = [];
  for (let d = path.dirname(dir); out.length < limit && d !== path.dirname(d); d = path.dirname(d)) out.push(d);
  return out;
}

/** What listing the version locations found. */
export interface VersionLocationListing {
  /** The files Alembic loads, in its order. */
  files: string[];
  /** Links to folders inside the locations, which Alembic does not descend into (only when recursive). */
  folderLinks: string[];
}

/**
 * The files Alembic loads from the version locations, in Alembic's order (newer Alembic: each
 * folder's files sorted by name, subfolders after them in name order, `__pycache__` skipped).
 * Locations that do not exist are skipped, as Alembic does; a file reached twice is listed once.
 */
export async function listRevisionFiles(fs: FileSystem, versionLocations: string[], recursive: boolean): Promise<string[]> {
  return (await scanVersionLocations(fs, versionLocations, recursive)).files;
}

/**
 * `listRevisionFiles`, and the folder links it did not follow. As Alembic's `_list_py_dir`: it walks
 * with `os.walk` (Python 3.12+: `Path.walk`), which does not follow links to folders, so a link inside
 * a location (`versions/loop -> .`) is never descended, while a location that is itself a link is read.
 * Alembic then skips a file whose real path it has loaded already ("File ... loaded twice! ignoring");
 * so do we, with real paths taken from each location's real path, and asked of the file system only
 * for entries that are links.
 */
export async function scanVersionLocations(fs: FileSystem, versionLocations: string[], recursive: boolean): Promise<VersionLocationListing> {
  const files: string[] = [];
  const folderLinks: string[] = [];
  const seen = new Set<string>();
  const walk = async (dir: string, realDir: string): Promise<void> => {
    const entries = await fs.readDirectory(dir);
    if (!entries) return;
    const names = entries.filter((e) => e.kind !== 'directory').sort((a, b) => byCodePoint(a.name, b.name));
    // Entry names hold no separator: the folder's normalized prefix plus the name is path.join's
    // result, without normalizing every one of thousands of paths again.
    const prefix = path.join(dir, path.sep);
    const realPrefix = path.join(realDir, path.sep);
    for (const e of names) {
      if (!isRevisionFileName(e.name)) continue;
      const full = prefix + e.name;
      const real = e.symbolicLink && fs.realPath ? await fs.realPath(full) : realPrefix + e.name;
      if (seen.has(real)) continue;
      seen.add(real);
      files.push(full);
    }
    if (!recursive) return;
    const dirs = entries.filter((e) => e.kind === 'directory' && !e.name.endsWith('__pycache__')).sort((a, b) => byCodePoint(a.name, b.name));
    for (const d of dirs) {
      if (d.symbolicLink) folderLinks.push(prefix + d.name);
      else await walk(prefix + d.name, realPrefix + d.name);
    }
  };
  for (const loc of versionLocations) await walk(loc, fs.realPath ? await fs.realPath(loc) : loc);
  return { files, folderLinks };
}

/** Whether `file` is one Alembic would load from these version locations. */
export function isInVersionLocations(file: string, versionLocations: readonly string[], recursive: boolean): boolean {
  if (!isRevisionFileName(path.basename(file))) return false;
  const dir = path.dirname(file);
  return versionLocations.some((loc) => {
    if (dir === loc) return true;
    if (!recursive) return false;
    const rel = path.relative(loc, dir);
    return !!rel && !rel.startsWith('..') && !path.isAbsolute(rel) && !rel.split(path.sep).some((p) => p.endsWith('__pycache__'));
  });
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}
