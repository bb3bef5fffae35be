// Severity that matches the evidence: a finding is a warning where the file shows the failure can
// happen, and information where nothing does (issue 18's "true but noise"); and the error that is
// certain: drop_constraint(None, ...) always raises.
import assert from 'node:assert/strict';
import type { Finding } from '../../server/src/core/types';
import { fileFindings, fixedText } from './ruleFixtures';

const HEAD = `from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = 'ev0001'
down_revision = None
`;

const findings = (body: string, rule: string): Finding[] => fileFindings('/p/m.py', HEAD + body).filter((f) => f.rule === rule);
const severities = (fs: Finding[]): string[] => fs.map((f) => f.severity);

describe('rules: severity from the evidence', () => {
  it('enum-without-checkfirst: information for a new type created once, a warning when the file shows it may exist or be gone', () => {
    assert.deepEqual(severities(findings(`
def upgrade():
    sa.Enum('a', 'b', name='status').create(op.get_bind())


def downgrade():
    sa.Enum(name='status').drop(op.get_bind())
`, 'enum-without-checkfirst')), ['information', 'information']);

    const evident = findings(`
def upgrade():
    op.create_table('t', sa.Column('s', sa.Enum('a', name='status')))
    sa.Enum('a', name='status').create(op.get_bind())
    sa.Enum('x', name='kind').create(op.get_bind())
    sa.Enum('x', name='kind').create(op.get_bind())
    with op.get_context().autocommit_block():
        sa.Enum('m', name='mood').create(op.get_bind())


def downgrade():
    sa.Enum(name='shared_type').drop(op.get_bind())
    op.execute("DROP TYPE other_shared")
`, 'enum-without-checkfirst');
    assert.deepEqual(severities(evident), ['warning', 'information', 'warning', 'warning', 'warning', 'warning']);
    assert.match(evident[0]?.message ?? '', /create_table created it earlier/);
    assert.match(evident[2]?.message ?? '', /creates it more than once/);
    assert.match(evident[3]?.message ?? '', /autocommit block/);
    assert.match(evident[4]?.message ?? '', /another revision owns it/);

    // An upgrade whose SQL cannot be read (rucio's f-string CREATE TYPE) may have created the type: unknown, no warning.
    const unread = findings(`
def upgrade():
    values = "'a', 'b'"
    op.execute(f'CREATE TYPE "STATE_CHK" AS ENUM({values})')


def downgrade():
    op.execute('DROP TYPE "STATE_CHK"')
`, 'enum-without-checkfirst');
    assert.deepEqual(severities(unread), ['information']);
    // The upgrade adds a value to the type, so it exists when the downgrade swaps it back without the
    // value (Faraday: CREATE TYPE x_tmp, columns moved, DROP TYPE x, x_tmp renamed to x).
    const swappedBack = findings(`
def upgrade():
    with op.get_context().autocommit_block():
        op.execute("ALTER TYPE token_scopes ADD VALUE IF NOT EXISTS 'jira'")


def downgrade():
    op.execute("CREATE TYPE token_scopes_tmp AS ENUM('read', 'write')")
    op.execute("ALTER TABLE user_token ALTER COLUMN scope SET DATA TYPE token_scopes_tmp USING scope::text::token_scopes_tmp")
    op.execute("DROP TYPE token_scopes")
    op.execute("ALTER TYPE token_scopes_tmp RENAME TO token_scopes")
`, 'enum-without-checkfirst');
    assert.deepEqual(severities(swappedBack), ['information']);
    assert.doesNotMatch(swappedBack[0]?.message ?? '', /another revision owns it/);
    // The swap that drops the old type and creates the new one under its name: the create cannot find
    // it there, so only the drops and the temporary type's create are reported (Faraday's user_roles).
    const recreated = findings(`
def upgrade():
    tmp_type = sa.Enum('a', 'b', 'c', name='_user_roles')
    tmp_type.create(op.get_bind(), checkfirst=False)
    op.execute('ALTER TABLE u ALTER COLUMN role TYPE _user_roles USING role::text::_user_roles')
    sa.Enum('a', 'b', name='user_roles').drop(op.get_bind(), checkfirst=False)
    sa.Enum('a', 'b', 'c', name='user_roles').create(op.get_bind(), checkfirst=False)
    op.execute('ALTER TABLE u ALTER COLUMN role TYPE user_roles USING role::text::user_roles')
    tmp_type.drop(op.get_bind(), checkfirst=False)


def downgrade():
    pass
`, 'enum-without-checkfirst');
    assert.deepEqual(recreated.map((f) => `${f.range.start.line + 1 - 6} ${f.severity}`), ['4 information', '6 information']);
  });

  it('missing-downgrade: a data-only upgrade is information with its own message; a print-only downgrade is empty', () => {
    const data = findings(`
def upgrade():
    op.execute("SET statement_timeout = 60000")
    op.execute("UPDATE users SET active = true")
    op.get_bind().execute(sa.text("INSERT INTO roles (name) VALUES ('admin')"))
`, 'missing-downgrade');
    assert.deepEqual(severities(data), ['information']);
    assert.match(data[0]?.message ?? '', /only changes data/);
    assert.equal(data[0]?.data, undefined, 'no schema change to draft a downgrade from');

    const schema = findings(`
def upgrade():
    op.execute("UPDATE users SET active = true")
    op.add_column('users', sa.Column('x', sa.Integer()))


def downgrade():
    print("downgrading")
`, 'missing-downgrade');
    assert.deepEqual(severities(schema), ['warning']);
    assert.match(schema[0]?.message ?? '', /downgrade\(\) is empty/);
  });

  it('drop-constraint-without-name: an error, fixed with the name the upgrade gives or PostgreSQL chose', () => {
    const text = HEAD + `
def upgrade():
    op.create_foreign_key(None, 'orders', 'customers', ['customer_id'], ['id'])


def downgrade():
    op.drop_constraint(None, 'orders', type_='foreignkey')
`;
    const [finding] = fileFindings('/p/m.py', text).filter((f) => f.rule === 'drop-constraint-without-name');
    assert.equal(finding?.severity, 'error');
    assert.match(finding?.message ?? '', /'orders_customer_id_fkey'/);
    const line = text.split('\n').findIndex((l) => l.includes('drop_constraint')) + 1;
    const fixed = fixedText(text, 'drop-constraint-without-name', line) ?? '';
    assert.match(fixed, /op\.drop_constraint\('orders_customer_id_fkey', 'orders', type_='foreignkey'\)/);
    assert.deepEqual(fileFindings('/p/m.py', fixed).filter((f) => f.rule === 'drop-constraint-without-name' || f.rule === 'downgrade-asymmetry'), []);
  });

  it('downgrade-asymmetry: an enum type created with checkfirst=True and left by the downgrade is information (the next upgrade skips it)', () => {
    const left = findings(`
def upgrade():
    sa.Enum('name', 'cve', name='group_by').create(op.get_bind(), checkfirst=True)
    sa.Enum('a', 'b', name='kind').create(op.get_bind())
    op.add_column('workspace', sa.Column('group_by', sa.Enum('name', 'cve', name='group_by'), nullable=True))


def downgrade():
    op.drop_column('workspace', 'group_by')
`, 'downgrade-asymmetry');
    assert.deepEqual(left.map((f) => f.severity), ['information', 'warning']);
    assert.match(left[0]?.message ?? '', /with checkfirst=True, .*the next upgrade skips it/);
  });
});
