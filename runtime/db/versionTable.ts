// Alembic's version table: one row per applied head (`version_num`), none at base. The table may
// not exist yet (a database Alembic never touched), which also means base.
import type { QueryResult } from 'pg';
import { errorCode, errorMessage } from './connect';
import { problem, type DbProblem } from './problems';

export const DEFAULT_VERSION_TABLE = 'alembic_version';

export interface VersionTableName {
  /** `version_table` (default alembic_version). */
  table?: string;
  /** `version_table_schema`; absent: the first schema on the search_path that has it, as Alembic does. */
  schema?: string;
}

/** Anything that can run a query: a pg Client or PoolClient. */
export interface Queryable {
  query(text: string): Promise<QueryResult>;
}

export type VersionTableRead =
  | { ok: true; revisions: string[]; tableExists: boolean; table: string }
  | { ok: false; problem: DbProblem };

/** A PostgreSQL identifier in double quotes, with embedded quotes doubled. */
export function quoteIdent(name: string): string {
  if (name.includes('\0')) throw new Error(`identifier contains a NUL character: ${JSON.stringify(name)}`);
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * The qualified, quoted table name. SQLAlchemy quotes only names that need it, but a lowercase
 * name means the same quoted or not, and a name with capitals is quoted by SQLAlchemy too.
 */
export function qualifiedVersionTable(name: VersionTableName = {}): string {
  const table = quoteIdent(name.table?.trim() || DEFAULT_VERSION_TABLE);
  const schema = name.schema?.trim();
  return schema ? `${quoteIdent(schema)}.${table}` : table;
}

export function versionTableQuery(name: VersionTableName = {}): string {
  return `SELECT version_num FROM ${qualifiedVersionTable(name)}`;
}

/** Reads the current revision(s). A missing table or schema means base (no revisions). */
export async function readVersionTable(client: Queryable, name: VersionTableName = {}): Promise<VersionTableRead> {
  const table = qualifiedVersionTable(name);
  try {
    const result = await client.query(versionTableQuery(name));
    const revisions = result.rows
      .map((row: Record<string, unknown>) => row.version_num)
      .filter((v): v is string => typeof v === 'string' && v.length > 0);
    return { ok: true, revisions: [...new Set(revisions)].sort(), tableExists: true, table };
  } catch (err) {
    const code = errorCode(err);
    // 42P01 undefined_table; 3F000 invalid_schema_name (a schema not created yet).
    if (code === '42P01' || code === '3F000') return { ok: true, revisions: [], tableExists: false, table };
    if (code === '42501') {
      return { ok: false, problem: problem('permissionDenied', `The database user may not read the version table ${table}: ${errorMessage(err)}. Grant SELECT on it.`, code) };
    }
    if (code === '42703') {
      return { ok: false, problem: problem('queryFailed', `The table ${table} has no version_num column: it is not an Alembic version table. Check alembic.versionTable.`, code) };
    }
    return { ok: false, problem: problem('queryFailed', `Reading the version table ${table} failed: ${errorMessage(err)}`, code) };
  }
}
