// enum-without-checkfirst fixes, character for character: checkfirst=True added or corrected (keyword,
// positional, empty argument list, multi-line calls), DROP TYPE -> DROP TYPE IF EXISTS in the string.
import assert from 'node:assert/strict';
import { fileFindings, fixedText } from './ruleFixtures';

const file = (up: string, down = '    pass') => `from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = 'e1'
down_revision = None

kind = postgresql.ENUM('a', name='kind', create_type=False)


def upgrade():
${up}


def downgrade():
${down}
`;
const UP_LINE = 12;
const DOWN_LINE = 16;
const noFinding = (text: string) => assert.deepEqual(fileFindings('/p/m.py', text).filter((f) => f.rule === 'enum-without-checkfirst'), []);

describe('fixes: enum-without-checkfirst', () => {
  it('adds checkfirst=True after the last argument', () => {
    const out = fixedText(file('    kind.create(op.get_bind())'), 'enum-without-checkfirst', UP_LINE);
    assert.equal(out, file('    kind.create(op.get_bind(), checkfirst=True)'));
    noFinding(out ?? '');
  });

  it('turns checkfirst=False into True, keyword or positional', () => {
    assert.equal(fixedText(file('    kind.create(checkfirst=False, bind=op.get_bind())'), 'enum-without-checkfirst', UP_LINE),
      file('    kind.create(checkfirst=True, bind=op.get_bind())'));
    assert.equal(fixedText(file('    kind.create(op.get_bind(), False)'), 'enum-without-checkfirst', UP_LINE),
      file('    kind.create(op.get_bind(), True)'));
  });

  it('fills an empty argument list', () => {
    assert.equal(fixedText(file('    kind.create()'), 'enum-without-checkfirst', UP_LINE), file('    kind.create(checkfirst=True)'));
  });

  it('puts the keyword on its own line in a call written one argument per line', () => {
    const before = file([
      '    sa.Enum(',
      "        'a', name='x',",
      '    ).create(',
      '        op.get_bind(),  # the connection',
      '    )',
    ].join('\n'));
    const out = fixedText(before, 'enum-without-checkfirst', UP_LINE);
    assert.equal(out, file([
      '    sa.Enum(',
      "        'a', name='x',",
      '    ).create(',
      '        op.get_bind(),  # the connection',
      '        checkfirst=True,',
      '    )',
    ].join('\n')));
    noFinding(out ?? '');
  });

  it('offers no keyword fix when **kwargs may already hold checkfirst', () => {
    assert.equal(fixedText(file('    kind.create(**options)'), 'enum-without-checkfirst', UP_LINE), undefined);
  });

  it('writes IF EXISTS into every DROP TYPE of the string, keeping the letter case', () => {
    const before = file('    pass', [
      '    op.execute(sa.text("drop type a; DROP  TYPE IF EXISTS b; DROP TYPE c"))',
      "    op.execute('''",
      '        DROP TYPE "D"',
      "    ''')",
    ].join('\n'));
    const once = fixedText(before, 'enum-without-checkfirst', DOWN_LINE) ?? '';
    assert.match(once, /drop type if exists a; DROP {2}TYPE IF EXISTS b; DROP TYPE IF EXISTS c/);
    const twice = fixedText(once, 'enum-without-checkfirst', DOWN_LINE + 1) ?? '';
    assert.match(twice, /DROP TYPE IF EXISTS "D"/);
    noFinding(twice);
  });
});
