// SQL strings read by PostgreSQL's own parser (libpg-query, WebAssembly) and by the regular expressions
// that run where WebAssembly cannot: both agree on everything the regular expressions know, the parser
// knows more, an unreadable string is unknown (never an exception), the bundled CLI ships and finds
// the module, and `node --jitless` falls back.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { regexOperations, type SqlOp, sqlOperations, withPositionalParameters } from '../../server/src/core/facts/sql';
import { mayRunSql, setSqlParser, sqlParser } from '../../server/src/core/facts/sqlParser';
import { ProjectModel } from '../../server/src/core/project/model';
import { loadSqlParser } from '../../server/src/fs/sqlParser';
import { nodeFileSystem } from '../../server/src/fs/nodeFileSystem';
import { WorkspaceIndex } from '../../server/src/lsp/workspaceIndex';
import { repoRoot } from '../support/paths';
import { useSqlReader } from '../support/sqlReaders';

/** What the rules read of an op (the fields both readers fill). */
const shape = (o: SqlOp): string =>
  `${o.kind} ${o.table ?? '-'} [${o.names.join(',')}]${o.ifExists ? ' if-exists' : ''}${o.concurrently ? ' concurrently' : ''}` +
  `${o.notValid ? ' not-valid' : ''}${o.notNull ? ' not-null' : ''}${o.hasDefault ? ' default' : ''} #${o.statementIndex ?? '?'}`;

/** Every statement shape the regular expressions recognise (sql.ts), and a few they ignore. */
const KNOWN = [
  'CREATE TABLE IF NOT EXISTS s."Users" (id int)',
  'CREATE UNLOGGED TABLE t (a int); CREATE TEMP TABLE u (a int)',
  'DROP TABLE IF EXISTS s."Users", b CASCADE',
  'DROP TYPE IF EXISTS mood, s.other',
  'DROP INDEX CONCURRENTLY IF EXISTS ix_a',
  'DROP SCHEMA IF EXISTS audit CASCADE',
  'DROP DATABASE scratch',
  'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ix ON ONLY public.t (a)',
  'CREATE INDEX ON t (a)',
  'TRUNCATE TABLE ONLY a, b',
  'DELETE FROM x WHERE id = 1; DELETE FROM y',
  'REINDEX INDEX CONCURRENTLY ix',
  'ALTER TABLE t RENAME TO u',
  'ALTER TABLE t RENAME COLUMN a TO b',
  'ALTER TABLE t RENAME CONSTRAINT a TO b',
  'ALTER TABLE ONLY t DROP COLUMN IF EXISTS a, DROP CONSTRAINT c, ALTER COLUMN b DROP DEFAULT, ADD COLUMN e serial',
  'ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT 0, ADD d text, ADD COLUMN p bigint PRIMARY KEY',
  'ALTER TABLE t ADD COLUMN g int GENERATED ALWAYS AS IDENTITY',
  'ALTER TABLE t ALTER COLUMN a TYPE text, ALTER b SET DATA TYPE varchar(20), ALTER COLUMN c SET NOT NULL',
  'ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES u (id) NOT VALID',
  'ALTER TABLE t ADD FOREIGN KEY (a) REFERENCES u (id)',
  'ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID, VALIDATE CONSTRAINT c',
  'ALTER TABLE t ADD CONSTRAINT u UNIQUE (a); ALTER TABLE t ADD PRIMARY KEY (id)',
  'ALTER TYPE mood ADD VALUE IF NOT EXISTS \'sad\'',
  "CREATE TYPE public.\"Mood\" AS ENUM ('a', 'b'); CREATE TYPE pair AS (a int, b int)",
  'ALTER TYPE s.mood RENAME TO mood_old; ALTER TYPE mood RENAME VALUE \'a\' TO \'b\'',
  "SET lock_timeout = 5000; SET LOCAL statement_timeout TO 1000; RESET lock_timeout",
  'BEGIN; COMMIT; START TRANSACTION; END; ROLLBACK',
  "UPDATE t SET a = 1; INSERT INTO t VALUES (1); SELECT 1",
];

describe('SQL strings: PostgreSQL\'s parser and the regular expressions', () => {
  useSqlReader(true);

  it('agree on every statement shape the regular expressions know', () => {
    for (const sql of KNOWN) {
      const parsed = sqlOperations(sql);
      assert.ok(parsed.every((o) => o.parsed), `${sql}: read by the parser`);
      assert.deepEqual(parsed.map(shape), regexOperations(sql).map(shape), sql);
    }
  });

  it('reads what the locking rules need: SET lock_timeout, SET LOCAL, COMMIT / BEGIN, NOT VALID, CONCURRENTLY, ADD VALUE', () => {
    const ops = sqlOperations(`SET lock_timeout = '2s'; SET LOCAL statement_timeout TO 5000;
      COMMIT; -- leave Alembic's transaction
      CREATE INDEX CONCURRENTLY ix_a ON t (a);
      BEGIN;
      ALTER TABLE t ADD CONSTRAINT t_a_check CHECK (a > 0) NOT VALID;
      ALTER TYPE mood ADD VALUE 'sad' AFTER 'ok'`);
    assert.deepEqual(ops.map((o) => [o.kind, o.statementIndex]), [
      ['set', 0], ['set', 1], ['transaction', 2], ['create_index', 3], ['transaction', 4], ['add_constraint', 5], ['add_enum_value', 6],
    ]);
    assert.deepEqual(ops[0]?.setting, { name: 'lock_timeout', value: '2s', local: false, reset: false });
    assert.deepEqual(ops[1]?.setting, { name: 'statement_timeout', value: '5000', local: true, reset: false });
    assert.equal(ops[2]?.transaction, 'commit');
    assert.equal(ops[3]?.concurrently, true);
    assert.equal(ops[4]?.transaction, 'begin');
    assert.deepEqual([ops[5]?.constraintType, ops[5]?.notValid, ops[5]?.names], ['check', true, ['t_a_check']]);
    assert.deepEqual([ops[6]?.names, ops[6]?.value], [['mood'], 'sad']);
  });

  it('takes a procedural block (PL/SQL\'s begin ... end;) for no transaction statement, in both readers', () => {
    const block = `begin
      execute immediate 'alter table policy add (action_large clob)';
      execute immediate 'update policy set action_large = action';
      end;
      DROP TABLE leftover`;
    for (const read of [sqlOperations, regexOperations]) {
      assert.deepEqual(read(block).map(shape), ['drop_table - [leftover] #3'], read.name);
      // PostgreSQL's and MySQL's own BEGIN ... END stay a transaction's, with their modes.
      assert.deepEqual(read('BEGIN; DROP TABLE a; END; BEGIN ISOLATION LEVEL SERIALIZABLE; BEGIN WORK; COMMIT').map((o) => o.transaction ?? o.kind),
        ['begin', 'drop_table', 'commit', 'begin', 'begin', 'commit'], read.name);
    }
  });

  it('gets right what the regular expressions get wrong', () => {
    // NOT NULL inside a CHECK is not the column's constraint, and ON DELETE SET DEFAULT is not a default.
    const [check] = sqlOperations('ALTER TABLE t ADD COLUMN c int CHECK (c IS NOT NULL)');
    assert.equal(check?.notNull, false);
    assert.equal(regexOperations('ALTER TABLE t ADD COLUMN c int CHECK (c IS NOT NULL)')[0]?.notNull, true, 'the regular expressions were wrong here');
    const [ref] = sqlOperations('ALTER TABLE t ADD COLUMN c int REFERENCES u (id) ON DELETE SET DEFAULT');
    assert.equal(ref?.hasDefault, false);
    // A quoted identifier holding a keyword, a dot and a semicolon.
    assert.deepEqual(sqlOperations('DROP TABLE "a;b.DROP TABLE c"').map(shape), ['drop_table - [a;b.drop table c] #0']);
    // Statements in comments do nothing; a comment between statements is no statement.
    assert.deepEqual(sqlOperations('/* DROP TABLE x; */ -- TRUNCATE y;\nSELECT 1; /* nested /* comment */ still */ DROP TABLE z').map(shape), ['drop_table - [z] #1']);
    // The column's type, with its modifiers.
    assert.deepEqual(sqlOperations('ALTER TABLE t ALTER COLUMN a TYPE varchar(256), ADD COLUMN b numeric(10,2)[]').map((o) => o.columnType), ['varchar(256)', 'numeric(10,2)[]']);
  });

  it('reads bind parameters of sa.text and the driver as parameters, casts as casts', () => {
    assert.equal(withPositionalParameters("UPDATE t SET a = :value WHERE b = %(b)s AND c::int = %s AND d = '12:30'"),
      "UPDATE t SET a = $1     WHERE b = $1    AND c::int = $1 AND d = '12:30'");
    const ops = sqlOperations('DELETE FROM sessions WHERE id = :id; ALTER TABLE t ALTER COLUMN a SET DEFAULT :d::int, ALTER COLUMN b SET NOT NULL');
    assert.deepEqual(ops.map(shape), ['set_not_null t [b] #1']);
    assert.ok(ops.every((o) => o.parsed));
  });

  it('reads each statement on its own when the text does not parse, falling back to the regular expressions', () => {
    // MySQL's MODIFY and AFTER are not PostgreSQL: the regular expressions still see the added column.
    const ops = sqlOperations('ALTER TABLE t MODIFY c VARCHAR(20) NOT NULL; ALTER TABLE t ADD COLUMN d int NOT NULL AFTER c; ALTER TABLE u DROP COLUMN x');
    assert.deepEqual(ops.map((o) => `${shape(o)} ${o.parsed ? 'parser' : 'regex'}`), ['add_column t [d] not-null #1 regex', 'drop_column u [x] #2 parser']);
  });

  it("reads MySQL's backticked names (which PostgreSQL's parser refuses) by the name inside the backticks", () => {
    // Mozilla ichnaea's "ALTER TABLE api_key DROP COLUMN `shortname`" was a drop of a column named "column".
    const ops = sqlOperations('ALTER TABLE api_key DROP COLUMN `shortname`; DROP TABLE `old``log`; ALTER TABLE `t` ADD COLUMN `c` int NOT NULL');
    assert.deepEqual(ops.map((o) => `${shape(o)} ${o.parsed ? 'parser' : 'regex'}`), ['drop_column api_key [shortname] #0 regex', 'drop_table - [old`log] #1 regex', 'add_column t [c] not-null #2 regex']);
  });

  it('gives nothing, and never throws, for text that is not SQL', () => {
    for (const junk of ['', '   ', ';;;', 'not sql at all', '\u0000', "'unterminated", 'ALTER TABLE', '$$', 'x'.repeat(100_000)]) {
      assert.deepEqual(sqlOperations(junk), [], JSON.stringify(junk.slice(0, 20)));
    }
  });

  it('slices statements by UTF-8 offsets: text after non-ASCII names stays right', () => {
    const ops = sqlOperations("COMMENT ON TABLE t IS 'café ☕'; DROP TABLE größe; CREATE INDEX CONCURRENTLY ix ON t (a)");
    assert.deepEqual(ops.map((o) => o.statement), ['DROP TABLE größe', 'CREATE INDEX CONCURRENTLY ix ON t (a)']);
  });

  it('asks for the parser only for texts that execute a string starting with a statement it reads', () => {
    assert.equal(mayRunSql('op.execute("UPDATE t SET a = 1")\nconn.execute(sa.text("SELECT 1"))'), false, 'data statements only');
    assert.equal(mayRunSql('op.execute(\n    sa.text(\n        """\n        alter table t add column c int\n"""))'), true);
    assert.equal(mayRunSql("bind.exec_driver_sql('COMMIT')"), true);
    assert.equal(mayRunSql('op.execute(sqltext="DROP TABLE x")'), true);
    assert.equal(mayRunSql('op.drop_table("x")'), false);
  });

  it('a project that runs SQL asks for the parser; one that does not, does not', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-sql-'));
    fs.writeFileSync(path.join(dir, 'a.py'), 'revision = "a"\ndown_revision = None\n\ndef upgrade():\n    op.drop_table("x")\n');
    const config = { id: dir, root: dir, configFile: path.join(dir, 'alembic.ini'), kind: 'folder', versionLocationPaths: [dir], recursiveVersionLocations: false, prependSysPath: [], sourceless: false, problems: [], warnings: [] } as unknown as ConstructorParameters<typeof ProjectModel>[0];
    const model = await ProjectModel.load(nodeFileSystem, config);
    assert.equal(model.mayRunSql(), false);
    model.setFile(path.join(dir, 'a.py'), 'revision = "a"\ndown_revision = None\n\ndef upgrade():\n    op.get_bind().exec_driver_sql("DROP TABLE x")\n');
    assert.equal(model.mayRunSql(), true);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('SQL strings: the parser arrives after an edit brought the first SQL', () => {
  let previous: ReturnType<typeof sqlParser>;
  before(() => {
    previous = sqlParser();
  });
  after(() => {
    setSqlParser(previous);
  });

  it('the server loads it on the edit and reads the file again, then says which projects changed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-sql-edit-'));
    const versions = path.join(dir, 'migrations', 'versions');
    fs.mkdirSync(versions, { recursive: true });
    fs.writeFileSync(path.join(dir, 'alembic.ini'), '[alembic]\nscript_location = migrations\n');
    const file = path.join(versions, 'a.py');
    fs.writeFileSync(file, 'revision = "a"\ndown_revision = None\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n');
    setSqlParser(undefined);
    const index = new WorkspaceIndex(nodeFileSystem, () => undefined, [dir], { rules: {} });
    assert.ok(await index.reindex());
    assert.equal(index.sqlParserLoad, undefined, 'no SQL: the parser is not loaded');
    const refreshed = new Promise<string[]>((resolve) => {
      index.onSqlFilesRefreshed = resolve;
    });
    const [id] = index.projectIds();
    assert.ok(id);
    // NOT NULL inside a CHECK: the regular expressions take it for a NOT NULL column; the parser does not.
    index.updateFile(file, 'revision = "a"\ndown_revision = None\n\n\ndef upgrade():\n    op.execute("ALTER TABLE users ADD COLUMN c int CHECK (c IS NOT NULL)")\n\n\ndef downgrade():\n    op.execute("ALTER TABLE users DROP COLUMN c")\n');
    const before = [...(index.findingsByPath(id).get(file) ?? [])].map((f) => f.rule);
    assert.ok(before.includes('add-not-null-column-without-default'), `before the parser: ${before.join(', ')}`);
    assert.deepEqual(await refreshed, [id]);
    // (read again: the assertion above narrowed the field's type to undefined)
    assert.equal((index as { sqlParserLoad?: { loaded: boolean } }).sqlParserLoad?.loaded, true);
    const after = [...(index.findingsByPath(id).get(file) ?? [])].map((f) => f.rule);
    assert.ok(!after.includes('add-not-null-column-without-default'), `with the parser: ${after.join(', ')}`);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('SQL strings: the shipped CLI, and without WebAssembly', function () {
  this.timeout(30_000);
  const CLI = path.join(repoRoot, 'dist', 'cli.js');
  let project: string;
  before(() => {
    assert.ok(fs.existsSync(path.join(repoRoot, 'dist', 'libpg-query.wasm')), 'the build puts the parser\'s module beside the bundles');
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-sql-cli-'));
    fs.writeFileSync(path.join(project, 'a1.py'), 'revision = "a1"\ndown_revision = None\n\n\ndef upgrade():\n' +
      '    op.execute("ALTER TABLE users ADD COLUMN c int CHECK (c IS NOT NULL)")\n\n\ndef downgrade():\n    op.execute("ALTER TABLE users DROP COLUMN c")\n');
  });
  after(() => fs.rmSync(project, { recursive: true, force: true }));

  it('dist/cli.js reads the SQL with the parser it ships', () => {
    const r = spawnSync(process.execPath, [CLI, 'check', project, '--scope', 'all', '--format', 'json'], { encoding: 'utf8' });
    assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /parser|regular expressions/, 'no warning about the parser');
    const rules = (JSON.parse(r.stdout) as { diagnostics: { rule: string }[] }).diagnostics.map((d) => d.rule);
    // The regular expressions would take NOT NULL inside the CHECK for a NOT NULL column.
    assert.ok(!rules.includes('add-not-null-column-without-default'), rules.join(', '));
  });

  it('the transpiled modules fall back the same way under --jitless', () => {
    const out = path.join(__dirname, '..', '..', 'server', 'src');
    const script = `const l = require(${JSON.stringify(path.join(out, 'fs', 'sqlParser.js'))});
      const s = require(${JSON.stringify(path.join(out, 'core', 'facts', 'sql.js'))});
      l.loadSqlParser().then((r) => console.log(JSON.stringify({ r, ops: s.sqlOperations('DROP TABLE a; COMMIT').map((o) => o.kind) })));`;
    const r = spawnSync(process.execPath, ['--jitless', '-e', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const got = JSON.parse(r.stdout) as { r: { loaded: boolean; noWebAssembly?: boolean }; ops: string[] };
    assert.deepEqual([got.r.loaded, got.r.noWebAssembly, got.ops], [false, true, ['drop_table', 'transaction']]);
  });
});
