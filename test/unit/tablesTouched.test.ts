// The tables a migration's upgrade or downgrade changes (core/schema/effects.ts `tablesTouched`): what a
// schema snapshot of a very large database may be limited to. Anything not pinned to a table means no
// list at all, so the snapshot stays whole.
import assert from 'node:assert/strict';
import { parseMigration } from '../../server/src/core/parse';
import { downgradeEffects, revisionEffects, tablesTouched } from '../../server/src/core/schema';

function migration(up: string[], down: string[] = ['pass']): ReturnType<typeof parseMigration> {
  const body = (lines: string[]): string => lines.map((l) => `    ${l}`).join('\n');
  return parseMigration(`from alembic import op\nimport sqlalchemy as sa\n\nrevision = "a1"\ndown_revision = None\n\n\ndef upgrade():\n${body(up)}\n\n\ndef downgrade():\n${body(down)}\n`);
}

describe('tables a migration touches', () => {
  it('names every table its operations change, renames on both sides, from upgrade and downgrade alike', () => {
    const m = migration([
      "op.create_table('accounts', sa.Column('id', sa.Integer(), primary_key=True))",
      "op.add_column('users', sa.Column('phone', sa.String(32)))",
      "op.alter_column('orders', 'total', type_=sa.Numeric(12, 2))",
      "op.rename_table('old_logs', 'logs')",
      "op.create_index('ix_users_phone', 'users', ['phone'])",
      "op.execute('UPDATE users SET phone = NULL')",
    ], ["op.drop_index('ix_users_phone', table_name='users')", "op.drop_table('accounts')"]);
    assert.deepEqual(tablesTouched(revisionEffects(m, 'postgresql')), ['accounts', 'logs', 'old_logs', 'orders', 'users']);
    assert.deepEqual(tablesTouched(downgradeEffects(m, 'postgresql')), ['accounts', 'users']);
  });

  it('gives no list when something cannot be pinned to a table', () => {
    for (const line of ["op.drop_index('ix_users_phone')", 'op.execute(sql)', 'migrate_data(op.get_bind())']) {
      assert.equal(tablesTouched(revisionEffects(migration([line]), 'postgresql')), undefined, line);
    }
  });
});
