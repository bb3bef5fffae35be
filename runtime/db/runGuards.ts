// What the runner needs from the database around a run, made from the URL the run uses: the migration
// lock (db/runLock.ts) and the clean-up after a cancel (db/sessionReaper.ts). Both connect the way
// the rest of the extension does (db/connect.ts: PG* defaults, sslmode prefer/allow, certificates).
import { openClient } from './connect';
import { pgRunLock, type RunLock } from './runLock';
import { pgSessionReaper, type SessionReaper } from './sessionReaper';
import { parseDialectUrl } from './dialectUrl';
import { parseDatabaseUrl } from './sqlalchemyUrl';
import type { VersionTableName } from './versionTable';

export interface RunGuards {
  runLock?: RunLock;
  reapSessions?: SessionReaper;
  /** Why there are none (not PostgreSQL, an unreadable URL), for the log. */
  missing?: string;
}

export interface RunGuardOptions {
  versionTable?: VersionTableName;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export function runGuardsFor(url: string, o: RunGuardOptions = {}): RunGuards {
  const env = o.env ?? process.env;
  const parsed = parseDatabaseUrl(url, { env });
  if (parsed.kind === 'unsupportedDialect') {
    const dialect = parseDialectUrl(url, { env });
    const label = dialect.dialect === 'invalid' ? parsed.dialect : dialect.label;
    return { missing: withoutGuards(label, dialect.dialect) };
  }
  if (parsed.kind !== 'postgres') {
    return { missing: `no migration lock and no session clean-up after a cancel: ${parsed.message}` };
  }
  const target = parsed.target;
  const timeoutMs = o.timeoutMs ?? 5_000;
  return {
    runLock: pgRunLock({ target, env, timeoutMs, ...(o.versionTable ? { versionTable: o.versionTable } : {}) }),
    // Its own application_name: the reaper must never match the tag it looks for.
    reapSessions: pgSessionReaper(() => openClient({ ...target, applicationName: 'alembic-migrations-reaper' }, { timeoutMs, env })),
  };
}

/**
 * What protects a run on a database without PostgreSQL's advisory lock, for the log: runs of one project in
 * this window still wait for each other (the runner's own lock); across windows and machines it is the
 * database's own locking, and a cancelled run's statements end with its connection or not at all.
 */
function withoutGuards(label: string, dialect: string): string {
  if (dialect === 'sqlite') {
    return 'SQLite: no migration lock across windows (SQLite locks the file itself: a second run waits for the ' +
      'first one\'s write lock, then fails with "database is locked"); a cancelled run\'s transaction rolls back ' +
      'when its process ends, so there are no sessions to clean up.';
  }
  if (dialect === 'mysql') {
    return `${label}: no migration lock across windows (runs of this project in this window still wait for each other; ` +
      'MySQL DDL commits at once, so two windows migrating the same database can interleave), and no session clean-up ' +
      'after a cancel (the server ends a killed run\'s session when it notices the connection is gone).';
  }
  return `${label}: no migration lock across windows and no session clean-up after a cancel (both need PostgreSQL); ` +
    'runs of this project in this window still wait for each other.';
}
