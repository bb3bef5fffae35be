// How messages name a column: `table.column`, and in words where a part is not a literal (a loop over
// tables, as aiida-core's migrations write), never a bare `?`.
import assert from 'node:assert/strict';
import { columnLabel } from '../../server/src/core/facts/schema';
import { fileFindings } from './ruleFixtures';

describe('columnLabel', () => {
  it('names both parts, or says which one is not a literal', () => {
    assert.equal(columnLabel({ table: 'users', name: 'email' }), 'users.email');
    assert.equal(columnLabel({ name: 'uuid' }), 'uuid (its table is not a literal)');
    assert.equal(columnLabel({ table: 'users' }), 'a column of users (its name is not a literal)');
    assert.equal(columnLabel({}), 'a column (not named by literals)');
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
