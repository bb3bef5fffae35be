// Per-rule severity configuration, from the three places users write it:
//   the `alembic.rules` setting        { "multiple-heads": "error", "docstring-mismatch": "off" }
//   pyproject.toml                     [tool.alembic-lint.rules]  multiple-heads = "error"
//                                      (or the same keys directly under [tool.alembic-lint])
//   the CLI                            --rule multiple-heads=error
import { RELEASE_KEYS } from '../release/release';
import { parse as parseToml } from 'smol-toml';
import type { SeveritySetting } from '../types';

export type RuleSeverityMap = Record<string, SeveritySetting>;

export interface SeverityConfig {
  severities: RuleSeverityMap;
  /** Invalid values (fatal for the CLI: exit 2). */
  errors: string[];
  /** Unknown rule ids and ignored keys (reported, not fatal: the rule may come in a later version). */
  warnings: string[];
}

const ALIASES: Record<string, SeveritySetting> = {
  error: 'error', warning: 'warning', warn: 'warning', information: 'information', info: 'information',
  hint: 'hint', off: 'off', none: 'off', ignore: 'off',
};

/** A severity as users write it (`warn`, `info` and `ignore` accepted), or `undefined`. */
export function parseSeveritySetting(value: unknown): SeveritySetting | undefined {
  return typeof value === 'string' ? ALIASES[value.trim().toLowerCase()] : undefined;
}

const VALID = "'error', 'warning', 'information', 'hint' or 'off'";

function fromEntries(entries: [string, unknown][], where: string, known?: ReadonlySet<string>): SeverityConfig {
  const result: SeverityConfig = { severities: {}, errors: [], warnings: [] };
  for (const [id, value] of entries) {
    const sev = parseSeveritySetting(value);
    if (sev === undefined) {
      result.errors.push(`${where}: rule '${id}': ${JSON.stringify(value)} is not a severity (use ${VALID})`);
      continue;
    }
    if (known && !known.has(id)) result.warnings.push(`${where}: unknown rule '${id}'`);
    result.severities[id] = sev;
  }
  return result;
}

/** The `alembic.rules` setting (any JSON value; not an object is an error). */
export function severitiesFromSetting(value: unknown, known?: ReadonlySet<string>): SeverityConfig {
  if (value === undefined || value === null) return { severities: {}, errors: [], warnings: [] };
  if (typeof value !== 'object' || Array.isArray(value)) {
    return { severities: {}, errors: ['alembic.rules: expected an object mapping rule ids to severities'], warnings: [] };
  }
  return fromEntries(Object.entries(value as Record<string, unknown>), 'alembic.rules', known);
}

/** `[tool.alembic-lint]` of a pyproject.toml's text; a file without that table configures nothing. */
export function severitiesFromPyproject(text: string, path: string, known?: ReadonlySet<string>): SeverityConfig {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (err) {
    return { severities: {}, errors: [`${path}: cannot parse TOML: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`], warnings: [] };
  }
  const tool = doc.tool;
  const table = isTable(tool) ? tool['alembic-lint'] : undefined;
  if (table === undefined) return { severities: {}, errors: [], warnings: [] };
  const where = `${path} [tool.alembic-lint]`;
  if (!isTable(table)) return { severities: {}, errors: [`${where}: expected a table`], warnings: [] };
  const entries: [string, unknown][] = [];
  const warnings: string[] = [];
  for (const [key, value] of Object.entries(table)) {
    // base, since and scope say which revisions are released (core/release), not severities; the
    // dialect is the project's database (dialectFromPyproject); postgres-version its PostgreSQL
    // major version (postgresVersionFromPyproject).
    if (RELEASE_KEYS.has(key) || key === 'dialect' || key === 'postgres-version') continue;
    if (key === 'rules') {
      if (isTable(value)) entries.push(...Object.entries(value));
      else return { severities: {}, errors: [`${where}: 'rules' must be a table of rule ids to severities`], warnings: [] };
    } else if (typeof value === 'string') {
      entries.push([key, value]);
    } else {
      warnings.push(`${where}: ignored key '${key}'`);
    }
  }
  const r = fromEntries(entries, where, known);
  r.warnings.unshift(...warnings);
  return r;
}

/** `dialect = "..."` of `[tool.alembic-lint]`, when it is a string. */
export function dialectFromPyproject(text: string): string | undefined {
  try {
    const tool = (parseToml(text) as Record<string, unknown>).tool;
    const table = isTable(tool) ? tool['alembic-lint'] : undefined;
    const d = isTable(table) ? table.dialect : undefined;
    return typeof d === 'string' && d.trim() !== '' ? d : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `postgres-version = 12` (or `"12"`, `"12.4"`) of `[tool.alembic-lint]`: the PostgreSQL major version
 * the migrations run on; undefined when absent or not a version.
 */
export function postgresVersionFromPyproject(text: string): number | undefined {
  try {
    const tool = (parseToml(text) as Record<string, unknown>).tool;
    const table = isTable(tool) ? tool['alembic-lint'] : undefined;
    const v = isTable(table) ? table['postgres-version'] : undefined;
    return parsePostgresVersion(v);
  } catch {
    return undefined;
  }
}

/** A PostgreSQL major version as users write it (`12`, `"12"`, `"9.6"`, `"16.2"`); undefined otherwise. */
export function parsePostgresVersion(v: unknown): number | undefined {
  const text = typeof v === 'number' || typeof v === 'bigint' ? String(v) : typeof v === 'string' ? v.trim() : '';
  const m = /^(\d+)(?:\.(\d+))?(?:\.\d+)?$/.exec(text);
  if (!m) return undefined;
  const major = Number(m[1]);
  // Before 10 the major version had two parts (9.6); the rules compare majors from 10 on, so 9.x counts as 9.
  return major >= 7 && major < 100 ? major : undefined;
}

/** `--rule id=severity` arguments (each value is `id=severity`). Unknown ids are errors here: a typo on the command line. */
export function severitiesFromCli(args: readonly string[], known?: ReadonlySet<string>): SeverityConfig {
  const entries: [string, unknown][] = [];
  const errors: string[] = [];
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) {
      errors.push(`--rule ${arg}: expected RULE=SEVERITY (severity ${VALID})`);
      continue;
    }
    entries.push([arg.slice(0, eq).trim(), arg.slice(eq + 1)]);
  }
  const r = fromEntries(entries, '--rule', known);
  return { severities: r.severities, errors: [...errors, ...r.errors, ...r.warnings], warnings: [] };
}

/** Later maps win. */
export function mergeSeverities(...maps: RuleSeverityMap[]): RuleSeverityMap {
  return Object.assign({}, ...maps) as RuleSeverityMap;
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
