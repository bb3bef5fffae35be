// Finding PostgreSQL's client programs (pg_dump, pg_restore) and telling whether they can work with a
// server: pg_dump refuses a server whose major version is newer than its own ("aborting because of
// server version mismatch"), and pg_restore cannot read an archive written by a newer pg_dump. So the
// version is checked before anything runs, and the message names the Debian package with the right one.
// No vscode import.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export type PgToolName = 'pg_dump' | 'pg_restore';

export interface PgTool {
  name: PgToolName;
  path: string;
  /** `15.18`, as `--version` prints it. */
  version: string;
  /** 15 (or 9.6 for servers before 10, whose major versions had two parts). */
  major: number;
}

/**
 * The major version in `pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)` or `pg_dump (PostgreSQL) 9.6.24`;
 * undefined for text that is not such a line.
 */
export function parseToolVersion(text: string): { version: string; major: number } | undefined {
  const m = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(text) ?? /^\S+\s+(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(text.trim());
  if (!m?.[1]) return undefined;
  const first = Number(m[1]);
  const version = [m[1], m[2], m[3]].filter((x) => x !== undefined).join('.');
  // Before 10, the major version was the first two numbers (9.6.24 is major 9.6).
  const major = first >= 10 ? first : Number(`${first}.${m[2] ?? 0}`);
  return { version, major };
}

/** The server's major version from `server_version_num` (150018 → 15, 90624 → 9.6). */
export function serverMajor(versionNum: number): number {
  return versionNum >= 100000 ? Math.floor(versionNum / 10000) : Math.floor(versionNum / 10000) + Math.floor((versionNum % 10000) / 100) / 10;
}

/** The Debian (and Ubuntu) package that ships the client programs of a major version. */
export function debianClientPackage(major: number): string {
  return `postgresql-client-${major}`;
}

/**
 * Undefined when the tool can work with the server; otherwise what is wrong and what to install. A tool
 * newer than the server is fine: pg_dump reads older servers, pg_restore reads older archives.
 */
export function versionMismatch(tool: Pick<PgTool, 'name' | 'path' | 'version' | 'major'>, server: { version: string; major: number }): string | undefined {
  if (tool.major >= server.major) return undefined;
  const pkg = debianClientPackage(server.major);
  return `${tool.name} ${tool.version} (${tool.path}) is older than the server (PostgreSQL ${server.version}): ` +
    `${tool.name} ${tool.major} cannot ${tool.name === 'pg_dump' ? 'dump' : 'restore into'} a PostgreSQL ${server.major} database. ` +
    `Install ${tool.name} ${server.major} or newer: on Debian or Ubuntu, sudo apt-get install ${pkg} ` +
    '(from apt.postgresql.org when your release does not carry it), then put its folder ' +
    `(/usr/lib/postgresql/${server.major}/bin) on PATH if ${tool.name} still finds the old one.`;
}

/**
 * Where to look for a tool, in order: every folder on PATH, the folder of `psql` (followed through
 * symbolic links: installers that put only psql on PATH keep pg_dump beside it), then the versioned
 * folders of Debian, RHEL and Homebrew, newest first.
 */
export function candidatePaths(name: PgToolName, env: NodeJS.ProcessEnv = process.env, exists: (p: string) => boolean = fs.existsSync): string[] {
  const exe = process.platform === 'win32' ? `${name}.exe` : name;
  const dirs: string[] = [];
  const pathDirs = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  dirs.push(...pathDirs);
  for (const d of pathDirs) {
    const psql = path.join(d, process.platform === 'win32' ? 'psql.exe' : 'psql');
    if (!exists(psql)) continue;
    try {
      dirs.push(path.dirname(fs.realpathSync(psql)));
    } catch {
      // a dangling link: nothing beside it
    }
  }
  const versioned = (parent: string, pattern: RegExp, suffix: string): string[] => {
    let names: string[] = [];
    try { names = fs.readdirSync(parent).filter((n) => pattern.test(n)); } catch { return []; }
    const version = (n: string): number => Number(/(\d+)/.exec(n)?.[1] ?? 0);
    return names.sort((a, b) => version(b) - version(a)).map((n) => path.join(parent, n, suffix));
  };
  dirs.push(...versioned('/usr/lib/postgresql', /^\d+$/, 'bin'));
  dirs.push(...versioned('/usr', /^pgsql-\d+$/, 'bin'));
  dirs.push(...versioned('/opt/homebrew/opt', /^(postgresql|libpq)(@\d+)?$/, 'bin'));
  dirs.push(...versioned('/usr/local/opt', /^(postgresql|libpq)(@\d+)?$/, 'bin'));
  return [...new Set(dirs.map((d) => path.join(d, exe)))].filter((p) => exists(p));
}

/** Runs `<tool> --version`; undefined when it does not run or prints no version. */
export function probeTool(name: PgToolName, file: string, env: NodeJS.ProcessEnv = process.env): Promise<PgTool | undefined> {
  return new Promise((resolve) => {
    execFile(file, ['--version'], { env, timeout: 10_000, windowsHide: true }, (err, stdout) => {
      const parsed = err ? undefined : parseToolVersion(String(stdout));
      resolve(parsed ? { name, path: file, ...parsed } : undefined);
    });
  });
}

export type FoundTool = { ok: true; tool: PgTool } | { ok: false; message: string };

/**
 * The first candidate that can work with the server; when none can, the newest one found and why it
 * cannot, or that none is installed.
 */
export async function findTool(name: PgToolName, server: { version: string; major: number }, env: NodeJS.ProcessEnv = process.env): Promise<FoundTool> {
  const candidates = candidatePaths(name, env);
  const probed = (await Promise.all(candidates.map((c) => probeTool(name, c, env)))).filter((t): t is PgTool => t !== undefined);
  const good = probed.find((t) => versionMismatch(t, server) === undefined);
  if (good) return { ok: true, tool: good };
  const newest = [...probed].sort((a, b) => b.major - a.major)[0];
  if (newest) return { ok: false, message: versionMismatch(newest, server) ?? `${name} cannot be used` };
  return {
    ok: false,
    message: `${name} was not found on PATH, beside psql, or in /usr/lib/postgresql/*/bin. Install it: on Debian or Ubuntu, ` +
      `sudo apt-get install ${debianClientPackage(server.major)} (PostgreSQL's client programs, matching the server's version ${server.version}).`,
  };
}
