// Commands that change the database, run inside the real VS Code against the throwaway PostgreSQL with
// the real Alembic: upgrade to head, downgrade with the confirmation, SQL preview. Only the modal's
// answer is scripted (through the extension's prompt object); everything else is real.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { readSettings } from '../../../client/src/config';
import type { AlembicExtensionApi } from '../../../client/src/extension';
import type { ScratchDatabase } from '../../support/pg';
import { appliedVersions, extensionApi, forgetDatabase, scriptPrompts, scriptWarnings, useScratchDatabase, waitFor } from '../support';

const versions = appliedVersions;

describe('database commands', function () {
  this.timeout(120_000);
  let api: AlembicExtensionApi;
  let db: ScratchDatabase | undefined;
  let projectId = '';

  before(async () => {
    api = await extensionApi();
    await waitFor('the project', () => api.services.store.projects[0]);
    projectId = api.services.store.projects[0]?.info.id ?? '';
    db = await useScratchDatabase(api);
  });
  after(async () => {
    await forgetDatabase(db);
  });

  it('Upgrade to Head brings the database to the merge head and the tree follows', async () => {
    await vscode.commands.executeCommand('alembic.upgradeHead');
    assert.deepEqual(await versions(db!), ['005_merge_notifications']);
    const state = api.services.store.get(projectId)?.database;
    assert.ok(state?.kind === 'ok' && state.current.includes('005_merge_notifications') && state.pendingCount === 0);
  });

  it('Downgrade to Here asks first, lists what is undone and what is dropped, and runs on Downgrade', async () => {
    const script = scriptWarnings(api, 'Downgrade');
    try {
      await vscode.commands.executeCommand('alembic.downgradeToHere', { projectId, revision: '002_user_phone' });
    } finally {
      script.restore();
    }
    assert.equal(script.asked.length, 1);
    const detail = script.asked[0]?.detail ?? '';
    for (const undone of ['005_merge_notifications', '004_normalized_email', '003_milestone_status_idx', '003_notifications']) {
      assert.match(detail, new RegExp(undone));
    }
    assert.doesNotMatch(detail, /002_user_phone/);
    assert.match(detail, /drop_table notifications/);
    assert.deepEqual(await versions(db!), ['002_user_phone']);
  });

  it('Downgrade One Revision does nothing when the modal is dismissed, and steps down when confirmed', async () => {
    const dismissed = scriptWarnings(api, undefined);
    try {
      await vscode.commands.executeCommand('alembic.downgradeOne');
    } finally {
      dismissed.restore();
    }
    assert.equal(dismissed.asked.length, 1);
    assert.deepEqual(await versions(db!), ['002_user_phone']);
    const confirmed = scriptWarnings(api, 'Downgrade');
    try {
      await vscode.commands.executeCommand('alembic.downgradeOne');
    } finally {
      confirmed.restore();
    }
    assert.deepEqual(await versions(db!), ['001_initial_schema']);
    await waitFor('the tree at 001', () => {
      const s = api.services.store.get(projectId)?.database;
      return (s?.kind === 'ok' && s.current.includes('001_initial_schema')) || undefined;
    });
  });

  it('Preview Upgrade SQL opens the offline SQL from the current revision, without touching the database', async () => {
    const before = api.previews.texts().length;
    await vscode.commands.executeCommand('alembic.previewUpgradeSql');
    const texts = api.previews.texts();
    assert.equal(texts.length, before + 1);
    const sql = texts[texts.length - 1] ?? '';
    assert.match(sql, /^-- Alembic upgrade SQL for 001_initial_schema:head/);
    assert.match(sql, /UPDATE alembic_version SET version_num='002_user_phone'/);
    assert.doesNotMatch(sql, /CREATE TABLE users/);
    assert.equal(vscode.window.activeTextEditor?.document.languageId, 'sql');
    assert.deepEqual(await versions(db!), ['001_initial_schema']);
  });

  it('Upgrade to Here on a protected database asks for its name: an empty answer runs nothing, the name runs it', async () => {
    const name = decodeURIComponent(new URL(db!.url).pathname.slice(1));
    const before = await versions(db!);
    const settings = vscode.workspace.getConfiguration('alembic');
    await settings.update('protectedDatabases', [`*/${name}`], vscode.ConfigurationTarget.Global);
    try {
      const empty = scriptPrompts(api, () => undefined, ['']);
      try {
        await vscode.commands.executeCommand('alembic.upgradeToHere', { projectId, revision: '005_merge_notifications' });
      } finally {
        empty.restore();
      }
      assert.ok(empty.prompts.some((p) => p.includes('matches alembic.protectedDatabases')), `asked: ${empty.prompts.join(' | ')}`);
      assert.deepEqual(await versions(db!), before, 'an empty answer runs nothing');
      const typed = scriptPrompts(api, () => undefined, [name]);
      try {
        await vscode.commands.executeCommand('alembic.upgradeToHere', { projectId, revision: '005_merge_notifications' });
      } finally {
        typed.restore();
      }
      assert.deepEqual(await versions(db!), ['005_merge_notifications']);
    } finally {
      await settings.update('protectedDatabases', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('a workspace setting of alembic.protectedDatabases adds patterns but never removes the user\'s', async () => {
    const name = decodeURIComponent(new URL(db!.url).pathname.slice(1));
    // Something to downgrade, before any protection is set.
    await vscode.commands.executeCommand('alembic.upgradeHead');
    assert.deepEqual(await versions(db!), ['005_merge_notifications']);
    const settings = vscode.workspace.getConfiguration('alembic');
    await settings.update('protectedDatabases', [`*/${name}`], vscode.ConfigurationTarget.Global);
    // The committed workspace file tries to switch protection off.
    await settings.update('protectedDatabases', [], vscode.ConfigurationTarget.Workspace);
    try {
      assert.deepEqual(readSettings(vscode.workspace.workspaceFolders?.[0]?.uri).protectedDatabases, [`*/${name}`]);
      const before = await versions(db!);
      const dismissed = scriptPrompts(api, () => undefined, ['']);
      const confirmed = scriptWarnings(api, 'Downgrade');
      try {
        await vscode.commands.executeCommand('alembic.downgradeToHere', { projectId, revision: '002_user_phone' });
      } finally {
        confirmed.restore();
        dismissed.restore();
      }
      assert.ok(dismissed.prompts.some((p) => p.includes('matches alembic.protectedDatabases')), `asked: ${dismissed.prompts.join(' | ')}`);
      assert.deepEqual(await versions(db!), before);
    } finally {
      await settings.update('protectedDatabases', undefined, vscode.ConfigurationTarget.Workspace);
      await settings.update('protectedDatabases', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
