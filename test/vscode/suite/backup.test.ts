// "Back Up and Downgrade" in the real VS Code, with the real pg_dump, pg_restore and Alembic against
// the throwaway PostgreSQL: the confirmation's button writes a dump into the workspace's git-ignored
// backup folder before the downgrade runs, and "Restore Backup…" brings the database back to the
// backup's revision, which the tree then shows; the downgrade's schema-change report opens as Markdown.
// Only the modal answers and the pick are scripted.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { AlembicExtensionApi } from '../../../client/src/extension';
import type { ScratchDatabase } from '../../support/pg';
import { withClient } from '../../support/pg';
import { appliedVersions, extensionApi, forgetDatabase, scriptPrompts, scriptWarnings, useScratchDatabase, waitFor } from '../support';

describe('backup before a downgrade, and restore', function () {
  this.timeout(180_000);
  let api: AlembicExtensionApi;
  let db: ScratchDatabase | undefined;
  let projectId = '';
  let folder = '';

  before(async () => {
    api = await extensionApi();
    await waitFor('the project', () => api.services.store.projects[0]);
    projectId = api.services.store.projects[0]?.info.id ?? '';
    folder = path.join(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '', '.alembic-backups');
    db = await useScratchDatabase(api);
  });
  after(async () => {
    await forgetDatabase(db);
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('"Back Up and Downgrade" dumps the database into the git-ignored folder, then downgrades', async () => {
    await vscode.commands.executeCommand('alembic.upgradeHead');
    assert.deepEqual(await appliedVersions(db!), ['005_merge_notifications']);
    const script = scriptWarnings(api, 'Back Up and Downgrade');
    try {
      await vscode.commands.executeCommand('alembic.downgradeToHere', { projectId, revision: '002_user_phone' });
    } finally {
      script.restore();
    }
    assert.equal(script.asked.length, 1);
    assert.deepEqual(await appliedVersions(db!), ['002_user_phone']);
    const dumps = fs.readdirSync(folder).filter((f) => f.endsWith('.dump'));
    assert.equal(dumps.length, 1, fs.readdirSync(folder).join(', '));
    assert.match(dumps[0] ?? '', new RegExp(`^${db!.name}-005_merge_notifications-\\d{8}T\\d{6}Z\\.dump$`));
    assert.equal(fs.readFileSync(path.join(folder, dumps[0] ?? '')).subarray(0, 5).toString(), 'PGDMP');
    assert.equal(fs.readFileSync(path.join(folder, '.gitignore'), 'utf8').trim().split('\n').pop(), '*');
  });

  it('the schema-change report of that downgrade opens as Markdown', async () => {
    await vscode.commands.executeCommand('alembic.showSchemaChange');
    const doc = await waitFor('the report', () => {
      const d = vscode.window.activeTextEditor?.document;
      return d?.languageId === 'markdown' && d.getText().startsWith('# Schema change') ? d : undefined;
    });
    const text = doc.getText();
    assert.match(text, /^# Schema change: Downgrading to 002_user_phone/);
    assert.match(text, /\*\*[^*]*\u22121 table[^*]*\*\*/, text);
    assert.match(text, /- removed: table `notifications`/);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('"Restore Backup…" lists the backup and brings the database and the tree back to its revision', async () => {
    const picks = scriptPrompts(api, (items) => items[0], []);
    const script = scriptWarnings(api, 'Restore');
    try {
      await vscode.commands.executeCommand('alembic.restoreBackup');
    } finally {
      picks.restore();
      script.restore();
    }
    assert.match(script.asked[0]?.message ?? '', /^Restore .* from the backup at 005_merge_notifications\?$/);
    assert.deepEqual(await appliedVersions(db!), ['005_merge_notifications']);
    const tables = await withClient(db!.url, async (c) => (await c.query<{ t: string }>(
      "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).rows.map((r) => r.t));
    assert.ok(tables.includes('notifications'), tables.join(', '));
    await waitFor('the tree at 005', () => {
      const s = api.services.store.get(projectId)?.database;
      return (s?.kind === 'ok' && s.current.includes('005_merge_notifications')) || undefined;
    });
  });
});

describe('rehearse upgrade', function () {
  this.timeout(180_000);
  let api: AlembicExtensionApi;
  let db: ScratchDatabase | undefined;
  let folder = '';

  before(async () => {
    api = await extensionApi();
    await waitFor('the project', () => api.services.store.projects[0]);
    folder = path.join(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '', '.alembic-backups');
    db = await useScratchDatabase(api);
  });
  after(async () => {
    await forgetDatabase(db);
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('runs every step on a scratch copy and leaves the connected database at its revision', async () => {
    const projectId = api.services.store.projects[0]?.info.id ?? '';
    await vscode.commands.executeCommand('alembic.upgradeToHere', { projectId, revision: '002_user_phone' });
    assert.deepEqual(await appliedVersions(db!), ['002_user_phone']);
    await api.services.store.refresh();
    const result = await vscode.commands.executeCommand<{ ok: boolean; failure?: string; steps: { name: string }[] }>('alembic.rehearseUpgrade');
    assert.ok(result?.ok, result?.failure);
    assert.deepEqual(result.steps.map((s) => s.name), ['backup', 'copy', 'upgrade', 'downgrade', 'reupgrade']);
    assert.deepEqual(await appliedVersions(db!), ['002_user_phone']);
    assert.equal(fs.readdirSync(folder).filter((f) => f.endsWith('.dump')).length, 1);
  });
});
