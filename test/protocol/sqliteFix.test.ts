// A rule that reports only on one database gets its quick fix from the real server too: the code action
// request hands the file's project (its dialect) to the rule, on the sqlite-project fixture.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { type CodeAction, CodeActionRequest, DidChangeTextDocumentNotification, DidOpenTextDocumentNotification } from 'vscode-languageserver-protocol/node';
import { applyEdits } from '../../server/src/core/fixes';
import { copyFixture } from '../support/paths';
import { startTestServer, type TestServer, uriOf } from './lspClient';

const RULE = 'sqlite-alter-without-batch';
const TEXT = `"""orders get a customer

Revision ID: 5a1e00000002
Revises: 5a1e00000001
Create Date: 2026-12-01 11:00:00.000000

"""
from alembic import op

revision = '5a1e00000002'
down_revision = '5a1e00000001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_foreign_key('fk_orders_customer2', 'orders', 'customers', ['customer_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('orders') as batch_op:
        batch_op.drop_constraint('fk_orders_customer2', type_='foreignkey')
`;

describe('code actions: the SQLite rule\'s fix over the protocol', function () {
  this.timeout(30_000);
  let root = '';
  let server: TestServer;
  before(async () => {
    root = copyFixture('sqlite-project');
    server = await startTestServer(root);
  });
  after(async () => {
    await server.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('offers the batch block, and the finding goes once it is applied', async () => {
    const file = path.join(root, 'migrations', 'versions', '5a1e00000002_fk.py');
    fs.writeFileSync(file, TEXT);
    const uri = uriOf(file);
    await server.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'python', version: 1, text: TEXT } });
    const ours = () => server.diagnostics.get(uri)?.find((d) => d.code === RULE);
    await server.waitFor(`${RULE} on the new file`, () => !!ours());
    const d = ours();
    assert.ok(d);
    assert.equal(d.severity, 1, 'an error');
    const result = await server.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } });
    const fix = (result ?? []).find((a): a is CodeAction => 'edit' in a && a.title === "Run it in 'op.batch_alter_table()'");
    const edits = fix?.edit?.changes?.[uri];
    assert.ok(edits, `the fix is offered: ${(result ?? []).map((a) => a.title).join('; ')}`);
    const fixed = applyEdits(TEXT, edits);
    assert.match(fixed, /with op\.batch_alter_table\('orders'\) as batch_op:\n {8}batch_op\.create_foreign_key\('fk_orders_customer2', 'customers'/);
    await server.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: 2 }, contentChanges: [{ text: fixed }] });
    await server.waitFor('the finding gone', () => server.diagnostics.has(uri) && !ours());
  });
});
