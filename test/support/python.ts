import { spawnSync } from 'node:child_process';
import path from 'node:path';

/** The interpreter with Alembic that tests use: Debian's, unless ALEMBIC_TEST_PYTHON says otherwise. */
export function testPython(): string {
  return process.env.ALEMBIC_TEST_PYTHON || '/usr/bin/python3';
}

export interface PythonResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `python -c code args...` (or `python args...` when code is undefined) synchronously. */
export function runPython(code: string | undefined, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): PythonResult {
  const argv = code === undefined ? args : ['-c', code, ...args];
  const r = spawnSync(testPython(), argv, {
    cwd: opts.cwd, env: { ...process.env, ...opts.env }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? (r.error ? String(r.error) : '') };
}

/** `python -m alembic -c ini ...` in the ini's folder, with DATABASE_URL set. */
export function runAlembic(iniPath: string, args: string[], databaseUrl?: string): PythonResult {
  return runPython(undefined, ['-m', 'alembic', '-c', iniPath, ...args], {
    cwd: path.dirname(iniPath),
    env: databaseUrl ? { DATABASE_URL: databaseUrl } : {},
  });
}
