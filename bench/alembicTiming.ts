// Shared by the current-revision benches: the median, and one timed `python -m alembic` in a project.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { testPython } from '../test/support/python';

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** `python -m alembic -c <project>/alembic.ini <args>` with DATABASE_URL, timed; throws on a non-zero exit. */
export function alembic(project: string, url: string, args: string[]): { ms: number; stdout: string } {
  const started = performance.now();
  const r = spawnSync(testPython(), ['-m', 'alembic', '-c', path.join(project, 'alembic.ini'), ...args], {
    cwd: project, env: { ...process.env, DATABASE_URL: url, PYTHONDONTWRITEBYTECODE: '1' }, encoding: 'utf8',
  });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`alembic ${args.join(' ')} exited ${r.status}: ${r.stderr || r.error}`);
  return { ms, stdout: r.stdout };
}
