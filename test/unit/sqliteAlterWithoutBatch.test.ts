// sqlite-alter-without-batch beyond its fixtures: the quick fix's exact text (arguments a batch
// operation does not take, keyword tables, schema, several lines), the project facts it reads
// (dialect, [tool.alembic-lint] sqlite-version, render_as_batch in env.py), and the other half of the
// dialect promise: PostgreSQL's lock and rewrite rules report nothing on a SQLite or MySQL project.
// test/integration/sqliteBatch.test.ts runs the fixtures with the real Alembic on SQLite.
import assert from 'node:assert/strict';
import { applyEdits, quickFixes } from '../../server/src/core/fixes';
import { buildRevisionGraph } from '../../server/src/core/graph';
import { parseMigration } from '../../server/src/core/parse';
import { discoverProjects, memoryFileSystem } from '../../server/src/core/project';
import type { ProjectConfig } from '../../server/src/core/project/discover';
import { ProjectModel } from '../../server/src/core/project/model';
import { allRules, runFileRules } from '../../server/src/core/rules';
import { nodeFileSystem } from '../../server/src/fs/nodeFileSystem';
import { fixturePath } from '../support/paths';

const RULE = 'sqlite-alter-without-batch';
const HEAD = `from alembic import op\nimport sqlalchemy as sa\n\nrevision = 'a1'\ndown_revision = None\n\n\n`;

function findings(body: string, project: ProjectConfig | undefined): ReturnType<typeof runFileRules> {
  const text = HEAD + body;
  const migration = parseMigration(text);
  return runFileRules(allRules, { path: '/p/m.py', text, migration }, buildRevisionGraph([{ path: '/p/m.py', migration }]), project);
}

async function project(files: Record<string, string>): Promise<ProjectConfig> {
  const fs = memoryFileSystem({ '/p/migrations/env.py': '', '/p/migrations/versions/.keep': '', ...files });
  const [p] = await discoverProjects(fs, ['/p']);
  assert.ok(p);
  return p;
}

const SQLITE_INI = '[alembic]\nscript_location = migrations\nsqlalchemy.url = sqlite:///app.db\n';

/** The body with the rule's fix applied to its one finding. */
function fixed(body: string, p: ProjectConfig): string | undefined {
  const text = HEAD + body;
  const own = findings(body, p).filter((f) => f.rule === RULE);
  assert.equal(own.length, 1, `one finding: ${own.map((f) => f.message).join('; ')}`);
  const finding = own[0];
  assert.ok(finding);
  const fix = quickFixes({ rule: RULE, range: finding.range, text, path: '/p/m.py', project: p })[0];
  return fix ? applyEdits(text, fix.edits).slice(HEAD.length) : undefined;
}

describe('sqlite-alter-without-batch', () => {
  let sqlite: ProjectConfig;
  before(async () => {
    sqlite = await project({ '/p/alembic.ini': SQLITE_INI });
  });

  it('reports only on a SQLite project, and not in a branch for another database', async () => {
    const body = `def upgrade():\n    op.create_foreign_key('fk', 'a', 'b', ['b_id'], ['id'])\n\n\ndef downgrade():\n    op.drop_constraint('fk', 'a', type_='foreignkey')\n`;
    assert.equal(findings(body, sqlite).filter((f) => f.rule === RULE).length, 2);
    assert.equal(findings(body, undefined).filter((f) => f.rule === RULE).length, 0, 'dialect unknown: quiet');
    const pg = await project({ '/p/alembic.ini': SQLITE_INI.replace('sqlite:///app.db', 'postgresql://u@h/db') });
    assert.equal(findings(body, pg).filter((f) => f.rule === RULE).length, 0);
    const branched = `def upgrade():\n    if op.get_bind().dialect.name == "postgresql":\n        op.create_foreign_key('fk', 'a', 'b', ['b_id'], ['id'])\n    else:\n        op.create_unique_constraint('uq', 'a', ['x'])\n`;
    assert.deepEqual(findings(branched, sqlite).filter((f) => f.rule === RULE).map((f) => f.range.start.line - 7), [4]);
  });

  it('tells alter_column changes from renames and no-ops, and reads the SQLite version of pyproject.toml', async () => {
    const body = `def upgrade():\n    op.alter_column('t', 'c', new_column_name='d')\n    op.alter_column('t', 'c', existing_type=sa.Integer(), nullable=None, server_default=False)\n    op.alter_column('t', 'c', server_default='0')\n    op.drop_column('t', 'e')\n    op.alter_column('t', 'c', **changes)\n`;
    const lines = (p: ProjectConfig): number[] => findings(body, p).filter((f) => f.rule === RULE).map((f) => f.range.start.line - 7);
    assert.deepEqual(lines(sqlite), [3], 'a current SQLite renames and drops columns itself');
    const old = await project({ '/p/alembic.ini': SQLITE_INI, '/p/pyproject.toml': '[tool.alembic-lint]\nsqlite-version = "3.24"\n' });
    assert.equal(old.sqliteVersion, '3.24');
    assert.deepEqual(lines(old), [1, 3, 4]);
    const p334 = await project({ '/p/alembic.ini': SQLITE_INI, '/p/pyproject.toml': '[tool.alembic-lint]\nsqlite-version = "3.34.1"\n' });
    assert.deepEqual(lines(p334), [3, 4]);
  });

  it('says that render_as_batch=True in env.py does not cover hand-written calls', async () => {
    const env = 'context.configure(connection=connection, render_as_batch=True)\n';
    const p = await project({ '/p/alembic.ini': SQLITE_INI, '/p/migrations/env.py': env });
    assert.equal(p.renderAsBatch, true);
    const [f] = findings(`def upgrade():\n    op.create_check_constraint('ck', 't', 'x > 0')\n`, p).filter((x) => x.rule === RULE);
    assert.match(f?.message ?? '', /No support for ALTER of constraints in SQLite dialect.*render_as_batch=True in env\.py only makes autogenerate write batch blocks/);
    assert.equal((await project({ '/p/alembic.ini': SQLITE_INI, '/p/migrations/env.py': '# render_as_batch=True\n' })).renderAsBatch, undefined);
  });

  it('the fix moves the call into a batch block, without the arguments batch_op does not take', () => {
    assert.equal(fixed(`def upgrade():\n    op.alter_column('orders', 'number', nullable=False)  # why\n`, sqlite),
      `def upgrade():\n    with op.batch_alter_table('orders') as batch_op:\n        batch_op.alter_column('number', nullable=False)  # why\n`);
    assert.equal(fixed(`def upgrade():\n    op.create_foreign_key('fk', 'orders', 'customers', ['customer_id'], ['id'])\n`, sqlite),
      `def upgrade():\n    with op.batch_alter_table('orders') as batch_op:\n        batch_op.create_foreign_key('fk', 'customers', ['customer_id'], ['id'])\n`);
    assert.equal(fixed(`def upgrade():\n    op.drop_constraint('uq', table_name='orders', schema='shop', type_='unique')\n`, sqlite),
      `def upgrade():\n    with op.batch_alter_table('orders', schema='shop') as batch_op:\n        batch_op.drop_constraint('uq', type_='unique')\n`);
    assert.equal(fixed(`def upgrade():\n    op.create_unique_constraint('uq', 'orders', ['number'], schema='shop')\n`, sqlite),
      `def upgrade():\n    with op.batch_alter_table('orders', schema='shop') as batch_op:\n        batch_op.create_unique_constraint('uq', ['number'])\n`);
    assert.equal(fixed(`def upgrade():\n    op.alter_column(\n        'orders',\n        'total',\n        type_=sa.Numeric(10, 2),\n    )\n`, sqlite),
      `def upgrade():\n    with op.batch_alter_table('orders') as batch_op:\n        batch_op.alter_column(\n            'total',\n            type_=sa.Numeric(10, 2),\n        )\n`);
  });

  it('offers no fix where wrapping is not mechanical', () => {
    assert.equal(fixed(`def upgrade():\n    with op.batch_alter_table('orders') as batch_op:\n        op.alter_column('orders', 'number', nullable=False)\n`, sqlite), undefined, 'already inside a batch block');
    assert.equal(fixed(`def upgrade():\n    x = 1; op.alter_column('orders', 'number', nullable=False)\n`, sqlite), undefined, 'not a statement of its own');
  });
});

describe('dialect: PostgreSQL\'s lock and rewrite rules on the sqlite-project fixture', () => {
  const PG_RULES = ['change-column-type', 'concurrent-index-outside-autocommit', 'enum-without-checkfirst', 'foreign-key-without-not-valid', 'non-concurrent-index', 'set-not-null-on-existing-column'];

  async function rulesReported(dialect?: string): Promise<string[]> {
    const [config] = await discoverProjects(nodeFileSystem, [fixturePath('sqlite-project')]);
    assert.ok(config);
    if (dialect === undefined) assert.equal(config.dialect, 'sqlite', 'the ini\'s sqlite:/// URL makes it a SQLite project');
    else config.dialect = dialect;
    const model = await ProjectModel.load(nodeFileSystem, config);
    return [...new Set(model.findings().map((f) => f.rule))].sort();
  }

  it('reports none of them on SQLite or MySQL; the same files on PostgreSQL report every one', async () => {
    assert.deepEqual((await rulesReported()).filter((r) => PG_RULES.includes(r)), []);
    assert.deepEqual((await rulesReported('mysql')).filter((r) => PG_RULES.includes(r)), []);
    assert.deepEqual((await rulesReported('postgresql')).filter((r) => PG_RULES.includes(r)), PG_RULES);
  });
});
