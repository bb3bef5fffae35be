// "New Revision from Template…" in the real VS Code with scripted answers: the new file is written into
// the versions folder after the current head, opens at the cursor, and shows up in the tree.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { extensionApi, scriptPrompts, scriptWarnings, waitFor } from '../support';

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

  it('asks before writing into a versions folder outside the workspace folders, and writes only when told', async () => {
    const api = await extensionApi();
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? assert.fail('no workspace folder');
    // A second project in the workspace whose version_locations point outside every workspace folder.
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-outside-versions-'));
    const projectDir = path.join(root, 'outside_project');
    // The project arrives in one go, as a clone or a copy does: made beside the workspace folder and
    // moved in, it is one created folder to VS Code, with no event for the alembic.ini inside it.
    const staging = fs.mkdtempSync(path.join(path.dirname(root), 'staging-'));
    fs.mkdirSync(path.join(staging, 'outside_project', 'migrations'), { recursive: true });
    fs.writeFileSync(path.join(staging, 'outside_project', 'migrations', 'env.py'), '');
    fs.writeFileSync(path.join(staging, 'outside_project', 'alembic.ini'), `[alembic]\nscript_location = %(here)s/migrations\nversion_locations = ${outside}\n`);
    fs.renameSync(path.join(staging, 'outside_project'), projectDir);
    fs.rmSync(staging, { recursive: true, force: true });
    try {
      const project = await waitFor('the second project', () => api.services.store.projects.find((p) => p.info.root === projectDir));
      const asked: string[] = [];
      const run = async (answer: string | undefined): Promise<void> => {
        const warnings = scriptWarnings(api, answer);
        const script = scriptPrompts(api, (items) => items.find((i) => i.description === 'empty'), ['outside note']);
        try {
          await vscode.commands.executeCommand('alembic.newRevisionFromTemplate', { projectId: project.info.id });
        } finally {
          script.restore();
          warnings.restore();
          asked.push(...warnings.asked.map((w) => w.message));
        }
      };
      await run(undefined);
      assert.ok(asked.some((m) => m.includes('outside the workspace folders')), asked.join(' | '));
      assert.deepEqual(fs.readdirSync(outside), [], 'nothing written when the user does not confirm');
      await run('Write Outside the Workspace');
      assert.equal(fs.readdirSync(outside).filter((f) => f.endsWith('.py')).length, 1, 'written once confirmed');
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    } finally {
      // Deleted in one go, as rm -r does: VS Code reports the folder only, and the project leaves with it.
      fs.rmSync(projectDir, { recursive: true, force: true });
      await waitFor('the second project gone', () => api.services.store.projects.every((p) => p.info.root !== projectDir) || undefined);
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });
});
