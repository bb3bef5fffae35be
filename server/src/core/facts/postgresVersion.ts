// The PostgreSQL version the project's migrations run on, and what changed between versions that the
// rules need to know. The version is a major number (`[tool.alembic-lint] postgres-version`); 13 when
// nothing says (the oldest version still in wide use on managed services).
import type { ProjectConfig } from '../project/discover';

export const DEFAULT_POSTGRES_VERSION = 13;

export function postgresVersionOf(project: Pick<ProjectConfig, 'postgresVersion'> | undefined): number {
  return project?.postgresVersion ?? DEFAULT_POSTGRES_VERSION;
}

/**
 * PostgreSQL 11 stores a non-volatile default in the catalog: `ADD COLUMN ... DEFAULT <constant>` no
 * longer rewrites the table. Before 11 every default is written into every row.
 */
export function constantDefaultIsInstant(version: number): boolean {
  return version >= 11;
}

/** PostgreSQL 12 runs `ALTER TYPE ... ADD VALUE` inside a transaction block (the new value cannot be used in it). */
export function addValueRunsInTransaction(version: number): boolean {
  return version >= 12;
}

/** PostgreSQL 12 skips the table scan of SET NOT NULL when a valid CHECK (col IS NOT NULL) proves it. */
export function setNotNullUsesCheck(version: number): boolean {
  return version >= 12;
}
