// The database state (version table → applied / pending / current) against the real throwaway
// PostgreSQL, for linear, branched and merged histories, custom version tables, and once with the
// real Alembic writing the table.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { computeAppliedState, type GraphNode } from '../../server/src/core/graph/appliedState';
import { readDatabaseStateFromUrl, type DatabaseState } from '../../runtime/db/databaseState';
import type { VersionTableName } from '../../runtime/db/versionTable';
import { copyFixture } from '../support/paths';
import { createScratchDatabase, withClient, type ScratchDatabase } from '../support/pg';
import { runPython, type PythonResult } from '../support/python';

function node(revision: string, parents: string[] = [], dependencies: string[] = []): GraphNode {
  return { revision, parents, dependencies };
}

// History order, newest first. linear: c -> b -> a. branched: m merges b2 and c1, both off a.
const LINEAR = [node('cccc00000003', ['bbbb00000002']), node('bbbb00000002', ['aaaa00000001']), node('aaaa00000001')];
const BRANCHED = [
  node('mmmm0000000m', ['bbbb0000000b', 'cccc0000000c']),
  node('bbbb0000000b', ['aaaa0000000a']),
  node('cccc0000000c', ['aaaa0000000a']),
  node('aaaa0000000a'),
];

async function createVersionTable(url: string, rows: string[], name: VersionTableName = {}): Promise<void> {
  const q = (id: string): string => `"${id.split('"').join('""')}"`;
  const table = `${name.schema ? `${q(name.schema)}.` : ''}${q(name.table ?? 'alembic_version')}`;
  await withClient(url, async (c) => {
    if (name.schema) await c.query(`CREATE SCHEMA IF NOT EXISTS ${q(name.schema)}`);
    // The same shape Alembic creates.
    await c.query(`CREATE TABLE ${table} (version_num varchar(32) NOT NULL, CONSTRAINT pk_${Math.random().toString(36).slice(2, 8)} PRIMARY KEY (version_num))`);
    for (const row of rows) await c.query(`INSERT INTO ${table} (version_num) VALUES ($1)`, [row]);
  });
}

function ok(r: DatabaseState): Extract<DatabaseState, { ok: true }> {
  assert.ok(r.ok, `expected a state: ${JSON.stringify(r)}`);
  if (!r.ok) throw new Error('unreachable');
  return r;
}

describe('db: database state against the real PostgreSQL', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;

  beforeEach(async () => {
    db = await createScratchDatabase('dbstate');
  });
  afterEach(async () => {
    await db?.drop();
  });

  async function read(name?: VersionTableName): Promise<Extract<DatabaseState, { ok: true }>> {
    return ok(await readDatabaseStateFromUrl(db.url, { timeoutMs: 5000, env: {}, ...(name ? { versionTable: name } : {}) }));
  }

  it('an empty database (no version table) is at base: everything pending', async () => {
    const r = await read();
    assert.deepEqual(r.currentRevisions, []);
    assert.equal(r.versionTableExists, false);
    assert.equal(r.versionTable, '"alembic_version"');
    const s = computeAppliedState(LINEAR, r.currentRevisions);
    assert.equal(s.atBase, true);
    assert.equal(s.pendingCount, 3);
  });

  it('an empty version table is at base too', async () => {
    await createVersionTable(db.url, []);
    const r = await read();
    assert.deepEqual(r.currentRevisions, []);
    assert.equal(r.versionTableExists, true);
  });

  it('partially applied (linear)', async () => {
    await createVersionTable(db.url, ['bbbb00000002']);
    const s = computeAppliedState(LINEAR, (await read()).currentRevisions);
    assert.deepEqual(Object.fromEntries(s.status), { cccc00000003: 'pending', bbbb00000002: 'current', aaaa00000001: 'applied' });
    assert.equal(s.pendingCount, 1);
  });

  it('at head (linear)', async () => {
    await createVersionTable(db.url, ['cccc00000003']);
    const s = computeAppliedState(LINEAR, (await read()).currentRevisions);
    assert.equal(s.atHead, true);
    assert.equal(s.pendingCount, 0);
  });

  it('several heads applied (branched): two rows, both current, the merge pending', async () => {
    await createVersionTable(db.url, ['cccc0000000c', 'bbbb0000000b']);
    const r = await read();
    assert.deepEqual(r.currentRevisions, ['bbbb0000000b', 'cccc0000000c']);
    const s = computeAppliedState(BRANCHED, r.currentRevisions);
    assert.deepEqual(s.current, ['bbbb0000000b', 'cccc0000000c']);
    assert.deepEqual(s.pending, ['mmmm0000000m']);
  });

  it('one branch applied (branched): the other branch and the merge pending', async () => {
    await createVersionTable(db.url, ['bbbb0000000b']);
    const s = computeAppliedState(BRANCHED, (await read()).currentRevisions);
    assert.deepEqual(s.pending, ['mmmm0000000m', 'cccc0000000c']);
  });

  it('at the merge head (merged): everything applied', async () => {
    await createVersionTable(db.url, ['mmmm0000000m']);
    const s = computeAppliedState(BRANCHED, (await read()).currentRevisions);
    assert.equal(s.atHead, true);
    assert.deepEqual([...s.applied].sort(), ['aaaa0000000a', 'bbbb0000000b', 'cccc0000000c', 'mmmm0000000m']);
  });

  it('a revision in the table that no migration defines', async () => {
    await createVersionTable(db.url, ['5f2c0ffee999']);
    const s = computeAppliedState(LINEAR, (await read()).currentRevisions);
    assert.deepEqual(s.unknown, ['5f2c0ffee999']);
    assert.match(s.warnings.join(), /^The database is at 5f2c0ffee999, which no migration file defines\./);
    assert.equal(s.atHead, false);
  });

  it('a custom version table in a custom schema (quoted names), and the default name then reads as base', async () => {
    const name = { table: 'Schema Versions', schema: 'Audit "Log"' };
    await createVersionTable(db.url, ['bbbb00000002'], name);
    const r = await read(name);
    assert.deepEqual(r.currentRevisions, ['bbbb00000002']);
    assert.equal(r.versionTable, '"Audit ""Log"""."Schema Versions"');
    const plain = await read();
    assert.equal(plain.versionTableExists, false);
    const noSchema = await read({ table: 'Schema Versions', schema: 'not_there' });
    assert.equal(noSchema.versionTableExists, false, 'a schema that does not exist means base too');
  });

  it('a table of that name that is not a version table is reported', async () => {
    await withClient(db.url, (c) => c.query('CREATE TABLE alembic_version (id int)'));
    const r = await readDatabaseStateFromUrl(db.url, { timeoutMs: 5000, env: {} });
    assert.ok(!r.ok);
    if (r.ok) return;
    assert.equal(r.problem.kind, 'queryFailed');
    assert.equal(r.problem.message, 'The table "alembic_version" has no version_num column: it is not an Alembic version table. Check alembic.versionTable.');
  });

  describe('with the real Alembic (db-linear fixture)', () => {
    let project = '';
    before(() => {
      project = copyFixture('db-linear');
    });
    after(() => {
      if (project) fs.rmSync(project, { recursive: true, force: true });
    });

    function alembic(args: string[], extraEnv: Record<string, string> = {}): PythonResult {
      const r = runPython(undefined, ['-m', 'alembic', '-c', path.join(project, 'alembic.ini'), ...args], {
        cwd: project, env: { DATABASE_URL: db.url, ...extraEnv },
      });
      assert.equal(r.status, 0, `alembic ${args.join(' ')} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
      return r;
    }

    const FIXTURE = [node('3c4d5e6f7a03', ['2b3c4d5e6f02']), node('2b3c4d5e6f02', ['1a2b3c4d5e01']), node('1a2b3c4d5e01')];

    it('reads what `alembic upgrade` wrote and agrees with `alembic current`', async () => {
      alembic(['upgrade', '+2']);
      const r = await read();
      assert.deepEqual(r.currentRevisions, ['2b3c4d5e6f02']);
      assert.equal(alembic(['current']).stdout.trim().split(/\s+/)[0], '2b3c4d5e6f02');
      assert.equal(computeAppliedState(FIXTURE, r.currentRevisions).pendingCount, 1);
      alembic(['upgrade', 'head']);
      assert.equal(computeAppliedState(FIXTURE, (await read()).currentRevisions).atHead, true);
      alembic(['downgrade', 'base']);
      const base = await read();
      assert.deepEqual(base.currentRevisions, []);
      assert.equal(base.versionTableExists, true, 'Alembic keeps the empty table at base');
    });

    it('finds a custom version table and schema where Alembic put it', async () => {
      await withClient(db.url, (c) => c.query('CREATE SCHEMA migrations_meta'));
      const env = { ALEMBIC_VERSION_TABLE: 'my_versions', ALEMBIC_VERSION_TABLE_SCHEMA: 'migrations_meta' };
      alembic(['upgrade', '1a2b3c4d5e01'], env);
      assert.deepEqual((await read({ table: 'my_versions', schema: 'migrations_meta' })).currentRevisions, ['1a2b3c4d5e01']);
      assert.equal((await read()).versionTableExists, false);
    });
  });
});
