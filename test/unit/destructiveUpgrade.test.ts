// destructive-upgrade on a drop the downgrade refills (manila's and OpenStack's moves: a column's values
// copied to another table, the column dropped, the downgrade adding it back and writing rows; also
// Prefect's lossy reconstruction of a type from capabilities, a true loss): still a warning, but not
// "recreated empty"; it says what it cannot see.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fixturePath } from '../support/paths';
import { fileFindings } from './ruleFixtures';

const ofRule = (path: string, text: string) =>
  fileFindings(path, text).filter((f) => f.rule === 'destructive-upgrade').map((f) => [f.range.start.line + 1, f.severity, f.message] as const);

describe('destructive-upgrade and the downgrade that writes rows back', () => {
  it('says the downgrade writes rows back for the column it re-adds and refills, and "empty" for the other', () => {
    const file = fixturePath('rules', 'destructive-upgrade', 'bad_moved_and_restored.py');
    const found = ofRule(file, fs.readFileSync(file, 'utf8'));
    assert.deepEqual(found.map(([line, severity]) => [line, severity]), [[22, 'warning'], [24, 'warning']]);
    assert.match(found[0]?.[2] ?? '', /^upgrade\(\) drops column shares\.host and its data; the downgrade recreates it and writes rows back, which restores the data only if the upgrade kept every value elsewhere/);
    assert.match(found[1]?.[2] ?? '', /^upgrade\(\) drops column shares\.status and its data; a downgrade can add the column back but not its values/);
  });

  it('takes neither a dict.update() nor a downgrade that only re-adds the column for rows written back', () => {
    const text = `from alembic import op
import sqlalchemy as sa

revision = 'du0000000012'
down_revision = None


def upgrade():
    op.drop_column('shares', 'host')


def downgrade():
    settings = {}
    settings.update(host='a')
    op.add_column('shares', sa.Column('host', sa.String(255)))
`;
    assert.deepEqual(ofRule('/p/m.py', text).map(([line, severity]) => [line, severity]), [[9, 'warning']]);
  });
});
