import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../support/paths';
import {
  TemplateError, createRevisionFromTemplate, defaultAnswer, fillPlaceholders, listPlaceholders, loadTemplate,
  loadTemplateLibrary, parseManifest, resolveAnswers, type MigrationTemplate,
} from '../../server/src/core/templates';

const libraryDir = path.join(repoRoot, 'migrations-templates');
const manifest = fs.readFileSync(path.join(libraryDir, 'manifest.json'), 'utf8');
const library = loadTemplateLibrary(manifest, (f) => fs.readFileSync(path.join(libraryDir, f), 'utf8'));
const byId = (id: string): MigrationTemplate => {
  const t = library.find((x) => x.id === id);
  assert.ok(t, `template ${id}`);
  return t;
};
const sampleAnswers = (t: MigrationTemplate): Record<string, string> =>
  Object.fromEntries(t.placeholders.map((p) => [p.name, p.example]));
/** Examples only for the placeholders without a default: what a user must type. */
const requiredAnswers = (t: MigrationTemplate): Record<string, string> =>
  Object.fromEntries(t.placeholders.filter((p) => p.default === undefined).map((p) => [p.name, p.example]));
const NOW = new Date(2024, 4, 6, 7, 8, 9, 123); // local time: 2024-05-06 07:08:09.123

describe('migration templates: the library', () => {
  it('holds the eight templates the issue asks for, each with a one-line description', () => {
    assert.deepEqual(library.map((t) => t.id), [
      'empty', 'create-table', 'add-column', 'enum', 'enum-add-value', 'data-migration', 'concurrent-index', 'merge',
    ]);
    for (const t of library) {
      assert.ok(t.description.length > 20 && !t.description.includes('\n'), t.id);
      assert.ok(t.placeholders.some((p) => p.name === 'message' && p.kind === 'text'), `${t.id} asks for a message`);
    }
  });

  it('every file in the folder is in the manifest', () => {
    const files = fs.readdirSync(libraryDir).filter((f) => f.endsWith('.py')).sort();
    assert.deepEqual(files, library.map((t) => t.file).sort());
  });

  for (const id of ['empty', 'create-table', 'add-column', 'enum', 'enum-add-value', 'data-migration', 'concurrent-index', 'merge']) {
    it(`${id}: renders its example answers with no placeholder left`, () => {
      const t = byId(id);
      const heads = t.merge ? ['aaaa00000001', 'bbbb00000002'] : ['aaaa00000001'];
      const r = createRevisionFromTemplate({ template: t, answers: sampleAnswers(t), project: { versionLocation: '/p/versions' }, heads, now: NOW, revisionId: 'c0ffee000001' });
      assert.equal(listPlaceholders(r.text).length, 0, r.text);
      assert.doesNotMatch(r.text, /\{\{|\}\}/);
      assert.match(r.text, /^revision: str = "c0ffee000001"$/m);
      assert.match(r.text, /^Revision ID: c0ffee000001$/m);
      assert.match(r.text, /^Create Date: 2024-05-06 07:08:09\.123000$/m);
      if (t.merge) {
        assert.match(r.text, /^down_revision: Union\[str, Sequence\[str\], None\] = \("aaaa00000001", "bbbb00000002"\)$/m);
        assert.match(r.text, /^Revises: aaaa00000001, bbbb00000002$/m);
      } else {
        assert.match(r.text, /^down_revision: Union\[str, Sequence\[str\], None\] = "aaaa00000001"$/m);
        assert.match(r.text, /^Revises: aaaa00000001$/m);
      }
      const message = t.placeholders.find((p) => p.name === 'message')?.example ?? '';
      assert.equal(r.text.split('\n')[0], `"""${message}`);
      assert.match(r.text, /^def upgrade\(\) -> None:$/m);
      assert.match(r.text, /^def downgrade\(\) -> None:/m);
      assert.doesNotMatch(r.text, /[ \t]+$/m, 'no trailing whitespace');
      // The cursor lands on real text inside the file.
      const line = r.text.split('\n')[r.cursor.line] ?? '';
      assert.ok(r.cursor.character < line.length, `cursor ${JSON.stringify(r.cursor)} on '${line}'`);
    });
  }

  it('every placeholder that has a default resolves it from earlier answers', () => {
    const t = byId('create-table');
    const index = t.placeholders.find((p) => p.name === 'index_name');
    assert.ok(index);
    assert.equal(defaultAnswer(index, { table: 'orders', column: 'placed_at' }), 'ix_orders_placed_at');
    const r = resolveAnswers(t, { table: 'orders', column: 'placed_at' });
    assert.ok(r.ok);
    assert.equal(r.values.index_name, 'ix_orders_placed_at');
    assert.equal(r.values.column_type, 'sa.String(255)');
    assert.equal(r.values.message, 'create orders table');
  });
});

describe('migration templates: what each one writes', () => {
  const render = (id: string, answers: Record<string, string> = {}, heads = ['base00000001']) => {
    const t = byId(id);
    return createRevisionFromTemplate({ template: t, answers: { ...requiredAnswers(t), ...answers }, project: { versionLocation: 'v' }, heads, now: NOW, revisionId: 'abcdef123456' });
  };

  it('empty: the downgrade raises NotImplementedError, never a bare pass; the cursor is on the upgrade body', () => {
    const r = render('empty');
    const downgrade = r.text.slice(r.text.indexOf('def downgrade'));
    assert.match(downgrade, /raise NotImplementedError\("downgrade of abcdef123456 is not written yet"\)/);
    assert.doesNotMatch(downgrade, /^\s+pass\s*$/m);
    const lines = r.text.split('\n');
    assert.equal(lines[r.cursor.line - 1], 'def upgrade() -> None:');
    assert.equal(lines[r.cursor.line]?.slice(r.cursor.character), 'pass');
  });

  it('create-table: primary key, timestamps with server_default now(), an index, and the exact inverse', () => {
    const r = render('create-table', { table: 'orders', column: 'ref', column_type: 'sa.String(32)' });
    assert.match(r.text, /op\.create_table\(\n {8}"orders",\n {8}sa\.Column\("id", sa\.BigInteger\(\), primary_key=True\),\n {8}sa\.Column\("ref", sa\.String\(32\), nullable=False\),/);
    assert.equal((r.text.match(/server_default=sa\.text\("now\(\)"\)/g) ?? []).length, 2);
    assert.match(r.text, /op\.create_index\("ix_orders_ref", "orders", \["ref"\]\)/);
    const downgrade = r.text.slice(r.text.indexOf('def downgrade'));
    assert.match(downgrade, /op\.drop_index\("ix_orders_ref", table_name="orders"\)\n {4}op\.drop_table\("orders"\)/);
  });

  it('add-column: nullable first, backfill, then NOT NULL, in that order; the downgrade drops it', () => {
    const r = render('add-column', { table: 'users', column: 'tier', column_type: 'sa.Integer()', backfill_sql: '0' });
    const add = r.text.indexOf('op.add_column("users", sa.Column("tier", sa.Integer(), nullable=True))');
    const fill = r.text.indexOf('.values({"tier": sa.text("0")})');
    const notNull = r.text.indexOf('op.alter_column("users", "tier", existing_type=sa.Integer(), nullable=False)');
    assert.ok(add > 0 && fill > add && notNull > fill, `${add} ${fill} ${notNull}`);
    assert.match(r.text, /ACCESS EXCLUSIVE lock/);
    assert.match(r.text.slice(r.text.indexOf('def downgrade')), /op\.drop_column\("users", "tier"\)/);
  });

  it('enum: module-level postgresql.ENUM with create_type=False, checkfirst both ways, column dropped before the type', () => {
    const r = render('enum', { enum_name: 'mood', enum_values: 'happy, sad ,  so-so', table: 'users', column: 'mood' });
    assert.match(r.text, /^mood_enum = postgresql\.ENUM\("happy", "sad", "so-so", name="mood", create_type=False\)$/m);
    assert.match(r.text, /mood_enum\.create\(op\.get_bind\(\), checkfirst=True\)/);
    const downgrade = r.text.slice(r.text.indexOf('def downgrade'));
    assert.match(downgrade, /op\.drop_column\("users", "mood"\)\n {4}mood_enum\.drop\(op\.get_bind\(\), checkfirst=True\)/);
  });

  it('enum-add-value: ALTER TYPE ... ADD VALUE IF NOT EXISTS inside autocommit_block, and an honest downgrade', () => {
    const r = render('enum-add-value', { enum_name: 'user_status', new_value: 'on hold' });
    assert.match(r.text, /with op\.get_context\(\)\.autocommit_block\(\):\n {8}op\.execute\("""ALTER TYPE "user_status" ADD VALUE IF NOT EXISTS 'on hold'"""\)/);
    assert.match(r.text, /cannot remove a value from an enum type/);
  });

  it('data-migration: table()/column(), batches by primary key inside autocommit_block, offline fallback', () => {
    const r = render('data-migration', { batch_size: '250' });
    assert.match(r.text, /^from sqlalchemy import column, table$/m);
    assert.match(r.text, /^BATCH_SIZE = 250$/m);
    assert.match(r.text, /rows = table\(\n {4}"users",\n {4}column\("id"\),\n {4}column\("email"\),\n {4}column\("normalized_email"\),\n\)/);
    assert.match(r.text, /update_in_batches\(\{"normalized_email": rows\.c\["email"\]\}\)/);
    assert.match(r.text, /with op\.get_context\(\)\.autocommit_block\(\):/);
    assert.match(r.text, /context\.is_offline_mode\(\)/);
  });

  it('concurrent-index: postgresql_concurrently=True inside autocommit_block, both ways', () => {
    const r = render('concurrent-index');
    assert.equal((r.text.match(/with op\.get_context\(\)\.autocommit_block\(\):/g) ?? []).length, 2);
    assert.equal((r.text.match(/postgresql_concurrently=True/g) ?? []).length, 2);
    assert.match(r.text, /op\.drop_index\(\n {12}"ix_users_email",\n {12}table_name="users",/);
  });

  it('merge: down_revision is the tuple of every head, upgrade and downgrade empty', () => {
    const r = render('merge', {}, ['a1', 'b2', 'c3']);
    assert.deepEqual(r.downRevision, ['a1', 'b2', 'c3']);
    assert.match(r.text, /= \("a1", "b2", "c3"\)$/m);
    assert.match(r.text, /def downgrade\(\) -> None:\n {4}pass\n$/);
  });
});

describe('migration templates: checking a template against its manifest entry', () => {
  const entry = parseManifest(JSON.stringify({ templates: [{
    id: 'x', file: 'x.py', label: 'X', description: 'an example',
    placeholders: [
      { name: 'table', kind: 'table', prompt: 'table?', example: 'users' },
      { name: 'message', kind: 'text', prompt: 'message?', example: 'm', default: 'touch {{table}}' },
    ],
  }] }))[0];
  assert.ok(entry);
  const ok = 'revision = "{{revision}}"\ndown_revision = {{down_revision}}\n# {{message}} {{table}}\n';

  it('accepts a text that uses exactly the declared placeholders', () => {
    assert.equal(loadTemplate(entry, ok).id, 'x');
  });

  it('refuses an undeclared placeholder, an unused declared one and a stray brace pair', () => {
    assert.throws(() => loadTemplate(entry, ok + '{{column}}\n'), /\{\{column\}\} is used in x\.py but not declared/);
    assert.throws(() => loadTemplate(entry, ok.replace('{{table}}', '')), /'table' is declared but x\.py does not use it/);
    assert.throws(() => loadTemplate(entry, ok + 'x = {{ 1 }}\n'), /holds a '\{\{' that is not part of a placeholder/);
    assert.throws(() => loadTemplate(entry, ok.replace('{{down_revision}}', 'None')), /does not use \{\{down_revision\}\}/);
  });

  it('refuses a default that refers to a later placeholder, and a bad manifest', () => {
    const bad = { ...entry, placeholders: [...entry.placeholders].reverse() };
    assert.throws(() => loadTemplate(bad, ok), /default of 'message' uses \{\{table\}\}, which is not asked before it/);
    assert.throws(() => parseManifest('{"templates": [{"id": "Bad Id"}]}'), /not kebab-case/);
    assert.throws(() => parseManifest('{"templates": [{"id": "a", "file": "a.py", "label": "A", "description": "d", "placeholders": [{"name": "revision", "kind": "text", "prompt": "p", "example": "e"}]}]}'), /filled in by the command/);
    assert.throws(() => parseManifest('{"templates": [{"id": "a", "file": "a.py", "label": "A", "description": "d", "placeholders": [{"name": "t", "kind": "tabel", "prompt": "p", "example": "e"}]}]}'), /kind 'tabel' is not one of/);
    assert.throws(() => parseManifest('nope'), TemplateError);
  });

  it('reports every bad or missing answer, and answers to unknown placeholders', () => {
    const t = loadTemplate(entry, ok);
    const r = resolveAnswers(t, { table: '1users', colour: 'x' });
    assert.ok(!r.ok);
    assert.deepEqual(r.problems.map((p) => p.placeholder), ['table', 'colour']);
    assert.match(r.problems[0]?.message ?? '', /cannot start with a digit/);
  });

  it('fillPlaceholders inserts answers verbatim (an answer holding {{x}} is not re-expanded) and marks the cursor', () => {
    const r = fillPlaceholders('a {{x}}\n  {{cursor}}b {{y}}', { x: '{{y}}', y: 'Y' });
    assert.equal(r.text, 'a {{y}}\n  b Y');
    assert.deepEqual(r.cursor, { line: 1, character: 2 });
    assert.throws(() => fillPlaceholders('{{x}} {{z}}', { x: '1' }), /no value for \{\{z\}\}/);
  });
});

describe('createRevisionFromTemplate', () => {
  const t = byId('create-table');
  const answers = { table: 'orders', column: 'ref' };

  it('names the file with the default file_template and joins it to the version location', () => {
    const r = createRevisionFromTemplate({ template: t, answers, project: { versionLocation: '/w/app/versions' }, heads: ['h1'], now: NOW, revisionId: '0123456789ab' });
    assert.equal(r.fileName, '0123456789ab_create_orders_table.py');
    assert.equal(r.path, '/w/app/versions/0123456789ab_create_orders_table.py');
    assert.equal(r.message, 'create orders table');
    assert.deepEqual(r.notes, []);
  });

  it("follows the project's file_template (raw ini text with %% accepted) and truncate_slug_length", () => {
    const r = createRevisionFromTemplate({
      template: t, answers: { ...answers, message: 'Create the orders table for the shop' },
      project: { versionLocation: 'C:\\w\\versions', fileTemplate: '%%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d-%%(rev)s_%%(slug)s', truncateSlugLength: 12 },
      heads: ['h1'], now: NOW, revisionId: '0123456789ab',
    });
    assert.equal(r.fileName, '2024_05_06_0708-0123456789ab_create_the_.py');
    assert.equal(r.path, 'C:\\w\\versions\\2024_05_06_0708-0123456789ab_create_the_.py');
  });

  it('makes a fresh 12-hex revision id when none is given', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const r = createRevisionFromTemplate({ template: t, answers, project: { versionLocation: 'v' }, heads: [], now: NOW });
      assert.match(r.revision, /^[0-9a-f]{12}$/);
      assert.match(r.text, new RegExp(`^revision: str = "${r.revision}"$`, 'm'));
      ids.add(r.revision);
    }
    assert.equal(ids.size, 50);
  });

  it('a first revision has down_revision None and an empty Revises line, like Alembic', () => {
    const r = createRevisionFromTemplate({ template: t, answers, project: { versionLocation: 'v' }, heads: [], now: NOW, revisionId: 'aaaaaaaaaaaa' });
    assert.equal(r.downRevision, null);
    assert.match(r.text, /^down_revision: Union\[str, Sequence\[str\], None\] = None$/m);
    assert.match(r.text, /^Revises: $/m);
  });

  it('with several heads: refuses to guess, follows the chosen head, or merges the chosen heads', () => {
    const base = { template: t, answers, project: { versionLocation: 'v' }, heads: ['h1', 'h2'], now: NOW, revisionId: 'aaaaaaaaaaaa' };
    assert.throws(() => createRevisionFromTemplate(base), /2 heads \(h1, h2\): choose the head/);
    assert.equal(createRevisionFromTemplate({ ...base, chosenHead: 'h2' }).downRevision, 'h2');
    assert.throws(() => createRevisionFromTemplate({ ...base, chosenHead: 'h3' }), /h3 is not a head/);
    assert.deepEqual(createRevisionFromTemplate({ ...base, chosenHead: ['h2', 'h1'] }).downRevision, ['h2', 'h1']);
  });

  it('refuses invalid answers and revision ids Alembic would refuse', () => {
    const base = { template: t, project: { versionLocation: 'v' }, heads: [], now: NOW };
    assert.throws(() => createRevisionFromTemplate({ ...base, answers: { table: 'order items', column: 'x' } }), /table: a table name may hold only/);
    assert.throws(() => createRevisionFromTemplate({ ...base, answers, revisionId: 'abc-def' }), /@ - \+ :/);
  });
});

describe("createRevisionFromTemplate with the project's script.py.mako", () => {
  // A project template in the typed style of recent Alembic versions, written for this test.
  const mako = [
    '"""${message}',
    '',
    'Revision ID: ${up_revision}',
    'Revises: ${down_revision | comma,n}',
    'Create Date: ${create_date}',
    '',
    '"""',
    'from typing import Sequence, Union',
    '',
    'from alembic import op',
    'import sqlalchemy as sa',
    '${imports if imports else ""}',
    '',
    '# our own header line',
    'revision: str = ${repr(up_revision)}',
    'down_revision: Union[str, Sequence[str], None] = ${repr(down_revision)}',
    'branch_labels: Union[str, Sequence[str], None] = ${repr(branch_labels)}',
    'depends_on: Union[str, Sequence[str], None] = ${repr(depends_on)}',
    '',
    '',
    'def upgrade() -> None:',
    '    """Upgrade schema."""',
    '    ${upgrades if upgrades else "pass"}',
    '',
    '',
    'def downgrade() -> None:',
    '    """Downgrade schema."""',
    '    ${downgrades if downgrades else "pass"}',
    '',
  ].join('\n');
  const project = { versionLocation: 'v', scriptTemplate: mako };

  it('an empty revision follows it, with a downgrade that raises and the cursor in upgrade()', () => {
    const r = createRevisionFromTemplate({ template: byId('empty'), answers: { message: 'tidy up' }, project, heads: ['h1'], now: NOW, revisionId: 'feedfacecafe' });
    assert.deepEqual(r.notes, []);
    assert.match(r.text, /^# our own header line$/m);
    assert.match(r.text, /^revision: str = 'feedfacecafe'$/m);
    assert.match(r.text, /^down_revision: Union\[str, Sequence\[str\], None\] = 'h1'$/m);
    assert.match(r.text, /^Create Date: 2024-05-06 07:08:09\.123000$/m);
    assert.match(r.text, /def downgrade\(\) -> None:\n {4}"""Downgrade schema\."""\n {4}raise NotImplementedError\("downgrade of feedfacecafe is not written yet"\)\n/);
    const lines = r.text.split('\n');
    assert.equal(lines[r.cursor.line], '    pass');
    assert.equal(r.cursor.character, 4);
    assert.equal(lines[r.cursor.line - 2], 'def upgrade() -> None:');
  });

  it('a merge follows it too, with a tuple down_revision and nothing to undo', () => {
    const r = createRevisionFromTemplate({ template: byId('merge'), answers: {}, project, heads: ['h1', 'h2'], now: NOW, revisionId: 'feedfacecafe' });
    assert.match(r.text, /^down_revision: Union\[str, Sequence\[str\], None\] = \('h1', 'h2'\)$/m);
    assert.match(r.text, /^Revises: h1, h2$/m);
    assert.match(r.text, /"""Downgrade schema\."""\n {4}pass\n$/);
    assert.equal(r.fileName, 'feedfacecafe_merge_heads.py');
  });

  it('other templates ignore it', () => {
    const r = createRevisionFromTemplate({ template: byId('create-table'), answers: { table: 't', column: 'c' }, project, heads: ['h1'], now: NOW, revisionId: 'feedfacecafe' });
    assert.doesNotMatch(r.text, /our own header line/);
  });

  it('falls back to the built-in template, and says why, when it uses Mako features Python would be needed for', () => {
    const withLoop = mako.replace('${imports if imports else ""}', '% for name in config.get_main_option("databases").split(","):\n${name}\n% endfor');
    const r = createRevisionFromTemplate({ template: byId('empty'), answers: { message: 'x' }, project: { ...project, scriptTemplate: withLoop }, heads: [], now: NOW, revisionId: 'feedfacecafe' });
    assert.equal(r.notes.length, 1);
    assert.match(r.notes[0] ?? '', /script\.py\.mako was not used \(line 12: the control line '% for \.\.\.' is not supported\)/);
    assert.match(r.text, /^revision: str = "feedfacecafe"$/m);
    assert.match(r.text, /raise NotImplementedError/);
  });
});
