// What the `alembic/operations` request shows users: names as the migration writes them, one SQL
// line per statement, enum types however they are bound, and the objects an upgrade creates.
import assert from 'node:assert/strict';
import { createdObjects, destructiveOperations } from '../../server/src/core/operations';
import { parseMigration } from '../../server/src/core/parse';

const migration = parseMigration(`from alembic import op
import sqlalchemy as sa
from sqlalchemy.sql.naming import conv

revision = 'aa01'
down_revision = None

mood = sa.Enum('happy', 'sad', name='Mood')


def upgrade():
    op.create_table('Accounts', sa.Column('id', sa.Integer()), sa.Column('mood', mood))
    op.add_column('Accounts', sa.Column(op.f('Nickname'), sa.String()))
    op.create_index(conv('ix_Accounts_nickname'), 'Accounts', ['Nickname'])


def downgrade():
    op.execute("DELETE FROM sessions WHERE user_id IS NULL; TRUNCATE audit_log, events; DROP TYPE IF EXISTS legacy")
    with op.batch_alter_table('Accounts') as batch_op:
        batch_op.drop_column('Nickname')
    op.drop_index(conv('ix_Accounts_nickname'), table_name='Accounts')
    op.create_table('restore', sa.Column('id', sa.Integer()))
    op.drop_table('restore')
    op.drop_table(conv('Accounts'))
    kind = sa.Enum('a', name='Kind')
    kind.drop(op.get_bind(), checkfirst=True)
    mood.drop(op.get_bind(), checkfirst=True)
`);

describe('operations', () => {
  it('lists what a downgrade destroys, by the names the code writes', () => {
    const lines = destructiveOperations(migration, 'downgrade').map((o) => `${o.range.start.line + 1} ${o.operation} ${o.target ?? '-'}`);
    assert.deepEqual(lines, [
      // the DELETE picks rows with WHERE: a data change, not a loss
      '18 execute TRUNCATE audit_log, events',
      '18 execute DROP TYPE IF EXISTS legacy',
      '20 drop_column Accounts.Nickname',
      // the index holds no data; 'restore' was created by this downgrade and is empty
      '24 drop_table Accounts',
      '26 drop enum Kind',
      '27 drop enum Mood',
    ]);
    const truncate = destructiveOperations(migration, 'downgrade')[0];
    assert.deepEqual(truncate?.losses.map((l) => `${l.kind} ${l.object}`), ['truncate audit_log, events']);
  });

  it('lists what an upgrade creates, with the enum a create_table creates at its column type', () => {
    const created = createdObjects(migration).map((c) => `${c.range.start.line + 1}:${c.range.start.character} ${c.kind} ${c.name}`);
    assert.deepEqual(created, ['12:4 table Accounts', '12:81 enum Mood', '13:4 column Accounts.Nickname', '14:4 index ix_Accounts_nickname']);
    assert.deepEqual(createdObjects(migration, 'downgrade').map((c) => `${c.kind} ${c.name}`), ['table restore']);
  });
});
