// The round trip of one revision R on a scratch database, and the walk over many:
//   bring the database to R's parents (and dependencies)  → snapshot S0
//   upgrade to R                                           → snapshot S1
//   downgrade back to the parent (an explicit target)      → snapshot S2   S2 must equal S0
//   upgrade to R again                                     → snapshot S3   S3 must equal S1
// The downgrade target is always `R@P` (or `R@base`): never `-1`, which is an ambiguous walk at a merge
// point, and never a bare `P`, which would also take down sibling branches applied earlier in the walk.
import type { Client } from 'pg';
import { downgrade, upgrade, type AlembicCommand } from '../alembic/commandArguments';
import { interpretRun, type RunStatus, type SourceLocation } from '../alembic/results';
import type { RunResult } from '../alembic/runner';
import { diffSnapshots, type SchemaDifference } from '../db/schemaDiff';
import { takeSnapshot, type SchemaSnapshot, type SnapshotOptions } from '../db/snapshot';
import { readVersionTable, type VersionTableName } from '../db/versionTable';
import type { AlembicExec } from './envProbe';
import { closure, prerequisites, type VerifyRevision } from './revisions';

export type Phase = 'prepare' | 'upgrade' | 'downgrade' | 'reupgrade';

export type VerifyStatus =
  /** Downgrade restored the schema exactly, and the second upgrade matched the first. */
  | 'passed'
  /** The round trip ran into differences, or Alembic failed during the downgrade or the second upgrade. */
  | 'failed'
  /** Could not be verified: bringing the database to the parent, or the first upgrade, failed. */
  | 'error'
  | 'cancelled'
  /** Not tried: it needs a revision that could not be applied, or the walk stopped. */
  | 'skipped';

export interface AlembicFailure {
  phase: Phase;
  /** `alembic downgrade 3f2a@1b2c`, password masked. */
  command: string;
  status: RunStatus;
  /** The last exception line, or Alembic's `FAILED:` message. */
  message: string;
  exceptionType?: string;
  /** The innermost traceback frame inside a migration file. */
  location?: SourceLocation;
  /** Lines after the exception line (LINE 1: ..., [SQL: ...]). */
  detail?: string;
}

export interface RevisionVerification {
  revision: string;
  parents: string[];
  path?: string;
  message?: string;
  status: VerifyStatus;
  /** One sentence for lists and notifications. */
  summary: string;
  /**
   * Schema before the upgrade → after the downgrade. `added`: left behind by the downgrade; `removed`:
   * dropped by the downgrade though it existed before; `changed`: not put back as it was.
   */
  downgradeDiff: SchemaDifference[];
  /** Schema after the first upgrade → after the second. */
  reupgradeDiff: SchemaDifference[];
  /** When the version table after the downgrade is not what it was before the upgrade. */
  versionTableMismatch?: { expected: string[]; actual: string[] };
  failure?: AlembicFailure;
  /** The second upgrade failed and the downgrade had left objects behind: most likely the cause. */
  reupgradeBlockedByLeftovers?: boolean;
  skippedBecause?: string;
  durationMs: number;
}

export interface VerifyProgress {
  /** 0-based position of the revision among those being verified. */
  index: number;
  total: number;
  revision: string;
  phase: Phase | 'snapshot' | 'done';
  /** `Upgrading to 3f2a91c0d7b1 (2 of 6)` */
  message: string;
}

export interface RoundTripContext {
  runner: AlembicExec;
  /** A connection to the scratch database (snapshots and the version table are read through it). */
  client: Client;
  /** Every revision of the project (parents and dependencies are looked up here). */
  all: readonly VerifyRevision[];
  versionTable?: VersionTableName;
  snapshot?: SnapshotOptions;
  /** Folders holding migration files, so that traceback frames in them can be found. */
  versionDirs?: readonly string[];
  signal?: AbortSignal;
  onProgress?: (p: VerifyProgress) => void;
}

/**
 * Verifies `selected` (in that order, which must put parents first) on one scratch database, walking up.
 * A revision that cannot be applied takes the revisions needing it out of the walk (skipped); other
 * branches go on. Never throws for what Alembic does; throws only for database errors of our own queries.
 */
export async function verifyRevisions(ctx: RoundTripContext, selected: readonly VerifyRevision[]): Promise<RevisionVerification[]> {
  const byId = new Map(ctx.all.map((r) => [r.revision, r]));
  const knownRevisions = new Set(byId.keys());
  const results: RevisionVerification[] = [];
  /** Revisions that are not applied and cannot be: whatever needs them is skipped. */
  const unusable = new Map<string, string>();
  let stopReason: string | undefined;

  for (const [index, rev] of selected.entries()) {
    const started = performance.now();
    const base = { revision: rev.revision, parents: rev.parents, ...(rev.path ? { path: rev.path } : {}), ...(rev.message ? { message: rev.message } : {}) };
    const finish = (r: Omit<RevisionVerification, keyof typeof base | 'durationMs'>): RevisionVerification => {
      const out: RevisionVerification = { ...base, ...r, durationMs: Math.round(performance.now() - started) };
      results.push(out);
      return out;
    };
    const empty = { downgradeDiff: [], reupgradeDiff: [] };
    if (ctx.signal?.aborted) stopReason ??= 'cancelled';
    if (stopReason) {
      finish({ ...empty, status: stopReason === 'cancelled' ? 'cancelled' : 'skipped', summary: `not verified: ${stopReason}`, skippedBecause: stopReason });
      continue;
    }
    const needs = [...closure(rev.revision, byId)].find((id) => id !== rev.revision && unusable.has(id));
    if (needs) {
      const why = `it needs ${short(needs)}, which could not be applied`;
      unusable.set(rev.revision, why);
      finish({ ...empty, status: 'skipped', summary: `not verified: ${why}`, skippedBecause: why });
      continue;
    }

    const progress = (phase: VerifyProgress['phase'], message: string): void =>
      ctx.onProgress?.({ index, total: selected.length, revision: rev.revision, phase, message: `${message} (${index + 1} of ${selected.length})` });
    const run = async (phase: Phase, command: AlembicCommand): Promise<{ result: RunResult; failure?: AlembicFailure }> => {
      const result = await ctx.runner.run(command, { signal: ctx.signal, ifBusy: 'wait' });
      const outcome = interpretRun(result, { versionDirs: ctx.versionDirs ?? [], knownRevisions });
      if (outcome.ok) return { result };
      const failure: AlembicFailure = { phase, command: result.display, status: outcome.status, message: outcome.message };
      if (outcome.exceptionType) failure.exceptionType = outcome.exceptionType;
      if (outcome.location) failure.location = outcome.location;
      if (outcome.detail) failure.detail = outcome.detail;
      return { result, failure };
    };
    const snap = async (): Promise<SchemaSnapshot> => takeSnapshot(ctx.client, snapshotOptions(ctx));
    const heads = async (): Promise<string[]> => {
      const read = await readVersionTable(ctx.client, ctx.versionTable);
      if (!read.ok) throw new Error(`reading the scratch database's version table: ${read.problem.message}`);
      return read.revisions;
    };
    const cancelled = (phase: Phase): RevisionVerification => {
      stopReason = 'cancelled';
      return finish({ ...empty, status: 'cancelled', summary: `cancelled during the ${phaseName(phase)}` });
    };

    // 1. The parents and dependencies, unless the walk has applied them already.
    let applied = appliedSet(await heads(), byId);
    if (applied.has(rev.revision)) {
      // Only possible when a range starts above revisions that something else pulled in; say so plainly.
      finish({ ...empty, status: 'skipped', summary: 'not verified: it was already applied as a dependency of another revision', skippedBecause: 'already applied' });
      continue;
    }
    let prepareFailure: AlembicFailure | undefined;
    for (const p of prerequisites(rev)) {
      if (applied.has(p)) continue;
      progress('prepare', `Upgrading to ${short(p)}, the state before ${short(rev.revision)}`);
      const r = await run('prepare', upgrade({ target: p }));
      if (r.result.cancelled) break;
      if (r.failure) { prepareFailure = r.failure; break; }
      applied = appliedSet(await heads(), byId);
    }
    if (ctx.signal?.aborted) { cancelled('prepare'); continue; }
    if (prepareFailure) {
      const why = `bringing the database to the state before it failed: ${prepareFailure.message}`;
      unusable.set(rev.revision, why);
      finish({ ...empty, status: 'error', summary: `not verified: ${why}`, failure: prepareFailure });
      continue;
    }

    progress('snapshot', `Reading the schema before ${short(rev.revision)}`);
    const v0 = await heads();
    const s0 = await snap();

    // 2. Up.
    progress('upgrade', `Upgrading to ${short(rev.revision)}`);
    const up = await run('upgrade', upgrade({ target: rev.revision }));
    if (up.result.cancelled) { cancelled('upgrade'); continue; }
    if (up.failure) {
      const why = `its upgrade failed: ${up.failure.message}`;
      unusable.set(rev.revision, why);
      finish({ ...empty, status: 'error', summary: `not verified: ${why}`, failure: up.failure });
      continue;
    }
    const v1 = await heads();
    const s1 = await snap();

    // 3. Down, to exactly where it was.
    const target = `${rev.revision}@${rev.parents[0] ?? 'base'}`;
    progress('downgrade', `Downgrading ${short(rev.revision)}`);
    const down = await run('downgrade', downgrade({ target }));
    if (down.result.cancelled) { cancelled('downgrade'); continue; }
    if (down.failure) {
      // With transactional DDL the failed downgrade was rolled back: the revision is still applied.
      const now = await heads();
      // Either state is fine to walk on from (the next preparation reads the version table); anything
      // else means a half-done downgrade that the walk must not build on.
      if (!sameSet(now, v1) && !sameSet(now, v0)) stopReason = unexpectedState(now, 'downgrade', rev.revision);
      finish({
        ...empty, status: 'failed', failure: down.failure,
        summary: `the downgrade fails: ${down.failure.message}`,
      });
      continue;
    }
    const v2 = await heads();
    const s2 = await snap();
    const downgradeDiff = diffSnapshots(s0, s2);
    const versionTableMismatch = sameSet(v2, v0) ? undefined : { expected: v0, actual: v2 };

    // 4. Up again.
    progress('reupgrade', `Upgrading to ${short(rev.revision)} again`);
    const again = await run('reupgrade', upgrade({ target: rev.revision }));
    if (again.result.cancelled) { cancelled('reupgrade'); continue; }
    if (again.failure) {
      const now = await heads();
      if (sameSet(now, v2)) unusable.set(rev.revision, 'its second upgrade failed');
      else if (!sameSet(now, v1)) stopReason = unexpectedState(now, 'second upgrade', rev.revision);
      const blocked = downgradeDiff.length > 0;
      finish({
        status: 'failed', downgradeDiff, reupgradeDiff: [], failure: again.failure,
        ...(versionTableMismatch ? { versionTableMismatch } : {}),
        ...(blocked ? { reupgradeBlockedByLeftovers: true } : {}),
        summary: blocked
          ? `upgrading again fails because the downgrade left ${listNames(downgradeDiff)} behind: ${again.failure.message}`
          : `upgrading again after the downgrade fails: ${again.failure.message}`,
      });
      continue;
    }
    const s3 = await snap();
    const reupgradeDiff = diffSnapshots(s1, s3);

    progress('done', `Verified ${short(rev.revision)}`);
    const problems: string[] = [];
    if (downgradeDiff.length > 0) problems.push(`the downgrade does not restore the schema (${listNames(downgradeDiff)})`);
    if (versionTableMismatch) problems.push(`after the downgrade the version table holds ${fmtList(v2)} instead of ${fmtList(v0)}`);
    if (reupgradeDiff.length > 0) problems.push(`upgrading again gives another schema than the first time (${listNames(reupgradeDiff)})`);
    finish({
      status: problems.length === 0 ? 'passed' : 'failed',
      summary: problems.length === 0 ? 'upgrade, downgrade and upgrade again leave the schema as expected' : problems.join('; '),
      downgradeDiff, reupgradeDiff, ...(versionTableMismatch ? { versionTableMismatch } : {}),
    });
  }
  return results;
}

function snapshotOptions(ctx: RoundTripContext): SnapshotOptions {
  const o: SnapshotOptions = { ...ctx.snapshot };
  if (o.versionTable === undefined && ctx.versionTable?.table) o.versionTable = ctx.versionTable.table;
  if (o.versionTableSchema === undefined && ctx.versionTable?.schema) o.versionTableSchema = ctx.versionTable.schema;
  return o;
}

/** Everything applied, given the version table's heads. */
function appliedSet(heads: readonly string[], byId: ReadonlyMap<string, VerifyRevision>): Set<string> {
  const out = new Set<string>();
  for (const h of heads) for (const id of closure(h, byId)) out.add(id);
  return out;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const sa = [...new Set(a)].sort();
  const sb = [...new Set(b)].sort();
  return sa.length === sb.length && sa.every((x, i) => x === sb[i]);
}

function unexpectedState(now: readonly string[], phase: string, revision: string): string {
  return `after the failed ${phase} of ${short(revision)} the scratch database's version table holds ${fmtList(now)}, ` +
    'a state the walk cannot continue from';
}

function fmtList(ids: readonly string[]): string {
  return ids.length === 0 ? 'nothing (base)' : ids.join(', ');
}

/** `3f2a91c0d7b1` stays; longer ids are cut for running text. */
export function short(id: string): string {
  return id.length > 12 ? `${id.slice(0, 12)}…` : id;
}

function phaseName(p: Phase): string {
  return { prepare: 'preparation', upgrade: 'upgrade', downgrade: 'downgrade', reupgrade: 'second upgrade' }[p];
}

function listNames(diffs: readonly SchemaDifference[]): string {
  const names = diffs.map((d) => d.label);
  return names.length > 4 ? `${names.slice(0, 4).join(', ')} and ${names.length - 4} more` : names.join(', ');
}
