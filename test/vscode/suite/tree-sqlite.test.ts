// A SQLite project in the real VS Code: its Revisions tree shows applied / pending / current read from the
// file (its ini's relative sqlite:/// URL, resolved in the project's folder), and "Upgrade to Head" runs the
// real Alembic on the file and moves the tree. The project is added to the workspace for this suite and
// removed again, so the suites after it see the one amani project they expect.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { AlembicExtensionApi } from '../../../client/src/extension';
import { fixturePath } from '../../support/paths';
import { runPython } from '../../support/python';
import { extensionApi, removeAddedProject, waitFor } from '../support';

const A = 'a1b2c3d4e5f6';
const B = 'b2c3d4e5f6a7';
const C = 'c3d4e5f6a7b8';

describe('Revisions tree on a SQLite project', function () {
  this.timeout(120_000);
  let api: AlembicExtensionApi;
  let dir: string;

  const project = () => api.services.store.projects.find((p) => p.info.configFile === path.join(dir, 'alembic.ini'));
  /** contextValue of each revision row of the SQLite project: `revision.<applied state>...`. */
  const states = (): Record<string, string> => {
    const p = project();
    if (!p) return {};
    const out: Record<string, string> = {};
    for (const node of api.tree.getChildren({ kind: 'project', projectId: p.info.id })) {
      const item = api.tree.getTreeItem(node);
      const rev = node.kind === 'revision' ? node.revision : undefined;
      if (rev) out[rev] = String(item.contextValue).split('.')[1] ?? '';
    }
    return out;
  };

  before(async () => {
    api = await extensionApi();
    // The URL comes from the project's own alembic.ini, as for a user who configured nothing else.
    await vscode.workspace.getConfiguration('alembic').update('databaseUrl', undefined, vscode.ConfigurationTarget.Global);
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
    dir = path.join(folder, 'sqlite-project');
    fs.cpSync(fixturePath('dialects'), dir, { recursive: true });
    // Partly applied by the real Alembic before the editor looks: a1 and b2 applied, c3 pending.
    const r = runPython(undefined, ['-m', 'alembic', '-c', path.join(dir, 'alembic.ini'), 'upgrade', B], { cwd: dir, env: { DATABASE_URL: '' } });
    assert.equal(r.status, 0, r.stderr);
    // A folder copied in at once may reach the server's watcher as one event for the folder (no alembic.ini
    // in it); opening one of its migrations makes the server look for the project above the file, as for a user.
    const migration = await vscode.workspace.openTextDocument(path.join(dir, 'migrations', 'versions', `${A}_create_widgets.py`));
    await vscode.window.showTextDocument(migration, { preview: true });
    await waitFor('the SQLite project', async () => { await api.services.store.refresh(); return project(); }, 60_000);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
  after(async () => {
    await removeAddedProject(api, 'the SQLite project', path.join(dir, 'alembic.ini'), dir);
  });

  it('shows applied, current and pending from the file', async () => {
    await waitFor('the state from the SQLite file', () => states()[B] === 'current' || undefined);
    assert.deepEqual(states(), { [C]: 'pending', [B]: 'current', [A]: 'applied' });
    const db = project()?.database;
    assert.equal(db?.kind, 'ok');
    assert.equal(db?.kind === 'ok' ? db.pendingCount : -1, 1);
    assert.match(db?.kind === 'ok' ? db.source : '', /^sqlalchemy\.url in .*sqlite-project\/alembic\.ini$/);
  });

  it('Upgrade to Head runs Alembic on the file and moves the tree', async () => {
    const projectId = project()?.info.id;
    assert.ok(projectId);
    await vscode.commands.executeCommand('alembic.upgradeHead', { projectId });
    await waitFor('c3 current', () => states()[C] === 'current' || undefined);
    assert.deepEqual(states(), { [C]: 'current', [B]: 'applied', [A]: 'applied' });
    const r = runPython('import sqlite3, sys\nprint(sqlite3.connect(sys.argv[1]).execute("select version_num from alembic_version").fetchall())',
      [path.join(dir, 'data', 'app.db')]);
    assert.equal(r.stdout.trim(), `[('${C}',)]`, 'the file itself is at head');
  });
});
