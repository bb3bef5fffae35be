// The applied state of a real SQLite file: created by the real Alembic (Python's sqlite3 under
// SQLAlchemy), read directly (sql.js over the file's bytes, never writing), and the same database asked
// through Alembic's own `current` (the fallback path): both must agree. Upgrades and downgrades run through
// the extension's runner, and the state read afterwards is what the tree shows.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { computeAppliedState } from '../../server/src/core/graph/appliedState';
import { readViaAlembic } from '../../runtime/db/alembicCurrent';
import { readDatabaseState, readDatabaseStateFromUrl, describeDatabaseState, type DatabaseState, type DatabaseStateOptions } from '../../runtime/db/databaseState';
import { runGuardsFor } from '../../runtime/db/runGuards';
import { upgrade, downgrade } from '../../runtime/alembic/commandArguments';
import { interpretRun } from '../../runtime/alembic/results';
import { AlembicRunner } from '../../runtime/alembic/runner';
import { A, B, C, LINEAR, ok } from '../support/dialects';
import { copyFixture } from '../support/paths';
import { runPython, testPython } from '../support/python';


/** `alembic <args>` in the project folder, the URL in DATABASE_URL (when given) and the version table's name. */
function alembic(dir: string, args: string[], env: Record<string, string> = {}): void {
  const r = runPython(undefined, ['-m', 'alembic', '-c', path.join(dir, 'alembic.ini'), ...args], { cwd: dir, env });
  assert.equal(r.status, 0, `alembic ${args.join(' ')} failed:\n${r.stderr}`);
}

/** SQL through Python's sqlite3 (the library Alembic used), committed. */
function sqlite(file: string, sql: string): void {
  const r = runPython('import sqlite3, sys\nc = sqlite3.connect(sys.argv[1])\nc.executescript(sys.argv[2])\nc.commit()\nc.close()', [file, sql]);
  assert.equal(r.status, 0, r.stderr);
}

describe('db: SQLite applied state from a real file (direct read and Alembic\'s own current)', function () {
  this.timeout(60_000);
  let dir: string;
  let file: string;
  const iniUrl = 'sqlite:///data/app.db';

  beforeEach(() => {
    dir = copyFixture('dialects');
    file = path.join(dir, 'data', 'app.db');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** The direct read of the ini's relative URL, resolved against the project folder as Alembic sees it. */
  async function read(opts: DatabaseStateOptions = {}, url = iniUrl): Promise<DatabaseState> {
    return readDatabaseStateFromUrl(url, { baseDir: dir, env: {}, ...opts });
  }

  /** Alembic's own answer for the same database. */
  async function viaAlembic(url = iniUrl, versionTable?: string): Promise<string[]> {
    const r = await readViaAlembic(url, {
      python: testPython(), iniPath: path.join(dir, 'alembic.ini'),
      env: { ...process.env, ...(versionTable ? { ALEMBIC_TEST_VERSION_TABLE: versionTable } : {}) },
    }, { timeoutMs: 30_000, label: 'SQLite' });
    assert.ok(r.ok, JSON.stringify(r));
    return r.ok ? r.revisions : [];
  }

  it('a missing file is its own problem, and the read does not create it', async () => {
    const r = await read();
    assert.ok(!r.ok);
    if (r.ok) return;
    assert.equal(r.problem.kind, 'databaseMissing');
    assert.equal(r.problem.message, `The SQLite file ${file} does not exist. Alembic creates it at the first upgrade (then every revision is pending); ` +
      'if it should exist, check the path in the URL (a relative path is relative to the folder of alembic.ini).');
    assert.equal(fs.existsSync(file), false, 'the read must never create the file');
  });

  it('an empty database (Alembic never ran) is at base, and Alembic agrees', async () => {
    sqlite(file, 'CREATE TABLE unrelated (x int);');
    const r = ok(await read());
    assert.deepEqual(r.currentRevisions, []);
    assert.equal(r.versionTableExists, false);
    assert.equal(r.dialect, 'SQLite');
    assert.equal(r.via, 'direct');
    assert.equal(r.endpoint, file);
    assert.match(r.notes.join('\n'), /The SQLite path "data\/app\.db" is relative: it is the file .*data\/app\.db, in the folder Alembic runs in\./);
    assert.equal(computeAppliedState(LINEAR, r.currentRevisions).pendingCount, 3);
    assert.deepEqual(await viaAlembic(), []);
    assert.equal(fs.existsSync(`${file}-journal`) || fs.existsSync(`${file}-wal`), false, 'nothing is written beside the file');
  });

  it('partly applied, then at head: the direct read and Alembic\'s current agree', async () => {
    alembic(dir, ['upgrade', B]);
    const before = fs.readFileSync(file);
    const partly = ok(await read());
    assert.deepEqual(partly.currentRevisions, [B]);
    assert.deepEqual(Object.fromEntries(computeAppliedState(LINEAR, partly.currentRevisions).status), { [C]: 'pending', [B]: 'current', [A]: 'applied' });
    assert.deepEqual(await viaAlembic(), [B]);
    assert.ok(fs.readFileSync(file).equals(before), 'the read leaves the file byte for byte as it was');
    assert.match(describeDatabaseState(partly, B), new RegExp(`^Read the SQLite file ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(last written by SQLite 3\\.\\d+\\.\\d+\\) in \\d+ ms; current revision: ${B}\\.$`));

    alembic(dir, ['upgrade', 'head']);
    const head = ok(await read());
    assert.deepEqual(head.currentRevisions, [C]);
    assert.equal(computeAppliedState(LINEAR, head.currentRevisions).atHead, true);
    assert.deepEqual(await viaAlembic(), [C]);
    // The same through the state the tree and "Test Database Connection" use.
    const asked = ok(await read({ via: 'alembic', alembic: async () => ({ python: testPython(), iniPath: path.join(dir, 'alembic.ini') }) }));
    assert.equal(asked.via, 'alembic');
    assert.deepEqual(asked.currentRevisions, head.currentRevisions);
    assert.match(describeDatabaseState(asked, C), new RegExp(`^Asked Alembic \\("alembic current" with the project's interpreter\\) about the SQLite database in \\d+ ms; current revision: ${C}\\.$`));
  });

  it('the URL chosen from alembic.ini: its relative path is the file in the ini\'s folder, whatever the current folder', async () => {
    alembic(dir, ['upgrade', A]);
    assert.notEqual(process.cwd(), dir);
    const r = ok(await readDatabaseState({ ini: { path: path.join(dir, 'alembic.ini'), url: iniUrl }, env: {} }, { env: {} }));
    assert.deepEqual(r.currentRevisions, [A]);
    assert.equal(r.endpoint, file);
    assert.equal(r.source?.kind, 'alembicIni');
  });

  it('several heads: two rows, both current, and Alembic reads the same two', async () => {
    const heads = copyFixture('runner-heads');
    try {
      const url = `sqlite:///${path.join(heads, 'heads.db')}`; // sqlite:////abs/path: an absolute file
      const r = runPython(undefined, ['-m', 'alembic', '-c', path.join(heads, 'alembic.ini'), 'upgrade', 'heads'], { cwd: heads, env: { DATABASE_URL: url } });
      assert.equal(r.status, 0, r.stderr);
      const state = ok(await readDatabaseStateFromUrl(url, { env: {} }));
      assert.deepEqual(state.currentRevisions, ['2000bbbb0002', '3000cccc0003']);
      const fb = await readViaAlembic(url, { python: testPython(), iniPath: path.join(heads, 'alembic.ini') }, { timeoutMs: 30_000, label: 'SQLite' });
      assert.ok(fb.ok, JSON.stringify(fb));
      if (fb.ok) assert.deepEqual(fb.revisions, state.currentRevisions);
    } finally {
      fs.rmSync(heads, { recursive: true, force: true });
    }
  });

  it('a revision no migration file defines is read as it is, and the state calls it unknown', async () => {
    alembic(dir, ['upgrade', A]);
    sqlite(file, "UPDATE alembic_version SET version_num = '5f2c0ffee999';");
    const r = ok(await read());
    assert.deepEqual(r.currentRevisions, ['5f2c0ffee999']);
    const s = computeAppliedState(LINEAR, r.currentRevisions);
    assert.deepEqual(s.unknown, ['5f2c0ffee999']);
    assert.match(s.warnings.join(), /^The database is at 5f2c0ffee999, which no migration file defines\./);
  });

  it('a custom version table (version_table in env.py): read by name; the default name reads as base', async () => {
    alembic(dir, ['upgrade', B], { ALEMBIC_TEST_VERSION_TABLE: 'schema_versions' });
    const custom = ok(await read({ versionTable: { table: 'schema_versions' } }));
    assert.deepEqual(custom.currentRevisions, [B]);
    assert.equal(custom.versionTable, '"schema_versions"');
    const plain = ok(await read());
    assert.equal(plain.versionTableExists, false);
    assert.deepEqual(await viaAlembic(iniUrl, 'schema_versions'), [B]);
  });

  it('a table of that name that is not a version table, and a file that is not SQLite, are reported', async () => {
    sqlite(file, 'CREATE TABLE alembic_version (id int);');
    const r = await read();
    assert.ok(!r.ok && r.problem.kind === 'queryFailed', JSON.stringify(r));
    if (!r.ok) assert.match(r.problem.message, /has no version_num column: it is not an Alembic version table/);
    fs.writeFileSync(file, 'not a database, just text that is long enough to have a header of a hundred bytes or more........................');
    const bad = await read();
    assert.ok(!bad.ok);
    if (!bad.ok) assert.equal(bad.problem.message, `${file} is not a SQLite database (no SQLite header). Check the path in the URL.`);
  });

  it('WAL mode: commits still in the -wal file are read too (the main file alone is behind)', async () => {
    alembic(dir, ['upgrade', A]);
    // Commit B in WAL mode and exit without a checkpoint, so the commit lives only in app.db-wal.
    const r = runPython(`import os, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute('PRAGMA journal_mode=WAL')
c.execute('PRAGMA wal_autocheckpoint=0')
c.execute("UPDATE alembic_version SET version_num = '${B}'")
c.commit()
os._exit(0)`, [file]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(fs.statSync(`${file}-wal`).size > 0, 'the commit is in the -wal file');
    const walBefore = fs.readFileSync(`${file}-wal`);
    const state = ok(await read());
    assert.deepEqual(state.currentRevisions, [B]);
    // The main file by itself still says A: without the WAL replay the read would be wrong.
    const mainOnly = path.join(dir, 'data', 'main-only.db');
    fs.copyFileSync(file, mainOnly);
    assert.deepEqual(ok(await read({}, `sqlite:///${mainOnly}`)).currentRevisions, [A]);
    assert.ok(fs.readFileSync(`${file}-wal`).equals(walBefore), 'the -wal file is left as it was');
    assert.deepEqual(await viaAlembic(), [B], 'SQLite itself agrees');
  });

  it('upgrade and downgrade through the extension\'s runner, and the state afterwards', async () => {
    const guards = runGuardsFor(iniUrl);
    assert.equal(guards.runLock, undefined);
    assert.match(guards.missing ?? '', /^SQLite: no migration lock across windows/);
    const runner = new AlembicRunner({ python: testPython(), iniPath: path.join(dir, 'alembic.ini'), databaseUrl: iniUrl });
    const up = await runner.run(upgrade({ target: 'head' }));
    assert.equal(interpretRun(up).ok, true, up.stderr);
    assert.deepEqual(ok(await read()).currentRevisions, [C]);
    const down = await runner.run(downgrade({ target: '-1' }));
    assert.equal(interpretRun(down).ok, true, down.stderr);
    const after = ok(await read());
    assert.deepEqual(after.currentRevisions, [B]);
    assert.deepEqual(computeAppliedState(LINEAR, after.currentRevisions).pending, [C]);
    const base = await runner.run(downgrade({ target: 'base' }));
    assert.equal(interpretRun(base).ok, true, base.stderr);
    const atBase = ok(await read());
    assert.deepEqual(atBase.currentRevisions, []);
    assert.equal(atBase.versionTableExists, true, 'Alembic keeps the empty version table at base');
  });

  it('a dialect without a direct reader goes to Alembic, and its failure is a problem with Alembic\'s reason', async () => {
    // SQLCipher files are encrypted: the fallback asks Alembic, whose environment has no pysqlcipher driver.
    const url = `sqlite+pysqlcipher://:secret-key-123@/${file}`;
    const noFallback = await readDatabaseStateFromUrl(url, { env: {} });
    assert.ok(!noFallback.ok && noFallback.problem.kind === 'unsupportedDialect', JSON.stringify(noFallback));
    const r = await readDatabaseStateFromUrl(url, {
      env: {}, alembic: async () => ({ python: testPython(), iniPath: path.join(dir, 'alembic.ini') }),
    });
    assert.ok(!r.ok, JSON.stringify(r));
    if (r.ok) return;
    assert.match(r.problem.message, /^"alembic current" failed for the SQLCipher database: /);
    assert.doesNotMatch(JSON.stringify(r), /secret-key-123/);
  });
});
