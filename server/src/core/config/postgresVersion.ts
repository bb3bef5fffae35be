// `postgres-version` of `[tool.alembic-lint]`: the PostgreSQL major version the lock information
// (core/locks) answers for. Read beside the dialect; a value that is not a version is reported.
import { parse as parseToml } from 'smol-toml';
import { postgresMajor } from '../locks/describe';

/** The major version written there (`15`, `"15"`, `"15.4"`), a problem for a value that is none, or nothing. */
export function postgresVersionFromPyproject(text: string, path: string): { version?: number; problem?: string } {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch {
    return {};
  }
  const tool = doc.tool;
  const table = isTable(tool) ? tool['alembic-lint'] : undefined;
  const value = isTable(table) ? table['postgres-version'] : undefined;
  if (value === undefined) return {};
  const major = typeof value === 'number' || typeof value === 'string' ? postgresMajor(value) : undefined;
  if (major === undefined) return { problem: `${path} [tool.alembic-lint] postgres-version: ${JSON.stringify(value)} is not a PostgreSQL version (write 15, or "15.4")` };
  return { version: major };
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
