// Understanding what an Alembic run printed: success or which kind of failure, the message worth
// showing, the migration file and line a traceback points at, plain advice for errors people meet
// often, and which revisions were run (from the `Running upgrade a -> b, message` log lines).
import path from 'node:path';
import type { RunResult } from './runner';
import type { SessionSummary } from '../db/sessionReaper';

export interface RevisionStep {
  direction: 'upgrade' | 'downgrade' | 'stamp';
  /** The migration function as Alembic logs it: `upgrade`, `downgrade_engine1`, `stamp_revision`. */
  fn: string;
  /** Revisions before the step (empty: base). */
  from: string[];
  /** Revisions after the step (empty: base). */
  to: string[];
  message?: string;
}

export type RunStatus =
  /** Exit 0. */
  | 'success'
  /** Exit 255: Alembic's own error (`FAILED: ...`). */
  | 'alembicError'
  /** Exit 1: a Python traceback (a failing migration, env.py, the driver ...). */
  | 'pythonError'
  /** Exit 2: argparse refused the command line. */
  | 'usageError'
  | 'cancelled'
  /** The process never ran (no interpreter, refused, cancelled while waiting). */
  | 'notStarted'
  /** Any other exit code or signal. */
  | 'failed';

export type AdviceKind =
  | 'multipleHeads' | 'ambiguousWalk' | 'unknownRevision' | 'notUpToDate' | 'offlineDowngradeNeedsRange'
  | 'relativeOutOfRange' | 'invalidTarget'
  | 'connectionRefused' | 'authenticationFailed' | 'databaseMissing' | 'hostNotFound' | 'connectionTimeout'
  | 'databaseUrlMissing' | 'missingModule'
  | 'lockTimeout' | 'statementTimeout';

/** Follow-ups the UI can offer as buttons. */
export type AdviceAction = 'mergeHeads' | 'chooseHead' | 'chooseRevision' | 'upgradeToHead' | 'editDatabaseUrl' | 'chooseInterpreter';

export interface Advice {
  kind: AdviceKind;
  /** One or two plain sentences. */
  text: string;
  actions: AdviceAction[];
  /** For unknownRevision: the id Alembic could not find. */
  revision?: string;
  /** For missingModule: the Python module. */
  module?: string;
  /** For lockTimeout: the table the statement waited for, when its SQL names one. */
  table?: string;
}

/** The table a failed statement works on, from SQLAlchemy's `[SQL: ...]` line. */
export function statementTable(text: string): string | undefined {
  const sql = /\[SQL: ([\s\S]*?)\]\s*(?:\n|$)/.exec(text)?.[1] ?? '';
  const m = /\b(?:ALTER TABLE|DROP TABLE|LOCK TABLE|TRUNCATE(?: TABLE)?|INSERT INTO|DELETE FROM|UPDATE|REFERENCES|CREATE (?:UNIQUE )?INDEX(?: CONCURRENTLY)?(?: IF NOT EXISTS)?(?: \S+)? ON)\s+(?:IF EXISTS\s+)?(?:ONLY\s+)?((?:"[^"]+"|[\w$]+)(?:\.(?:"[^"]+"|[\w$]+))?)/i.exec(sql);
  return m?.[1];
}

export interface SourceLocation {
  /** Absolute path. */
  file: string;
  /** 1-based, as Python prints it. */
  line: number;
  /** The function the frame is in (`upgrade`). */
  function: string;
}

export interface RunOutcome {
  status: RunStatus;
  ok: boolean;
  /** One line for a notification: the summary on success, the error otherwise. */
  message: string;
  /** More lines worth showing under the message (the rest of an exception, argparse's usage). */
  detail?: string;
  /** For pythonError: the exception's type as printed (`sqlalchemy.exc.ProgrammingError`). */
  exceptionType?: string;
  /** For pythonError: the innermost frame inside a migration file (under the versions folders). */
  location?: SourceLocation;
  /** For pythonError: the innermost frame inside the project folder outside the versions folders (env.py ...). */
  projectLocation?: SourceLocation;
  advice?: Advice;
  /** Every revision step Alembic logged, in order. Offline (`--sql`) these are the steps the SQL holds. */
  steps: RevisionStep[];
  /**
   * Whether Alembic's INFO log was on, so that `steps` is complete. An env.py without
   * `fileConfig(...)` logs nothing: then compare the version table before and after instead.
   */
  stepsKnown: boolean;
  /** When a run failed after starting a step: that step (its changes were not kept unless env.py commits per migration). */
  failedStep?: RevisionStep;
  /**
   * What stayed committed, when the version table was read before and after the run (a run that held
   * the migration lock): after a cancel or a failure, which steps were kept.
   */
  commits?: CommitReport;
  durationMs: number;
}

export interface InterpretContext {
  /** Absolute versions folders of the project: frames inside them are migration files. */
  versionDirs?: readonly string[];
  /**
   * Revision ids of the project. Only needed to split `Running downgrade m -> a, b, message` at a merge
   * point, where the log line does not say where the ids end and the message begins.
   */
  knownRevisions?: ReadonlySet<string>;
  /** The variable env.py reads the URL from (for the "not set" advice). Default DATABASE_URL. */
  databaseUrlEnvVar?: string;
}

// ---- log lines --------------------------------------------------------------------------------

const RUNNING = /\bRunning ((upgrade|downgrade)(?:_\w+)?|stamp_revision) (.*?) -> (.*)$/;

/** Parses `Running upgrade a -> b, message` lines (stderr, any log format that keeps the message). */
export function parseSteps(stderr: string, knownRevisions?: ReadonlySet<string>): RevisionStep[] {
  const steps: RevisionStep[] = [];
  for (const line of stderr.split('\n')) {
    const m = RUNNING.exec(line);
    if (!m) continue;
    const fn = m[1] ?? '';
    const direction = fn === 'stamp_revision' ? 'stamp' : (m[2] as 'upgrade' | 'downgrade');
    const from = (m[3] ?? '').split(', ').map((s) => s.trim()).filter((s) => s.length > 0);
    const tokens = (m[4] ?? '').replace(/\r$/, '').split(', ');
    let taken = 0;
    if (direction === 'downgrade' && knownRevisions) {
      // Down to a merge point's parents: several ids, then the message.
      while (taken < tokens.length && knownRevisions.has((tokens[taken] ?? '').trim())) taken++;
    }
    if (taken === 0) taken = 1;
    const to = tokens.slice(0, taken).map((s) => s.trim()).filter((s) => s.length > 0);
    const rest = tokens.slice(taken).join(', ');
    const step: RevisionStep = { direction, fn, from, to };
    if (rest.length > 0) step.message = rest;
    steps.push(step);
  }
  return steps;
}

// ---- tracebacks -------------------------------------------------------------------------------

export interface TracebackFrame {
  file: string;
  line: number;
  function: string;
}

export interface ParsedTraceback {
  /** Frames of the last traceback (the one Python exited with), outermost first. */
  frames: TracebackFrame[];
  /** Frames of the tracebacks printed before it (causes), outermost first, in print order. */
  causeFrames: TracebackFrame[];
  /** `sqlalchemy.exc.ProgrammingError: (psycopg2.errors.UndefinedTable) relation "x" does not exist` */
  exceptionLine: string;
  exceptionType: string;
  /** Lines after the exception line (LINE 1: ..., [SQL: ...]). */
  detail: string;
}

const FRAME = /^\s+File "(.*)", line (\d+), in (.*)$/;
const TRACEBACK_START = /^Traceback \(most recent call last\):\s*$/;

/** The last Python traceback in stderr, or undefined when there is none. */
export function parseTraceback(stderr: string): ParsedTraceback | undefined {
  const lines = stderr.split('\n').map((l) => l.replace(/\r$/, ''));
  const starts: number[] = [];
  lines.forEach((l, i) => { if (TRACEBACK_START.test(l)) starts.push(i); });
  const last = starts[starts.length - 1];
  if (last === undefined) return undefined;
  const framesOf = (from: number, to: number): TracebackFrame[] => {
    const out: TracebackFrame[] = [];
    for (let i = from; i < to; i++) {
      const m = FRAME.exec(lines[i] ?? '');
      if (m) out.push({ file: m[1] ?? '', line: Number(m[2]), function: m[3] ?? '' });
    }
    return out;
  };
  // Frames and their source lines are indented; the exception is the first line that is not.
  let i = last + 1;
  while (i < lines.length && /^\s/.test(lines[i] ?? '')) i++;
  const exceptionLine = (lines[i] ?? '').trim();
  const detailLines = lines.slice(i + 1);
  while (detailLines.length && (detailLines[detailLines.length - 1] ?? '').trim() === '') detailLines.pop();
  const colon = exceptionLine.indexOf(':');
  return {
    frames: framesOf(last + 1, i),
    causeFrames: starts.slice(0, -1).flatMap((s, k) => framesOf(s + 1, starts[k + 1] ?? last)),
    exceptionLine,
    exceptionType: colon > 0 ? exceptionLine.slice(0, colon) : exceptionLine,
    detail: detailLines.join('\n'),
  };
}

function isInside(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel.length > 0 && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** The innermost frame whose file lies under one of `dirs` (frame paths relative to `cwd` are resolved). */
export function innermostFrameIn(frames: readonly TracebackFrame[], dirs: readonly string[], cwd: string,
  exclude: readonly string[] = []): SourceLocation | undefined {
  for (let k = frames.length - 1; k >= 0; k--) {
    const f = frames[k];
    if (!f || f.file.startsWith('<')) continue;
    const file = path.resolve(cwd, f.file);
    if (dirs.some((d) => isInside(file, path.resolve(cwd, d))) && !exclude.some((d) => isInside(file, path.resolve(cwd, d)))) {
      return { file, line: f.line, function: f.function };
    }
  }
  return undefined;
}

// ---- advice -----------------------------------------------------------------------------------

/** Plain advice for errors people meet often, from the error text; undefined when nothing fits. */
export function adviceFor(text: string, opts: { databaseUrlEnvVar?: string; python?: string } = {}): Advice | undefined {
  const envVar = opts.databaseUrlEnvVar ?? 'DATABASE_URL';
  let m: RegExpExecArray | null;
  if (/Multiple head revisions are present/.test(text)) {
    return {
      kind: 'multipleHeads', actions: ['mergeHeads', 'chooseHead'],
      text: 'The project has several head revisions, so "head" names none of them. Merge the heads into one ' +
        '(Merge Heads), or choose which head to go to (a revision id, "<branch>@head", or "heads" for all).',
    };
  }
  if (/Ambiguous walk/.test(text)) {
    return {
      kind: 'ambiguousWalk', actions: ['chooseRevision'],
      text: 'A relative step such as -1 crosses a merge point here, where "one revision back" has several ' +
        'answers. Downgrade to a named revision instead.',
    };
  }
  if ((m = /Can't locate revision identified by '(.*)'/.exec(text))) {
    return {
      kind: 'unknownRevision', actions: ['chooseRevision'], revision: m[1] ?? '',
      text: `No migration file has the revision "${m[1] ?? ''}". If the database is at that revision, its file ` +
        'is missing from this checkout (another branch?); otherwise the id is mistyped.',
    };
  }
  if (/Target database is not up to date/.test(text)) {
    return {
      kind: 'notUpToDate', actions: ['upgradeToHead'],
      text: 'Autogenerate compares the models with a database at head. Upgrade the database to head first, ' +
        'then create the revision.',
    };
  }
  if (/requires <fromrev>:<torev>/.test(text)) {
    return {
      kind: 'offlineDowngradeNeedsRange', actions: ['chooseRevision'],
      text: 'Offline (SQL) downgrades need the revision to start from: give the range as <from>:<to>.',
    };
  }
  if (/Relative revision \S+ didn't produce \d+ migrations/.test(text)) {
    return {
      kind: 'relativeOutOfRange', actions: ['chooseRevision'],
      text: 'There are not that many revisions in that direction from where the database is.',
    };
  }
  if (/is not a valid (upgrade|downgrade) target|does not refer to ancestor\/descendant/.test(text)) {
    return {
      kind: 'invalidTarget', actions: ['chooseRevision'],
      text: 'That revision is not on the path from where the database is (it is on another branch, or in the ' +
        'other direction). Choose a revision above (upgrade) or below (downgrade) the current one.',
    };
  }
  if (/canceling statement due to lock timeout|LockNotAvailable/.test(text)) {
    const table = statementTable(text);
    return {
      kind: 'lockTimeout', actions: [], ...(table ? { table } : {}),
      text: `The migration waited longer than lock_timeout for a lock on ${table ?? 'a table'} that another session holds ` +
        '(a long query or an open transaction), and PostgreSQL stopped it. With transactional DDL nothing of the failed ' +
        'migration was kept. Retry when the table is quiet, or raise alembic.lockTimeout.',
    };
  }
  if (/canceling statement due to statement timeout|QueryCanceled/.test(text)) {
    const table = statementTable(text);
    return {
      kind: 'statementTimeout', actions: [], ...(table ? { table } : {}),
      text: `A statement of the migration${table ? ` on ${table}` : ''} ran longer than statement_timeout and PostgreSQL ` +
        'cancelled it; with transactional DDL nothing of the failed migration was kept. Raise alembic.statementTimeout, or make the step cheaper.',
    };
  }
  if (/password authentication failed|InvalidPasswordError|no password supplied|fe_sendauth/i.test(text)) {
    return {
      kind: 'authenticationFailed', actions: ['editDatabaseUrl'],
      text: 'The server refused the user name or password. Check the credentials in the database URL.',
    };
  }
  if (/Connection refused|ConnectionRefusedError|Connect call failed/.test(text)) {
    return {
      kind: 'connectionRefused', actions: ['editDatabaseUrl'],
      text: 'Nothing accepts connections at the host and port of the database URL. Is PostgreSQL running, ' +
        'and do the host and port match?',
    };
  }
  if (/database "[^"]*" does not exist|InvalidCatalogNameError/.test(text)) {
    return {
      kind: 'databaseMissing', actions: ['editDatabaseUrl'],
      text: 'The database named in the URL does not exist on that server. Create it, or fix the name in the URL.',
    };
  }
  if (/could not translate host name|Name or service not known|nodename nor servname|getaddrinfo failed|Temporary failure in name resolution/.test(text)) {
    return {
      kind: 'hostNotFound', actions: ['editDatabaseUrl'],
      text: 'The host name in the database URL cannot be resolved.',
    };
  }
  if (/timeout expired|TimeoutError|timed out/i.test(text) && /connect/i.test(text)) {
    return {
      kind: 'connectionTimeout', actions: ['editDatabaseUrl'],
      text: 'Connecting to the database timed out: the host may be unreachable or a firewall drops the connection.',
    };
  }
  if (new RegExp(`KeyError: ['"]${envVar}['"]`).test(text)) {
    return {
      kind: 'databaseUrlMissing', actions: ['editDatabaseUrl'],
      text: `env.py reads the database URL from the environment variable ${envVar}, which was not set. ` +
        'Set alembic.databaseUrl (or alembic.databaseUrlEnvVar if env.py reads another variable).',
    };
  }
  if ((m = /ModuleNotFoundError: No module named '([^']+)'/.exec(text))) {
    return {
      kind: 'missingModule', actions: ['chooseInterpreter'], module: m[1] ?? '',
      text: `The Python package providing "${m[1] ?? ''}" is not installed in ${opts.python ?? 'the interpreter'}. ` +
        'Install it there, or choose the project\'s own interpreter.',
    };
  }
  return undefined;
}

// ---- what a cancelled run committed ---------------------------------------------------------------

export interface CommitReport {
  /** The version table's rows before the run and after it ended (sorted). */
  before: string[];
  after: string[];
  /** Steps the version table shows as kept, in the order they ran. */
  committed: RevisionStep[];
  /** Steps that ran, or were running, and were not kept. */
  notCommitted: RevisionStep[];
  /** The table changed, but the logged steps cannot be matched with it (e.g. at a branch point). */
  unattributed: boolean;
}

/**
 * Which logged steps the version table kept. Alembic commits in step order (once at the end, or per
 * migration with transaction_per_migration), so the kept steps are those up to the last one whose
 * result the table shows: its target revisions are in the table (a step's target is a head until a
 * later step moves on), or, for a step down to base, no revision this run has touched so far is.
 * When no step's result shows although the table changed (a branch point can hide one), it says so
 * instead of guessing.
 */
export function committedSteps(steps: readonly RevisionStep[], before: readonly string[], after: readonly string[]): CommitReport {
  const b = [...new Set(before)].sort();
  const a = [...new Set(after)].sort();
  const report = { before: b, after: a, committed: [] as RevisionStep[], notCommitted: [] as RevisionStep[], unattributed: false };
  if (b.length === a.length && b.every((x, i) => x === a[i])) return { ...report, notCommitted: [...steps] };
  const inAfter = new Set(a);
  const touched = new Set<string>();
  let last = -1;
  steps.forEach((s, i) => {
    for (const r of [...s.from, ...s.to]) touched.add(r);
    const shown = s.to.length > 0 ? s.to.every((r) => inAfter.has(r)) : ![...touched].some((r) => inAfter.has(r));
    if (shown) last = i;
  });
  if (last < 0) return { ...report, unattributed: true };
  return { ...report, committed: steps.slice(0, last + 1), notCommitted: steps.slice(last + 1) };
}

function tableText(ids: readonly string[]): string {
  return ids.length === 0 ? 'nothing (base)' : ids.join(', ');
}

function stepText(s: RevisionStep): string {
  const what = s.direction === 'downgrade' ? `undoing ${s.from.join(', ')}` : s.to.join(', ');
  return `${what}${s.message ? ` (${s.message})` : ''}`;
}

/** One sentence for a message: nothing committed, which steps were, or that the table moved. */
export function describeCommits(c: CommitReport): string {
  const moved = `the version table went from ${tableText(c.before)} to ${tableText(c.after)}`;
  if (c.unattributed) return `Part of the run was committed: ${moved}.`;
  if (c.committed.length === 0) return `Nothing was committed: the version table still holds ${tableText(c.after)}.`;
  const rest = c.notCommitted.length > 0 ? `; not committed: ${c.notCommitted.map(stepText).join(', ')}` : '';
  return `Already committed: ${c.committed.map(stepText).join(', ')}${rest} (${moved}).`;
}

function remainingSentence(run: RunResult): string | undefined {
  const left = run.sessionsMayRemain ?? [];
  if (left.length === 0) return undefined;
  const one = (x: SessionSummary): string => `server process ${x.pid}` +
    `${x.applicationName ? ` '${x.applicationName}'` : ''}${x.state ? `, ${x.state}` : ''}` +
    `${x.backendStart ? ` since ${x.backendStart.toISOString()}` : ''}${x.query ? `: ${x.query.slice(0, 80)}` : ''}`;
  return `${left.length === 1 ? '1 database session' : `${left.length} database sessions`} of the same user may still be ` +
    `running for it and were left alone${run.sessionsNote ? ` (${run.sessionsNote})` : ''}: ${left.map(one).join('; ')}. ` +
    'If one is the cancelled run\'s, end it with SELECT pg_terminate_backend(<server process>).';
}

// ---- the whole run ----------------------------------------------------------------------------

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function successMessage(run: RunResult, steps: RevisionStep[], stepsKnown: boolean): string {
  const name = run.command.name;
  if (!stepsKnown && steps.length === 0 && ['upgrade', 'downgrade'].includes(name)) {
    return `${run.display} finished (env.py does not log the revisions it runs)`;
  }
  const ups = steps.filter((s) => s.direction === 'upgrade');
  const downs = steps.filter((s) => s.direction === 'downgrade');
  const chain = (ids: string[]): string => ids.join(' → ');
  if (run.command.offline && (name === 'upgrade' || name === 'downgrade')) {
    const n = name === 'upgrade' ? ups.length : downs.length;
    return `Generated ${name} SQL for ${plural(n, 'revision')}`;
  }
  if (name === 'upgrade') {
    return ups.length === 0 ? 'Nothing to upgrade: the database is already at the target'
      : `Upgraded ${plural(ups.length, 'revision')}: ${chain(ups.flatMap((s) => s.to))}`;
  }
  if (name === 'downgrade') {
    return downs.length === 0 ? 'Nothing to downgrade: the database is already at the target'
      : `Downgraded ${plural(downs.length, 'revision')}: ${chain(downs.flatMap((s) => s.from))}`;
  }
  if (name === 'stamp') {
    const target = run.command.args.filter((a) => !a.startsWith('--')).slice(1).join(', ');
    return `Stamped the database at ${target}`;
  }
  return `${run.display} finished`;
}

/** Turns a finished run into what the UI shows. */
export function interpretRun(run: RunResult, ctx: InterpretContext = {}): RunOutcome {
  const steps = parseSteps(run.stderr, ctx.knownRevisions);
  // Alembic logs this line at INFO whenever it runs env.py with logging configured.
  const stepsKnown = steps.length > 0 || /\bContext impl \w+/.test(run.stderr);
  const { before, after } = run.versionTable ?? {};
  const commits = before && after ? committedSteps(steps, before, after) : undefined;
  const base = { steps, stepsKnown, durationMs: run.durationMs, ...(commits ? { commits } : {}) };
  const adviceOpts = { databaseUrlEnvVar: ctx.databaseUrlEnvVar, python: run.python };

  if (!run.started) {
    return {
      ...base, status: run.cancelled ? 'cancelled' : 'notStarted', ok: false,
      message: run.cancelled ? `Cancelled ${run.display} before it started` : `${run.display} could not start: ${run.startError ?? 'unknown reason'}`,
    };
  }
  if (run.cancelled) {
    const ended = run.sessionsEnded ? `; ended ${plural(run.sessionsEnded, 'database session')} it left running` : '';
    const committed = commits ? ` ${describeCommits(commits)}`
      : run.command.changesDatabase ? ' What it committed before the cancel is not known: the version table could not be read.' : '';
    const detail = [
      remainingSentence(run),
      run.sessionCleanupError ? `Could not end its database sessions: ${run.sessionCleanupError}` : undefined,
    ].filter((x): x is string => x !== undefined);
    return {
      ...base, status: 'cancelled', ok: false, failedStep: steps[steps.length - 1],
      message: `Cancelled ${run.display}${ended}.${committed}`,
      ...(detail.length > 0 ? { detail: detail.join(' ') } : {}),
    };
  }
  // sys.exit(-1) is 255 on POSIX; Windows reports it as 4294967295 or -1 depending on the layer.
  const code = run.exitCode;
  if (code === 0) return { ...base, status: 'success', ok: true, message: successMessage(run, steps, stepsKnown) };

  if (code === 255 || code === -1 || code === 4294967295) {
    const idx = run.stdout.lastIndexOf('FAILED: ');
    const failed = idx >= 0 ? run.stdout.slice(idx + 'FAILED: '.length).trim() : '';
    const message = failed || lastMeaningfulLine(run.stderr) || `${run.display} failed (exit 255)`;
    const advice = adviceFor(message, adviceOpts);
    return { ...base, status: 'alembicError', ok: false, message, ...(advice ? { advice } : {}) };
  }

  if (code === 2) {
    const errLine = run.stderr.split('\n').find((l) => /^\S+: error: /.test(l));
    return {
      ...base, status: 'usageError', ok: false,
      message: errLine ? `Alembic refused the command line: ${errLine.replace(/^\S+: error: /, '')}` : `${run.display}: usage error (exit 2)`,
      detail: run.stderr.trim(),
    };
  }

  const tb = parseTraceback(run.stderr);
  if (code === 1 && tb) {
    const dirs = ctx.versionDirs ?? [];
    const location = innermostFrameIn([...tb.frames], dirs, run.cwd) ?? innermostFrameIn(tb.causeFrames, dirs, run.cwd);
    const projectLocation = innermostFrameIn(tb.frames, [run.cwd], run.cwd, dirs);
    const failedStep = steps[steps.length - 1];
    const advice = adviceFor(`${tb.exceptionLine}\n${tb.detail}`, adviceOpts);
    const out: RunOutcome = {
      ...base, status: 'pythonError', ok: false, message: tb.exceptionLine, exceptionType: tb.exceptionType,
    };
    if (tb.detail) out.detail = tb.detail;
    if (location) out.location = location;
    if (projectLocation) out.projectLocation = projectLocation;
    if (failedStep) out.failedStep = failedStep;
    if (advice) out.advice = advice;
    return out;
  }

  const how = run.signal ? `was killed by ${run.signal}` : `exited with code ${code}`;
  const last = lastMeaningfulLine(run.stderr);
  const advice = adviceFor(run.stderr, adviceOpts);
  return {
    ...base, status: 'failed', ok: false, message: `${run.display} ${how}${last ? `: ${last}` : ''}`,
    ...(advice ? { advice } : {}),
  };
}

function lastMeaningfulLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  return lines[lines.length - 1] ?? '';
}
