// missing-downgrade, irreversible-migration, enum-without-checkfirst and downgrade-asymmetry on small
// inline migrations: exact rule ids, lines, severities and messages, multi-database pairing,
// suppression comments and severity configuration.
import assert from 'node:assert/strict';
import { buildRevisionGraph } from '../../server/src/core/graph';
import { parseMigration } from '../../server/src/core/parse';
import { allRules, runFileRules } from '../../server/src/core/rules';
import type { RuleSeverityMap } from '../../server/src/core/config/severities';
import type { Finding } from '../../server/src/core/types';

const HEAD = `from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = 'abc123'
down_revision = None
`;
const HEAD_LINES = HEAD.split('\n').length - 1;

/** Findings of every file rule on HEAD + body; lines in the result are 1-based lines of `body`. */
function run(body: string, severities?: RuleSeverityMap): Finding[] {
  const text = HEAD + body;
  const migration = parseMigration(text);
  assert.deepEqual(migration.syntaxProblems, []);
  const graph = buildRevisionGraph([{ path: '/p/m.py', migration }]);
  return runFileRules(allRules, { path: '/p/m.py', text, migration }, graph, undefined, severities);
}
const at = (fs: Finding[], rule: string): number[] => fs.filter((f) => f.rule === rule).map((f) => f.range.start.line + 1 - HEAD_LINES);
const only = (fs: Finding[], rule: string): Finding[] => fs.filter((f) => f.rule === rule);

describe('rules: missing-downgrade and irreversible-migration', () => {
  it('reports an empty downgrade on its def line, as a warning', () => {
    const fs = run(`
def upgrade():
    op.create_table('t', sa.Column('id', sa.Integer(), primary_key=True))


def downgrade():
    # nothing yet
    pass
`);
    assert.deepEqual(at(fs, 'missing-downgrade'), [6]);
    assert.equal(only(fs, 'missing-downgrade')[0]?.severity, 'warning');
    assert.match(only(fs, 'missing-downgrade')[0]?.message ?? '', /downgrade\(\) is empty/);
  });

  it('reports a missing downgrade on the def upgrade line', () => {
    const fs = run(`
def upgrade() -> None:
    op.add_column('t', sa.Column('c', sa.Integer(), nullable=True))
`);
    assert.deepEqual(at(fs, 'missing-downgrade'), [2]);
    assert.match(only(fs, 'missing-downgrade')[0]?.message ?? '', /there is no downgrade\(\)/);
  });

  it('needs nothing for an empty upgrade (a merge) and counts docstrings and ... as empty', () => {
    assert.deepEqual(run(`
def upgrade():
    """merge"""
    ...


def downgrade():
    pass
`), []);
    const fs = run(`
def upgrade():
    op.execute("UPDATE t SET a = 1")


def downgrade():
    """Nothing."""
    ...
`);
    assert.deepEqual(at(fs, 'missing-downgrade'), [6]);
  });

  it('reports a raising downgrade as irreversible-migration (information), not missing-downgrade', () => {
    const fs = run(`
def upgrade():
    op.execute("UPDATE t SET a = lower(a)")


def downgrade():
    raise NotImplementedError("one-way")
`);
    assert.deepEqual(fs.map((f) => `${f.rule} ${f.severity} ${f.range.start.line + 1 - HEAD_LINES}`), ['irreversible-migration information 6']);
  });

  it('pairs upgrade_<engine> with downgrade_<engine>', () => {
    const fs = run(`
def upgrade_a():
    op.create_table('x', sa.Column('id', sa.Integer()))


def downgrade_b():
    op.drop_table('y')


def upgrade_b():
    op.create_table('y', sa.Column('id', sa.Integer()))


def downgrade_a():
    pass
`);
    assert.deepEqual(at(fs, 'missing-downgrade'), [14]);
    assert.match(only(fs, 'missing-downgrade')[0]?.message ?? '', /downgrade_a\(\) is empty but upgrade_a\(\)/);
  });

  it('honours the three suppression comments and the severity configuration', () => {
    const body = (comment: string, placement: 'line' | 'above' | 'file') => `
${placement === 'file' ? comment : ''}
def upgrade():
    op.create_table('t', sa.Column('id', sa.Integer()))

${placement === 'above' ? comment : ''}
def downgrade():${placement === 'line' ? `  ${comment}` : ''}
    pass
`;
    assert.deepEqual(at(run(body('# x', 'line')), 'missing-downgrade'), [7]);
    assert.deepEqual(at(run(body('# alembic-lint: disable=missing-downgrade', 'line')), 'missing-downgrade'), []);
    assert.deepEqual(at(run(body('# alembic-lint: disable-next-line=missing-downgrade', 'above')), 'missing-downgrade'), []);
    assert.deepEqual(at(run(body('# alembic-lint: disable-file=missing-downgrade', 'file')), 'missing-downgrade'), []);
    assert.deepEqual(at(run(body('# alembic-lint: disable=other-rule', 'line')), 'missing-downgrade'), [7]);
    const plain = body('', 'line');
    assert.equal(only(run(plain, { 'missing-downgrade': 'error' }), 'missing-downgrade')[0]?.severity, 'error');
    assert.deepEqual(only(run(plain, { 'missing-downgrade': 'off' }), 'missing-downgrade'), []);
  });
});

describe('rules: enum-without-checkfirst', () => {
  it('reports create/drop without checkfirst on inline, module-level and local enums, on the call\'s first line', () => {
    const fs = run(`
status = postgresql.ENUM('a', 'b', name='status', create_type=False)


def upgrade():
    status.create(op.get_bind())
    sa.Enum(
        'x', name='xy',
    ).create(op.get_bind(), checkfirst=False)
    local = sa.Enum('p', name='p')
    local.create(op.get_bind(), False)
    status.create(op.get_bind(), checkfirst=True)
    local.create(op.get_bind(), True)


def downgrade():
    status.drop(checkfirst=True, bind=op.get_bind())
    postgresql.ENUM(name='xy').drop(op.get_bind())
`);
    assert.deepEqual(at(fs, 'enum-without-checkfirst'), [6, 7, 11, 18]);
    const found = only(fs, 'enum-without-checkfirst');
    // postgresql.ENUM's create()/drop() check first by default: omitting it there is only a hint; a
    // brand-new type created once in a transaction cannot exist yet, so that is information
    // (rules-evidence.test.ts has the cases that stay warnings).
    assert.deepEqual(found.map((f) => f.severity), ['hint', 'information', 'information', 'hint']);
    assert.match(found[0]?.message ?? '', /'status' is created without checkfirst: PostgreSQL's ENUM defaults to checkfirst=True/);
    assert.match(found[1]?.message ?? '', /'xy' is created with checkfirst=False/);
    assert.match(found[2]?.message ?? '', /'p' is created with checkfirst=False/);
    assert.match(found[3]?.message ?? '', /'xy' is dropped without checkfirst/);
  });

  it('reports DROP TYPE without IF EXISTS in op.execute and sa.text, in any case, once per call', () => {
    const fs = run(`
def upgrade():
    pass


def downgrade():
    op.execute("DROP TYPE IF EXISTS a")
    op.execute(sa.text("drop type b; Drop Type c"))
    op.execute("""
        DROP TYPE IF EXISTS d;
        DROP TYPE "E"
    """)
    op.execute("SELECT 'drop type f'")
`);
    assert.deepEqual(at(fs, 'enum-without-checkfirst'), [8, 9]);
    assert.match(only(fs, 'enum-without-checkfirst')[0]?.message ?? '', /'b', 'c'/);
    assert.match(only(fs, 'enum-without-checkfirst')[1]?.message ?? '', /'e'/);
  });

  it('leaves a checkfirst given as a variable, and non-enum .create calls, alone', () => {
    const fs = run(`
CHECK = True
table = sa.Table('t', sa.MetaData())


def upgrade():
    postgresql.ENUM('a', name='a').create(op.get_bind(), checkfirst=CHECK)
    table.create(op.get_bind())


def downgrade():
    op.execute("DROP TYPE IF EXISTS a")
`);
    assert.deepEqual(at(fs, 'enum-without-checkfirst'), []);
  });
});

describe('rules: downgrade-asymmetry', () => {
  it('reports what is not undone on the upgrade call, comparing names through op.f and batch blocks', () => {
    const fs = run(`
def upgrade():
    op.create_table('a', sa.Column('id', sa.Integer()))
    op.create_table('b', sa.Column('id', sa.Integer()))
    op.create_index(op.f('ix_a_id'), 'a', ['id'])
    with op.batch_alter_table('c') as batch_op:
        batch_op.add_column(sa.Column('x', sa.Integer()))
        batch_op.add_column(sa.Column('y', sa.Integer()))
    op.create_unique_constraint('uq_c_x', 'c', ['z'])
    op.create_check_constraint(op.f('ck_c_y'), 'c', 'y > 0')


def downgrade():
    op.drop_constraint('ck_c_y', 'c', type_='check')
    op.drop_column('c', 'x')
    op.drop_table('a')
`);
    assert.deepEqual(at(fs, 'downgrade-asymmetry'), [4, 8, 9]);
    const messages = only(fs, 'downgrade-asymmetry').map((f) => f.message);
    assert.match(messages[0] ?? '', /creates table 'b', but downgrade\(\) does not drop it/);
    assert.match(messages[1] ?? '', /column c\.y/);
    assert.match(messages[2] ?? '', /constraint 'uq_c_x'/);
  });

  it('takes an index or constraint as dropped with any of its columns, and knows the names PostgreSQL gives unnamed ones', () => {
    const fs = run(`
def upgrade():
    op.add_column('c', sa.Column('x', sa.Integer()))
    op.create_index('ix_c_x_y', 'c', ['x', 'y'])
    op.create_foreign_key('fk_c_x', 'c', 'p', ['x'], ['id'])
    op.create_foreign_key(None, 'c', 'p', ['y'], ['id'])
    op.create_foreign_key(None, 'c', 'q', ['z'], ['id'])
    op.create_unique_constraint(None, 'c', ['w'])


def downgrade():
    op.drop_constraint('c_y_fkey', 'c', type_='foreignkey')
    op.drop_constraint('c_other_key', 'c', type_='unique')
    op.drop_column('c', 'x')
`);
    // c_z_fkey is not dropped; the unique constraint PostgreSQL names c_w_key, and c_other_key names no column of it.
    assert.deepEqual(at(fs, 'downgrade-asymmetry'), [7, 8]);
  });

  it('knows the names a naming convention makes: ck_<table>_<name>, and an unnamed constraint by its columns', () => {
    const fs = run(`
def upgrade():
    op.create_check_constraint('positive_duration', 'contributions', 'duration > 0')
    op.create_foreign_key(None, 'links', 'users', ['user_id'], ['id'])
    op.create_check_constraint('other_check', 'contributions', 'x > 0')
    op.create_check_constraint('weekly_only', 'reservations', "weekdays IS NULL OR frequency = 'w'")
    op.create_index('ix_reservations_weekdays', 'reservations', [sa.text('lower(weekdays)')])


def downgrade():
    op.drop_column('reservations', 'weekdays')
    op.drop_constraint('fk_links_user_id_users', 'links')
    op.drop_constraint('ck_contributions_positive_duration', 'contributions')
`);
    // The check and the expression index on reservations name the dropped column weekdays: PostgreSQL
    // drops them with the column.
    assert.deepEqual(at(fs, 'downgrade-asymmetry'), [5]);
  });

  it('reports an enum type create_table creates implicitly, on the enum inside the column', () => {
    const fs = run(`
kind = sa.Enum('a', 'b', name='kind')


def upgrade():
    op.create_table(
        't',
        sa.Column('k', kind),
        sa.Column('s', postgresql.ENUM('x', name='s', create_type=False)),
        sa.Column('n', sa.Enum('y', name='n', native_enum=False)),
    )


def downgrade():
    op.drop_table('t')
`);
    assert.deepEqual(at(fs, 'downgrade-asymmetry'), [8]);
    assert.match(only(fs, 'downgrade-asymmetry')[0]?.message ?? '', /enum type 'kind'.*drop_table does not drop it/);
  });

  it('is quiet for empty or raising downgrades, helpers of the file, loops, renames and scratch tables', () => {
    const base = `
def upgrade():
    op.create_table('a', sa.Column('id', sa.Integer()))
    op.create_table('tmp', sa.Column('id', sa.Integer()))
    op.drop_table('tmp')
    op.create_table('old', sa.Column('id', sa.Integer()))
    op.rename_table('old', 'new')
`;
    assert.deepEqual(at(run(`${base}\n\ndef downgrade():\n    raise NotImplementedError()\n`), 'downgrade-asymmetry'), []);
    assert.deepEqual(at(run(`${base}\n\ndef downgrade():\n    pass\n`), 'downgrade-asymmetry'), []);
    assert.deepEqual(at(run(`${base}\n\ndef downgrade():\n    helper()\n\n\ndef helper():\n    pass\n`), 'downgrade-asymmetry'), []);
    assert.deepEqual(at(run(`${base}\n\ndef downgrade():\n    for t in ('a', 'new'):\n        op.drop_table(t)\n`), 'downgrade-asymmetry'), []);
    assert.deepEqual(at(run(`${base}\n\ndef downgrade():\n    op.drop_table('new')\n    op.execute('DROP TABLE IF EXISTS a')\n`), 'downgrade-asymmetry'), []);
    // Dropping the old name of a renamed table does not undo it.
    assert.deepEqual(at(run(`${base}\n\ndef downgrade():\n    op.drop_table('old')\n    op.drop_table('a')\n`), 'downgrade-asymmetry'), [6]);
  });
});
