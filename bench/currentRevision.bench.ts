// Reading the current revision with the extension's own code (a connection and a query) against
// `python -m alembic current` (a Python start-up, imports, then the same query), on the same
// database, which real Alembic brought to a revision of the db-linear fixture.
// Uses ALEMBIC_TEST_PG_URL when set; otherwise starts (and removes) its own throwaway PostgreSQL.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { readDatabaseStateFromUrl } from '../runtime/db/databaseState';
import { copyFixture, repoRoot } from '../test/support/paths';
import { createScratchDatabase } from '../test/support/pg';
import { testPython } from '../test/support/python';
import { alembic, median } from './alembicTiming';

const OURS_RUNS = 20;
const ALEMBIC_RUNS = 5;
const REQUIRED_RATIO = 10;
const EXPECTED = '2b3c4d5e6f02';



async function ourRead(url: string): Promise<number> {
  const started = performance.now();
  const state = await readDatabaseStateFromUrl(url, { timeoutMs: 5000, env: {} });
  const ms = performance.now() - started;
  if (!state.ok) throw new Error(`reading the database state failed: ${state.problem.message}`);
  if (state.currentRevisions.join() !== EXPECTED) throw new Error(`read ${state.currentRevisions.join()} instead of ${EXPECTED}`);
  return ms;
}

export async function run(): Promise<void> {
  let ownCluster: string | undefined;
  if (!process.env.ALEMBIC_TEST_PG_URL) {
    const r = spawnSync('bash', [path.join(repoRoot, 'scripts', 'pg-throwaway.sh'), 'start'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`could not start a throwaway PostgreSQL: ${r.stderr}`);
    const vars = Object.fromEntries(r.stdout.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    ownCluster = vars.PG_DIR;
    process.env.ALEMBIC_TEST_PG_URL = vars.PG_URL;
  }
  const project = copyFixture('db-linear');
  const db = await createScratchDatabase('bench_current');
  try {
    alembic(project, db.url, ['upgrade', '+2']);
    // One unmeasured run of each: both sides then start from warm caches.
    const check = alembic(project, db.url, ['current']).stdout.trim();
    if (!check.startsWith(EXPECTED)) throw new Error(`alembic current printed "${check}", expected ${EXPECTED}`);
    await ourRead(db.url);

    const ours: number[] = [];
    for (let i = 0; i < OURS_RUNS; i++) ours.push(await ourRead(db.url));
    const plain: number[] = [];
    const noTls = `${db.url}${db.url.includes('?') ? '&' : '?'}sslmode=disable`;
    for (let i = 0; i < OURS_RUNS; i++) plain.push(await ourRead(noTls));
    const theirs: number[] = [];
    for (let i = 0; i < ALEMBIC_RUNS; i++) theirs.push(alembic(project, db.url, ['current']).ms);

    const ourMedian = median(ours);
    const theirMedian = median(theirs);
    const ratio = theirMedian / ourMedian;
    console.log(`current revision, extension (connect + SELECT + close, sslmode=prefer falling back), median of ${OURS_RUNS}: ${ourMedian.toFixed(1)} ms`);
    console.log(`current revision, extension with sslmode=disable (one connection), median of ${OURS_RUNS}: ${median(plain).toFixed(1)} ms`);
    console.log(`current revision, ${testPython()} -m alembic current, median of ${ALEMBIC_RUNS}: ${theirMedian.toFixed(1)} ms`);
    console.log(`ratio: ${ratio.toFixed(1)}x faster (required: >= ${REQUIRED_RATIO}x)`);
    if (ratio < REQUIRED_RATIO) throw new Error(`reading the current revision is only ${ratio.toFixed(1)}x faster than alembic current`);
  } finally {
    await db.drop().catch(() => undefined);
    fs.rmSync(project, { recursive: true, force: true });
    if (ownCluster) {
      spawnSync('bash', [path.join(repoRoot, 'scripts', 'pg-throwaway.sh'), 'stop', ownCluster]);
      delete process.env.ALEMBIC_TEST_PG_URL;
    }
  }
}
