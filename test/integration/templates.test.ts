// Every migration template, rendered into a scratch copy of test/fixtures/templates-base, applied and
// rolled back through the real Alembic against a real PostgreSQL: the schema after the downgrade must
// equal the schema before the upgrade (except where PostgreSQL itself cannot undo, which the
// template says), and the upgrade must do what the template promises.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { diffSnapshots } from '../../runtime/db/schemaDiff';
import { takeSnapshot, type SchemaSnapshot } from '../../runtime/db/snapshot';
import {
  createRevisionFromTemplate, loadTemplateLibrary, type Answer, type CreatedRevision, type MigrationTemplate,
} from '../../server/src/core/templates';
import { copyFixture, repoRoot } from '../support/paths';
import { createScratchDatabase, testServerUrl, withClient, type ScratchDatabase } from '../support/pg';
import { runAlembic, runPython, type PythonResult } from '../support/python';

const libraryDir = path.join(repoRoot, 'migrations-templates');
const library = loadTemplateLibrary(fs.readFileSync(path.join(libraryDir, 'manifest.json'), 'utf8'),
  (f) => fs.readFileSync(path.join(libraryDir, f), 'utf8'));
const template = (id: string): MigrationTemplate => {
  const t = library.find((x) => x.id === id);
  assert.ok(t, id);
  return t;
};
const BASE = '0001_base';

function ok(r: PythonResult, what: string): string {
  assert.equal(r.status, 0, `${what} exited ${r.status}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  return r.stdout;
}

/** A scratch project at the base revision, on its own database. */
class Scenario {
  readonly ini: string;
  readonly versions: string;
  private constructor(readonly project: string, readonly db: ScratchDatabase) {
    this.ini = path.join(project, 'alembic.ini');
    this.versions = path.join(project, 'migrations', 'versions');
  }

  /** On a copy of `base` (a database already at the base revision): CREATE DATABASE ... TEMPLATE is fast. */
  static async start(base: ScratchDatabase): Promise<Scenario> {
    return new Scenario(copyFixture('templates-base'), await cloneDatabase(base));
  }

  alembic(args: string[], what = `alembic ${args.join(' ')}`): string {
    return ok(runAlembic(this.ini, args, this.db.url), what);
  }

  alembicRaw(args: string[]): PythonResult {
    return runAlembic(this.ini, args, this.db.url);
  }

  /** Renders a template as the command would and writes the file into the versions folder. */
  write(id: string, answers: Record<string, Answer>, heads: string[] = [BASE], edit?: (r: CreatedRevision) => string): CreatedRevision {
    const r = createRevisionFromTemplate({ template: template(id), answers, project: { versionLocation: this.versions }, heads, now: new Date() });
    assert.equal(path.dirname(r.path), this.versions);
    fs.writeFileSync(r.path, edit ? edit(r) : r.text);
    return r;
  }

  snapshot(): Promise<SchemaSnapshot> {
    return withClient(this.db.url, (c) => takeSnapshot(c));
  }

  versionRows(): Promise<string[]> {
    return this.query<{ version_num: string }>('SELECT version_num FROM alembic_version ORDER BY 1').then((rows) => rows.map((r) => r.version_num));
  }

  query<T extends object>(sql: string, params: unknown[] = []): Promise<T[]> {
    return withClient(this.db.url, async (c) => (await c.query<T & Record<string, unknown>>(sql, params)).rows);
  }

  async end(): Promise<void> {
    await this.db.drop();
    fs.rmSync(this.project, { recursive: true, force: true });
  }
}

/** Upgrade to the new revision, run `check`, downgrade one step; returns the snapshots. */
async function roundTrip(s: Scenario, r: CreatedRevision, check: () => Promise<void>):
  Promise<{ before: SchemaSnapshot; after: SchemaSnapshot }> {
  const before = await s.snapshot();
  s.alembic(['upgrade', 'head']);
  assert.deepEqual(await s.versionRows(), [r.revision]);
  await check();
  s.alembic(['downgrade', '-1']);
  assert.deepEqual(await s.versionRows(), [BASE]);
  return { before, after: await s.snapshot() };
}

async function cloneDatabase(base: ScratchDatabase): Promise<ScratchDatabase> {
  const server = new URL(testServerUrl());
  const name = `${base.name}_${Math.random().toString(16).slice(2, 10)}`;
  await withClient(server.toString(), (c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${base.name}"`));
  const url = new URL(server.toString());
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      await withClient(server.toString(), (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

const columnOf = (snap: SchemaSnapshot, table: string, column: string) =>
  snap.tables.find((t) => t.name === table)?.columns.find((c) => c.name === column);

describe('migration templates against the real Alembic and PostgreSQL', function () {
  this.timeout(60_000);
  let base: ScratchDatabase | undefined;
  let s: Scenario | undefined;
  const start = async (): Promise<Scenario> => {
    assert.ok(base, 'the base database');
    s = await Scenario.start(base);
    return s;
  };
  before(async () => {
    base = await createScratchDatabase('tmplbase');
    const project = copyFixture('templates-base');
    try {
      ok(runAlembic(path.join(project, 'alembic.ini'), ['upgrade', 'head'], base.url), 'upgrade the base database');
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });
  after(async () => {
    await base?.drop();
  });
  afterEach(async () => {
    await s?.end();
    s = undefined;
  });

  it('every template compiles with Python, and a chain of them renders offline (--sql) both ways', async () => {
    s = await start();
    const chain: [string, Record<string, Answer>][] = [
      ['create-table', { table: 'projects', column: 'title' }],
      ['add-column', { table: 'users', column: 'nickname', backfill_sql: "'anonymous'" }],
      ['enum', { enum_name: 'user_role', enum_values: 'admin, client', table: 'users', column: 'role' }],
      ['enum-add-value', { enum_name: 'user_status', new_value: 'archived' }],
      ['data-migration', { table: 'users', source_column: 'email', target_column: 'normalized_email' }],
      ['concurrent-index', { table: 'users', column: 'email' }],
      ['empty', { message: 'to be written' }],
    ];
    let head = BASE;
    const written = chain.map(([id, answers]) => {
      const r = s!.write(id, answers, [head]);
      head = r.revision;
      return r;
    });
    // The merge is compiled on its own (it needs two heads, this chain has one).
    const merge = createRevisionFromTemplate({ template: template('merge'), answers: {}, project: { versionLocation: s.project }, heads: ['a', 'b'], now: new Date() });
    fs.writeFileSync(merge.path, merge.text);
    assert.equal(chain.length + 1, library.length, 'the chain and the merge cover every template');
    ok(runPython(undefined, ['-m', 'py_compile', ...written.map((r) => r.path), merge.path]), 'py_compile');

    const up = s.alembic(['upgrade', `${BASE}:head`, '--sql'], 'offline upgrade');
    for (const r of written) assert.match(up, new RegExp(`UPDATE alembic_version SET version_num='${r.revision}'`));
    assert.match(up, /CREATE TABLE projects \(/);
    assert.match(up, /CREATE INDEX ix_projects_title ON projects \(title\);/);
    assert.match(up, /ALTER TABLE users ADD COLUMN nickname VARCHAR\(255\);\s*UPDATE users SET nickname='anonymous' WHERE users.nickname IS NULL;\s*ALTER TABLE users ALTER COLUMN nickname SET NOT NULL;/);
    assert.match(up, /CREATE TYPE user_role AS ENUM \('admin', 'client'\);/);
    assert.match(up, /COMMIT;\s*ALTER TYPE "user_status" ADD VALUE IF NOT EXISTS 'archived';/);
    assert.match(up, /UPDATE users SET normalized_email=users.email;/);
    assert.match(up, /COMMIT;\s*CREATE INDEX CONCURRENTLY ix_users_email ON users \(email\);/);

    const concurrent = written[5];
    assert.ok(concurrent);
    const down = s.alembic(['downgrade', `${concurrent.revision}:${BASE}`, '--sql'], 'offline downgrade');
    const order = ['DROP INDEX CONCURRENTLY ix_users_email;', 'UPDATE users SET normalized_email=NULL;',
      'ALTER TABLE users DROP COLUMN role;', 'DROP TYPE user_role;', 'ALTER TABLE users DROP COLUMN nickname;',
      'DROP INDEX ix_projects_title;', 'DROP TABLE projects;'].map((stmt) => down.indexOf(stmt));
    assert.ok(order.every((at, i) => at >= 0 && (i === 0 || at > (order[i - 1] ?? 0))), `${JSON.stringify(order)}\n${down}`);
  });

  it('empty: applies as a no-op; its downgrade refuses with NotImplementedError and leaves the version alone', async () => {
    s = await start();
    const r = s.write('empty', { message: 'nothing yet' });
    const before = await s.snapshot();
    s.alembic(['upgrade', 'head']);
    assert.deepEqual(diffSnapshots(before, await s.snapshot()), []);
    const down = s.alembicRaw(['downgrade', '-1']);
    assert.notEqual(down.status, 0);
    assert.match(down.stderr, new RegExp(`NotImplementedError: downgrade of ${r.revision} is not written yet`));
    assert.deepEqual(await s.versionRows(), [r.revision]);
  });

  it('create-table: creates the table, its primary key, timestamps and index; the downgrade removes exactly that', async () => {
    s = await start();
    const scenario = s;
    const r = s.write('create-table', { table: 'projects', column: 'title', column_type: 'sa.String(120)' });
    const { before, after } = await roundTrip(s, r, async () => {
      const snap = await scenario.snapshot();
      assert.equal(columnOf(snap, 'projects', 'title')?.type, 'character varying(120)');
      assert.equal(columnOf(snap, 'projects', 'title')?.notNull, true);
      assert.equal(columnOf(snap, 'projects', 'id')?.type, 'bigint');
      for (const c of ['created_at', 'updated_at']) {
        assert.equal(columnOf(snap, 'projects', c)?.type, 'timestamp with time zone');
        assert.equal(columnOf(snap, 'projects', c)?.default, 'now()');
      }
      assert.ok(snap.constraints.some((c) => c.table === 'projects' && c.type === 'primary key' && c.definition === 'PRIMARY KEY (id)'));
      assert.ok(snap.indexes.some((i) => i.name === 'ix_projects_title' && /btree \(title\)/.test(i.definition)));
      const [row] = await scenario.query<{ ok: boolean }>(
        "INSERT INTO projects (title) VALUES ('x') RETURNING id = 1 AND created_at IS NOT NULL AND updated_at = created_at AS ok");
      assert.equal(row?.ok, true);
    });
    assert.deepEqual(diffSnapshots(before, after), []);
  });

  it('add-column: existing rows are backfilled and the column ends NOT NULL; the downgrade drops it', async () => {
    s = await start();
    const scenario = s;
    await s.query("INSERT INTO users (email) SELECT 'u' || g || '@x.org' FROM generate_series(1, 5) g");
    const r = s.write('add-column', { table: 'users', column: 'nickname', column_type: 'sa.String(64)', backfill_sql: "'anonymous'" });
    const { before, after } = await roundTrip(s, r, async () => {
      const snap = await scenario.snapshot();
      assert.deepEqual(columnOf(snap, 'users', 'nickname'), { name: 'nickname', type: 'character varying(64)', notNull: true });
      const rows = await scenario.query<{ nickname: string; n: string }>('SELECT nickname, count(*) AS n FROM users GROUP BY 1');
      assert.deepEqual(rows, [{ nickname: 'anonymous', n: '5' }]);
    });
    assert.deepEqual(diffSnapshots(before, after), []);
  });

  it('enum: creates the type (tolerating one that exists: checkfirst) and the column; the downgrade drops both', async () => {
    s = await start();
    const scenario = s;
    const r = s.write('enum', { enum_name: 'user_role', enum_values: 'admin, client, free-lancer', table: 'users', column: 'role' });
    const { before, after } = await roundTrip(s, r, async () => {
      const snap = await scenario.snapshot();
      assert.deepEqual(snap.enums.find((e) => e.name === 'user_role')?.labels, ['admin', 'client', 'free-lancer']);
      assert.equal(columnOf(snap, 'users', 'role')?.type, 'public.user_role');
      assert.equal(columnOf(snap, 'users', 'role')?.notNull, false);
    });
    assert.deepEqual(diffSnapshots(before, after), []);
    // checkfirst=True: a type left behind by someone else does not break the upgrade.
    await s.query("CREATE TYPE user_role AS ENUM ('admin', 'client', 'free-lancer')");
    s.alembic(['upgrade', 'head'], 'upgrade over an existing type');
    s.alembic(['downgrade', '-1']);
    assert.deepEqual(diffSnapshots(before, await s.snapshot()), []);
  });

  it('enum-add-value: the value is added (and usable at once); the downgrade keeps it, as the template says', async () => {
    s = await start();
    const scenario = s;
    const r = s.write('enum-add-value', { enum_name: 'user_status', new_value: 'on hold' });
    const { before, after } = await roundTrip(s, r, async () => {
      const snap = await scenario.snapshot();
      assert.deepEqual(snap.enums.find((e) => e.name === 'user_status')?.labels, ['active', 'disabled', 'on hold']);
      await scenario.query("INSERT INTO users (email, status) VALUES ('a@x.org', 'on hold')");
    });
    // The only difference PostgreSQL cannot undo: the label stays.
    const diff = diffSnapshots(before, after);
    assert.equal(diff.length, 1, JSON.stringify(diff));
    assert.equal(diff[0]?.kind, 'enum');
    assert.deepEqual(after.enums.find((e) => e.name === 'user_status')?.labels, ['active', 'disabled', 'on hold']);
    // Running the upgrade again over the kept value is harmless (IF NOT EXISTS).
    s.alembic(['upgrade', 'head'], 'upgrade again');
  });

  it('data-migration: every row is updated in primary-key batches, with the expression typed at the cursor; the downgrade resets it', async () => {
    s = await start();
    const scenario = s;
    // 2,255 rows with gaps in the ids, so that batches of 1,000 keys span uneven ranges.
    await s.query("INSERT INTO users (email) SELECT 'User' || g || '@Example.ORG' FROM generate_series(1, 2600) g");
    await s.query('DELETE FROM users WHERE id % 10 = 3 OR id BETWEEN 1500 AND 1594');
    const [{ n: total } = { n: '0' }] = await s.query<{ n: string }>('SELECT count(*) AS n FROM users');
    const r = s.write('data-migration', { table: 'users', source_column: 'email', target_column: 'normalized_email' }, [BASE], (created) => {
      // What a user does next: replace the expression at the cursor.
      const lines = created.text.split('\n');
      const line = lines[created.cursor.line] ?? '';
      const at = created.cursor.character;
      assert.ok(line.slice(at).startsWith('rows.c["email"]'), line);
      lines[created.cursor.line] = line.slice(0, at) + 'sa.func.lower(rows.c["email"])' + line.slice(at + 'rows.c["email"]'.length);
      return lines.join('\n');
    });
    const { before, after } = await roundTrip(s, r, async () => {
      const rows = await scenario.query<{ done: string; wrong: string }>(
        'SELECT count(*) FILTER (WHERE normalized_email = lower(email)) AS done, count(*) FILTER (WHERE normalized_email IS DISTINCT FROM lower(email)) AS wrong FROM users');
      assert.deepEqual(rows, [{ done: total, wrong: '0' }]);
    });
    assert.equal(total, '2255');
    assert.deepEqual(diffSnapshots(before, after), []);
    const [left] = await s.query<{ n: string }>('SELECT count(*) AS n FROM users WHERE normalized_email IS NOT NULL');
    assert.equal(left?.n, '0');
  });

  it('concurrent-index: a valid index built concurrently; the downgrade drops it concurrently', async () => {
    s = await start();
    const scenario = s;
    const r = s.write('concurrent-index', { table: 'users', column: 'email' });
    const { before, after } = await roundTrip(s, r, async () => {
      const rows = await scenario.query<{ indisvalid: boolean }>(
        "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'ix_users_email'");
      assert.deepEqual(rows, [{ indisvalid: true }]);
    });
    assert.deepEqual(diffSnapshots(before, after), []);
  });

  it('merge: joins two branch heads into one; downgrading to a branch undoes only the merge', async () => {
    s = await start();
    const a = s.write('create-table', { table: 'branch_a', column: 'name' });
    const b = s.write('create-table', { table: 'branch_b', column: 'name' });
    s.alembic(['upgrade', 'heads']);
    const before = await s.snapshot();
    const m = s.write('merge', {}, [a.revision, b.revision]);
    assert.deepEqual(m.downRevision, [a.revision, b.revision]);
    s.alembic(['upgrade', 'head']);
    assert.deepEqual(await s.versionRows(), [m.revision]);
    assert.deepEqual(diffSnapshots(before, await s.snapshot()), []);
    s.alembic(['downgrade', a.revision]);
    assert.deepEqual(await s.versionRows(), [a.revision, b.revision].sort());
    assert.deepEqual(diffSnapshots(before, await s.snapshot()), []);
  });
});
