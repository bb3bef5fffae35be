// The lock and rewrite rules of issue 19 on inline migrations and on projects: lock_timeout set by the
// migration or by env.py (read by discovery), autocommit blocks, the project's PostgreSQL version
// (`[tool.alembic-lint] postgres-version`) on both sides of each version that changes the answer, and
// alembic_utils entities in downgrade-asymmetry.
import assert from 'node:assert/strict';
import { buildRevisionGraph } from '../../server/src/core/graph';
import { parseMigration } from '../../server/src/core/parse';
import { discoverProjects, memoryFileSystem } from '../../server/src/core/project';
import type { ProjectConfig } from '../../server/src/core/project/discover';
import { allRules, runFileRules } from '../../server/src/core/rules';
import { postgresVersionFromPyproject } from '../../server/src/core/config/postgresVersion';
import { severitiesFromPyproject } from '../../server/src/core/config/severities';
import { postgresMajor } from '../../server/src/core/locks/describe';
import { lockTimeoutEffect, setsLockTimeout } from '../../server/src/core/facts/lockTimeout';
import { sqlDefaultCost } from '../../server/src/core/facts/columnDefaults';
import type { Finding } from '../../server/src/core/types';
import { fixedText } from './ruleFixtures';

const HEAD = `from alembic import op
import sqlalchemy as sa

revision = 'lk0001'
down_revision = None
`;
const HEAD_LINES = HEAD.split('\n').length - 1;

function migration(up: string, down = "    op.execute('SELECT 1')"): string {
  return `${HEAD}\ndef upgrade():\n${up}\n\n\ndef downgrade():\n${down}\n`;
}

function run(text: string, project?: ProjectConfig): Finding[] {
  const m = parseMigration(text);
  assert.deepEqual(m.syntaxProblems, []);
  return runFileRules(allRules, { path: '/p/migrations/versions/m.py', text, migration: m }, buildRevisionGraph([{ path: '/p/migrations/versions/m.py', migration: m }]), project);
}

/** `<line> <rule>` of one rule's findings, lines relative to the body. */
const of = (rule: string, fs: Finding[]): string[] => fs.filter((f) => f.rule === rule).map((f) => `${f.range.start.line + 1 - HEAD_LINES}`);
const messages = (rule: string, fs: Finding[]): string[] => fs.filter((f) => f.rule === rule).map((f) => f.message);

async function project(files: Record<string, string>): Promise<ProjectConfig> {
  const fs = memoryFileSystem({ '/p/alembic.ini': '[alembic]\nscript_location = migrations\n', '/p/migrations/versions/m.py': '', '/p/migrations/env.py': '', ...files });
  const [p] = await discoverProjects(fs, ['/p']);
  assert.ok(p);
  return p;
}
const withVersion = (v: number): Promise<ProjectConfig> => project({ '/p/pyproject.toml': `[tool.alembic-lint]\npostgres-version = ${v}\n` });

describe('rules: locks, timeouts and PostgreSQL versions', () => {
  describe('lock-timeout-missing', () => {
    const addColumn = "    op.add_column('users', sa.Column('nick', sa.String(), nullable=True))";

    it('reports once per upgrade, on its def line, and not for new tables or concurrent work', () => {
      assert.deepEqual(of('lock-timeout-missing', run(migration(`${addColumn}\n    op.drop_column('users', 'old')`))), ['2']);
      assert.deepEqual(of('lock-timeout-missing', run(migration([
        "    op.create_table('t', sa.Column('id', sa.Integer()))",
        "    op.create_index('ix_t', 't', ['id'])",
        '    with op.get_context().autocommit_block():',
        "        op.create_index('ix_u', 'users', ['a'], postgresql_concurrently=True)",
        '    op.execute("ALTER TYPE s ADD VALUE \'x\'")',
      ].join('\n')))), []);
    });

    it('is satisfied by SET lock_timeout before the operation, not after it', () => {
      assert.deepEqual(of('lock-timeout-missing', run(migration(`    op.execute("SET lock_timeout = '5s'")\n${addColumn}`))), []);
      assert.deepEqual(of('lock-timeout-missing', run(migration(`    op.execute(sa.text("SET LOCAL lock_timeout TO 3000"))\n${addColumn}`))), []);
      assert.deepEqual(of('lock-timeout-missing', run(migration(`${addColumn}\n    op.execute("SET lock_timeout = '5s'")`))), ['2']);
      assert.deepEqual(of('lock-timeout-missing', run(migration(`    op.execute("SET lock_timeout = '5s'")\n    op.execute("SET lock_timeout = 0")\n${addColumn}`))), ['2'], 'turned off again');
    });

    it('knows SET LOCAL ends when an autocommit block commits, and a session SET does not', () => {
      const block = "    with op.get_context().autocommit_block():\n        op.create_index('ix', 'users', ['a'], postgresql_concurrently=True)";
      assert.deepEqual(of('lock-timeout-missing', run(migration(`    op.execute("SET LOCAL lock_timeout = '5s'")\n${block}\n${addColumn}`))), ['2']);
      assert.deepEqual(of('lock-timeout-missing', run(migration(`    op.execute("SET lock_timeout = '5s'")\n${block}\n${addColumn}`))), []);
      assert.deepEqual(of('lock-timeout-missing', run(migration("    with op.get_context().autocommit_block():\n        op.execute(\"SET LOCAL lock_timeout = '5s'\")\n        op.execute('ALTER TABLE users DROP COLUMN x')"))), ['2']);
    });

    it('stays quiet when env.py sets lock_timeout, and on a MySQL project', async () => {
      const text = migration(addColumn);
      assert.deepEqual(of('lock-timeout-missing', run(text, await project({}))), ['2']);
      for (const env of [
        'connection.execute(text("SET lock_timeout = 4000"))',
        'engine = create_engine(url, connect_args={"options": "-c lock_timeout=5s"})',
        "engine = create_engine(url, connect_args={'options': '-c statement_timeout=60s -c lock_timeout=10s'})",
      ]) {
        const p = await project({ '/p/migrations/env.py': `${env}\n` });
        assert.equal(p.envSetsLockTimeout, true, env);
        assert.deepEqual(of('lock-timeout-missing', run(text, p)), [], env);
      }
      assert.deepEqual(of('lock-timeout-missing', run(text, await project({ '/p/alembic.ini': '[alembic]\nscript_location = migrations\nsqlalchemy.url = mysql://u@h/db\n' }))), []);
    });

    it('reads env.py without being fooled by comments or a zero timeout', () => {
      assert.equal(setsLockTimeout('# SET lock_timeout = 5s\nx = 1\n'), false);
      assert.equal(setsLockTimeout('conn.execute("SET lock_timeout = 0")\n'), false);
      assert.equal(setsLockTimeout('conn.execute("SET lock_timeout TO \'2s\'")  # bounded\n'), true);
      assert.equal(lockTimeoutEffect("SET LOCAL lock_timeout = ''"), 'local');
      assert.equal(lockTimeoutEffect('SET SESSION lock_timeout TO 1000'), 'session');
      assert.equal(lockTimeoutEffect('RESET lock_timeout'), 'off');
      assert.equal(lockTimeoutEffect('SET statement_timeout = 1000'), undefined);
    });

    it('quick fix: SET lock_timeout at the top of upgrade(), after which the rule is satisfied', () => {
      const text = migration(`    # ### commands auto generated by Alembic ###\n${addColumn}`);
      const out = fixedText(text, 'lock-timeout-missing', HEAD_LINES + 2) ?? '';
      assert.equal(out, migration(`    # ### commands auto generated by Alembic ###\n    op.execute("SET lock_timeout = '5s'")\n${addColumn}`));
      assert.deepEqual(of('lock-timeout-missing', run(out)), []);
    });
  });

  describe('the PostgreSQL version', () => {
    it('is read from [tool.alembic-lint] postgres-version, 13 when absent, and is no severity', async () => {
      assert.equal(postgresVersionFromPyproject('[tool.alembic-lint]\npostgres-version = 10\n', 'pyproject.toml').version, 10);
      assert.equal(postgresVersionFromPyproject('[tool.alembic-lint]\npostgres-version = "16.2"\n', 'pyproject.toml').version, 16);
      assert.equal(postgresVersionFromPyproject('[tool.alembic-lint]\npostgres-version = "latest"\n', 'pyproject.toml').version, undefined);
      assert.equal(postgresMajor('9.6'), 9);
      assert.equal((await withVersion(10)).postgresVersion, 10);
      assert.equal((await project({})).postgresVersion, 13);
      const sev = severitiesFromPyproject('[tool.alembic-lint]\npostgres-version = 12\n', 'pyproject.toml');
      assert.deepEqual([sev.errors, sev.warnings], [[], []]);
    });

    it('add-column-with-volatile-default: volatile defaults always, constant ones before 11 only', async () => {
      const text = migration([
        "    op.execute(\"SET lock_timeout = '5s'\")",
        "    op.add_column('users', sa.Column('id2', sa.UUID(), server_default=sa.text('gen_random_uuid()')))",
        "    op.add_column('users', sa.Column('at', sa.DateTime(), server_default=sa.func.now()))",
        "    op.add_column('users', sa.Column('n', sa.Integer(), server_default='0'))",
        "    op.add_column('users', sa.Column('m', sa.Integer(), nullable=True))",
      ].join('\n'));
      assert.deepEqual(of('add-column-with-volatile-default', run(text)), ['4']);
      assert.deepEqual(of('add-column-with-volatile-default', run(text, await withVersion(11))), ['4']);
      assert.deepEqual(of('add-column-with-volatile-default', run(text, await withVersion(10))), ['4', '5', '6']);
      assert.match(messages('add-column-with-volatile-default', run(text, await withVersion(10)))[1] ?? '', /PostgreSQL 10 .*from PostgreSQL 11/);
      assert.deepEqual([sqlDefaultCost('now()').kind, sqlDefaultCost('clock_timestamp()').kind, sqlDefaultCost("nextval('s')").kind, sqlDefaultCost('NULL').kind], ['constant', 'volatile', 'volatile', 'none']);
    });

    it('add-not-null-column-without-default: a server_default is advice from 11, a rewrite before', async () => {
      const text = migration("    op.add_column('users', sa.Column('code', sa.String(), nullable=False))");
      assert.match(messages('add-not-null-column-without-default', run(text, await withVersion(11)))[0] ?? '', /or give it a server_default\.$/);
      assert.match(messages('add-not-null-column-without-default', run(text, await withVersion(10)))[0] ?? '', /on PostgreSQL 10 it rewrites the whole table/);
    });

    it('concurrent-index-outside-autocommit: ALTER TYPE ... ADD VALUE in the transaction fails before 12 only', async () => {
      const text = migration([
        '    op.execute("ALTER TYPE status ADD VALUE \'archived\'")',
        '    with op.get_context().autocommit_block():',
        '        op.execute("ALTER TYPE status ADD VALUE \'deleted\'")',
      ].join('\n'));
      assert.deepEqual(of('concurrent-index-outside-autocommit', run(text, await withVersion(12))), []);
      assert.deepEqual(of('concurrent-index-outside-autocommit', run(text)), []);
      assert.deepEqual(of('concurrent-index-outside-autocommit', run(text, await withVersion(11))), ['3']);
    });

    it('set-not-null-on-existing-column: the CHECK constraint shortcut from 12 only', async () => {
      const text = migration("    op.alter_column('users', 'email', existing_type=sa.String(), nullable=False)");
      assert.match(messages('set-not-null-on-existing-column', run(text, await withVersion(12)))[0] ?? '', /PostgreSQL 12\+ then skips the scan/);
      assert.match(messages('set-not-null-on-existing-column', run(text, await withVersion(11)))[0] ?? '', /PostgreSQL 11 scans even when/);
    });

    it('enum-value-rewrite: suggests ADD VALUE, in an autocommit block before 12', async () => {
      const sync = (values: string[]): string => `    op.sync_enum_values('public', 'status', ${JSON.stringify(values).replace(/"/g, "'")}, [('orders', 'status')])`;
      const text = migration(`    op.execute("SET lock_timeout = '5s'")\n${sync(['a', 'b', 'c'])}`, sync(['a', 'b']));
      const [now] = messages('enum-value-rewrite', run(text, await withVersion(12)));
      assert.match(now ?? '', /rewrites table 'orders'.*only adds values: ALTER TYPE status ADD VALUE 'c' changes no table\./);
      const front = migration(`    op.execute("SET lock_timeout = '5s'")\n${sync(['', 'a', 'b'])}`, sync(['a', 'b']));
      assert.match(messages('enum-value-rewrite', run(front))[0] ?? '', /ALTER TYPE status ADD VALUE '' BEFORE 'a' changes no table/);
      // alembic-autogenerate-enums' op of the same name runs ADD VALUE itself.
      assert.deepEqual(messages('enum-value-rewrite', run(migration("    op.sync_enum_values('public', 'status', ['a'], ['a', 'b'])"))), []);
      assert.match(messages('enum-value-rewrite', run(text, await withVersion(11)))[0] ?? '', /On PostgreSQL 11 ADD VALUE cannot run inside a transaction block/);
      const removes = migration(`    op.execute("SET lock_timeout = '5s'")\n${sync(['a', 'c'])}`, sync(['a', 'b']));
      assert.match(messages('enum-value-rewrite', run(removes))[0] ?? '', /removes, renames or reorders values/);
    });
  });

  describe('unique-constraint-on-existing-table', () => {
    it('quick fix: a concurrent unique index in an autocommit block, then the constraint USING INDEX', () => {
      const text = migration(`    op.execute("SET lock_timeout = '5s'")\n    op.create_unique_constraint('uq_users_email', 'users', ['email'])`, "    op.drop_constraint('uq_users_email', 'users', type_='unique')");
      const out = fixedText(text, 'unique-constraint-on-existing-table', HEAD_LINES + 4) ?? '';
      assert.equal(out, migration([
        "    op.execute(\"SET lock_timeout = '5s'\")",
        '    with op.get_context().autocommit_block():',
        "        op.create_index('uq_users_email', 'users', ['email'], unique=True, postgresql_concurrently=True)",
        "    op.execute('ALTER TABLE users ADD CONSTRAINT uq_users_email UNIQUE USING INDEX uq_users_email')",
      ].join('\n'), "    op.drop_constraint('uq_users_email', 'users', type_='unique')"));
      assert.deepEqual(run(out).map((f) => f.rule), [], 'the downgrade drops the constraint, which owns the index');
    });
  });
});
