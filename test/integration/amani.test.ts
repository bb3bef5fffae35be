// The amani fixture (also the `npm start` demo project) against the real Alembic and a real PostgreSQL:
// it must upgrade to its merge head and downgrade to base cleanly, through both driver families, and
// render its SQL offline.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { copyFixture } from '../support/paths';
import { createScratchDatabase, withClient, type ScratchDatabase } from '../support/pg';
import { runAlembic, type PythonResult } from '../support/python';

const MERGE_HEAD = '005_merge_notifications';
const GUIDE_TABLES = [
  'users', 'projects', 'milestones', 'transactions', 'kyc', 'wallet_registry', 'wallet_balance_snapshot',
  'wallet_transaction_event', 'holds', 'ledger_entries', 'link_tokens',
];

function ok(r: PythonResult, what: string): string {
  assert.equal(r.status, 0, `alembic ${what} exited ${r.status}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  return r.stdout;
}

async function publicTables(url: string): Promise<string[]> {
  return withClient(url, async (c) => (await c.query<{ tablename: string }>(
    `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`)).rows.map((r) => r.tablename));
}

async function enumTypes(url: string): Promise<string[]> {
  return withClient(url, async (c) => (await c.query<{ typname: string }>(
    `SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE t.typtype = 'e' AND n.nspname = 'public' ORDER BY t.typname`)).rows.map((r) => r.typname));
}

async function versionRows(url: string): Promise<string[]> {
  return withClient(url, async (c) => (await c.query<{ version_num: string }>(
    'SELECT version_num FROM alembic_version ORDER BY version_num')).rows.map((r) => r.version_num));
}

/** The URL with another SQLAlchemy driver name (`postgresql+asyncpg`, ...). */
function withDriver(url: string, scheme: string): string {
  return url.replace(/^postgres(?:ql)?:/, `${scheme}:`);
}

describe('amani fixture with the real Alembic', function () {
  this.timeout(60_000);
  let project = '';
  let ini = '';
  let db: ScratchDatabase | undefined;

  before(() => {
    project = copyFixture('amani');
    ini = path.join(project, 'alembic.ini');
  });
  after(() => {
    if (project) fs.rmSync(project, { recursive: true, force: true });
  });
  beforeEach(async () => {
    db = await createScratchDatabase('amani');
  });
  afterEach(async () => {
    await db?.drop();
    db = undefined;
  });

  function scratch(): ScratchDatabase {
    assert.ok(db, 'no scratch database');
    return db;
  }

  it('has a single head, the merge revision', () => {
    const out = ok(runAlembic(ini, ['heads']), 'heads');
    const heads = out.trim().split('\n').filter((l) => l.trim() !== '');
    assert.equal(heads.length, 1, `expected one head, got:\n${out}`);
    assert.match(heads[0] ?? '', new RegExp(`^${MERGE_HEAD} `));
  });

  it('upgrades to head, then downgrades to base leaving no tables and no enum types (psycopg2 URL)', async () => {
    const { url } = scratch();
    ok(runAlembic(ini, ['upgrade', 'head'], url), 'upgrade head');
    assert.deepEqual(await versionRows(url), [MERGE_HEAD]);
    const tables = await publicTables(url);
    for (const t of GUIDE_TABLES) assert.ok(tables.includes(t), `table ${t} missing after upgrade; have ${tables.join(', ')}`);
    assert.ok((await enumTypes(url)).includes('userrole'), 'enum userrole missing after upgrade');
    assert.match(ok(runAlembic(ini, ['current'], url), 'current'), new RegExp(`^${MERGE_HEAD} \\(head\\)`, 'm'));

    ok(runAlembic(ini, ['downgrade', 'base'], url), 'downgrade base');
    // Alembic keeps its (now empty) version table at base.
    assert.deepEqual(await publicTables(url), ['alembic_version']);
    assert.deepEqual(await versionRows(url), []);
    assert.deepEqual(await enumTypes(url), []);
  });

  it('upgrades and downgrades through an async postgresql+asyncpg:// URL', async () => {
    const url = scratch().url;
    const asyncUrl = withDriver(url, 'postgresql+asyncpg');
    ok(runAlembic(ini, ['upgrade', 'head'], asyncUrl), 'upgrade head (asyncpg)');
    assert.deepEqual(await versionRows(url), [MERGE_HEAD]);
    assert.equal((await publicTables(url)).filter((t) => GUIDE_TABLES.includes(t)).length, GUIDE_TABLES.length);
    // concurrent indexes ran in autocommit blocks on the async connection too
    const indexes = await withClient(url, async (c) => (await c.query<{ indexname: string }>(
      `SELECT indexname FROM pg_indexes WHERE schemaname = 'public'`)).rows.map((r) => r.indexname));
    assert.ok(indexes.includes('ix_milestones_project_status'), `indexes: ${indexes.join(', ')}`);
    assert.ok(indexes.includes('ix_users_normalized_email'), `indexes: ${indexes.join(', ')}`);

    ok(runAlembic(ini, ['downgrade', 'base'], asyncUrl), 'downgrade base (asyncpg)');
    assert.deepEqual(await publicTables(url), ['alembic_version']);
    assert.deepEqual(await enumTypes(url), []);
  });

  it('downgrades to the branch point, then applies the two branches separately and merges them', async () => {
    const { url } = scratch();
    ok(runAlembic(ini, ['upgrade', 'head'], url), 'upgrade head');
    ok(runAlembic(ini, ['downgrade', '002_user_phone'], url), 'downgrade 002_user_phone');
    assert.deepEqual(await versionRows(url), ['002_user_phone']);
    const tables = await publicTables(url);
    assert.ok(!tables.includes('notifications'), 'notifications survived the downgrade');
    assert.ok(!(await enumTypes(url)).includes('notificationchannel'), 'enum notificationchannel survived');
    // one branch at a time: the version table then holds one row per applied branch head
    ok(runAlembic(ini, ['upgrade', '003_notifications'], url), 'upgrade 003_notifications');
    ok(runAlembic(ini, ['upgrade', '004_normalized_email'], url), 'upgrade 004_normalized_email');
    assert.deepEqual(await versionRows(url), ['003_notifications', '004_normalized_email']);
    ok(runAlembic(ini, ['upgrade', 'head'], url), 'upgrade head (merge)');
    assert.deepEqual(await versionRows(url), [MERGE_HEAD]);
  });

  it('renders `upgrade head --sql` offline without a database, and that SQL builds the same schema', async () => {
    // No DATABASE_URL: env.py falls back to the placeholder in alembic.ini, which only names the dialect.
    const r = runAlembic(ini, ['upgrade', 'head', '--sql']);
    const sql = ok(r, 'upgrade head --sql');
    assert.match(sql, /CREATE TYPE userrole AS ENUM/);
    assert.match(sql, /CREATE INDEX CONCURRENTLY ix_milestones_project_status/);
    assert.match(sql, new RegExp(`UPDATE alembic_version SET version_num='${MERGE_HEAD}'`));

    // Apply it statement by statement (CONCURRENTLY refuses to run inside a multi-statement string).
    const { url } = scratch();
    const statements = sql.split(/;\s*\n/).map((s) => s.replace(/^--.*$/gm, '').trim()).filter((s) => s !== '');
    await withClient(url, async (c) => {
      for (const s of statements) await c.query(s);
    });
    assert.deepEqual(await versionRows(url), [MERGE_HEAD]);
    const tables = await publicTables(url);
    for (const t of GUIDE_TABLES) assert.ok(tables.includes(t), `table ${t} missing after offline SQL`);
  });
});
