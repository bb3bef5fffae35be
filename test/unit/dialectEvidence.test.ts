// The project's dialect from the dialect-specific code of its migrations: the weakest evidence, used
// only when no setting, [tool.alembic-lint] dialect, sqlalchemy.url or env.py literal decides.
import assert from 'node:assert/strict';
import { dialectEvidenceOf, dialectOfMigrations } from '../../server/src/core/facts/dialectEvidence';
import { discoverProjects, memoryFileSystem } from '../../server/src/core/project';
import { ProjectModel } from '../../server/src/core/project/model';

const migration = (imports: string, body: string): string =>
  `from alembic import op\nimport sqlalchemy as sa\n${imports}\n\nrevision = "a1"\ndown_revision = None\n\n\ndef upgrade():\n${body}\n\n\ndef downgrade():\n    pass\n`;

const dialects = (text: string): string[] => [...new Set(dialectEvidenceOf(text).map((e) => e.dialect))];
const whats = (text: string): string[] => dialectEvidenceOf(text).map((e) => e.what);

describe('dialect: evidence from the migrations', () => {
  it('reads types of sqlalchemy.dialects.postgresql: module members, aliases, imported names, dotted paths', () => {
    assert.deepEqual(whats(migration('from sqlalchemy.dialects import postgresql', '    op.add_column("t", sa.Column("id", postgresql.UUID(as_uuid=True)))')), ['postgresql.UUID']);
    assert.deepEqual(whats(migration('from sqlalchemy.dialects import postgresql as pg', '    op.add_column("t", sa.Column("d", pg.JSONB))')), ['postgresql.JSONB']);
    assert.deepEqual(whats(migration('from sqlalchemy.dialects.postgresql import ENUM, JSONB as J', '    op.add_column("t", sa.Column("d", J(), nullable=True))\n    ENUM("a", name="e").create(op.get_bind())')),
      ['JSONB from sqlalchemy.dialects.postgresql', 'ENUM from sqlalchemy.dialects.postgresql']);
    assert.deepEqual(whats(migration('', '    op.alter_column("t", "c", type_=sa.dialects.postgresql.ARRAY(sa.Text()))')), ['postgresql.ARRAY']);
  });

  it('reads MySQL types, dialect keyword arguments and SQL only one database accepts', () => {
    assert.deepEqual(dialects(migration('from sqlalchemy.dialects import mysql', '    op.add_column("t", sa.Column("b", mysql.VARCHAR(length=32)))')), ['mysql']);
    assert.deepEqual(whats(migration('', '    op.create_table("t", sa.Column("id", sa.Integer()), mysql_engine="InnoDB")')), ['mysql_engine=']);
    assert.deepEqual(whats(migration('', '    op.create_index("ix", "t", ["a"], sqlite_where=sa.text("a IS NULL"))')), ['sqlite_where=']);
    assert.deepEqual(whats(migration('', '    op.create_index("ix", "t", ["a"], postgresql_using="gin")')), ['postgresql_using=']);
    assert.deepEqual(whats(migration('', '    op.execute("CREATE EXTENSION IF NOT EXISTS citext")\n    op.execute("UPDATE t SET a = b::text")')), ['CREATE EXTENSION', 'a :: cast']);
    assert.deepEqual(dialects(migration('', '    op.execute("ALTER TABLE t ENGINE=InnoDB")')), ['mysql']);
  });

  it('takes code in a dialect branch for no evidence, and plain code for none', () => {
    const branched = migration('from sqlalchemy.dialects import mysql', '    if op.get_bind().dialect.name == "mysql":\n        op.alter_column("t", "c", type_=mysql.DATETIME(fsp=6))');
    assert.deepEqual(dialectEvidenceOf(branched), []);
    assert.deepEqual(dialectEvidenceOf(migration('from sqlalchemy.dialects import postgresql', '    op.add_column("t", sa.Column("n", sa.Integer()))')), [], 'an unused import says nothing');
  });

  it('decides only when the migrations name one database', () => {
    const pg = { path: 'a.py', text: migration('from sqlalchemy.dialects import postgresql', '    op.add_column("t", sa.Column("d", postgresql.JSONB()))') };
    const my = { path: 'b.py', text: migration('', '    op.create_table("t", sa.Column("id", sa.Integer()), mysql_engine="InnoDB")') };
    assert.deepEqual(dialectOfMigrations([pg]), { dialect: 'postgresql', source: 'dialect-specific code in the migrations (postgresql.JSONB in a.py)' });
    assert.deepEqual(dialectOfMigrations([my]), { dialect: 'mysql', source: 'dialect-specific code in the migrations (mysql_engine= in b.py)' });
    // postgresql.JSONB fails on MySQL; mysql_engine= is ignored on PostgreSQL: the type decides.
    assert.equal(dialectOfMigrations([pg, my])?.dialect, 'postgresql', 'a type that fails elsewhere decides over a keyword argument');
    const sqlite = { path: 'c.py', text: migration('', '    op.execute("PRAGMA foreign_keys=OFF")\n    op.create_index("ix", "t", ["a"], postgresql_where=sa.text("a > 0"))') };
    assert.equal(dialectOfMigrations([sqlite])?.dialect, 'sqlite', "SQL only SQLite runs decides over postgresql_where=, which SQLite ignores");
    assert.equal(dialectOfMigrations([pg, sqlite]), undefined, 'two databases by code that fails elsewhere: unknown');
    const pgKwarg = { path: 'd.py', text: migration('', '    op.create_index("ix", "t", ["a"], postgresql_using="gin")') };
    assert.equal(dialectOfMigrations([pgKwarg, my]), undefined, 'two databases by keyword arguments only: unknown');
    assert.equal(dialectOfMigrations([]), undefined);
  });

  it('is the weakest evidence: sqlalchemy.url and [tool.alembic-lint] dialect win over it', async () => {
    const text = migration('from sqlalchemy.dialects import mysql', '    op.add_column("t", sa.Column("b", mysql.VARCHAR(length=32)))');
    const load = async (files: Record<string, string>) => {
      const fs = memoryFileSystem({ '/p/migrations/env.py': '', '/p/migrations/versions/a1.py': text, ...files });
      const [config] = await discoverProjects(fs, ['/p']);
      assert.ok(config);
      return (await ProjectModel.load(fs, config)).config;
    };
    const weak = await load({ '/p/alembic.ini': '[alembic]\nscript_location = migrations\n' });
    assert.deepEqual([weak.dialect, weak.dialectSource], ['mysql', 'dialect-specific code in the migrations (mysql.VARCHAR in migrations/versions/a1.py)']);
    assert.equal((await load({ '/p/alembic.ini': '[alembic]\nscript_location = migrations\nsqlalchemy.url = postgresql://h/db\n' })).dialect, 'postgresql');
    assert.equal((await load({ '/p/alembic.ini': '[alembic]\nscript_location = migrations\n', '/p/pyproject.toml': '[tool.alembic-lint]\ndialect = "postgresql"\n' })).dialect, 'postgresql');
  });
});
