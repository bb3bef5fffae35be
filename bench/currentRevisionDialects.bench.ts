// The current revision of a SQLite file and of a MySQL/MariaDB database, read directly by the extension
// (sql.js over the file; mysql2), beside `python -m alembic current` and the extension's own fallback (the
// same `alembic current` through the runner, as for dialects without a reader), on the same database, which
// the real Alembic brought to a revision of the dialects fixture. PostgreSQL's figures are currentRevision's.
// MariaDB: ALEMBIC_TEST_MARIADB_URL when set, else a throwaway server of its own (scripts/mariadb-throwaway.sh);
// when neither is possible the MySQL line says why and the SQLite figures still stand.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { readViaAlembic } from '../runtime/db/alembicCurrent';
import { readDatabaseStateFromUrl } from '../runtime/db/databaseState';
import { createScratchMariadb } from '../test/support/mariadb';
import { copyFixture, repoRoot } from '../test/support/paths';
import { testPython } from '../test/support/python';
import { alembic, median } from './alembicTiming';

const OURS_RUNS = 20;
const ALEMBIC_RUNS = 5;
const EXPECTED = 'b2c3d4e5f6a7';



async function direct(url: string, project: string): Promise<number> {
  const started = performance.now();
  const state = await readDatabaseStateFromUrl(url, { timeoutMs: 5000, env: {}, baseDir: project });
  const ms = performance.now() - started;
  if (!state.ok) throw new Error(`reading the database state failed: ${state.problem.message}`);
  if (state.currentRevisions.join() !== EXPECTED) throw new Error(`read ${state.currentRevisions.join()} instead of ${EXPECTED}`);
  return ms;
}

async function fallback(url: string, project: string): Promise<number> {
  const r = await readViaAlembic(url, { python: testPython(), iniPath: path.join(project, 'alembic.ini') }, { timeoutMs: 60_000, label: 'bench' });
  if (!r.ok) throw new Error(`the alembic current fallback failed: ${r.problem.message}`);
  if (r.revisions.join() !== EXPECTED) throw new Error(`the fallback read ${r.revisions.join()} instead of ${EXPECTED}`);
  return r.durationMs;
}

async function measure(name: string, url: string, project: string): Promise<void> {
  alembic(project, url, ['upgrade', EXPECTED]);
  const cold = await direct(url, project);
  const check = alembic(project, url, ['current']).stdout.trim();
  if (!check.startsWith(EXPECTED)) throw new Error(`alembic current printed "${check}", expected ${EXPECTED}`);
  const ours: number[] = [];
  for (let i = 0; i < OURS_RUNS; i++) ours.push(await direct(url, project));
  const theirs: number[] = [];
  for (let i = 0; i < ALEMBIC_RUNS; i++) theirs.push(alembic(project, url, ['current']).ms);
  const viaRunner: number[] = [];
  for (let i = 0; i < ALEMBIC_RUNS; i++) viaRunner.push(await fallback(url, project));
  const ourMedian = median(ours);
  const theirMedian = median(theirs);
  console.log(`${name}: direct read, first (loads the reader) ${cold.toFixed(1)} ms, median of ${OURS_RUNS}: ${ourMedian.toFixed(1)} ms`);
  console.log(`${name}: ${testPython()} -m alembic current, median of ${ALEMBIC_RUNS}: ${theirMedian.toFixed(1)} ms`);
  console.log(`${name}: the extension's fallback (alembic current through the runner), median of ${ALEMBIC_RUNS}: ${median(viaRunner).toFixed(1)} ms`);
  console.log(`${name}: direct read ${(theirMedian / ourMedian).toFixed(1)}x faster than alembic current`);
  if (ourMedian >= theirMedian) throw new Error(`${name}: the direct read (${ourMedian.toFixed(1)} ms) is not faster than alembic current (${theirMedian.toFixed(1)} ms)`);
}

export async function run(): Promise<void> {
  const sqliteProject = copyFixture('dialects');
  try {
    await measure('sqlite', 'sqlite:///data/app.db', sqliteProject);
  } finally {
    fs.rmSync(sqliteProject, { recursive: true, force: true });
  }

  let ownServer: string | undefined;
  if (!process.env.ALEMBIC_TEST_MARIADB_URL) {
    const r = spawnSync('bash', [path.join(repoRoot, 'scripts', 'mariadb-throwaway.sh'), 'start'], { encoding: 'utf8' });
    if (r.status !== 0) {
      console.log(`mysql: skipped, no MariaDB server: scripts/mariadb-throwaway.sh start failed: ${(r.stderr || String(r.error)).trim().split('\n').pop()}`);
      return;
    }
    const vars = Object.fromEntries(r.stdout.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    ownServer = vars.MARIADB_DIR;
    process.env.ALEMBIC_TEST_MARIADB_URL = vars.MARIADB_URL;
  }
  const mysqlProject = copyFixture('dialects');
  try {
    const db = await createScratchMariadb('bench_current');
    try {
      await measure('mysql (MariaDB)', db.url, mysqlProject);
    } finally {
      await db.drop().catch(() => undefined);
    }
  } finally {
    fs.rmSync(mysqlProject, { recursive: true, force: true });
    if (ownServer) {
      spawnSync('bash', [path.join(repoRoot, 'scripts', 'mariadb-throwaway.sh'), 'stop', ownServer]);
      delete process.env.ALEMBIC_TEST_MARIADB_URL;
    }
  }
}
