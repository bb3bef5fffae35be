// Inside a real VS Code, on a scratch copy of the amani fixture: the extension activates by itself
// (workspaceContains:**/alembic.ini), contributes its view container and tree view, and its commands run;
// it leaves no error in the extension host log, and its server indexes once at start and once per
// change of a setting the index is built from. First in file order, so nothing else has changed
// settings yet.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { exportsFor } from '../../../client/src/extension';
import { extensionApi, extensionHostLogFile, logEntries, serverLogFile } from '../support';

const EXTENSION_ID = 'alembic-migrations.alembic-migrations';

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('activation on the amani project', function () {
  this.timeout(60_000);

  it('opens the fixture as the workspace folder', () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'no workspace folder open');
    assert.ok(fs.existsSync(path.join(folder.uri.fsPath, 'alembic.ini')), `no alembic.ini in ${folder.uri.fsPath}`);
    assert.ok(fs.existsSync(path.join(folder.uri.fsPath, 'alembic', 'versions', '001_initial_schema.py')));
  });

  it('activates by itself through its activation events', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not loaded; loaded: ${vscode.extensions.all.map((e) => e.id).filter((id) => !id.startsWith('vscode.')).join(', ')}`);
    // No ext.activate() here: that would pass even if the activation events were wrong.
    await waitFor('the extension to activate', () => ext.isActive || undefined);
  });

  it('registers the Alembic view container and the Revisions view, and both open', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('workbench.view.extension.alembic'), 'view container command missing');
    assert.ok(commands.includes('alembic.revisions.focus'), 'view focus command missing');
    await vscode.commands.executeCommand('workbench.view.extension.alembic');
    await vscode.commands.executeCommand('alembic.revisions.focus');
  });

  it('runs alembic.refresh', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('alembic.refresh'), 'alembic.refresh is not registered');
    await vscode.commands.executeCommand('alembic.refresh');
  });

  it('sees the test database and interpreter the harness passed in', () => {
    // Later suites connect to this server; a missing variable here means the harness is broken.
    assert.match(process.env.ALEMBIC_TEST_PG_URL ?? '', /^postgresql:\/\/.+@127\.0\.0\.1:\d+\//);
    const settings = vscode.workspace.getConfiguration('alembic');
    assert.equal(settings.get('pythonPath'), process.env.ALEMBIC_TEST_PYTHON || '/usr/bin/python3');
  });
});

describe('contributed commands', function () {
  this.timeout(30_000);

  it('registers every command the manifest declares', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    await ext.activate();
    const declared = (ext.packageJSON as { contributes: { commands: { command: string }[] } }).contributes.commands.map((c) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = declared.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `declared but not registered: ${missing.join(', ')}`);
  });
});

describe('a clean start', function () {
  this.timeout(60_000);

  it('leaves no error of its own, and no PendingMigrationError, in the extension host log', async () => {
    const api = await extensionApi();
    const file = extensionHostLogFile(api);
    // Logged once the extensions that start with the window (this one among them) have activated.
    await waitFor(`the end of eager activation in ${file}`, () => logEntries(file).some((e) => e.includes('Eager extensions activated')) || undefined);
    const entries = logEntries(file);
    assert.ok(entries.some((e) => e.includes(`_doActivateExtension ${EXTENSION_ID}`)), `${file} records this extension's activation`);
    const extensionPath = api.services.context.extensionUri.fsPath;
    const ours = (e: string) => e.includes(EXTENSION_ID) || e.includes(extensionPath);
    const problems = entries.filter((e) => (/^\S+ \S+ \[error\]/.test(e) && ours(e)) || e.includes('PendingMigrationError'));
    const shown = problems.map((e) => e.split('\n').slice(0, 6).join('\n'));
    assert.equal(problems.length, 0, `errors from this extension in ${file}:\n${shown.join('\n')}`);
  });

  it('indexed the project once at start, and re-indexes once per change of alembic.rules', async () => {
    const api = await extensionApi();
    const file = serverLogFile(api);
    const lines = () => logEntries(file);
    const isIndex = (e: string) => / \[info\] Indexed \d+ Alembic project/.test(e);
    const rulesChanged = (e: string) => e.includes('Settings changed: alembic.rules; re-indexing');
    const codeLensChanged = (e: string) => e.includes('Settings changed: alembic.codeLens');
    await waitFor(`the startup index in ${file}`, () => lines().some(isIndex) || undefined);
    const config = vscode.workspace.getConfiguration('alembic');
    let indexesBeforeRules = 0;
    try {
      indexesBeforeRules = lines().filter(isIndex).length;
      await config.update('rules', { 'multiple-heads': 'error' }, vscode.ConfigurationTarget.Global);
      await waitFor('the re-index for alembic.rules', () => lines().filter(isIndex).length >= 2 || undefined);
      // The server handles settings notifications in order: once it reports this later change, it has
      // handled every notification the rules change sent, and none of them may index again.
      await config.update('codeLens', false, vscode.ConfigurationTarget.Global);
      await waitFor('the server to take alembic.codeLens', () => lines().some(codeLensChanged) || undefined);
      const log = lines();
      const rulesAt = log.findIndex(rulesChanged);
      const codeLensAt = log.findIndex(codeLensChanged);
      assert.ok(rulesAt >= 0 && codeLensAt > rulesAt, `the server logged both changes, in order:\n${log.join('\n')}`);
      const indexes = (from: number, to: number) => log.slice(from, to).filter(isIndex).length;
      assert.equal(indexes(0, rulesAt), 1, `one index at start:\n${log.join('\n')}`);
      assert.equal(indexes(rulesAt, codeLensAt), 1, `one index for the rules change:\n${log.join('\n')}`);
      assert.equal(indexes(codeLensAt, log.length), 0, `no index for alembic.codeLens:\n${log.join('\n')}`);
    } finally {
      const indexesBefore = lines().filter(isIndex).length;
      await config.update('rules', undefined, vscode.ConfigurationTarget.Global);
      await config.update('codeLens', undefined, vscode.ConfigurationTarget.Global);
      // Later suites expect the default rules in force (when the rules were changed at all).
      if (indexesBefore > indexesBeforeRules) {
        await waitFor('the re-index for the default rules', () => lines().filter(isIndex).length > indexesBefore || undefined);
      }
    }
  });
});

describe('what the extension exports', function () {
  this.timeout(30_000);

  it('hands its services (secrets, prompts) to its own tests only, never to other extensions', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    const api: unknown = await ext.activate();
    // This run is VS Code's extension test mode: the tests get the API ...
    assert.ok(api && typeof api === 'object' && 'services' in api, 'the tests get the API in test mode');
    // ... and the same decision, for an installed or a development copy, gives nothing.
    const exported = api as Parameters<typeof exportsFor>[1];
    assert.equal(exportsFor(vscode.ExtensionMode.Production, exported), undefined);
    assert.equal(exportsFor(vscode.ExtensionMode.Development, exported), undefined);
    assert.equal(exportsFor(vscode.ExtensionMode.Test, exported), exported);
  });
});
