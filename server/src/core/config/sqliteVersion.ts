// `[tool.alembic-lint] sqlite-version = "3.31"`: the oldest SQLite a project's migrations must run on.
// SQLite learnt some ALTERs late (RENAME COLUMN in 3.25, DROP COLUMN in 3.35); Python carries its own
// SQLite library, so the version is the deployment's, not something the linter can read. Unset means a
// current one (every maintained Python build ships 3.35 or later).
import { parse as parseToml } from 'smol-toml';

/** The version as written (`"3.31"`, `"3.31.1"`), when it is a dotted number. */
export function sqliteVersionFromPyproject(text: string): string | undefined {
  try {
    const tool = (parseToml(text) as Record<string, unknown>).tool;
    const table = isTable(tool) ? tool['alembic-lint'] : undefined;
    const v = isTable(table) ? table['sqlite-version'] : undefined;
    const s = typeof v === 'number' ? String(v) : v;
    return typeof s === 'string' && /^\d+(\.\d+){0,2}$/.test(s.trim()) ? s.trim() : undefined;
  } catch {
    return undefined;
  }
}

/** `version` (dotted) is older than `major.minor`; an undefined version is current. */
export function sqliteOlderThan(version: string | undefined, major: number, minor: number): boolean {
  if (version === undefined) return false;
  const [a = 0, b = 0] = version.split('.').map((n) => Number(n));
  return a < major || (a === major && b < minor);
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
