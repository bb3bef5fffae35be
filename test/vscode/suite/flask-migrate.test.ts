// A Flask-Migrate project in the real VS Code: its migrations/alembic.ini has no script_location (flask db
// sets it), yet the project is found and its revisions are in the tree; running it is refused before any
// Alembic starts, with the `flask db` command to run instead, which "Copy Command" puts on the clipboard.
// The project is added to the workspace for this suite and removed again, so the suites after it see the
// one amani project they expect.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { AlembicExtensionApi } from '../../../client/src/extension';
import { extensionApi, removeAddedProject, waitFor } from '../support';

const INI = '# A generic, single database configuration (Flask-Migrate\'s template).\n\n[alembic]\n# file_template = %%(rev)s_%%(slug)s\n\n[loggers]\nkeys = root\n\n[handlers]\nkeys =\n\n[formatters]\nkeys =\n\n[logger_root]\nlevel = WARN\nhandlers =\n';
const ENV = 'from alembic import context\nfrom flask import current_app\n\nconfig = context.config\ntarget_metadata = current_app.extensions["migrate"].db.metadata\n\ncontext.configure(url=current_app.config["SQLALCHEMY_DATABASE_URI"], target_metadata=target_metadata)\nwith context.begin_transaction():\n    context.run_migrations()\n';
const REVISION = '"""create the users table\n\nRevision ID: f1a5c0de0001\nRevises:\nCreate Date: 2024-01-01 00:00:00\n"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "f1a5c0de0001"\ndown_revision = None\n\n\ndef upgrade():\n    op.create_table("users", sa.Column("id", sa.Integer(), primary_key=True))\n\n\ndef downgrade():\n    op.drop_table("users")\n';

describe('a Flask-Migrate project', function () {
  this.timeout(120_000);
  let api: AlembicExtensionApi;
  let dir: string;
  let migrations: string;

  const project = () => api.services.store.projects.find((p) => p.info.configFile === path.join(migrations, 'alembic.ini'));

  before(async () => {
    api = await extensionApi();
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
    dir = path.join(folder, 'flask-app');
    migrations = path.join(dir, 'migrations');
    fs.mkdirSync(path.join(migrations, 'versions'), { recursive: true });
    fs.writeFileSync(path.join(migrations, 'env.py'), ENV);
    const file = path.join(migrations, 'versions', 'f1a5c0de0001_create_users.py');
    fs.writeFileSync(file, REVISION);
    fs.writeFileSync(path.join(migrations, 'alembic.ini'), INI);
    // As in tree-sqlite: opening a migration makes the server look for the project above it.
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file), { preview: true });
    await waitFor('the Flask-Migrate project', async () => { await api.services.store.refresh(); return project(); }, 60_000);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
  after(async () => {
    await removeAddedProject(api, 'the Flask-Migrate project', path.join(migrations, 'alembic.ini'), dir);
  });

  it('is found with the migrations folder as its script location, and its revision is in the tree', async () => {
    const p = project();
    assert.equal(p?.info.flaskMigrate, true);
    assert.deepEqual(p?.info.problems ?? [], []);
    const rows = await waitFor('its revision row', () => {
      const id = project()?.info.id;
      if (!id) return undefined;
      const found = api.tree.getChildren({ kind: 'project', projectId: id }).flatMap((n) => (n.kind === 'revision' ? [n.revision] : []));
      return found.length > 0 ? found : undefined;
    });
    assert.deepEqual(rows, ['f1a5c0de0001']);
  });

  it('Upgrade to Head is refused before Alembic starts, and Copy Command copies the flask db command', async () => {
    const projectId = project()?.info.id;
    assert.ok(projectId);
    const shown: { message: string; items: unknown[] }[] = [];
    const original = api.ui.showErrorMessage;
    api.ui.showErrorMessage = (async (message: string, ...items: unknown[]) => {
      shown.push({ message, items });
      return 'Copy Command';
    }) as typeof api.ui.showErrorMessage;
    await vscode.env.clipboard.writeText('');
    try {
      await vscode.commands.executeCommand('alembic.upgradeHead', { projectId });
    } finally {
      api.ui.showErrorMessage = original;
    }
    assert.equal(shown.length, 1, JSON.stringify(shown));
    const [error] = shown;
    assert.match(error?.message ?? '', /^Alembic: .*Flask-Migrate's: its env\.py needs the Flask app \(current_app\)/);
    assert.match(error?.message ?? '', /flask db upgrade head \(in .*flask-app\)$/);
    assert.deepEqual(error?.items, ['Copy Command']);
    assert.equal(await vscode.env.clipboard.readText(), 'flask db upgrade head');
  });
});
