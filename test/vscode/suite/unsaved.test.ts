// Alembic runs the saved files: a command that runs migrations with unsaved edits in the project asks to
// save them first, stops when told no (before any confirmation, so nothing describes unsaved text), and
// after saving, the confirmation lists what the saved downgrade drops. Real VS Code, real Alembic.
import assert from 'node:assert/strict';
import path from 'node:path';
import * as vscode from 'vscode';
import type { AlembicExtensionApi } from '../../../client/src/extension';
import type { ScratchDatabase } from '../../support/pg';
import { appliedVersions, extensionApi, forgetDatabase, scriptWarnings, useScratchDatabase, waitFor } from '../support';

const versions = appliedVersions;

describe('unsaved migration files before a run', function () {
  this.timeout(120_000);
  let api: AlembicExtensionApi;
  let db: ScratchDatabase | undefined;
  let projectId = '';
  let doc: vscode.TextDocument;
  let original = '';

  const replaceAll = async (text: string): Promise<void> => {
    const edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), text);
    assert.ok(await vscode.workspace.applyEdit(edit));
  };

  before(async () => {
    api = await extensionApi();
    await waitFor('the project', () => api.services.store.projects[0]);
    const project = api.services.store.projects[0];
    projectId = project?.info.id ?? '';
    db = await useScratchDatabase(api);
    await vscode.commands.executeCommand('alembic.upgradeHead');
    assert.deepEqual(await versions(db), ['005_merge_notifications']);
    const file = path.join(project?.info.versionLocations[0] ?? '', '003_notifications.py');
    doc = await vscode.workspace.openTextDocument(file);
    original = doc.getText();
  });
  after(async () => {
    if (doc.getText() !== original || doc.isDirty) {
      await replaceAll(original);
      await doc.save();
    }
    await forgetDatabase(db);
  });

  it('stops before the confirmation when the user does not save, and nothing runs', async () => {
    // The edit Alembic would not see: the downgrade no longer drops the table, in the editor only.
    await replaceAll(original.replace("    op.drop_table('notifications')\n", ''));
    assert.ok(doc.isDirty);
    const script = scriptWarnings(api, () => undefined);
    try {
      await vscode.commands.executeCommand('alembic.downgradeToHere', { projectId, revision: '002_user_phone' });
    } finally {
      script.restore();
    }
    assert.equal(script.asked.length, 1, script.asked.map((a) => a.message).join(' | '));
    assert.match(script.asked[0]?.message ?? '', /unsaved changes/);
    assert.match(script.asked[0]?.detail ?? '', /003_notifications\.py/);
    assert.ok(doc.isDirty, 'nothing was saved');
    assert.deepEqual(await versions(db!), ['005_merge_notifications'], 'nothing ran');
    await replaceAll(original);
    await doc.save();
  });

  it('saves when told to, then confirms from the saved files and runs', async () => {
    await replaceAll(`${original}\n# a note, unsaved\n`);
    assert.ok(doc.isDirty);
    const script = scriptWarnings(api, (m) => (/unsaved changes/.test(m) ? 'Save All and Continue' : 'Downgrade'));
    try {
      await vscode.commands.executeCommand('alembic.downgradeToHere', { projectId, revision: '002_user_phone' });
    } finally {
      script.restore();
    }
    assert.equal(script.asked.length, 2, script.asked.map((a) => a.message).join(' | '));
    assert.ok(!doc.isDirty, 'saved');
    assert.match(script.asked[1]?.detail ?? '', /drop_table notifications/);
    assert.deepEqual(await versions(db!), ['002_user_phone']);
  });
});
