// "Rehearse Upgrade": the migration guide's procedure (back up, upgrade, check the schema, downgrade one,
// check that the schema is back, upgrade again) on a scratch copy of the connected database, so the real
// one is only ever read by pg_dump. The copy is a new database on the same server made from the backup
// with pg_restore, and is always dropped afterwards; the backup file stays. Before any migration runs,
// env.py is shown to connect to the copy only (the verify feature's probe). No vscode import.
import path from 'node:path';
import * as cmd from '../alembic/commandArguments';
import { interpretRun } from '../alembic/results';
import { flaskMigrateDirectoryOf, flaskMigrateRefusal } from '../alembic/flaskMigrate';
import { AlembicRunner } from '../alembic/runner';
import { backupDatabase, restoreBackup, type BackupResult } from '../backup/backup';
import { aroundRun, changeReport, summarizeChange, type ChangeReport } from '../db/schemaChange';
import { diffSnapshots } from '../db/schemaDiff';
import { readVersionTable, type VersionTableName } from '../db/versionTable';
import { probeEnvUsesDatabase } from './envProbe';
import { createScratchDatabase } from './scratchDatabase';

export type RehearsalStepName = 'backup' | 'copy' | 'upgrade' | 'downgrade' | 'reupgrade';

export interface RehearsalStep {
  name: RehearsalStepName;
  /** `Upgrade to head: +1 table` */
  message: string;
  ok: boolean;
  report?: ChangeReport;
}

export interface RehearsalOptions {
  databaseUrl: string;
  python: string;
  iniPath: string;
  iniSection?: string;
  /** The folder Alembic runs in, when not the ini's. */
  workingFolder?: string;
  databaseUrlEnvVar?: string;
  versionTable?: VersionTableName;
  /** Where the backup goes (alembic.backupFolder). */
  backupFolder: string;
  /** The version table's rows of the real database now (the backup's name says them). */
  revisions: readonly string[];
  /** Default `head`. */
  target?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Each step as it starts (ok undefined) and as it ends. */
  onStep?: (step: { name: RehearsalStepName; message: string; ok?: boolean }) => void;
  log?: (line: string) => void;
}

export interface RehearsalResult {
  ok: boolean;
  steps: RehearsalStep[];
  backup?: BackupResult;
  /** The first failure, with the backup's path when there is one. */
  failure?: string;
}

export async function rehearseUpgrade(o: RehearsalOptions): Promise<RehearsalResult> {
  const steps: RehearsalStep[] = [];
  const log = o.log ?? (() => undefined);
  const target = o.target ?? 'head';
  let backup: BackupResult | undefined;
  const fail = (name: RehearsalStepName, why: string): RehearsalResult => {
    const failure = `${why}${backup ? ` The backup of the real database is ${backup.file}.` : ''}`;
    steps.push({ name, message: failure, ok: false });
    o.onStep?.({ name, message: failure, ok: false });
    return { ok: false, steps, ...(backup ? { backup } : {}), failure };
  };
  const done = (s: RehearsalStep): void => {
    steps.push(s);
    o.onStep?.({ name: s.name, message: s.message, ok: s.ok });
  };

  // Flask-Migrate's env.py runs only under `flask db`: say so before a backup and a copy are made for nothing.
  const flaskDir = await flaskMigrateDirectoryOf(o.iniPath);
  if (flaskDir !== undefined) return fail('backup', flaskMigrateRefusal(cmd.upgrade({ target }), o.iniPath, flaskDir));

  o.onStep?.({ name: 'backup', message: 'Backing up the database with pg_dump' });
  try {
    backup = await backupDatabase({ databaseUrl: o.databaseUrl, folder: o.backupFolder, revisions: o.revisions, ...(o.env ? { env: o.env } : {}), ...(o.signal ? { signal: o.signal } : {}), log });
  } catch (e) {
    return fail('backup', `The backup failed, so nothing was rehearsed: ${e instanceof Error ? e.message : String(e)}`);
  }
  done({ name: 'backup', message: `Backed up to ${path.basename(backup.file)} (${backup.bytes} bytes)`, ok: true });

  o.onStep?.({ name: 'copy', message: 'Making a scratch copy of the database from the backup' });
  let scratch;
  try {
    scratch = await createScratchDatabase({ databaseUrl: o.databaseUrl, where: 'server', ...(o.env ? { env: o.env } : {}), ...(o.signal ? { signal: o.signal } : {}), log });
  } catch (e) {
    return fail('copy', `No scratch database could be created on the server: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    const runner = new AlembicRunner({
      python: o.python, iniPath: o.iniPath, databaseUrl: scratch.alembicUrl, projectKey: `${o.iniPath}#rehearsal-${scratch.name}`,
      ...(o.iniSection ? { iniSection: o.iniSection } : {}), ...(o.workingFolder !== undefined ? { workingFolder: o.workingFolder } : {}),
      ...(o.databaseUrlEnvVar ? { databaseUrlEnvVar: o.databaseUrlEnvVar } : {}),
      ...(o.env ? { env: o.env } : {}), sink: (l) => log(l.text),
    });
    // Before the copy holds anything: env.py must be shown to use it, or the migrations could run on the real database.
    const probeClient = await scratch.connect();
    try {
      await probeEnvUsesDatabase(runner, probeClient, {
        scratchDatabase: scratch.name, ...(o.versionTable ? { versionTable: o.versionTable } : {}),
        ...(o.databaseUrlEnvVar ? { databaseUrlEnvVar: o.databaseUrlEnvVar } : {}), ...(o.signal ? { signal: o.signal } : {}),
      });
    } catch (e) {
      return fail('copy', e instanceof Error ? e.message : String(e));
    } finally {
      await probeClient.end().catch(() => undefined);
    }
    try {
      await restoreBackup({ databaseUrl: scratch.alembicUrl, file: backup.file, ...(o.env ? { env: o.env } : {}), ...(o.signal ? { signal: o.signal } : {}), log });
    } catch (e) {
      return fail('copy', `The backup could not be restored into the scratch database ${scratch.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
    done({ name: 'copy', message: `Scratch copy ${scratch.name} made on ${scratch.endpoint}`, ok: true });

    const vt = { ...(o.versionTable?.table ? { versionTable: o.versionTable.table } : {}), ...(o.versionTable?.schema ? { versionTableSchema: o.versionTable.schema } : {}) };
    const step = async (name: 'upgrade' | 'downgrade' | 'reupgrade', title: string, c: cmd.AlembicCommand) => {
      o.onStep?.({ name, message: title });
      const r = await aroundRun({ databaseUrl: scratch.alembicUrl, ...(o.env ? { env: o.env } : {}), ...vt }, () => runner.run(c, { ...(o.signal ? { signal: o.signal } : {}) }));
      const outcome = interpretRun(r.result, {});
      if (!outcome.ok) return { ok: false as const, why: `${title} failed on the scratch copy: ${outcome.message}${outcome.advice ? ` — ${outcome.advice.text}` : ''}` };
      if (!r.before || !r.after) return { ok: false as const, why: `${title}: the schema could not be read: ${r.error ?? 'unknown error'}` };
      const report = changeReport({ title, command: r.result.display, before: r.before, after: r.after });
      return { ok: true as const, report, before: r.before, after: r.after, outcome };
    };
    const heads = async (): Promise<string[]> => {
      const c = await scratch.connect();
      try {
        const read = await readVersionTable(c, o.versionTable);
        return read.ok ? read.revisions : [];
      } finally {
        await c.end().catch(() => undefined);
      }
    };

    const up = await step('upgrade', `Upgrade to ${target}`, cmd.upgrade({ target }));
    if (!up.ok) return fail('upgrade', up.why);
    if (up.outcome.steps.length === 0 && up.report.diffs.length === 0) {
      done({ name: 'upgrade', message: `Upgrade to ${target}: nothing to upgrade, the database is at ${target} already`, ok: true, report: up.report });
      return { ok: true, steps, backup };
    }
    done({ name: 'upgrade', message: `Upgrade to ${target}: ${up.report.summary}`, ok: true, report: up.report });
    const atHead = await heads();

    // One revision: the last the upgrade ran, down to its (first) parent, as the round trip does; `-1`
    // would be ambiguous at a merge point.
    const last = up.outcome.steps[up.outcome.steps.length - 1];
    const downTarget = last?.to[0] ? `${last.to[0]}@${last.from[0] ?? 'base'}` : '-1';
    const down = await step('downgrade', 'Downgrade one revision', cmd.downgrade({ target: downTarget }));
    if (!down.ok) return fail('downgrade', down.why);
    // With one revision pending the downgrade must give back the schema before the upgrade; with more,
    // the schema before that revision is not known here, and the second upgrade has to match instead.
    const oneStep = up.outcome.steps.length === 1;
    const back = oneStep ? diffSnapshots(up.before.snapshot, down.after.snapshot) : [];
    if (back.length > 0) {
      return fail('downgrade', `Downgrade one revision: ${down.report.summary}, but the schema is not back as it was before the upgrade: ${summarizeChange(back)} differ.`);
    }
    if (down.report.leftBehind.length > 0) return fail('downgrade', 'Downgrade one revision left objects its upgrade created.');
    done({ name: 'downgrade', message: `Downgrade one revision: ${down.report.summary}${oneStep ? '; the schema is back as it was' : ''}`, ok: true, report: down.report });

    const again = await step('reupgrade', `Upgrade to ${target} again`, cmd.upgrade({ target }));
    if (!again.ok) return fail('reupgrade', again.why);
    const same = diffSnapshots(up.after.snapshot, again.after.snapshot);
    const nowHeads = await heads();
    if (same.length > 0 || nowHeads.join() !== atHead.join()) {
      return fail('reupgrade', `Upgrading again gives another schema than the first upgrade: ${summarizeChange(same)}.`);
    }
    done({ name: 'reupgrade', message: `Upgrade to ${target} again: ${again.report.summary}; the same schema as the first upgrade`, ok: true, report: again.report });
    return { ok: true, steps, backup };
  } finally {
    await scratch.drop().catch((e: unknown) => log(`could not drop the scratch database ${scratch.name}: ${e instanceof Error ? e.message : String(e)}`));
  }
}

