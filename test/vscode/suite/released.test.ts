// Released and new revisions in the real VS Code: a project whose history is committed on main shows no
// file-rule warnings on its released revisions, a new migration with a problem shows them, and the
// Revisions tree marks it new while the released revision's tooltip says why it is released.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { AlembicExtensionApi } from '../../../client/src/extension';
import { migrationText, PROBLEM_DOWNGRADE, PROBLEM_UPGRADE } from '../../support/gitProject';
import { withClient } from '../../support/pg';
import { extensionApi, forgetDatabase, scriptWarnings, useScratchDatabase, waitFor } from '../support';

const FILE_RULE = 'add-not-null-column-without-default';

function git(cwd: string, ...args: string[]): void {
  const r = spawnSync('git', args, {
    cwd, encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 'test@example.com', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 'test@example.com' },
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
}

function row(api: AlembicExtensionApi, idPrefix: string): vscode.TreeItem | undefined {
  return api.tree.getChildren().map((n) => api.tree.getTreeItem(n)).find((i) => String(i.contextValue).startsWith('revision') && String(i.label).startsWith(idPrefix));
}

function fileRuleWarnings(file: string): number {
  return vscode.languages.getDiagnostics(vscode.Uri.file(file)).filter((d) => d.code === FILE_RULE || (typeof d.code === 'object' && d.code.value === FILE_RULE)).length;
}

describe('released and new revisions', function () {
  this.timeout(90_000);
  let api: AlembicExtensionApi;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
  const versions = path.join(folder, 'alembic', 'versions');
  const released = path.join(versions, '006_released_problem.py');
  const fresh = path.join(versions, '007_new_problem.py');
  const onMain = path.join(versions, '008_on_main.py');

  before(async () => {
    api = await extensionApi();
    // The history, with a problem in it, committed on main: all of it released.
    fs.writeFileSync(released, migrationText('006_released_problem', '005_merge_notifications', { upgrade: PROBLEM_UPGRADE, downgrade: PROBLEM_DOWNGRADE }));
    git(folder, 'init', '-q', '-b', 'main');
    git(folder, 'add', '-A');
    git(folder, 'commit', '-q', '-m', 'history');
    await waitFor('006 in the tree', () => row(api, '006_released_problem'));
    // A release setting classifies again (no re-index); main is the base.
    await vscode.workspace.getConfiguration('alembic').update('lint.base', 'main', vscode.ConfigurationTarget.Global);
  });
  after(async () => {
    for (const f of [released, fresh, onMain]) fs.rmSync(f, { force: true });
    fs.rmSync(path.join(folder, '.git'), { recursive: true, force: true });
    await vscode.workspace.getConfiguration('alembic').update('lint.base', undefined, vscode.ConfigurationTarget.Global);
    await waitFor('006 gone from the tree', () => !row(api, '006_released_problem') || undefined);
  });

  it('shows no file-rule warning on a released revision; its tooltip says it is released on main', async () => {
    await waitFor('006 released', () => /Released/.test(String((row(api, '006_released_problem')?.tooltip as vscode.MarkdownString | undefined)?.value)) || undefined);
    await waitFor('no warning on the released revision', () => fileRuleWarnings(released) === 0 || undefined);
    const tooltip = (row(api, '006_released_problem')?.tooltip as vscode.MarkdownString).value.replace(/\\(.)/g, '$1');
    assert.match(tooltip, /Released: unchanged since [0-9a-f]{12}, where this branch left main/);
    assert.doesNotMatch(String(row(api, '006_released_problem')?.description), /\bnew\b/);
  });

  it('a new migration with a problem shows its warning, and the tree marks it new', async () => {
    fs.writeFileSync(fresh, migrationText('007_new_problem', '006_released_problem', { upgrade: PROBLEM_UPGRADE, downgrade: PROBLEM_DOWNGRADE }));
    await waitFor('the warning on the new revision', () => fileRuleWarnings(fresh) === 1 || undefined);
    await waitFor('007 marked new', () => /\bnew\b/.test(String(row(api, '007_new_problem')?.description)) || undefined);
    assert.equal(fileRuleWarnings(released), 0);
    const tooltip = (row(api, '007_new_problem')?.tooltip as vscode.MarkdownString).value.replace(/\\(.)/g, '$1');
    assert.match(tooltip, /New: added, changed or uncommitted since the base/);
  });

  it('Rebase New Revisions onto Base Head refuses while the revision is applied, then points the branch at the base head that moved on', async () => {
    // 007 goes on a branch; main gets its own 008 on the same parent: the merge would have two heads.
    git(folder, 'checkout', '-q', '-b', 'feature');
    git(folder, 'add', '-A');
    git(folder, 'commit', '-q', '-m', 'feature: 007');
    git(folder, 'checkout', '-q', 'main');
    fs.writeFileSync(onMain, migrationText('008_on_main', '006_released_problem'));
    git(folder, 'add', '-A');
    git(folder, 'commit', '-q', '-m', 'main: 008');
    git(folder, 'checkout', '-q', 'feature');
    await waitFor('008 gone from the working tree', () => !row(api, '008_on_main') || undefined);
    // Another spelling of the same base: a release setting classifies again.
    await vscode.workspace.getConfiguration('alembic').update('lint.base', 'refs/heads/main', vscode.ConfigurationTarget.Global);
    const uri = vscode.Uri.file(fresh);
    await waitFor('multiple-heads-after-merge on 007', () => vscode.languages.getDiagnostics(uri).some((d) =>
      (typeof d.code === 'object' ? d.code.value : d.code) === 'multiple-heads-after-merge') || undefined);
    const projectId = api.services.store.projects[0]?.info.id;
    const before = fs.readFileSync(fresh, 'utf8');

    // 007 applied in the connected database (its version row written as Alembic would): rebasing it
    // would make the database disagree with the files, so the command says how to undo it and edits nothing.
    const db = await useScratchDatabase(api);
    try {
      await withClient(db.url, async (c) => {
        await c.query('CREATE TABLE alembic_version (version_num varchar(32) NOT NULL PRIMARY KEY)');
        await c.query("INSERT INTO alembic_version VALUES ('007_new_problem')");
      });
      await api.services.store.refresh();
      const script = scriptWarnings(api, undefined);
      try {
        await vscode.commands.executeCommand('alembic.rebaseOntoBase', { projectId });
      } finally {
        script.restore();
      }
      assert.equal(script.asked.length, 1, JSON.stringify(script.asked));
      assert.match(script.asked[0]?.message ?? '', /007_new_problem is applied in the connected database\. Rebasing it would make the database's history disagree with the files: undo it first \(alembic downgrade 006_released_problem\)/);
      assert.match(script.asked[0]?.detail ?? '', /Commands: alembic downgrade 006_released_problem, then run Rebase New Revisions onto Base Head again\./);
      assert.equal(fs.readFileSync(fresh, 'utf8'), before, 'nothing is edited while the revision is applied');
    } finally {
      await forgetDatabase(db);
      await api.services.store.refresh();
    }

    await vscode.commands.executeCommand('alembic.rebaseOntoBase', { projectId });
    const text = fs.readFileSync(fresh, 'utf8');
    assert.match(text, /^down_revision = '008_on_main'$/m);
    assert.match(text, /^Revises: 008_on_main$/m);
  });
});
