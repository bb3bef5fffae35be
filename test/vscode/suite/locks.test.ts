// The lock hover and inlay hints inside the real VS Code: the hover over an operation names its lock,
// and once the extension has read a database, the PostgreSQL version it answers for is that server's
// (the client passes server_version with the version table it read).
import assert from 'node:assert/strict';
import path from 'node:path';
import * as vscode from 'vscode';
import type { AlembicExtensionApi } from '../../../client/src/extension';
import { type ScratchDatabase, withClient } from '../../support/pg';
import { extensionApi, forgetDatabase, useScratchDatabase, waitFor } from '../support';

describe('lock hover and inlay hints', function () {
  this.timeout(90_000);
  let api: AlembicExtensionApi;
  let db: ScratchDatabase | undefined;
  let file: vscode.Uri;
  let line = -1;

  const hoverText = async (): Promise<string> => {
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', file, new vscode.Position(line, 8));
    return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
  };

  before(async () => {
    api = await extensionApi();
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
    file = vscode.Uri.file(path.join(folder, 'alembic', 'versions', '002_user_phone.py'));
    const doc = await vscode.workspace.openTextDocument(file);
    line = doc.getText().split('\n').findIndex((l) => l.includes("op.add_column('users', sa.Column('phone_number'"));
    assert.ok(line >= 0, 'the fixture adds phone_number');
  });
  after(async () => {
    await vscode.workspace.getConfiguration('alembic').update('inlayHints.locks', undefined, vscode.ConfigurationTarget.Global);
    await forgetDatabase(db);
  });

  it('says the lock over an operation, then answers for the connected server\'s version', async () => {
    const before = await waitFor('the lock hover', async () => {
      const text = await hoverText();
      return /Lock:/.test(text) && text;
    });
    assert.match(before, /ACCESS EXCLUSIVE on users — blocks reads and writes/);
    db = await useScratchDatabase(api);
    const major = await withClient(db.url, async (c) => Math.floor(Number((await c.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0]?.v) / 10000));
    await waitFor(`PostgreSQL ${major} from the connected server in the hover`, async () => new RegExp(`PostgreSQL ${major} \\(the connected server`).test(await hoverText()) || undefined);
  });

  it('shows the same text as an inlay hint once alembic.inlayHints.locks is on', async () => {
    const hints = async (): Promise<vscode.InlayHint[]> =>
      vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', file, new vscode.Range(0, 0, 40, 0));
    assert.deepEqual(await hints(), [], 'off by default');
    await vscode.workspace.getConfiguration('alembic').update('inlayHints.locks', true, vscode.ConfigurationTarget.Global);
    const shown = await waitFor('inlay hints', async () => {
      const h = await hints();
      return h.length > 0 && h;
    });
    const labels = shown.map((h) => (typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('')));
    assert.ok(labels.includes('ACCESS EXCLUSIVE on users — blocks reads and writes'), labels.join(' | '));
    assert.ok(shown.some((h) => h.position.line === line), 'a hint on the add_column line');
  });
});
