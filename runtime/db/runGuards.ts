// What the runner needs from the database around a run, made from the URL the run uses: the migration
// lock (db/runLock.ts) and the clean-up after a cancel (db/sessionReaper.ts). Both connect the way
// the rest of the extension does (db/connect.ts: PG* defaults, sslmode prefer/allow, certificates).
import { openClient } from './connect';
import { pgRunLock, type RunLock } from './runLock';
import { pgSessionReaper, type SessionReaper } from './sessionReaper';
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
