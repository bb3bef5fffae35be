// Runs `<python> -m alembic --config=<ini> <command> ...` as a child process: no shell, one run at a
// time per project (and, with a run lock, one run that changes the database at a time across
// processes), output streamed line by line with secrets masked, cancellation that takes the whole
// process tree (and the database sessions it left) down and says what was committed before it.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { splitPassword } from '../db/databaseUrl';
import { redactSecrets } from '../../common/redact';
import { displayCommand, type AlembicCommand } from './commandArguments';
import { flaskMigrateDirectoryOf, flaskMigrateRefusal } from './flaskMigrate';
import { tcpConnectionsOfGroup, type SocketEnd } from './processSockets';
import { DatabaseBusyError, type RunLock, type HeldRunLock } from '../db/runLock';
import type { SessionReaper, SessionSummary } from '../db/sessionReaper';
import { parseDatabaseUrl } from '../db/sqlalchemyUrl';
import { sessionOptions, type SessionOptions, type SessionTimeouts } from './sessionSettings';

export interface OutputLine {
  stream: 'stdout' | 'stderr';
  /** One line without its line ending, secrets masked. */
  text: string;
}

export type OutputSink = (line: OutputLine) => void;

export interface RunnerOptions {
  /** The interpreter (from interpreter.ts). */
  python: string;
  /** The project's alembic.ini; Alembic runs in its folder unless `workingFolder` is given. */
  iniPath: string;
  /** The folder Alembic runs in, when not the ini's (ProjectInfo.workingFolder). */
  workingFolder?: string;
  /** `--name`: the ini section, when not `alembic`. */
  iniSection?: string;

  /** The resolved database URL, passed to env.py in `databaseUrlEnvVar`. Unset: the variable is left as inherited. */
  databaseUrl?: string;
  /** The variable the project's env.py reads (`alembic.databaseUrlEnvVar`). Default DATABASE_URL. */
  databaseUrlEnvVar?: string;
  /** Literal strings to mask besides the database URL's password (which is always masked). */
  secrets?: readonly string[];
  /** Receives every output line of every run. */
  sink?: OutputSink;
  /** Base environment; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** After SIGTERM, how long the process tree gets before SIGKILL. Default 3000 ms. */
  killGraceMs?: number;
  /** Ends the server sessions of a cancelled run (see db/sessionReaper.ts). */
  reapSessions?: SessionReaper;
  /**
   * The database's migration lock (db/runLock.ts), held for the whole of every run that changes the
   * database; its session also reads the version table before and after such a run.
   */
  runLock?: RunLock;
  /** Runs with the same key exclude each other. Default: the absolute ini path. */
  projectKey?: string;
  /**
   * `alembic.lockTimeout` / `alembic.statementTimeout` for the migration's session (PGOPTIONS for
   * libpq drivers; see sessionSettings.ts). What cannot be applied is in `sessionNotes`.
   */
  timeouts?: SessionTimeouts;
}

export interface RunOptions {
  signal?: AbortSignal;
  /** When another run of the same project is under way: refuse (default) or wait for it. */
  ifBusy?: 'refuse' | 'wait';
  /** Receives this run's output lines, in addition to the runner's sink. */
  sink?: OutputSink;
  /** `-x key=value` arguments for env.py scripts that read `context.get_x_argument()`. */
  xArgs?: readonly string[];
  /**
   * Python code to run instead of `-m alembic`, given the same arguments (`--config=… <command>`): for
   * probes that drive Alembic's own API the way its command line does (runtime/verify/envProbe.ts).
   */
  pythonProgram?: PythonProgram;
}

export interface PythonProgram {
  /** What it is, for logs and messages (`env.py probe`). */
  name: string;
  /** The program, run with `python -c`; `sys.argv[1:]` are Alembic's command-line arguments. */
  code: string;
}

export interface RunResult {
  /** The command run, its arguments masked. */
  command: AlembicCommand;
  /** `alembic upgrade head`, quoted for reading, secrets masked. */
  display: string;
  python: string;
  cwd: string;
  /** Whether the process was started (false: refused to start, cancelled while waiting, or spawn failed). */
  started: boolean;
  /** Why the process could not start (ENOENT ...). */
  startError?: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  cancelled: boolean;
  /** Everything printed, secrets masked. */
  stdout: string;
  stderr: string;
  startedAt: Date;
  durationMs: number;
  /** The application_name the run's libpq sessions carry (PGAPPNAME). */
  applicationName: string;
  /** After a cancellation: server sessions ended, or why that failed. */
  sessionsEnded?: number;
  sessionCleanupError?: string;
  /** After a cancellation: sessions that may be the run's but could not be identified, left running. */
  sessionsMayRemain?: SessionSummary[];
  /** Why those could not be identified. */
  sessionsNote?: string;
  /**
   * The version table's rows (sorted) before and after a run that held the run lock; a side is absent
   * when it could not be read. After a cancel this says what had been committed.
   */
  versionTable?: { before?: string[]; after?: string[] };
}

/** Another run of the same project is under way and the caller asked not to wait. */
export class AlembicBusyError extends Error {
  constructor(readonly running: string, readonly runningSince: Date, readonly requested: string) {
    const secs = Math.max(0, Math.round((Date.now() - runningSince.getTime()) / 1000));
    super(`Alembic is already running "${running}" for this project (started ${secs} s ago); ` +
      `"${requested}" was not started. Wait for it to finish or cancel it.`);
    this.name = 'AlembicBusyError';
  }
}

// ---- one run at a time per project -------------------------------------------------------------

interface Holder { display: string; since: Date }
interface Lock { holder: Holder; waiters: { holder: Holder; grant: () => void }[] }
const locks = new Map<string, Lock>();

/** What runs for a project right now, if anything (for status displays). */
export function runningFor(projectKey: string): { display: string; since: Date } | undefined {
  const lock = locks.get(projectKey);
  return lock ? { ...lock.holder } : undefined;
}

function release(key: string): void {
  const lock = locks.get(key);
  if (!lock) return;
  const next = lock.waiters.shift();
  if (!next) { locks.delete(key); return; }
  lock.holder = { ...next.holder, since: new Date() };
  next.grant();
}

/** Resolves true when the lock is ours, false when the signal aborted the wait. */
function acquire(key: string, holder: Holder, ifBusy: 'refuse' | 'wait', signal: AbortSignal | undefined): Promise<boolean> {
  const lock = locks.get(key);
  if (!lock) {
    locks.set(key, { holder, waiters: [] });
    return Promise.resolve(true);
  }
  if (ifBusy === 'refuse') return Promise.reject(new AlembicBusyError(lock.holder.display, lock.holder.since, holder.display));
  // Cancelled before it could queue (while the run looked at its project): an abort event will not come again.
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const waiter = { holder, grant: () => { signal?.removeEventListener('abort', onAbort); resolve(true); } };
    const onAbort = (): void => {
      const i = lock.waiters.indexOf(waiter);
      if (i >= 0) lock.waiters.splice(i, 1);
      resolve(false);
    };
    lock.waiters.push(waiter);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

// ---- the process ------------------------------------------------------------------------------

/** The URL's password in the forms it may be printed in (as written and decoded). */
function urlPasswords(url: string | undefined): string[] {
  if (!url) return [];
  const { password, passwordAsWritten } = splitPassword(url);
  if (password === undefined) return [];
  return [...new Set([password, ...(passwordAsWritten ? [passwordAsWritten] : [])])];
}

/** Splits a byte stream into lines without breaking multi-byte characters across chunks. */
function lineSplitter(onLine: (line: string) => void): { write(chunk: Buffer): void; end(): void } {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  const emit = (text: string): void => {
    const parts = (rest + text).split('\n');
    rest = parts.pop() ?? '';
    for (const p of parts) onLine(p.endsWith('\r') ? p.slice(0, -1) : p);
  };
  return {
    write: (chunk) => emit(decoder.write(chunk)),
    end: () => { emit(decoder.end()); if (rest) onLine(rest); rest = ''; },
  };
}

function killTree(child: ChildProcess, sig: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    if (process.platform === 'win32') {
      // No process groups on Windows: taskkill walks the tree.
      spawn('taskkill', ['/pid', String(child.pid), '/T', '/F'], { shell: false, windowsHide: true });
    } else {
      process.kill(-child.pid, sig);
    }
  } catch (e) {
    // ESRCH: the group is already gone.
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}

function groupAlive(pid: number | undefined): boolean {
  if (pid === undefined || process.platform === 'win32') return false;
  try { process.kill(-pid, 0); return true; } catch { return false; }
}

const ENV_VAR = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class AlembicRunner {
  readonly cwd: string;
  readonly iniPath: string;
  readonly projectKey: string;
  private readonly secrets: string[];
  /** PGOPTIONS and what the log should say about the timeouts (values refused, drivers that ignore them). */
  readonly session: SessionOptions;
  /** Flask-Migrate's migrations folder when the project is one (read at the first run). */
  private flaskMigrateDirectory: Promise<string | undefined> | undefined;

  constructor(private readonly opts: RunnerOptions) {
    this.iniPath = path.resolve(opts.iniPath);
    this.cwd = opts.workingFolder !== undefined ? path.resolve(opts.workingFolder) : path.dirname(this.iniPath);
    this.projectKey = opts.projectKey ?? this.iniPath;
    const envVar = opts.databaseUrlEnvVar ?? 'DATABASE_URL';
    if (!ENV_VAR.test(envVar)) throw new Error(`alembic.databaseUrlEnvVar "${envVar}" is not a valid environment variable name`);
    this.secrets = [...urlPasswords(opts.databaseUrl), ...(opts.secrets ?? [])];
    // The driver decides whether PGOPTIONS reaches the session; SQLAlchemy's default is psycopg2.
    const parsed = opts.databaseUrl !== undefined ? parseDatabaseUrl(opts.databaseUrl, { env: opts.env ?? process.env }) : undefined;
    const target = parsed?.kind === 'postgres' ? parsed.target : undefined;
    this.session = sessionOptions(opts.timeouts ?? {}, {
      driver: target?.driver ?? 'psycopg2',
      ...((opts.env ?? process.env).PGOPTIONS ? { inheritedPgOptions: (opts.env ?? process.env).PGOPTIONS } : {}),
      ...(target?.options ? { urlOptions: target.options } : {}),
    });
  }

  /** Masks the database password and the given secrets. */
  mask(text: string): string {
    return redactSecrets(text, this.secrets);
  }

  /** The full argv after the interpreter, e.g. for showing the user what will run. */
  argv(command: AlembicCommand, xArgs: readonly string[] = [], program?: PythonProgram): string[] {
    return [
      ...(program ? ['-c', program.code] : ['-m', 'alembic']), `--config=${this.iniPath}`,
      ...(this.opts.iniSection ? [`--name=${this.opts.iniSection}`] : []),
      // Attached form: argparse reads `-x-foo` as the value `-foo`, `-x -foo` as a missing value.
      ...xArgs.map((x) => `-x${x}`),
      ...command.args,
    ];
  }

  /**
   * Runs one Alembic command. Resolves with the result whatever the exit code (see results.ts to
   * understand it); rejects only with AlembicBusyError when another run holds the project, and with
   * DatabaseBusyError (db/runLock.ts) when another run holds the database's migration lock.
   */
  async run(command: AlembicCommand, ro: RunOptions = {}): Promise<RunResult> {
    const display = this.mask(displayCommand(command.args)) + (ro.pythonProgram ? ` (${ro.pythonProgram.name})` : '');
    // Results get logged and shown: they carry the arguments masked, like everything else.
    const shown: AlembicCommand = { ...command, args: Object.freeze(command.args.map((a) => this.mask(a))) };
    const applicationName = `alembic-vscode-${crypto.randomBytes(6).toString('hex')}`;
    const startedAt = new Date();
    const t0 = performance.now();
    const base = (): RunResult => ({
      command: shown, display, python: this.opts.python, cwd: this.cwd, started: false, exitCode: null, signal: null,
      cancelled: false, stdout: '', stderr: '', startedAt, durationMs: performance.now() - t0, applicationName,
    });
    if (ro.signal?.aborted) return { ...base(), cancelled: true };
    // Flask-Migrate's env.py runs only under `flask db`: refused here, for every caller, with that command.
    const flaskDir = await (this.flaskMigrateDirectory ??= flaskMigrateDirectoryOf(this.iniPath));
    if (flaskDir !== undefined) return { ...base(), startError: flaskMigrateRefusal(command, this.iniPath, flaskDir) };
    const got = await acquire(this.projectKey, { display, since: startedAt }, ro.ifBusy ?? 'refuse', ro.signal);
    if (!got) return { ...base(), cancelled: true };
    try {
      if (!command.changesDatabase || !this.opts.runLock) return await this.spawnAndWait(command, shown, ro, display, applicationName);
      let held: HeldRunLock;
      try {
        held = await this.opts.runLock.acquire(display);
      } catch (e) {
        if (e instanceof DatabaseBusyError) throw e;
        // Without the lock nothing keeps another window's run apart from this one: do not start.
        return { ...base(), startError: this.mask(e instanceof Error ? e.message : String(e)) };
      }
      try {
        if (ro.signal?.aborted) return { ...base(), cancelled: true };
        const before = await held.readVersionTable();
        const result = await this.spawnAndWait(command, shown, ro, display, applicationName, held.backendPid);
        // After the process is gone and a cancel's sessions have rolled back: what stayed committed.
        const after = await held.readVersionTable();
        return { ...result, versionTable: { ...(before ? { before } : {}), ...(after ? { after } : {}) } };
      } finally {
        await held.release();
      }
    } finally {
      release(this.projectKey);
    }
  }

  private spawnAndWait(
    command: AlembicCommand, shown: AlembicCommand, ro: RunOptions, display: string, applicationName: string, lockPid?: number,
  ): Promise<RunResult> {
    const envVar = this.opts.databaseUrlEnvVar ?? 'DATABASE_URL';
    const env: NodeJS.ProcessEnv = {
      ...(this.opts.env ?? process.env),
      // Line by line, as it happens, whatever the locale.
      PYTHONUNBUFFERED: '1',
      PYTHONIOENCODING: 'utf-8',
      PGAPPNAME: applicationName,
      // Only for commands that reach the database; offline SQL and file commands need no session.
      ...(command.changesDatabase || command.connects ? this.session.env : {}),
    };
    if (this.opts.databaseUrl !== undefined) env[envVar] = this.opts.databaseUrl;
    const startedAt = new Date();
    const t0 = performance.now();
    const out = { stdout: [] as string[], stderr: [] as string[] };
    const sinks = [this.opts.sink, ro.sink].filter((s): s is OutputSink => s !== undefined);

    return new Promise<RunResult>((resolve) => {
      let child: ChildProcess;
      let settled = false;
      const finish = (r: Partial<RunResult>): void => {
        if (settled) return;
        settled = true;
        resolve({
          command: shown, display, python: this.opts.python, cwd: this.cwd, started: true, exitCode: null, signal: null,
          cancelled, stdout: out.stdout.join(''), stderr: out.stderr.join(''), startedAt,
          durationMs: performance.now() - t0, applicationName, ...r,
        });
      };
      let cancelled = false;
      let killTimer: NodeJS.Timeout | undefined;
      // The run's TCP connections as the cancel came, before the kill closes them: their local ends
      // are how the server tells its sessions apart when they carry no tag.
      let clientEnds: SocketEnd[] | undefined;
      const onLine = (stream: 'stdout' | 'stderr') => (raw: string): void => {
        const text = this.mask(raw);
        out[stream].push(text, '\n');
        for (const sink of sinks) {
          try { sink({ stream, text }); } catch { /* a failing sink must not break the run */ }
        }
      };
      try {
        child = spawn(this.opts.python, this.argv(command, ro.xArgs, ro.pythonProgram), {
          cwd: this.cwd, env, shell: false, detached: true, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true,
        });
      } catch (e) {
        finish({ started: false, startError: this.mask(String((e as Error).message)) });
        return;
      }
      const split = { stdout: lineSplitter(onLine('stdout')), stderr: lineSplitter(onLine('stderr')) };
      child.stdout?.on('data', (c: Buffer) => split.stdout.write(c));
      child.stderr?.on('data', (c: Buffer) => split.stderr.write(c));

      const onAbort = (): void => {
        if (cancelled) return;
        cancelled = true;
        if (child.pid !== undefined) clientEnds = tcpConnectionsOfGroup(child.pid)?.map((c) => c.local);
        killTree(child, 'SIGTERM');
        killTimer = setTimeout(() => killTree(child, 'SIGKILL'), this.opts.killGraceMs ?? 3_000);
      };
      ro.signal?.addEventListener('abort', onAbort, { once: true });

      child.on('error', (e: NodeJS.ErrnoException) => {
        // Spawn failures (ENOENT, EACCES) arrive here, with no pid.
        if (child.pid !== undefined) return;
        ro.signal?.removeEventListener('abort', onAbort);
        finish({ started: false, startError: this.mask(`could not start ${this.opts.python}: ${e.code ?? e.message}`) });
      });
      child.on('close', (code, sig) => {
        ro.signal?.removeEventListener('abort', onAbort);
        if (killTimer) clearTimeout(killTimer);
        split.stdout.end();
        split.stderr.end();
        // Python exited; anything it started in its group after a cancellation goes too.
        if (cancelled && groupAlive(child.pid)) killTree(child, 'SIGKILL');
        const result: Partial<RunResult> = { exitCode: code, signal: sig, cancelled };
        if (!cancelled || !this.opts.reapSessions) { finish(result); return; }
        this.opts.reapSessions({
          applicationName, startedAt, ...(clientEnds ? { clientEnds } : {}), ...(lockPid !== undefined ? { keepPids: [lockPid] } : {}),
        }).then(
          (r) => finish({
            ...result, sessionsEnded: r.ended,
            ...(r.mayRemain.length > 0 ? { sessionsMayRemain: r.mayRemain } : {}), ...(r.note ? { sessionsNote: r.note } : {}),
          }),
          (e: unknown) => {
            const msg = this.mask(e instanceof Error ? e.message : String(e));
            for (const sink of sinks) {
              try { sink({ stream: 'stderr', text: `(could not end the cancelled run's database session: ${msg})` }); } catch { /* ignore */ }
            }
            finish({ ...result, sessionCleanupError: msg });
          });
      });
    });
  }
}
