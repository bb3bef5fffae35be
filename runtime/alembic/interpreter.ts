// Which Python runs Alembic, and whether it can. No vscode import: the extension glue passes in the
// setting and the Python extension's choice as plain values.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type InterpreterSource = 'setting' | 'pythonExtension' | 'projectVenv' | 'workspaceVenv' | 'default';

export interface InterpreterChoice {
  /** What is spawned: an absolute path, or a bare command name looked up on PATH (`python3`). */
  path: string;
  source: InterpreterSource;
}

export interface InterpreterInputs {
  /** The `alembic.pythonPath` setting, when set (may use `${workspaceFolder}` or `~`). */
  settingPath?: string;
  /** The interpreter the Python extension has selected for this folder, when that extension answers. */
  pythonExtensionPath?: string;
  /** Folder holding the project's alembic.ini. */
  projectRoot?: string;
  /** The workspace folder the project is in. */
  workspaceFolder?: string;
  /** For tests of the Windows layout; defaults to process.platform. */
  platform?: NodeJS.Platform;
}

const SOURCE_LABEL: Record<InterpreterSource, string> = {
  setting: 'the alembic.pythonPath setting',
  pythonExtension: 'the interpreter selected in the Python extension',
  projectVenv: 'the virtual environment in the project folder',
  workspaceVenv: 'the virtual environment in the workspace folder',
  default: 'the default (no setting, no Python extension choice, no virtual environment found)',
};

export function describeSource(source: InterpreterSource): string {
  return SOURCE_LABEL[source];
}

function venvCandidates(folder: string, platform: NodeJS.Platform): string[] {
  const rel = platform === 'win32'
    ? [['.venv', 'Scripts', 'python.exe'], ['venv', 'Scripts', 'python.exe']]
    : [['.venv', 'bin', 'python'], ['venv', 'bin', 'python']];
  // Native joining: on Windows path.join is win32 already, and tests of the Windows layout run anywhere.
  return rel.map((parts) => path.join(folder, ...parts));
}

function expandSetting(value: string, inputs: InterpreterInputs): string {
  const folder = inputs.workspaceFolder ?? inputs.projectRoot;
  let v = value.trim();
  if (folder) v = v.replace(/\$\{workspaceFolder\}/g, folder);
  if (v === '~' || v.startsWith('~/')) v = path.join(os.homedir(), v.slice(1));
  // A relative path (not a bare command name such as `python3.12`) is relative to the workspace.
  if (folder && !path.isAbsolute(v) && /[\\/]/.test(v)) v = path.resolve(folder, v);
  return v;
}

function nonEmpty(v: string | undefined): v is string {
  return v !== undefined && v.trim().length > 0;
}

/**
 * Every interpreter the inputs point at, in the order they are preferred; the first one is the choice.
 * Virtual environments count only when their interpreter file exists (a broken symlink does not).
 */
export function interpreterCandidates(inputs: InterpreterInputs, exists: (p: string) => boolean = fs.existsSync): InterpreterChoice[] {
  const platform = inputs.platform ?? process.platform;
  const out: InterpreterChoice[] = [];
  if (nonEmpty(inputs.settingPath)) out.push({ path: expandSetting(inputs.settingPath, inputs), source: 'setting' });
  if (nonEmpty(inputs.pythonExtensionPath)) out.push({ path: inputs.pythonExtensionPath.trim(), source: 'pythonExtension' });
  const folders: [string | undefined, InterpreterSource][] = [[inputs.projectRoot, 'projectVenv'], [inputs.workspaceFolder, 'workspaceVenv']];
  const seen = new Set<string>();
  for (const [folder, source] of folders) {
    if (!folder) continue;
    for (const candidate of venvCandidates(folder, platform)) {
      if (seen.has(candidate)) continue;
      seen.add(candidate);
      if (exists(candidate)) out.push({ path: candidate, source });
    }
  }
  out.push({ path: platform === 'win32' ? 'python' : 'python3', source: 'default' });
  return out;
}

export function chooseInterpreter(inputs: InterpreterInputs, exists?: (p: string) => boolean): InterpreterChoice {
  // interpreterCandidates always ends with the default, so there is a first element.
  return interpreterCandidates(inputs, exists)[0]!;
}

export interface AlembicInterpreter extends InterpreterChoice {
  alembicVersion: string;
  sqlalchemyVersion?: string;
  /** sys.executable as the interpreter reports it. */
  executable: string;
}

/** The chosen interpreter cannot run Alembic; the message says which one was tried and how to choose another. */
export class InterpreterError extends Error {
  constructor(
    readonly choice: InterpreterChoice,
    /** Why, in one line: "No module named 'alembic'", "not found", ... */
    readonly reason: string,
    readonly kind: 'notFound' | 'noAlembic' | 'failed' | 'timeout',
    /** Other interpreters the inputs pointed at, which might work. */
    readonly alternatives: InterpreterChoice[] = [],
  ) {
    const others = alternatives.length
      ? ` Other interpreters found: ${alternatives.map((a) => `${a.path} (${describeSource(a.source)})`).join('; ')}.`
      : '';
    const fix = kind === 'noAlembic'
      ? `Install Alembic into it (${choice.path} -m pip install alembic), or choose another interpreter`
      : 'Choose another interpreter';
    super(`Cannot run Alembic with ${choice.path} (from ${describeSource(choice.source)}): ${reason}. ` +
      `${fix}: set "alembic.pythonPath", or run "Python: Select Interpreter" from the Python extension.${others}`);
    this.name = 'InterpreterError';
  }
}

const PROBE = [
  'import json, sys',
  'out = {"executable": sys.executable}',
  'import alembic',
  'out["alembic"] = alembic.__version__',
  'try:',
  '    import sqlalchemy',
  '    out["sqlalchemy"] = sqlalchemy.__version__',
  'except Exception:',
  '    pass',
  'print(json.dumps(out))',
].join('\n');

interface ProbeOutput {
  executable: string;
  alembic: string;
  sqlalchemy?: string;
}

function probe(choice: InterpreterChoice, timeoutMs: number, env: NodeJS.ProcessEnv | undefined): Promise<AlembicInterpreter> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    const child = spawn(choice.path, ['-c', PROBE], { shell: false, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(new InterpreterError(choice, `it did not answer within ${timeoutMs} ms`, 'timeout'));
    }, timeoutMs);
    const finish = (r: AlembicInterpreter | InterpreterError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (r instanceof InterpreterError) reject(r); else resolve(r);
    };
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', (e: NodeJS.ErrnoException) => {
      finish(new InterpreterError(choice, e.code === 'ENOENT' ? 'the interpreter was not found'
        : e.code === 'EACCES' ? 'the interpreter is not executable' : e.message, e.code === 'ENOENT' || e.code === 'EACCES' ? 'notFound' : 'failed'));
    });
    child.on('close', (code) => {
      if (code === 0) {
        try {
          const parsed = JSON.parse(stdout.trim().split('\n').pop() ?? '') as ProbeOutput;
          finish({ ...choice, alembicVersion: parsed.alembic, sqlalchemyVersion: parsed.sqlalchemy, executable: parsed.executable });
        } catch {
          finish(new InterpreterError(choice, `unexpected answer to the version check: ${stdout.trim().slice(0, 200)}`, 'failed'));
        }
        return;
      }
      const lastLine = stderr.trim().split('\n').pop()?.trim() ?? '';
      if (/No module named '?alembic'?/.test(stderr)) {
        finish(new InterpreterError(choice, "it has no Alembic (No module named 'alembic')", 'noAlembic'));
      } else if (code === 127 || /command not found|No such file/.test(lastLine)) {
        // A launcher script (pyenv shim, wrapper) that could not find a Python.
        finish(new InterpreterError(choice, `the interpreter could not start (${lastLine || `exit ${code}`})`, 'notFound'));
      } else {
        finish(new InterpreterError(choice, `importing alembic failed (${lastLine || `exit ${code}`})`, 'failed'));
      }
    });
  });
}

// One check per interpreter path for the life of the extension host. Failures are not kept, so that
// installing Alembic and trying again works without a restart.
const checks = new Map<string, Promise<AlembicInterpreter>>();

export interface CheckOptions {
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Named in the error when the choice fails. */
  alternatives?: InterpreterChoice[];
}

/** Whether the interpreter can `import alembic`; cached per path. Rejects with InterpreterError. */
export function checkInterpreter(choice: InterpreterChoice, opts: CheckOptions = {}): Promise<AlembicInterpreter> {
  let pending = checks.get(choice.path);
  if (!pending) {
    pending = probe(choice, opts.timeoutMs ?? 20_000, opts.env);
    checks.set(choice.path, pending);
    pending.catch(() => { if (checks.get(choice.path) === pending) checks.delete(choice.path); });
  }
  // The cached answer keeps the source of whoever asked first; report the caller's own source.
  return pending.then(
    (ok) => ({ ...ok, source: choice.source }),
    (e: unknown) => {
      if (e instanceof InterpreterError) {
        throw new InterpreterError(choice, e.reason, e.kind, (opts.alternatives ?? []).filter((a) => a.path !== choice.path));
      }
      throw e;
    },
  );
}

/** Chooses the interpreter for a project and checks it. */
export async function resolveInterpreter(inputs: InterpreterInputs, opts: Omit<CheckOptions, 'alternatives'> = {}): Promise<AlembicInterpreter> {
  const [choice, ...alternatives] = interpreterCandidates(inputs);
  // The default `python3` is always a candidate; naming it as an alternative would tell nobody anything.
  return checkInterpreter(choice!, { ...opts, alternatives: alternatives.filter((a) => a.source !== 'default') });
}

/** Forget cached checks (all, or one path), e.g. after the user changed the setting or installed packages. */
export function forgetInterpreterChecks(pathToForget?: string): void {
  if (pathToForget === undefined) checks.clear(); else checks.delete(pathToForget);
}
