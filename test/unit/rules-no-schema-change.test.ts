// missing-downgrade on upgrades that change no schema object the check can see: information, each
// with its own message (issue 18's "true but noise": extensions created if missing, enum values added,
// code of another module called), while an upgrade with DDL among them stays a warning.
import assert from 'node:assert/strict';
import type { Finding } from '../../server/src/core/types';
import { fileFindings } from './ruleFixtures';

const HEAD = `from alembic import op
import sqlalchemy as sa
from myapp.cache import prune_all

revision = 'ns0001'
down_revision = None
`;

const findings = (body: string): Finding[] => fileFindings('/p/m.py', HEAD + body).filter((f) => f.rule === 'missing-downgrade');

describe('rules: missing-downgrade on upgrades without schema changes', () => {
  it('is information with its own message for extensions, enum values and code it cannot follow', () => {
    const cases: [string, RegExp][] = [
      ['    op.execute("CREATE EXTENSION IF NOT EXISTS fuzzystrmatch")', /extensions if they do not exist/],
      ['    op.execute("ALTER TYPE mood ADD VALUE \'calm\'")', /no ALTER TYPE \.\.\. DROP VALUE/],
      ['    prune_all("done")\n    prune_all("waiting")', /calls code this check cannot follow/],
      ['    conn = op.get_bind()\n    rows = conn.execute(sa.text("SELECT id FROM t")).fetchall()\n    conn.execute(t.insert().values(id=1))', /only changes data/],
      // SQLite's connection settings around a backfill (Prefect's artifact data migration) change no schema.
      ['    op.execute("PRAGMA foreign_keys=OFF")\n    op.execute("UPDATE t SET a = b")\n    op.execute("PRAGMA foreign_keys=ON")', /only changes data/],
      // Settings alone (securedrop's security pragmas) are not data: their own message.
      ['    conn = op.get_bind()\n    conn.execute(sa.text("PRAGMA secure_delete = ON"))\n    conn.execute(sa.text("PRAGMA auto_vacuum = FULL"))', /only changes SQLite settings \(PRAGMA\)/],
    ];
    for (const [up, message] of cases) {
      const found = findings(`\ndef upgrade():\n${up}\n\n\ndef downgrade():\n    pass\n`);
      assert.deepEqual(found.map((f) => f.severity), ['information'], up);
      assert.match(found[0]?.message ?? '', message, up);
      assert.equal(found[0]?.data, undefined, `${up}: nothing to draft a downgrade from`);
    }
  });

  it('stays a warning when the upgrade also changes the schema', () => {
    for (const up of [
      '    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")\n    op.create_index("ix_t_name", "t", ["name"])',
      '    op.execute("CREATE EXTENSION pg_trgm")',
      '    op.execute("ALTER TYPE mood ADD VALUE \'calm\'")\n    op.execute("CREATE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql")',
      '    prune_all("done")\n    op.add_column("t", sa.Column("c", sa.Integer()))',
      '    op.execute(some_sql)',
    ]) {
      assert.deepEqual(findings(`\ndef upgrade():\n${up}\n\n\ndef downgrade():\n    pass\n`).map((f) => f.severity), ['warning'], up);
    }
  });
});
