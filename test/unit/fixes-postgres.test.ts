// Fixes of the PostgreSQL safety rules, character for character: concurrent index in an autocommit
// block, a concurrent operation moved into one, NOT VALID foreign keys.
import assert from 'node:assert/strict';
import { fileFindings, fixedText } from './ruleFixtures';

const file = (up: string, down = "    op.execute('SELECT 1')") => `from alembic import op

revision = 'p1'
down_revision = None


def upgrade():
${up}


def downgrade():
${down}
`;
const rules = (text: string) => fileFindings('/p/m.py', text).map((f) => f.rule);

describe('fixes: PostgreSQL safety rules', () => {
  it('non-concurrent-index: adds postgresql_concurrently=True and wraps the statement in an autocommit block', () => {
    const before = file([
      "    op.create_index(  # the email index",
      "        'ix_users_email',",
      "        'users',",
      "        ['email'],",
      '    )',
    ].join('\n'), "    op.drop_index('ix_users_email', table_name='users')");
    const out = fixedText(before, 'non-concurrent-index', 8) ?? '';
    assert.equal(out, file([
      '    with op.get_context().autocommit_block():',
      "        op.create_index(  # the email index",
      "            'ix_users_email',",
      "            'users',",
      "            ['email'],",
      '            postgresql_concurrently=True,',
      '        )',
    ].join('\n'), "    op.drop_index('ix_users_email', table_name='users')"));
    assert.deepEqual(rules(out), []);
  });

  it('non-concurrent-index: inside an autocommit block only the keyword is added', () => {
    const before = file("    with op.get_context().autocommit_block():\n        op.drop_index('ix_old', table_name='users')");
    assert.equal(fixedText(before, 'non-concurrent-index', 9),
      file("    with op.get_context().autocommit_block():\n        op.drop_index('ix_old', table_name='users', postgresql_concurrently=True)"));
  });

  it('non-concurrent-index: no fix for a call that shares its line with other code, or for batch operations', () => {
    assert.equal(fixedText(file("    x = 1; op.create_index('ix', 'users', ['a'])", "    op.drop_index('ix')"), 'non-concurrent-index', 8), undefined);
    assert.equal(fixedText(file("    with op.batch_alter_table('users') as b:\n        b.create_index('ix', ['a'])", "    op.drop_index('ix')"), 'non-concurrent-index', 9), undefined);
  });

  it('concurrent-index-outside-autocommit: wraps raw SQL and operations, in downgrades too', () => {
    const before = file('    op.execute("CREATE INDEX CONCURRENTLY ix ON users (a)")  # fast', "    op.drop_index('ix', postgresql_concurrently=True)");
    const once = fixedText(before, 'concurrent-index-outside-autocommit', 8) ?? '';
    assert.equal(once, file('    with op.get_context().autocommit_block():\n        op.execute("CREATE INDEX CONCURRENTLY ix ON users (a)")  # fast', "    op.drop_index('ix', postgresql_concurrently=True)"));
    const twice = fixedText(once, 'concurrent-index-outside-autocommit', 13) ?? '';
    assert.ok(twice.endsWith("def downgrade():\n    with op.get_context().autocommit_block():\n        op.drop_index('ix', postgresql_concurrently=True)\n"), twice);
    assert.deepEqual(rules(twice), []);
  });

  it('foreign-key-without-not-valid: adds postgresql_not_valid=True', () => {
    const before = file("    op.create_foreign_key('fk_o_u', 'orders', 'users', ['user_id'], ['id'], ondelete='CASCADE')", "    op.drop_constraint('fk_o_u', 'orders', type_='foreignkey')");
    const out = fixedText(before, 'foreign-key-without-not-valid', 8) ?? '';
    assert.equal(out, file("    op.create_foreign_key('fk_o_u', 'orders', 'users', ['user_id'], ['id'], ondelete='CASCADE', postgresql_not_valid=True)", "    op.drop_constraint('fk_o_u', 'orders', type_='foreignkey')"));
    // The fix leaves only the missing lock_timeout, which has a fix of its own.
    assert.deepEqual(rules(out), ['lock-timeout-missing']);
  });
});
