// Shared by the runner integration suites: scratch projects and databases, and what the database holds.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { AlembicRunner, type OutputLine, type RunnerOptions } from '../../runtime/alembic/runner';
import { runGuardsFor } from '../../runtime/db/runGuards';
import type { SessionReaper } from '../../runtime/db/sessionReaper';
import { copyFixture } from '../support/paths';
import { withClient } from '../support/pg';
import { testPython } from '../support/python';

export interface Project {
  dir: string;
  ini: string;
  versionsDir: string;
  remove(): void;
}

/** A scratch copy of a runner fixture (Alembic writes __pycache__ and new revisions into it). */
export function project(fixture: string): Project {
  const dir = copyFixture(fixture);
  return {
    dir, ini: path.join(dir, 'alembic.ini'), versionsDir: path.join(dir, 'migrations', 'versions'),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

export interface Captured {
  lines: OutputLine[];
  sink: (l: OutputLine) => void;
  text(): string;
}

export function capture(): Captured {
  const lines: OutputLine[] = [];
  return { lines, sink: (l) => lines.push(l), text: () => lines.map((l) => `${l.stream}: ${l.text}`).join('\n') };
}

export function runnerFor(p: Project, databaseUrl: string | undefined, opts: Partial<RunnerOptions> = {}): AlembicRunner {
  return new AlembicRunner({ python: testPython(), iniPath: p.ini, databaseUrl, ...opts });
}

/** The session clean-up the editor gives its runs, for a database URL. */
export function reaperFor(url: string): SessionReaper {
  const reaper = runGuardsFor(url).reapSessions;
  if (!reaper) throw new Error(`no session reaper for ${url}`);
  return reaper;
}

/** The rows of alembic_version, sorted; undefined when the table does not exist. */
export async function versions(url: string): Promise<string[] | undefined> {
  return withClient(url, async (c) => {
    const exists = await c.query("SELECT to_regclass('public.alembic_version') IS NOT NULL AS e");
    if (!exists.rows[0]?.e) return undefined;
    const r = await c.query<{ version_num: string }>('SELECT version_num FROM alembic_version ORDER BY 1');
    return r.rows.map((row) => row.version_num);
  });
}

/** Tables in the public schema other than alembic_version, sorted. */
export async function tables(url: string): Promise<string[]> {
  return withClient(url, async (c) => {
    const r = await c.query<{ t: string }>(
      "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version' ORDER BY 1");
    return r.rows.map((row) => row.t);
  });
}

export async function columns(url: string, table: string): Promise<string[]> {
  return withClient(url, async (c) => {
    const r = await c.query<{ c: string }>(
      "SELECT column_name AS c FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position", [table]);
    return r.rows.map((row) => row.c);
  });
}

/** Runs psql with the script on stdin, stopping at the first error. */
export function psql(url: string, script: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('psql', [url, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', '-'], { input: script, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? '') };
}

/** Polls `check` until it returns a value other than undefined, or throws after the deadline. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Backends on the database other than the caller's, with their query. */
export async function otherSessions(serverUrl: string, database: string): Promise<{ pid: number; query: string; application_name: string }[]> {
  return withClient(serverUrl, async (c) => (await c.query<{ pid: number; query: string; application_name: string }>(
    `SELECT pid, query, application_name FROM pg_stat_activity
      WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'`, [database])).rows);
}

/** A TCP port on 127.0.0.1 with nothing listening (taken and released). */
export async function closedPort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** The 1-based line of the first line of a file containing `needle`. */
export function lineOf(file: string, needle: string): number {
  const i = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`${needle} not in ${file}`);
  return i + 1;
}
