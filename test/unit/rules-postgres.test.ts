// The PostgreSQL safety rules on inline migrations: "existing table" means not created earlier in the
// same upgrade, only upgrades are judged, keyword arguments in any order, raw SQL statements, and the
// SQL reader itself.
import assert from 'node:assert/strict';
import { buildRevisionGraph } from '../../server/src/core/graph';
import { parseMigration } from '../../server/src/core/parse';
import { allRules, runFileRules } from '../../server/src/core/rules';
import { sqlOperations, sqlStatements } from '../../server/src/core/facts/sql';
import { isSafeTypeChange } from '../../server/src/core/rules/change-column-type';
import type { ArgValue, Finding } from '../../server/src/core/types';
import { SQL_READERS, useSqlReader } from '../support/sqlReaders';

const HEAD = `from alembic import op
import sqlalchemy as sa

revision = 'pg0001'
down_revision = None
`;
const HEAD_LINES = HEAD.split('\n').length - 1;

function run(body: string): Finding[] {
  const text = HEAD + body;
  const migration = parseMigration(text);
  assert.deepEqual(migration.syntaxProblems, []);
  return runFileRules(allRules, { path: '/p/m.py', text, migration }, buildRevisionGraph([{ path: '/p/m.py', migration }]), undefined);
}
/**
 * `<line> <rule>` of the findings, lines relative to the body. lock-timeout-missing is left out: it
 * reports on the `def` line of nearly every upgrade here, and has its own tests (rules-locks.test.ts).
 */
const found = (fs: Finding[]): string[] => fs.filter((f) => f.rule !== 'lock-timeout-missing').map((f) => `${f.range.start.line + 1 - HEAD_LINES} ${f.rule}`).sort();
const upgradeOnly = (up: string, down = "    op.execute('SELECT 1')"): Finding[] => run(`\ndef upgrade():\n${up}\n\n\ndef downgrade():\n${down}\n`);

describe('rules: PostgreSQL safety', () => {
  it('treats a table as existing until the upgrade creates it', () => {
    const fs = upgradeOnly([
      "    op.create_index('ix_t_a', 't', ['a'])",
      "    op.add_column('t', sa.Column('b', sa.Integer(), nullable=False))",
      "    op.create_table('t', sa.Column('id', sa.Integer()))",
      "    op.create_index('ix_t_b', 't', ['b'])",
      "    op.add_column('t', sa.Column('c', sa.Integer(), nullable=False))",
      "    op.create_foreign_key('fk', 't', 'u', ['c'], ['id'])",
    ].join('\n'), "    op.drop_table('t')");
    assert.deepEqual(found(fs), ['3 non-concurrent-index', '4 add-not-null-column-without-default']);
  });

  it('judges upgrades only', () => {
    const fs = upgradeOnly("    op.execute('SELECT 1')", [
      "    op.drop_table('users')",
      "    op.create_index('ix_u', 'users', ['a'])",
      "    op.alter_column('users', 'a', nullable=False, type_=sa.BigInteger())",
      "    op.execute('TRUNCATE users')",
    ].join('\n'));
    assert.deepEqual(found(fs), []);
  });

  it('reads keyword arguments in any order and positional nullable', () => {
    const fs = upgradeOnly([
      "    op.create_index(unique=True, columns=['a'], table_name='users', index_name='ix_a')",
      "    op.drop_column(column_name='fax', table_name='users')",
      "    op.alter_column('users', 'b', False)",
      "    op.alter_column(column_name='c', table_name='users', type_=sa.Text(), existing_type=sa.Integer())",
    ].join('\n'), "    op.drop_index(table_name='users', index_name='ix_a')");
    assert.deepEqual(found(fs), ['3 non-concurrent-index', '4 destructive-upgrade', '5 set-not-null-on-existing-column', '6 change-column-type']);
  });

  it('reports the same problems written as raw SQL', () => {
    const fs = upgradeOnly([
      '    op.execute("ALTER TABLE t ADD COLUMN c int NOT NULL")',
      '    op.execute("ALTER TABLE t ADD COLUMN d int NOT NULL DEFAULT 0")',
      '    op.execute("CREATE UNIQUE INDEX ix ON ONLY t (c)")',
      '    op.execute("ALTER TABLE t ALTER COLUMN x SET DATA TYPE bigint")',
      '    op.execute("ALTER TABLE t ALTER x SET NOT NULL")',
      '    op.execute("ALTER TABLE t RENAME TO t2")',
      '    op.execute("ALTER TABLE t2 ADD FOREIGN KEY (c) REFERENCES u (id)")',
      '    op.execute("ALTER TABLE t2 ADD CONSTRAINT fk2 FOREIGN KEY (d) REFERENCES u (id) NOT VALID")',
      '    op.execute("CREATE INDEX CONCURRENTLY ix2 ON t2 (d)")',
    ].join('\n'));
    assert.deepEqual(found(fs), [
      '11 concurrent-index-outside-autocommit', '3 add-not-null-column-without-default', '5 non-concurrent-index',
      '6 change-column-type', '7 set-not-null-on-existing-column', '8 rename-column-or-table', '9 foreign-key-without-not-valid',
    ]);
  });

  it('exempts the add-then-backfill-then-NOT-NULL pattern and renames of new columns', () => {
    const fs = upgradeOnly([
      "    op.add_column('t', sa.Column('c', sa.Integer(), nullable=True))",
      "    op.execute('UPDATE t SET c = 0')",
      "    op.alter_column('t', 'c', nullable=False, type_=sa.BigInteger())",
      "    op.alter_column('t', 'c', new_column_name='d')",
      "    op.drop_column('t', 'd')",
    ].join('\n'));
    assert.deepEqual(found(fs), []);
  });

  it('reports a drop_column on a batch block of an existing table', () => {
    const fs = upgradeOnly("    with op.batch_alter_table('t') as b:\n        b.drop_column('c')\n        b.alter_column('d', new_column_name='e')");
    assert.deepEqual(found(fs), ['4 destructive-upgrade', '5 rename-column-or-table']);
  });

  it('knows which type changes need no rewrite', () => {
    const call = (callee: string, ...args: ArgValue[]): ArgValue => ({
      kind: 'call', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      call: { callee, calleeRange: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, args, kwargs: [], hasStarArgs: false, inAutocommitBlock: false },
    });
    const n = (text: string): ArgValue => ({ kind: 'number', text, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } });
    assert.equal(isSafeTypeChange(call('sa.String', n('10')), call('sa.String', n('20'))), true);
    assert.equal(isSafeTypeChange(call('sa.String', n('20')), call('sa.String', n('10'))), false);
    assert.equal(isSafeTypeChange(call('sa.VARCHAR', n('20')), call('sa.Text')), true);
    assert.equal(isSafeTypeChange(call('sa.Numeric', n('10'), n('2')), call('sa.Numeric', n('12'), n('2'))), true);
    assert.equal(isSafeTypeChange(call('sa.Numeric', n('10'), n('2')), call('sa.Numeric', n('12'), n('3'))), false);
    assert.equal(isSafeTypeChange(call('sa.Integer'), call('sa.BigInteger')), false);
    assert.equal(isSafeTypeChange(undefined, call('sa.Text')), false);
    assert.equal(isSafeTypeChange(call('sa.Text'), call('sa.String')), true, 'TEXT to an unbounded VARCHAR');
    assert.equal(isSafeTypeChange(call('sa.Text'), call('sa.String', n('10'))), false, 'a length checks every row');
    assert.equal(isSafeTypeChange(call('mysql.LONGTEXT'), call('sa.Text')), true);
    assert.equal(isSafeTypeChange(call('sa.Integer'), call('sa.Integer')), true, 'the same type');
    // The same PostgreSQL type by another SQLAlchemy name (Faraday's REAL to Float(precision=3, asdecimal=1)).
    const kw = (name: string, value: ArgValue): ArgValue => {
      const v = call('sa.Float');
      if (v.kind === 'call') v.call.kwargs.push({ name, value, nameRange: v.range });
      return v;
    };
    assert.equal(isSafeTypeChange(call('sa.REAL'), call('sa.Float', n('3'))), true, 'FLOAT(3) is real');
    assert.equal(isSafeTypeChange(call('sa.REAL'), kw('precision', n('3'))), true, 'precision= as a keyword');
    assert.equal(isSafeTypeChange(call('sa.REAL'), call('sa.Float', n('30'))), false, 'FLOAT(30) is double precision');
    assert.equal(isSafeTypeChange(call('sa.Float'), call('postgresql.DOUBLE_PRECISION')), true, 'FLOAT is double precision');
    assert.equal(isSafeTypeChange(call('sa.INTEGER'), call('sa.Integer')), true);
    assert.equal(isSafeTypeChange(call('sa.DateTime'), call('sa.TIMESTAMP')), true);
    assert.equal(isSafeTypeChange(call('sa.DateTime'), call('sa.DateTime', { kind: 'bool', value: true, range: n('0').range })), false, 'to timestamptz');
  });

  it('reports a string type change whose old type is unknown as information, with the reason', () => {
    const fs = upgradeOnly("    op.alter_column('users', 'name', type_=sa.String(length=256))\n    op.alter_column('users', 'age', type_=sa.SmallInteger())");
    const change = fs.filter((f) => f.rule === 'change-column-type');
    assert.deepEqual(change.map((f) => f.severity), ['information', 'warning']);
    assert.match(change[0]?.message ?? '', /old type is not known/);
  });
});

for (const reader of SQL_READERS) describe(`rules: the SQL reader (${reader.name})`, () => {
  useSqlReader(reader.parser);

  it('finds in raw SQL what it finds in the operations it spells', () => {
    const fs = upgradeOnly([
      '    op.execute("ALTER TABLE users ADD COLUMN age integer NOT NULL")',
      '    op.execute("CREATE INDEX ix_users_age ON users (age)")',
      '    op.execute("ALTER TABLE users ALTER COLUMN name TYPE text")',
    ].join('\n'));
    assert.deepEqual(found(fs), ['3 add-not-null-column-without-default', '4 non-concurrent-index', '5 change-column-type']);
  });

  it('splits statements outside quotes, comments and dollar-quoted bodies, blanking literals', () => {
    assert.deepEqual(sqlStatements(`-- x; y\nDROP TABLE a; /* ; */ SELECT 'a;b', "c;d";\nDO $f$ BEGIN DROP TABLE z; END $f$;`), [
      'DROP TABLE a', `SELECT '', "c;d"`, 'DO $$',
    ]);
  });

  it('names the objects of each statement, lower case and unquoted', () => {
    const ops = sqlOperations('DROP TABLE IF EXISTS s."Users", b CASCADE; TRUNCATE ONLY logs; DELETE FROM x WHERE id = 1; DELETE FROM y');
    assert.deepEqual(ops.map((o) => `${o.kind} ${o.names.join(',')} ${o.ifExists}`), ['drop_table users,b true', 'truncate logs false', 'delete_all y false']);
    const alter = sqlOperations('ALTER TABLE ONLY t DROP COLUMN IF EXISTS a, DROP CONSTRAINT c, ALTER COLUMN b DROP DEFAULT, ADD COLUMN e serial');
    assert.deepEqual(alter.map((o) => `${o.kind} ${o.table} ${o.names.join(',')}`), ['drop_column t a', 'drop_constraint t c', 'add_column t e']);
    assert.equal(alter[2]?.hasDefault, true);
  });

  it('names a concurrent index statement by its keywords and its index, not by its first four words', () => {
    // Faraday's downgrade: the first four words of 'DROP INDEX CONCURRENTLY IF EXISTS ix' ended at "IF".
    const fs = run(`\ndef upgrade():\n    op.execute("CREATE UNIQUE INDEX CONCURRENTLY ix_v_risk ON v (risk)")\n\n\ndef downgrade():\n    op.execute("DROP INDEX CONCURRENTLY IF EXISTS ix_v_risk")\n`)
      .filter((f) => f.rule === 'concurrent-index-outside-autocommit').map((f) => f.message.replace(/ cannot run inside.*/, ''));
    assert.deepEqual(fs, ['CREATE UNIQUE INDEX CONCURRENTLY (index ix_v_risk)', 'DROP INDEX CONCURRENTLY (index ix_v_risk)']);
  });

  it('takes a concurrent index after execution_options(isolation_level="AUTOCOMMIT") for information, with why it is fragile', () => {
    // Faraday's: on SQLAlchemy 1.4 with Alembic on PostgreSQL the index is built (checked), but the
    // switch rolls back what ran before it, and SQLAlchemy 2.0 refuses it.
    const fs = run(`\ndef upgrade():\n    op.get_bind().execution_options(isolation_level="AUTOCOMMIT")\n    op.execute("CREATE INDEX CONCURRENTLY ix_v_risk ON v (risk)")\n\n\ndef downgrade():\n    op.execute("DROP INDEX CONCURRENTLY IF EXISTS ix_v_risk")\n    op.get_bind().execution_options(isolation_level="AUTOCOMMIT")\n`)
      .filter((f) => f.rule === 'concurrent-index-outside-autocommit');
    assert.deepEqual(fs.map((f) => f.severity), ['information', 'warning'], 'the downgrade switches only after its drop');
    assert.match(fs[0]?.message ?? '', /only because execution_options\(isolation_level="AUTOCOMMIT"\) on line \d+ ends it: on SQLAlchemy 1\.x that rolls back/);
  });
  it('takes a concurrent index after op.execute("COMMIT") for information (psycopg2 then runs it outside a transaction); a BEGIN after the COMMIT starts one again', () => {
    // hypothesis' h and lms commit first before every concurrent index: with psycopg2, Alembic and
    // PostgreSQL 15 the index is built (checked). commit-inside-migration still reports the COMMIT.
    const fs = run(`\ndef upgrade():\n    op.execute("COMMIT")\n    op.create_index("ix_t_x", "t", ["x"], postgresql_concurrently=True)\n    op.execute("BEGIN")\n    op.execute("CREATE INDEX CONCURRENTLY ix_t_y ON t (y)")\n\n\ndef downgrade():\n    op.drop_index("ix_t_x", table_name="t", postgresql_concurrently=True)\n    op.execute("COMMIT")\n`);
    const concurrent = fs.filter((f) => f.rule === 'concurrent-index-outside-autocommit');
    assert.deepEqual(concurrent.map((f) => f.severity), ['information', 'warning', 'warning'], 'after COMMIT; after BEGIN again; before the downgrade commits');
    assert.match(concurrent[0]?.message ?? '', /only because the COMMIT on line \d+ ends it: with psycopg2/);
    assert.equal(fs.filter((f) => f.rule === 'commit-inside-migration').length, 3, 'COMMIT, BEGIN and the downgrade\'s COMMIT are still reported');
  });
});
