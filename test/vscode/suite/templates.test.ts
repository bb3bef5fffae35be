// "New Revision from Template…" in the real VS Code with scripted answers: the new file is written into
// the versions folder after the current head, opens at the cursor, and shows up in the tree.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { extensionApi, scriptPrompts, waitFor } from '../support';

describe('New Revision from Template', function () {
  this.timeout(60_000);

  it('creates a create-table revision after the head and lists it in the tree', async () => {
    const api = await extensionApi();
    await waitFor('the project', () => api.services.store.projects[0]?.graph);
    const versions = api.services.store.projects[0]?.info.versionLocations[0] ?? '';
    const before = new Set(fs.readdirSync(versions));
    const script = scriptPrompts(api, (items) => items.find((i) => i.description === 'create-table'), ['invoices', 'number', undefined, undefined, undefined]);
    try {
      await vscode.commands.executeCommand('alembic.newRevisionFromTemplate');
    } finally {
      script.restore();
    }
    const added = fs.readdirSync(versions).filter((f) => !before.has(f));
    assert.equal(added.length, 1, `new files: ${added.join(', ')}`);
    const file = path.join(versions, added[0] ?? '');
    try {
      const text = fs.readFileSync(file, 'utf8');
      assert.match(text, /down_revision[^=]*= ['"]005_merge_notifications['"]/);
      assert.match(text, /op\.create_table\(\s*['"]invoices['"]/);
      assert.match(text, /ix_invoices_number/);
      assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, file);
      const revision = /^revision[^=]*= ['"]([0-9a-f]{12})['"]/m.exec(text)?.[1];
      assert.ok(revision, 'a fresh 12-hex revision id');
      await waitFor('the new revision at the top of the tree', () => api.services.store.projects[0]?.graph?.nodes[0]?.revision === revision || undefined);
      assert.deepEqual(api.services.store.projects[0]?.graph?.heads, [revision]);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      fs.rmSync(file, { force: true });
    }
    await waitFor('the file gone from the graph', () => api.services.store.projects[0]?.graph?.heads[0] === '005_merge_notifications' || undefined);
  });
});
