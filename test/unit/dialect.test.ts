// The project's dialect (settings, sqlalchemy.url, env.py) and the dialect branches of migration code:
// PostgreSQL's lock and rewrite rules say nothing about a project on another database or about a
// branch that runs elsewhere, and a condition that cannot be read keeps the operation.
import assert from 'node:assert/strict';
import { buildRevisionGraph } from '../../server/src/core/graph';
import { parseMigration } from '../../server/src/core/parse';
import { discoverProjects, memoryFileSystem } from '../../server/src/core/project';
import type { ProjectConfig } from '../../server/src/core/project/discover';
import { allRules, runFileRules } from '../../server/src/core/rules';
import { severitiesFromPyproject } from '../../server/src/core/config/severities';
import { evaluateCondition, dialectOfUrl, dialectOfEnvPy } from '../../server/src/core/facts/dialect';

const MIGRATION = `from alembic import op
import sqlalchemy as sa

revision = 'd0001'
down_revision = None


def upgrade():
    op.alter_column('users', 'age', type_=sa.SmallInteger())
    op.create_index('ix_users_age', 'users', ['age'])
    op.add_column('users', sa.Column('code', sa.String(), nullable=False))


def downgrade():
    op.drop_column('users', 'code')
    op.drop_index('ix_users_age', table_name='users')
    op.alter_column('users', 'age', type_=sa.Integer())
`;

function rulesOn(project: ProjectConfig | undefined): string[] {
  const migration = parseMigration(MIGRATION);
  const graph = buildRevisionGraph([{ path: '/p/m.py', migration }]);
  return runFileRules(allRules, { path: '/p/m.py', text: MIGRATION, migration }, graph, project).map((f) => f.rule).sort();
}

async function projectWith(files: Record<string, string>): Promise<ProjectConfig> {
  const fs = memoryFileSystem({ '/p/migrations/versions/m.py': MIGRATION, '/p/migrations/env.py': '', ...files });
  const [project] = await discoverProjects(fs, ['/p']);
  assert.ok(project);
  return project;
}

const ini = (url: string): string => `[alembic]\nscript_location = migrations\nsqlalchemy.url = ${url}\n`;

describe('dialect: the project\'s database', () => {
  it('reads sqlalchemy.url, [tool.alembic-lint] dialect (which wins) and env.py URL literals; a template URL says nothing', async () => {
    assert.equal((await projectWith({ '/p/alembic.ini': ini('mysql+pymysql://u@h/db') })).dialect, 'mysql');
    assert.equal((await projectWith({ '/p/alembic.ini': ini('postgres://u@h/db') })).dialect, 'postgresql');
    assert.equal((await projectWith({ '/p/alembic.ini': ini('driver://user:pass@localhost/dbname') })).dialect, undefined);
    const configured = await projectWith({ '/p/alembic.ini': ini('mysql://u@h/db'), '/p/pyproject.toml': '[tool.alembic-lint]\ndialect = "postgresql"\n' });
    assert.equal(configured.dialect, 'postgresql');
    assert.match(configured.dialectSource ?? '', /\[tool\.alembic-lint\] dialect/);
    const env = await projectWith({ '/p/alembic.ini': ini(''), '/p/migrations/env.py': 'engine = create_engine("sqlite:///app.db")\n' });
    assert.equal(env.dialect, 'sqlite');
    assert.equal(dialectOfEnvPy('a = "sqlite://"\nb = "mysql://x"'), undefined, 'two databases: unknown');
    assert.equal(dialectOfUrl('mssql+pyodbc://x'), 'mssql');
  });

  it('PostgreSQL rules stay quiet on a MySQL project; the general rules still run', async () => {
    assert.deepEqual(rulesOn(undefined), ['add-not-null-column-without-default', 'change-column-type', 'lock-timeout-missing', 'non-concurrent-index']);
    assert.deepEqual(rulesOn(await projectWith({ '/p/alembic.ini': ini('mysql://u@h/db') })), ['add-not-null-column-without-default']);
    assert.deepEqual(rulesOn(await projectWith({ '/p/alembic.ini': ini('postgresql://u@h/db') })), ['add-not-null-column-without-default', 'change-column-type', 'lock-timeout-missing', 'non-concurrent-index']);
  });

  it('downgrade-asymmetry asks for an enum type to be dropped only where enum types exist (PostgreSQL)', async () => {
    const text = `from alembic import op
import sqlalchemy as sa

revision = 'd0002'
down_revision = None


def upgrade():
    op.create_table('runs', sa.Column('id', sa.Integer()), sa.Column('state', sa.Enum('A', 'B', name='state_type')))


def downgrade():
    op.drop_table('runs')
`;
    const on = (project: ProjectConfig | undefined): string[] => {
      const migration = parseMigration(text);
      const graph = buildRevisionGraph([{ path: '/p/m.py', migration }]);
      return runFileRules(allRules, { path: '/p/m.py', text, migration }, graph, project).filter((f) => f.rule === 'downgrade-asymmetry').map((f) => f.message);
    };
    assert.match(on(undefined).join('\n'), /enum type 'state_type'/, 'unknown dialect: may be PostgreSQL');
    assert.match(on(await projectWith({ '/p/alembic.ini': ini('postgresql://u@h/db') })).join('\n'), /enum type 'state_type'/);
    assert.deepEqual(on(await projectWith({ '/p/alembic.ini': ini('sqlite:///app.db') })), [], 'SQLite keeps the enum in its column');
    assert.deepEqual(on(await projectWith({ '/p/alembic.ini': ini('mysql://u@h/db') })), [], 'MySQL keeps the enum in its column');
  });

  it('a [tool.alembic-lint] dialect key is not taken for a rule', () => {
    const r = severitiesFromPyproject('[tool.alembic-lint]\ndialect = "mysql"\n', '/p/pyproject.toml');
    assert.deepEqual(r, { severities: {}, errors: [], warnings: [] });
  });
});

describe('dialect: conditions', () => {
  const pg = (c: string, assignments: { name: string; expression: string }[] = []): boolean | undefined => evaluateCondition(c, 'postgresql', assignments);
  it('reads ==, !=, in, not in, not, and, or on the guards migrations write', () => {
    assert.equal(pg('op.get_bind().dialect.name == "mysql"'), false);
    assert.equal(pg("context.get_context().dialect.name == 'postgresql'"), true);
    assert.equal(pg('bind.engine.name != "postgresql"'), false);
    assert.equal(pg('conn.dialect.name in ("mysql", "sqlite")'), false);
    assert.equal(pg('conn.dialect.name not in ["mysql"]'), true);
    assert.equal(pg('"postgres" in bind.dialect.name'), true);
    assert.equal(pg('not (bind.dialect.name == "sqlite")'), true);
    assert.equal(pg('bind.dialect.name == "sqlite" or x'), undefined);
    assert.equal(pg('bind.dialect.name == "sqlite" and x'), false);
    assert.equal(pg('dialect == "mysql"', [{ name: 'dialect', expression: 'op.get_bind().dialect.name' }]), false);
    assert.equal(pg('is_pg', [{ name: 'is_pg', expression: 'bind.dialect.name == "postgresql"' }]), true);
    assert.equal(pg('d.name == "mysql"', [{ name: 'd', expression: 'op.get_bind().dialect' }]), false);
    // CTFd's guard: url = str(bind.engine.url); if url.startswith("mysql"):
    assert.equal(pg('url.startswith("mysql")', [{ name: 'url', expression: 'str(bind.engine.url)' }]), false);
    assert.equal(pg('bind.dialect.name.startswith("postgresql+asyncpg")'), undefined, 'a driver: unknown');
  });

  it('leaves unknown what it cannot read', () => {
    assert.equal(pg('feature_enabled()'), undefined);
    assert.equal(pg('dialect == "mysql"'), undefined, 'a name not assigned in the function');
    assert.equal(pg('dialect == "mysql"', [{ name: 'dialect', expression: 'a.dialect.name' }, { name: 'dialect', expression: 'b' }]), undefined, 'assigned twice');
    assert.equal(pg('x.startswith("my")'), undefined);
  });
});
