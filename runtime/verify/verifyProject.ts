// One call that verifies a project's migrations end to end, for the CLI (`alembic-lint verify`) and the
// extension's command: read the revisions from Alembic, make a scratch database, prove env.py uses it,
// walk the selected revisions through the round trip, and always drop the scratch database.
import crypto from 'node:crypto';
import path from 'node:path';
import type { Client } from 'pg';
import { history } from '../alembic/commandArguments';
import { interpretRun } from '../alembic/results';
import { AlembicRunner, type OutputLine } from '../alembic/runner';
import { protectedVerifyServer, type ProtectedServer } from '../db/protectedDatabases';
import { redactSecrets } from '../../common/redact';
import type { VersionTableName } from '../db/versionTable';
import { EnvProbeError, probeEnvUsesDatabase } from './envProbe';
import { verifyRevisions, type RevisionVerification, type VerifyProgress } from './roundTrip';
import {
  parseRange, parseVerboseHistory, selectRange, topologicalOrder, type RevisionRange, type VerifyRevision,
} from './revisions';
import { createScratchDatabase, type ConnectFn, type ScratchDatabase, type ScratchLocation } from './scratchDatabase';

export interface VerifyProjectOptions {
  /** Folder of the project (for relative paths in the report). */
  projectRoot: string;
  /** alembic.ini (Alembic runs in its folder unless `workingFolder` is given). */
  iniPath: string;
  workingFolder?: string;
  /** The project's database URL: the scratch database goes on the same server. Absent: a local server. */
  databaseUrl?: string;
  /** Interpreter with Alembic installed. */
  python: string;
  /** `R`, `A:B`, `A:`, `:B` (see parseRange), or the same as an object. Default: every revision, base to heads. */
  range?: string | RevisionRange;
  signal?: AbortSignal;
  onProgress?: (p: VerifyProgress) => void;
  /** Where the scratch database is made (see ScratchOptions.where). Default `auto`. */
  where?: 'auto' | ScratchLocation;
  /**
   * `alembic.protectedDatabases` patterns. When the URL's `host/database` matches one, nothing is
   * created on that server (the report says why) unless `allowProtected`; `where: 'local'` is never
   * refused. Default: none protected.
   */
  protectedDatabases?: readonly string[];
  /** The user said that scratch databases may be made on a protected server. */
  allowProtected?: boolean;
  /** The variable env.py reads the URL from. Default DATABASE_URL. */
  databaseUrlEnvVar?: string;
  /** `--name` section of the ini, when not `alembic`. */
  iniSection?: string;
  versionTable?: VersionTableName;
  /** Environment for Alembic and for libpq defaults. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Every line Alembic prints (password masked) and what the verification does, for a log. */
  log?: (line: string) => void;
  connect?: ConnectFn;
  /** The project's revisions when the caller knows them already; default: `alembic history --verbose`. */
  revisions?: readonly VerifyRevision[];
}

export interface VerifyReport {
  projectRoot: string;
  iniPath: string;
  startedAt: string;
  durationMs: number;
  /** Every selected revision passed, nothing was cancelled or skipped, and setup worked. */
  ok: boolean;
  cancelled: boolean;
  /** Why verification could not run at all (no revisions readable, no scratch database, env.py ignores the URL). */
  error?: string;
  scratch?: {
    name: string;
    location: ScratchLocation;
    endpoint: string;
    serverVersion: string;
    fallbackReason?: string;
    dropped: boolean;
    dropError?: string;
  };
  revisions: RevisionVerification[];
}

export async function verifyProject(opts: VerifyProjectOptions): Promise<VerifyReport> {
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const iniPath = path.resolve(opts.iniPath);
  const log = opts.log ?? (() => undefined);
  const secrets = opts.databaseUrl ? [opts.databaseUrl] : [];
  const report: VerifyReport = {
    projectRoot: path.resolve(opts.projectRoot), iniPath, startedAt, durationMs: 0, ok: false, cancelled: false, revisions: [],
  };
  const done = (): VerifyReport => {
    report.durationMs = Math.round(performance.now() - t0);
    report.cancelled = report.cancelled || (opts.signal?.aborted ?? false);
    report.ok = !report.error && !report.cancelled && report.revisions.every((r) => r.status === 'passed') &&
      (report.scratch?.dropped ?? true);
    return report;
  };
  // 0. A protected server is treated like production: nothing is created there unless allowed.
  const guarded = opts.allowProtected ? undefined : protectedVerifyServer({
    databaseUrl: opts.databaseUrl, where: opts.where, patterns: opts.protectedDatabases ?? [], env: opts.env,
  });
  if (guarded) {
    report.error = protectedServerRefusal(guarded);
    return done();
  }

  // A key of its own: a verification must not wait for, or block, the user's runs of this project.
  const projectKey = `${iniPath}#verify-${crypto.randomBytes(4).toString('hex')}`;
  const sink = (line: OutputLine): void => log(line.text);
  const runnerBase = {
    python: opts.python, iniPath, projectKey, sink, secrets,
    ...(opts.iniSection ? { iniSection: opts.iniSection } : {}),
    ...(opts.workingFolder !== undefined ? { workingFolder: opts.workingFolder } : {}),
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.databaseUrlEnvVar ? { databaseUrlEnvVar: opts.databaseUrlEnvVar } : {}),
  };

  // 1. The revisions, as Alembic sees them (no database needed).
  let all: VerifyRevision[];
  let selected: VerifyRevision[];
  try {
    if (opts.revisions) {
      all = [...opts.revisions];
    } else {
      const result = await new AlembicRunner(runnerBase).run(history({ verbose: true }), { signal: opts.signal });
      if (result.cancelled) { report.cancelled = true; return done(); }
      const outcome = interpretRun(result);
      if (!outcome.ok) throw new Error(`\`${result.display}\` failed: ${outcome.message}`);
      all = parseVerboseHistory(result.stdout);
    }
    const ordered = topologicalOrder(all);
    selected = selectRange(ordered, typeof opts.range === 'string' ? parseRange(opts.range) : opts.range);
  } catch (e) {
    report.error = `cannot read the project's revisions: ${redactSecrets(errorText(e), secrets)}`;
    return done();
  }
  if (selected.length === 0) return done();

  // 2. The scratch database, dropped whatever happens from here on.
  let scratch: ScratchDatabase;
  try {
    scratch = await createScratchDatabase({
      ...(opts.databaseUrl !== undefined ? { databaseUrl: opts.databaseUrl } : {}),
      where: opts.where ?? 'auto', signal: opts.signal, log,
      ...(opts.connect ? { connect: opts.connect } : {}),
      ...(opts.env ? { env: opts.env } : {}),
    });
  } catch (e) {
    if (opts.signal?.aborted) report.cancelled = true;
    else report.error = redactSecrets(errorText(e), secrets);
    return done();
  }
  report.scratch = {
    name: scratch.name, location: scratch.location, endpoint: scratch.endpoint, serverVersion: scratch.serverVersion,
    ...(scratch.fallbackReason ? { fallbackReason: redactSecrets(scratch.fallbackReason, secrets) } : {}), dropped: false,
  };
  let client: Client | undefined;
  try {
    const runner = new AlembicRunner({ ...runnerBase, databaseUrl: scratch.alembicUrl });
    client = await scratch.connect();
    // DROP DATABASE ... WITH (FORCE) at the end ends this session if it is still open; that is expected.
    client.on('error', () => undefined);
    log(`checking that env.py connects to the scratch database ${scratch.name}`);
    await probeEnvUsesDatabase(runner, client, {
      scratchDatabase: scratch.name,
      ...(opts.versionTable ? { versionTable: opts.versionTable } : {}),
      ...(opts.databaseUrlEnvVar ? { databaseUrlEnvVar: opts.databaseUrlEnvVar } : {}),
      signal: opts.signal,
    });
    const versionDirs = [...new Set(all.filter((r) => r.path).map((r) => path.dirname(r.path as string)))];
    report.revisions = await verifyRevisions({
      runner, client, all, versionDirs, signal: opts.signal,
      ...(opts.versionTable ? { versionTable: opts.versionTable } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    }, selected);
    report.cancelled = report.revisions.some((r) => r.status === 'cancelled');
  } catch (e) {
    if (opts.signal?.aborted) report.cancelled = true;
    else report.error = redactSecrets(e instanceof EnvProbeError ? e.message : `verification stopped: ${errorText(e)}`, secrets);
  } finally {
    await client?.end().catch(() => undefined);
    try {
      await scratch.drop();
      report.scratch.dropped = true;
    } catch (e) {
      report.scratch.dropError = `${redactSecrets(errorText(e), secrets)}; drop it by hand: DROP DATABASE "${scratch.name}" WITH (FORCE)`;
    }
  }
  return done();
}

/** Why nothing was created on a protected server, and the two ways on. */
export function protectedServerRefusal(p: ProtectedServer): string {
  return `${p.identity.host}/${p.identity.database} matches the protected-database pattern "${p.pattern}" ` +
    '(alembic.protectedDatabases), so verify treats its server like production and created nothing there: a ' +
    'verification creates a scratch database on that server, runs every migration in it and drops it. Verify on a ' +
    'local throwaway PostgreSQL instead (alembic-lint verify --local), or say that this server may be used ' +
    '(alembic-lint verify --allow-protected; the editor asks).';
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
