// Quick fixes over the real protocol (the bundled server on a scratch copy of the rules-clean
// project): every fix is a quickfix CodeAction tied to its diagnostic; applying its WorkspaceEdit the
// way the editor does makes the diagnostic go away.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  type CodeAction, CodeActionRequest, type Diagnostic, DidChangeTextDocumentNotification, DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
} from 'vscode-languageserver-protocol/node';
import { applyEdits } from '../../server/src/core/fixes';
import { copyFixture } from '../support/paths';
import { startTestServer, type TestServer, uriOf } from './lspClient';

describe('code actions: quick fixes (protocol)', function () {
  this.timeout(30_000);
  let root = '';
  let versions = '';
  let server: TestServer;
  const versionsOf = new Map<string, number>();

  const open = async (p: string, text: string) => {
    versionsOf.set(p, 1);
    await server.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: uriOf(p), languageId: 'python', version: 1, text } });
  };
  const change = async (p: string, text: string) => {
    const version = (versionsOf.get(p) ?? 1) + 1;
    versionsOf.set(p, version);
    await server.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: uriOf(p), version }, contentChanges: [{ text }] });
  };
  const close = async (p: string) => {
    await server.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri: uriOf(p) } });
  };
  const diagnostic = (p: string, rule: string): Diagnostic | undefined => server.diagnostics.get(uriOf(p))?.find((d) => d.code === rule);
  const waitFor = async (p: string, rule: string): Promise<Diagnostic> => {
    await server.waitFor(`${rule} on ${path.basename(p)}`, () => !!diagnostic(p, rule));
    const d = diagnostic(p, rule);
    assert.ok(d);
    return d;
  };
  const actionsFor = async (p: string, d: Diagnostic): Promise<CodeAction[]> => {
    const result = await server.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri: uriOf(p) }, range: d.range, context: { diagnostics: [d] } });
    return (result ?? []).filter((a): a is CodeAction => 'kind' in a || 'edit' in a);
  };
  /** Applies the action's edit to `text`, checking its shape on the way. */
  const applied = (p: string, text: string, a: CodeAction | undefined, d: Diagnostic): string => {
    assert.ok(a, 'the action is offered');
    assert.equal(a.kind, 'quickfix');
    assert.deepEqual(a.diagnostics?.map((x) => x.code), [d.code]);
    const edits = a.edit?.changes?.[uriOf(p)];
    assert.ok(edits && edits.length > 0, 'the action edits this file');
    assert.deepEqual(Object.keys(a.edit?.changes ?? {}), [uriOf(p)]);
    return applyEdits(text, edits);
  };

  before(async () => {
    root = copyFixture('rules-clean');
    versions = path.join(root, 'migrations', 'versions');
    server = await startTestServer(root);
  });
  after(async () => {
    await server.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const migration = (id: string, down: string, body: string, date = '2025-04-01 09:00:00.000000') => `"""${id}

Revision ID: ${id}
Revises: ${down}
Create Date: ${date}

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '${id}'
down_revision = '${down}'
branch_labels = None
depends_on = None

${body}`;

  it('drafts a missing downgrade; the diagnostic links to its page and clears after the edit', async () => {
    const p = path.join(versions, 'd1000000_tags.py');
    const text = migration('d1000000', 'c9000000', `
def upgrade() -> None:
    op.create_table('tags', sa.Column('id', sa.Integer(), primary_key=True))
    op.create_index('ix_tags_id', 'tags', ['id'])


def downgrade() -> None:
    pass
`);
    await open(p, text);
    const d = await waitFor(p, 'missing-downgrade');
    assert.equal(d.range.start.line, text.split('\n').findIndex((l) => l.startsWith('def downgrade')));
    assert.ok(d.codeDescription?.href.endsWith('docs/rules/missing-downgrade.md'));
    const actions = await actionsFor(p, d);
    assert.ok(actions.some((a) => a.title === 'Suppress missing-downgrade on this line'), 'the suppression stays');
    const draft = actions.find((a) => a.title.startsWith('Write downgrade()'));
    assert.equal(draft?.isPreferred, true);
    const fixed = applied(p, text, draft, d);
    assert.match(fixed, /def downgrade\(\) -> None:\n {4}op\.drop_index\('ix_tags_id', table_name='tags'\)\n {4}op\.drop_table\('tags'\)\n/);
    await change(p, fixed);
    await server.waitFor('missing-downgrade cleared', () => !diagnostic(p, 'missing-downgrade'));
    assert.equal(diagnostic(p, 'downgrade-asymmetry'), undefined);
    await close(p);
  });

  it('adds checkfirst=True and IF EXISTS, one diagnostic at a time', async () => {
    const p = path.join(versions, 'd2000000_mood.py');
    let text = migration('d2000000', 'c9000000', `mood = postgresql.ENUM('happy', 'sad', name='mood', create_type=False)


def upgrade() -> None:
    mood.create(op.get_bind())
    op.add_column('accounts', sa.Column('mood', mood, nullable=True))


def downgrade() -> None:
    op.drop_column('accounts', 'mood')
    op.execute("DROP TYPE mood")
`);
    await open(p, text);
    for (const title of ['Pass checkfirst=True', 'Use DROP TYPE IF EXISTS']) {
      const d = await waitFor(p, 'enum-without-checkfirst');
      text = applied(p, text, (await actionsFor(p, d)).find((a) => a.title === title), d);
      await change(p, text);
      await server.waitFor(`the ${title} diagnostic is gone`, () => (server.diagnostics.get(uriOf(p)) ?? []).filter((x) => x.code === 'enum-without-checkfirst').length < (title.startsWith('Pass') ? 2 : 1));
    }
    assert.match(text, /mood\.create\(op\.get_bind\(\), checkfirst=True\)/);
    assert.match(text, /DROP TYPE IF EXISTS mood/);
    assert.deepEqual(server.diagnostics.get(uriOf(p)) ?? [], []);
    await close(p);
  });

  it('inserts the inverse a downgrade lacks', async () => {
    const p = path.join(versions, 'd3000000_labels.py');
    const text = migration('d3000000', 'c9000000', `
def upgrade() -> None:
    op.create_table('labels', sa.Column('id', sa.Integer(), primary_key=True))
    op.add_column('projects', sa.Column('label_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column('projects', 'label_id')
`);
    await open(p, text);
    const d = await waitFor(p, 'downgrade-asymmetry');
    const fixed = applied(p, text, (await actionsFor(p, d)).find((a) => a.title === "Drop table 'labels' in downgrade()"), d);
    assert.ok(fixed.endsWith("    op.drop_column('projects', 'label_id')\n    op.drop_table('labels')\n"), fixed);
    await change(p, fixed);
    await server.waitFor('downgrade-asymmetry cleared', () => !diagnostic(p, 'downgrade-asymmetry'));
    await close(p);
  });

  it('repoints the newer of two heads, clearing multiple-heads on both files, and updates its docstring', async () => {
    const p = path.join(versions, 'd4000000_second_head.py');
    const text = migration('d4000000', 'c8000000', `
def upgrade() -> None:
    op.add_column('accounts', sa.Column('motto', sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column('accounts', 'motto')
`);
    const other = path.join(versions, 'c9000000_archive_flag.py');
    await open(p, text);
    const d = await waitFor(p, 'multiple-heads');
    await waitFor(other, 'multiple-heads');
    const olderActions = await actionsFor(other, diagnostic(other, 'multiple-heads') as Diagnostic);
    assert.ok(!olderActions.some((a) => a.title.startsWith('Point down_revision')), 'the older head is left alone');
    const fixed = applied(p, text, (await actionsFor(p, d)).find((a) => a.title === "Point down_revision at the other head 'c9000000' (instead of 'c8000000')"), d);
    assert.match(fixed, /^down_revision = 'c9000000'$/m);
    assert.match(fixed, /^Revises: c9000000$/m);
    await change(p, fixed);
    await server.waitFor('multiple-heads cleared on both heads', () => !diagnostic(p, 'multiple-heads') && !diagnostic(other, 'multiple-heads'));
    assert.equal(diagnostic(p, 'docstring-mismatch'), undefined);
    await close(p);
  });

  it('updates a stale docstring header', async () => {
    const p = path.join(versions, 'd5000000_header.py');
    const text = migration('d5000000', 'c9000000', `
def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
`).replace('Revises: c9000000', 'Revises: c8000000');
    await open(p, text);
    const d = await waitFor(p, 'docstring-mismatch');
    const fixed = applied(p, text, (await actionsFor(p, d)).find((a) => a.title.startsWith('Update the docstring')), d);
    await change(p, fixed);
    await server.waitFor('docstring-mismatch cleared', () => !diagnostic(p, 'docstring-mismatch'));
    await close(p);
  });

  it('offers only the suppression for a diagnostic the text no longer has', async () => {
    const p = path.join(versions, 'd6000000_stale.py');
    const text = migration('d6000000', 'c9000000', `
def upgrade() -> None:
    op.create_table('x', sa.Column('id', sa.Integer(), primary_key=True))


def downgrade() -> None:
    pass
`);
    await open(p, text);
    const d = await waitFor(p, 'missing-downgrade');
    const moved: Diagnostic = { ...d, range: { start: { line: d.range.start.line - 3, character: 0 }, end: { line: d.range.start.line - 3, character: 5 } } };
    const actions = await actionsFor(p, moved);
    assert.deepEqual(actions.map((a) => a.title), ['Suppress missing-downgrade on this line']);
    await close(p);
  });
});
