// How messages name a column: `table.column`, and in words where a part is not a literal (a loop over
// tables, as aiida-core's migrations write), never a bare `?`.
import assert from 'node:assert/strict';
import { columnLabel, columnPhrase, tablePhrase } from '../../server/src/core/facts/schema';
import { fileFindings } from './ruleFixtures';

describe('columnLabel', () => {
  it('names both parts, or says which one is not a literal', () => {
    assert.equal(columnLabel({ table: 'users', name: 'email' }), 'users.email');
    assert.equal(columnLabel({ name: 'uuid' }), 'uuid (its table is not a literal)');
    assert.equal(columnLabel({ table: 'users' }), 'a column of users (its name is not a literal)');
    assert.equal(columnLabel({}), 'a column (neither its table nor its name is a literal)');
    assert.equal(columnPhrase({ table: 'users', name: 'email' }), 'column users.email');
    assert.equal(columnPhrase({ table: 'users' }), 'a column of users (its name is not a literal)');
    assert.equal(tablePhrase('users'), "table 'users'");
    assert.equal(tablePhrase(undefined), 'a table (its name is not a literal)');
  });

  it('is what destructive-upgrade and rename-column-or-table say for names held in variables (manila\'s loops and constants)', () => {
    const text = `from alembic import op

revision = 'cl0002'
down_revision = None
TABLE_NAMES = ('network_allocations', 'security_services')


def upgrade():
    for t_name in TABLE_NAMES:
        op.drop_column(t_name, COLUMN_NAME)
    op.drop_table(OLD_TABLE)
    op.rename_table(NEW_TABLE, 'shares')
    op.alter_column('shares', 'size', new_column_name=NEW_NAME)
`;
    const messages = fileFindings('/p/m.py', text).filter((f) => f.rule === 'destructive-upgrade' || f.rule === 'rename-column-or-table').map((f) => f.message);
    assert.deepEqual(messages.map((m) => /^(upgrade\(\) drops|Renaming) (.*?) (and|breaks)/.exec(m)?.[2]), [
      'a column (neither its table nor its name is a literal)',
      'a table (its name is not a literal)',
      "a table (its name is not a literal) to 'shares'",
      'column shares.size to a name that is not a literal',
    ]);
  });

  it('is what change-column-type says for a column of a loop over tables', () => {
    const text = `from alembic import op
import sqlalchemy as sa

revision = 'cl0001'
down_revision = None


def upgrade():
    for table in ('db_dbnode', 'db_dbgroup'):
        op.alter_column(table, 'uuid', existing_type=sa.VARCHAR(length=36), type_=sa.Integer())
`;
    const found = fileFindings('/p/m.py', text).find((f) => f.rule === 'change-column-type');
    assert.match(found?.message ?? '', /^Changing the type of uuid \(its table is not a literal\) makes PostgreSQL rewrite/);
  });
});
