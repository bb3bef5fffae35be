// The lock table (core/locks): every case's own code classifies as that case, SQL statements find
// the same rows as Alembic operations, the claims that change with the PostgreSQL version change
// where the release notes say, the short text reads as the hover shows it, and docs/locks.md is the
// table's current rendering. What the server really locks is the integration tier's (locks.test.ts).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { blockingLock } from '../../server/src/core/facts/lockTimeout';
import { schemaOps } from '../../server/src/core/facts/schema';
import { callLocks, callLocksAt } from '../../server/src/core/locks/classify';
import { claimText, describeItem, postgresMajor } from '../../server/src/core/locks/describe';
import { locksDoc } from '../../server/src/core/locks/doc';
import { LOCK_CASES, lockCase } from '../../server/src/core/locks/table';
import { parseMigration } from '../../server/src/core/parse';
import { loadConfigFile, memoryFileSystem } from '../../server/src/core/project';
import { caseMigrations, migrationText } from '../support/lockCases';
import { repoRoot } from '../support/paths';

function upgradeWith(body: string): string {
  return `from alembic import op\nimport sqlalchemy as sa\n\nrevision = "a1"\ndown_revision = None\n\n\ndef upgrade():\n${body}\n`;
}

function idsOf(body: string): string[][] {
  return callLocks(parseMigration(upgradeWith(body))).map((c) => c.items.flatMap((i) => i.caseIds));
}

describe('lock table', () => {
  for (const m of caseMigrations(LOCK_CASES)) {
    it(`classifies the code of ${m.label} as its own case`, () => {
      const locks = callLocks(parseMigration(migrationText(m, 'a1', null)));
      assert.deepEqual(locks.map((c) => c.items.flatMap((i) => i.caseIds)), [[m.case.id]], m.body);
      const first = locks[0]?.items[0];
      const table = m.case.id === 'create_table' || m.case.id === 'create_table.foreign_key' ? 'projects'
        : m.case.id === 'enum_add_value' ? undefined : /"tags"|tags/.test(m.body) ? 'tags' : 'users';
      assert.equal(first?.table, table, `${m.label}: the table the hover names`);
    });
  }

  it('names the referenced table of a foreign key, as written', () => {
    const fk = callLocks(parseMigration(upgradeWith('    op.create_foreign_key("fk", "users", "orgs", ["org_id"], ["id"])')))[0]?.items[0];
    assert.deepEqual(fk, { caseIds: ['create_foreign_key'], table: 'users', referenced: 'orgs' });
    const text = fk && describeItem(fk, 15)?.text;
    assert.equal(text, 'SHARE ROW EXCLUSIVE on users and orgs — blocks writes; reads go on; scans the table');
    const created = callLocks(parseMigration(upgradeWith('    op.create_table("p", sa.Column("org_id", sa.Integer(), sa.ForeignKey("public.orgs.id")))')))[0]?.items[0];
    assert.equal(created?.referenced, 'orgs');
  });

  it('says the issue\'s example for a rewriting operation', () => {
    const item = callLocks(parseMigration(upgradeWith('    op.alter_column("users", "id", type_=sa.BigInteger())')))[0]?.items[0];
    assert.ok(item);
    assert.equal(describeItem(item, 13)?.text, 'ACCESS EXCLUSIVE on users — blocks reads and writes; rewrites the table');
  });

  it('reads an added column\'s default as add-column-with-volatile-default does (one list of volatile functions)', () => {
    const cases: [string, string][] = [
      ['sa.Column("t", sa.Uuid(), server_default=sa.text("uuidv7()"))', 'add_column.volatile_default'],
      ['sa.Column("x", sa.Float(), server_default=sa.text("random_normal()"))', 'add_column.volatile_default'],
      ['sa.Column("t", sa.Uuid(), server_default=sa.text("gen_random_uuid()"))', 'add_column.volatile_default'],
      ['sa.Column("n", sa.Integer(), sa.Identity())', 'add_column.volatile_default'],
      ['sa.Column("d", sa.Integer(), sa.Computed("n + 1"))', 'add_column.volatile_default'],
      // A virtual generated column (PostgreSQL 18) is computed when read, not written into every row:
      // like a constant default, it goes into the catalog only.
      ['sa.Column("d", sa.Integer(), sa.Computed("n + 1", persisted=False))', 'add_column.constant_default'],
      ['sa.Column("at", sa.DateTime(), server_default=sa.text("now()"))', 'add_column.constant_default'],
    ];
    for (const [column, id] of cases) assert.deepEqual(idsOf(`    op.add_column("users", ${column})`), [[id]], column);
    assert.deepEqual(idsOf('    op.execute("ALTER TABLE users ADD COLUMN t uuid DEFAULT uuidv7()")'), [['add_column.volatile_default']]);
    assert.deepEqual(idsOf('    op.execute("ALTER TABLE users ADD COLUMN d int GENERATED ALWAYS AS (n + 1) VIRTUAL")'), [['add_column.constant_default']]);
  });

  it('finds the same rows in SQL as in Alembic operations', () => {
    const cases: [string, string][] = [
      ['ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid()', 'add_column.volatile_default'],
      ['ALTER TABLE users ADD COLUMN n int NOT NULL DEFAULT 0', 'add_column.constant_default'],
      ['ALTER TABLE users ADD COLUMN id2 bigserial', 'add_column.volatile_default'],
      ['ALTER TABLE users ADD COLUMN n int', 'add_column'],
      ['ALTER TABLE users ALTER COLUMN n TYPE bigint', 'alter_column.type'],
      ['ALTER TABLE users ALTER COLUMN n SET NOT NULL', 'alter_column.set_not_null'],
      ['ALTER TABLE users ALTER COLUMN n DROP NOT NULL', 'alter_column.drop_not_null'],
      ['ALTER TABLE users ALTER COLUMN n SET DEFAULT 1', 'alter_column.server_default'],
      ['CREATE UNIQUE INDEX ix ON users (n)', 'create_index.unique'],
      ['CREATE INDEX CONCURRENTLY ix ON users (n)', 'create_index.concurrently'],
      ['DROP INDEX CONCURRENTLY ix', 'drop_index.concurrently'],
      ['ALTER TABLE users ADD CONSTRAINT fk FOREIGN KEY (o) REFERENCES orgs (id) NOT VALID', 'create_foreign_key.not_valid'],
      ['ALTER TABLE users ADD CONSTRAINT uq UNIQUE (n)', 'create_unique_constraint'],
      ['ALTER TABLE users ADD CONSTRAINT ck CHECK (n > 0) NOT VALID', 'create_check_constraint.not_valid'],
      ['ALTER TABLE users ADD PRIMARY KEY (id)', 'create_primary_key'],
      ['ALTER TABLE users VALIDATE CONSTRAINT fk', 'validate_constraint'],
      ['ALTER TYPE mood ADD VALUE IF NOT EXISTS \'x\'', 'enum_add_value'],
      ['TRUNCATE users', 'truncate'],
      ['DELETE FROM users', 'delete_all'],
      ['REINDEX INDEX CONCURRENTLY ix', 'reindex_concurrently'],
    ];
    for (const [sql, id] of cases) assert.deepEqual(idsOf(`    op.execute("${sql.replace(/"/g, '\\"')}")`), [[id]], sql);
    // Several statements in one call: one row each, in order; a statement it has no row for adds none.
    assert.deepEqual(idsOf('    op.execute("SET lock_timeout = \'5s\'; ALTER TABLE a DROP COLUMN b; UPDATE a SET c = 1")'), [['drop_column']]);
    assert.deepEqual(idsOf('    op.execute("UPDATE a SET c = 1")'), []);
  });

  it('reads server_default and types as PostgreSQL stores them', () => {
    assert.deepEqual(idsOf('    op.add_column("t", sa.Column("at", sa.DateTime(), server_default=sa.func.now()))'), [['add_column.constant_default']]);
    assert.deepEqual(idsOf('    op.add_column("t", sa.Column("at", sa.DateTime(), server_default=sa.text("clock_timestamp()")))'), [['add_column.volatile_default']]);
    assert.deepEqual(idsOf('    op.add_column("t", sa.Column("u", sa.Uuid(), server_default=sa.func.gen_random_uuid()))'), [['add_column.volatile_default']]);
    assert.deepEqual(idsOf('    op.add_column("t", sa.Column("i", sa.Integer(), sa.Identity()))'), [['add_column.volatile_default']]);
    assert.deepEqual(idsOf('    op.alter_column("t", "c", type_=sa.Text(), existing_type=sa.String(20))'), [['alter_column.type_widen']]);
    assert.deepEqual(idsOf('    op.alter_column("t", "c", type_=sa.String(10), existing_type=sa.String(20))'), [['alter_column.type']]);
    assert.deepEqual(idsOf('    op.alter_column("t", "c", type_=sa.String(30))'), [['alter_column.type']], 'without existing_type the old type is unknown');
    // One call, several changes: the combined claim is the strongest of each.
    const both = callLocks(parseMigration(upgradeWith('    op.alter_column("t", "c", type_=sa.BigInteger(), nullable=False)')))[0]?.items[0];
    assert.deepEqual(both?.caseIds, ['alter_column.type', 'alter_column.set_not_null']);
    assert.equal(both && describeItem(both, 15)?.claim.effect, 'rewrite');
  });

  it("reads Alembic's no-change defaults of alter_column as no change, as lock-timeout-missing does", () => {
    // type_=None, nullable=None, server_default=False, comment=False are Alembic's defaults: nothing changes.
    assert.deepEqual(idsOf('    op.alter_column("t", "c", type_=None, nullable=None, server_default=False, existing_type=sa.Text())'), []);
    assert.deepEqual(idsOf('    op.alter_column("t", "c", type_=None, server_default=False, comment="why")'), [['alter_column.comment']]);
    // None is a change where it removes something: the default, the comment.
    assert.deepEqual(idsOf('    op.alter_column("t", "c", server_default=None, comment=None)'), [['alter_column.server_default', 'alter_column.comment']]);
    const rule = (body: string): boolean => {
      const m = parseMigration(upgradeWith(body));
      return schemaOps(m, m.functions.find((f) => f.name === 'upgrade')!).some((op) => blockingLock(op) !== undefined);
    };
    assert.equal(rule('    op.alter_column("t", "c", type_=None, server_default=False, comment="why")'), false);
    assert.equal(rule('    op.alter_column("t", "c", server_default=None)'), true);
  });

  it('changes the claims at the versions PostgreSQL changed them', () => {
    const constant = lockCase('add_column.constant_default');
    assert.equal(constant?.claim(10).effect, 'rewrite', 'before 11 a default rewrites every row');
    assert.equal(constant?.claim(11).effect, 'none');
    assert.equal(constant?.claim(17).effect, 'none');
    const addValue = lockCase('enum_add_value');
    assert.equal(addValue?.claim(11).outsideTransaction, true, 'ALTER TYPE ... ADD VALUE in a transaction only since 12');
    assert.equal(addValue?.claim(12).outsideTransaction, false);
    assert.match(lockCase('alter_column.set_not_null')?.claim(12).note ?? '', /CHECK/);
    // The volatile default rewrites at every version.
    for (const v of [10, 11, 12, 13, 17]) assert.equal(lockCase('add_column.volatile_default')?.claim(v).effect, 'rewrite');
    assert.equal(claimText(addValue?.claim(11) ?? { locks: [], effect: 'none', outsideTransaction: false }, {}), 'no lock on any table; cannot run inside a transaction');
  });

  it('finds the call under the cursor, batch calls included', () => {
    const m = parseMigration(upgradeWith('    with op.batch_alter_table("users") as batch_op:\n        batch_op.drop_column("score")\n    op.drop_table("x")'));
    assert.equal(callLocksAt(m, { line: 9, character: 20 })?.items[0]?.table, 'users');
    assert.deepEqual(callLocksAt(m, { line: 10, character: 8 })?.items[0]?.caseIds, ['drop_table']);
    assert.equal(callLocksAt(m, { line: 3, character: 0 }), undefined);
  });

  it('reads the major version PostgreSQL reports', () => {
    assert.equal(postgresMajor('15.18 (Debian 15.18-0+deb12u1)'), 15);
    assert.equal(postgresMajor('9.6.24'), 9);
    assert.equal(postgresMajor(160004), 16);
    assert.equal(postgresMajor(14), 14);
    assert.equal(postgresMajor('fifteen'), undefined);
  });

  it('takes postgres-version from [tool.alembic-lint], and says so for a value that is none', async () => {
    const ini = '[alembic]\nscript_location = m\n';
    const read = async (pyproject: string) => loadConfigFile(memoryFileSystem({ '/p/alembic.ini': ini, '/p/m/versions/a.py': '', '/p/pyproject.toml': pyproject }), '/p/alembic.ini');
    const set = await read('[tool.alembic-lint]\npostgres-version = "11.2"\n');
    assert.equal(set?.postgresVersion, 11);
    assert.match(set?.postgresVersionSource ?? '', /postgres-version/);
    const none = await read('[tool.other]\nx = 1\n');
    assert.equal(none?.postgresVersion, 13);
    const bad = await read('[tool.alembic-lint]\npostgres-version = "latest"\n');
    assert.equal(bad?.postgresVersion, 13);
    assert.ok(bad?.warnings.some((w) => w.includes('postgres-version') && w.includes('"latest"')), bad?.warnings.join(' | '));
  });
});

describe('docs/locks.md', () => {
  it('is what scripts/locks-doc.mjs makes of the lock table (run it after changing the table)', () => {
    const file = fs.readFileSync(path.join(repoRoot, 'docs', 'locks.md'), 'utf8');
    assert.equal(file, locksDoc(), 'docs/locks.md is out of date: node scripts/locks-doc.mjs');
    for (const c of LOCK_CASES) assert.ok(file.includes(`\`${c.id}\``), c.id);
  });
});
