// The Revisions tree inside the real VS Code: order and markers from the server's graph, applied /
// pending / current from the real database, and updates when a migration is edited.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { AlembicExtensionApi } from '../../../client/src/extension';
import type { ScratchDatabase } from '../../support/pg';
import { extensionApi, forgetDatabase, useScratchDatabase, waitFor } from '../support';

function rows(api: AlembicExtensionApi): vscode.TreeItem[] {
  return api.tree.getChildren().map((n) => api.tree.getTreeItem(n)).filter((i) => String(i.contextValue).startsWith('revision'));
}

function row(api: AlembicExtensionApi, idPrefix: string): vscode.TreeItem | undefined {
  return rows(api).find((r) => String(r.label).startsWith(idPrefix));
}

function iconId(item: vscode.TreeItem | undefined): string | undefined {
  return item?.iconPath instanceof vscode.ThemeIcon ? item.iconPath.id : undefined;
}

describe('Revisions tree', function () {
  this.timeout(90_000);
  let api: AlembicExtensionApi;
  let db: ScratchDatabase | undefined;

  before(async () => {
    api = await extensionApi();
    await waitFor('the project in the tree', () => rows(api).length >= 6 || undefined);
  });
  after(async () => {
    await forgetDatabase(db);
  });

  it('lists the revisions from head to base with their markers', () => {
    const labels = rows(api).map((r) => String(r.label));
    assert.equal(labels.length, 6, labels.join(' | '));
    assert.ok(labels[0]?.startsWith('005_merge_notifications'), labels.join(' | '));
    assert.ok(labels[5]?.startsWith('001_initial_schema'), labels.join(' | '));
    const desc = (p: string) => String(row(api, p)?.description ?? '');
    assert.match(desc('005_merge_notifications'), /head/);
    assert.match(desc('005_merge_notifications'), /merge/);
    assert.match(desc('002_user_phone'), /branchpoint/);
    assert.match(desc('001_initial_schema'), /base/);
    assert.match(desc('003_notifications'), /@notifications/);
    const tooltip = row(api, '002_user_phone')?.tooltip;
    assert.ok(tooltip instanceof vscode.MarkdownString && /003\\?_notifications/.test(tooltip.value));
    assert.equal(row(api, '002_user_phone')?.command?.command, 'alembic.openFile');
  });

  it('shows every revision pending on an empty database, then applied and current after an upgrade', async () => {
    db = await useScratchDatabase(api);
    await waitFor('pending icons', () => rows(api).every((r) => iconId(r) === 'circle-large-outline') || undefined);
    const projectId = api.services.store.projects[0]?.info.id;
    await vscode.commands.executeCommand('alembic.upgradeToHere', { projectId, revision: '002_user_phone' });
    await waitFor('002 current', () => /current/.test(String(row(api, '002_user_phone')?.description)) || undefined);
    assert.equal(iconId(row(api, '001_initial_schema')), 'pass-filled');
    assert.equal(iconId(row(api, '002_user_phone')), 'debug-stackframe');
    assert.equal(iconId(row(api, '004_normalized_email')), 'circle-large-outline');
    const state = api.services.store.projects[0]?.database;
    assert.equal(state?.kind, 'ok');
    assert.equal(state?.kind === 'ok' ? state.pendingCount : -1, 4);
  });

  it('follows an edit of a migration file without saving it', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
    const file = path.join(folder, 'alembic', 'versions', '004_normalized_email.py');
    const doc = await vscode.workspace.openTextDocument(file);
    const editor = await vscode.window.showTextDocument(doc);
    const first = doc.lineAt(0);
    const original = first.text;
    await editor.edit((e) => e.replace(first.range, '"""Normalize emails, edited in the tree test'));
    await waitFor('the new message in the tree', () => /edited in the tree test/.test(String(row(api, '004_normalized_email')?.label)) || undefined);
    await editor.edit((e) => e.replace(doc.lineAt(0).range, original));
    await waitFor('the message back', () => !/edited in the tree test/.test(String(row(api, '004_normalized_email')?.label)) || undefined);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('marks a revision whose file has only information-level findings as information, not as a warning', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
    const file = path.join(folder, 'alembic', 'versions', '004_normalized_email.py');
    const doc = await vscode.workspace.openTextDocument(file);
    const editor = await vscode.window.showTextDocument(doc);
    const stateIcon = iconId(row(api, '004_normalized_email'));
    assert.doesNotMatch(String(row(api, '004_normalized_email')?.description), /[✖⚠ℹ]/, 'a clean file to start with');
    const downgrade = doc.getText().split('\n').findIndex((l) => l.startsWith('def downgrade'));
    // A one-way downgrade: irreversible-migration, an information finding and the file's only one.
    await editor.edit((e) => e.insert(new vscode.Position(downgrade + 1, 0), "    raise NotImplementedError('one-way')\n"));
    try {
      const item = await waitFor('a problem marker', () => {
        const r = row(api, '004_normalized_email');
        return /\d/.test(String(r?.description).replace(/\d{4}-\d\d-\d\d/, '')) ? r : undefined;
      });
      assert.match(String(item.description), /ℹ 1/);
      assert.doesNotMatch(String(item.description), /[✖⚠]/);
      assert.equal(iconId(item), stateIcon, 'the applied-state icon stays: only an error replaces it');
      assert.ok(item.tooltip instanceof vscode.MarkdownString && item.tooltip.supportThemeIcons);
      assert.match(item.tooltip.value, /\$\(info\) 1 problem in this file, the worst: information/);
      assert.match(item.accessibilityInformation?.label ?? '', /1 information/);
    } finally {
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
    await waitFor('the marker gone', () => !/ℹ/.test(String(row(api, '004_normalized_email')?.description)) || undefined);
  });

  it('shows the project\'s problems above the revisions: a migration Python cannot import', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
    const file = path.join(folder, 'alembic', 'versions', '006_latin1_comment.py');
    const notices = () => api.tree.getChildren().map((n) => api.tree.getTreeItem(n)).filter((i) => i.contextValue === 'notice').map((i) => String(i.label));
    // A byte that is not UTF-8 (é in Latin-1) and no coding comment: Python refuses the file.
    fs.writeFileSync(file, Buffer.concat([
      Buffer.from('"""latin-1 comment\n"""\nrevision = "006_latin1_comment"\ndown_revision = "005_merge_notifications"\n# caf'),
      Buffer.from([0xe9]),
      Buffer.from('\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n'),
    ]));
    try {
      await waitFor('the problem in the tree', () => notices().some((m) => m.includes('006_latin1_comment.py') && m.includes('not valid UTF-8')) || undefined);
    } finally {
      fs.rmSync(file, { force: true });
    }
    await waitFor('the problem gone', () => !notices().some((m) => m.includes('006_latin1_comment.py')) || undefined);
  });
});
