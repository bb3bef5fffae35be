// The rules' advice and the quick fixes against the real Alembic and PostgreSQL, on scratch copies of
// the rules-clean project: the clean project upgrades, downgrades to base and upgrades again; each
// problem fails for real before its fix (that is what the rule is for) and works after it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { diffSnapshots } from '../../runtime/db/schemaDiff';
import { takeSnapshot, type SchemaSnapshot } from '../../runtime/db/snapshot';
import { applyEdits, quickFixes } from '../../server/src/core/fixes';
import { copyFixture, fixturePath } from '../support/paths';
import { createScratchDatabase, withClient, type ScratchDatabase } from '../support/pg';
import { runAlembic, type PythonResult } from '../support/python';
import { fileFindings } from '../unit/ruleFixtures';

const HEAD = 'c9000000';

class Project {
  readonly ini: string;
  readonly versions: string;
  private constructor(readonly dir: string, readonly db: ScratchDatabase) {
    this.ini = path.join(dir, 'alembic.ini');
    this.versions = path.join(dir, 'migrations', 'versions');
  }

  static async start(): Promise<Project> {
    return new Project(copyFixture('rules-clean'), await createScratchDatabase('rules'));
  }

  alembic(...args: string[]): PythonResult {
    return runAlembic(this.ini, args, this.db.url);
  }

  ok(...args: string[]): void {
    const r = this.alembic(...args);
    assert.equal(r.status, 0, `alembic ${args.join(' ')} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  }

  /** Writes a migration on top of the clean head. */
  write(name: string, text: string): string {
    const p = path.join(this.versions, name);
    fs.writeFileSync(p, text);
    return p;
  }

  snapshot(): Promise<SchemaSnapshot> {
    return withClient(this.db.url, (c) => takeSnapshot(c));
  }

  query<T extends object>(sql: string): Promise<T[]> {
    return withClient(this.db.url, async (c) => (await c.query<T & Record<string, unknown>>(sql)).rows);
  }

  async end(): Promise<void> {
    await this.db.drop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A rule fixture moved on top of the clean head (its own revision id kept). */
function onTopOfHead(fixture: string): string {
  const text = fs.readFileSync(fixturePath('rules', ...fixture.split('/')), 'utf8');
  return text.replace(/^(down_revision(?:: [^=]+)? = )None$/m, `$1'${HEAD}'`).replace(/^Revises:$/m, `Revises: ${HEAD}`);
}

/** Applies, one at a time, the first fix of every finding of `rule` until none is left (or `limit` fixes). */
function fixAll(text: string, rule: string, limit = 20): string {
  for (let round = 0; round < limit; round++) {
    const f = fileFindings('/p/m.py', text).find((x) => x.rule === rule);
    if (!f) return text;
    const fix = quickFixes({ rule, range: f.range, text })[0];
    assert.ok(fix, `a fix for ${rule} on line ${f.range.start.line + 1}`);
    text = applyEdits(text, fix.edits);
  }
  if (limit < 20) return text;
  assert.fail(`${rule} is still reported after 20 fixes`);
}

const failure = (r: PythonResult): string => `${r.stdout}\n${r.stderr}`;

describe('rules and fixes against PostgreSQL', function () {
  this.timeout(180_000);
  let p: Project;
  afterEach(async () => {
    await p?.end();
  });

  it('rules-clean upgrades, downgrades to base and upgrades again to the same schema', async () => {
    p = await Project.start();
    const empty = await p.snapshot();
    p.ok('upgrade', 'heads');
    const first = await p.snapshot();
    p.ok('downgrade', 'base');
    assert.deepEqual(diffSnapshots(empty, await p.snapshot()), [], 'downgrade base leaves the database as it found it');
    p.ok('upgrade', 'heads');
    assert.deepEqual(diffSnapshots(first, await p.snapshot()), []);
    const fk = await p.query<{ convalidated: boolean }>("SELECT convalidated FROM pg_constraint WHERE conname = 'fk_projects_reviewer'");
    assert.deepEqual(fk, [{ convalidated: true }], 'the NOT VALID foreign key is validated by the next revision');
  });

  it('missing-downgrade: without the drafted downgrade a re-upgrade fails; with it the round trip works', async () => {
    p = await Project.start();
    const bad = onTopOfHead('missing-downgrade/bad_autogenerate_skeleton.py');
    p.write('md0000000001_invoices.py', bad);
    p.ok('upgrade', 'head');
    p.ok('downgrade', '-1');
    const again = p.alembic('upgrade', 'head');
    assert.notEqual(again.status, 0);
    assert.match(failure(again), /already exists/);
    // Start over on a fresh database with the fixed file.
    await p.end();
    p = await Project.start();
    p.ok('upgrade', HEAD);
    const before = await p.snapshot();
    p.write('md0000000001_invoices.py', fixAll(bad, 'missing-downgrade'));
    p.ok('upgrade', 'head');
    p.ok('downgrade', '-1');
    assert.deepEqual(diffSnapshots(before, await p.snapshot()), []);
    p.ok('upgrade', 'head');
  });

  it('downgrade-asymmetry: the inserted inverses undo tables and both kinds of enum types', async () => {
    p = await Project.start();
    const bad = onTopOfHead('downgrade-asymmetry/bad_tables_and_enums.py');
    p.write('da0000000001_tickets.py', bad);
    p.ok('upgrade', 'head');
    // Unfixed, the downgrade fails (ticket_comments still references tickets) or leaves types behind.
    const down = p.alembic('downgrade', '-1');
    const again = down.status === 0 ? p.alembic('upgrade', 'head') : down;
    assert.notEqual(again.status, 0);
    assert.match(failure(again), /already exists|depends on/);
    await p.end();
    p = await Project.start();
    p.ok('upgrade', HEAD);
    const before = await p.snapshot();
    p.write('da0000000001_tickets.py', fixAll(bad, 'downgrade-asymmetry'));
    p.ok('upgrade', 'head');
    p.ok('downgrade', '-1');
    assert.deepEqual(diffSnapshots(before, await p.snapshot()), []);
    p.ok('upgrade', 'head');
  });

  const ENUM_FILE = `"""mood

Revision ID: e9000001
Revises: ${HEAD}
Create Date: 2025-05-01 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = 'e9000001'
down_revision = '${HEAD}'
branch_labels = None
depends_on = None

# sa.Enum: its create() and drop() do not check first unless told (postgresql.ENUM's do).
mood = sa.Enum('happy', 'sad', name='mood')


def upgrade() -> None:
    mood.create(op.get_bind())
    op.add_column('accounts', sa.Column('mood', mood, nullable=True))


def downgrade() -> None:
    op.drop_column('accounts', 'mood')
    op.execute("DROP TYPE mood")
`;

  it('enum-without-checkfirst: a type left behind breaks the upgrade, and an already dropped one the downgrade, until fixed', async () => {
    p = await Project.start();
    p.ok('upgrade', HEAD);
    p.write('e9000001_mood.py', ENUM_FILE);
    await p.query("CREATE TYPE mood AS ENUM ('happy', 'sad')");
    const up = p.alembic('upgrade', 'head');
    assert.notEqual(up.status, 0);
    assert.match(failure(up), /type "mood" already exists/);
    const tolerant = (t: string) => t.replace("op.drop_column('accounts', 'mood')", "op.execute('ALTER TABLE accounts DROP COLUMN IF EXISTS mood')");
    const createFixed = fixAll(ENUM_FILE, 'enum-without-checkfirst', 1);
    assert.match(createFixed, /DROP TYPE mood"/, 'one fix at a time: the DROP TYPE is still unfixed');
    p.write('e9000001_mood.py', tolerant(createFixed));
    p.ok('upgrade', 'head');
    // A manual clean-up dropped the column and the type: DROP TYPE without IF EXISTS fails ...
    await p.query('ALTER TABLE accounts DROP COLUMN mood');
    await p.query('DROP TYPE mood');
    const down = p.alembic('downgrade', '-1');
    assert.notEqual(down.status, 0);
    assert.match(failure(down), /type "mood" does not exist/);
    // ... and completes once fixed.
    p.write('e9000001_mood.py', tolerant(fixAll(ENUM_FILE, 'enum-without-checkfirst')));
    p.ok('downgrade', '-1');
  });

  it('concurrent-index-outside-autocommit: PostgreSQL refuses it in the transaction; the autocommit block works', async () => {
    p = await Project.start();
    p.ok('upgrade', HEAD);
    const text = ENUM_FILE.replace(/\ndef upgrade[\s\S]*$/, `
def upgrade() -> None:
    op.create_index('ix_accounts_created_at', 'accounts', ['created_at'], postgresql_concurrently=True)


def downgrade() -> None:
    op.drop_index('ix_accounts_created_at', table_name='accounts', postgresql_concurrently=True)
`).replace(/^mood = .*$/m, '');
    p.write('e9000001_index.py', text);
    const up = p.alembic('upgrade', 'head');
    assert.notEqual(up.status, 0);
    assert.match(failure(up), /cannot run inside a transaction block/);
    p.write('e9000001_index.py', fixAll(text, 'concurrent-index-outside-autocommit'));
    p.ok('upgrade', 'head');
    p.ok('downgrade', '-1');
    const left = await p.query("SELECT 1 FROM pg_indexes WHERE indexname = 'ix_accounts_created_at'");
    assert.deepEqual(left, []);
  });

  it('non-concurrent-index and foreign-key-without-not-valid: the fixed migration builds concurrently and adds the key NOT VALID', async () => {
    p = await Project.start();
    p.ok('upgrade', HEAD);
    const text = ENUM_FILE.replace(/\ndef upgrade[\s\S]*$/, `
def upgrade() -> None:
    op.create_index('ix_projects_title', 'projects', ['title'])
    op.create_foreign_key('fk_projects_account2', 'projects', 'accounts', ['reviewer_id'], ['id'])


def downgrade() -> None:
    op.drop_constraint('fk_projects_account2', 'projects', type_='foreignkey')
    op.drop_index('ix_projects_title', table_name='projects')
`).replace(/^mood = .*$/m, '');
    const fixed = fixAll(fixAll(text, 'non-concurrent-index'), 'foreign-key-without-not-valid');
    p.write('e9000001_index.py', fixed);
    const sql = p.alembic('upgrade', `${HEAD}:head`, '--sql');
    assert.equal(sql.status, 0, failure(sql));
    assert.match(sql.stdout, /CREATE INDEX CONCURRENTLY ix_projects_title ON projects \(title\)/);
    assert.match(sql.stdout, /FOREIGN KEY\(reviewer_id\) REFERENCES accounts \(id\) NOT VALID/);
    p.ok('upgrade', 'head');
    const fk = await p.query<{ convalidated: boolean }>("SELECT convalidated FROM pg_constraint WHERE conname = 'fk_projects_account2'");
    assert.deepEqual(fk, [{ convalidated: false }]);
    p.ok('downgrade', '-1');
  });
});
