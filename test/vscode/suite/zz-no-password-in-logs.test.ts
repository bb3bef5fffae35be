// Runs last (file name order): after every other suite has upgraded, downgraded, previewed and failed,
// the database password must appear in nothing the editor wrote: output channels, extension host and
// server logs. The throwaway cluster's password is random, so a hit is never a coincidence.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { testServerUrl } from '../../support/pg';
import { extensionApi, forgetDatabase, useScratchDatabase } from '../support';

function filesBelow(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesBelow(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** The folder of this editor session's logs: the dated folder above the extension's own log folder. */
function sessionLogs(logUri: vscode.Uri): string {
  let dir = logUri.fsPath;
  while (path.dirname(dir) !== dir && !/^\d{8}T\d{6}/.test(path.basename(dir))) dir = path.dirname(dir);
  assert.ok(/^\d{8}T\d{6}/.test(path.basename(dir)), `no session log folder above ${logUri.fsPath}`);
  return dir;
}

describe('no password in any log', function () {
  this.timeout(120_000);

  it('masks the password everywhere, including failures that print the URL', async () => {
    const password = decodeURIComponent(new URL(testServerUrl()).password);
    assert.ok(password.length >= 8, 'the throwaway server needs a distinctive password for this test');
    const api = await extensionApi();
    const db = await useScratchDatabase(api);
    try {
      // Success paths that log the URL and Alembic's output, and a failure that echoes it.
      await vscode.commands.executeCommand('alembic.testConnection');
      await vscode.commands.executeCommand('alembic.showCurrent');
      const wrongDb = new URL(db.url);
      wrongDb.pathname = '/no_such_database_here';
      await vscode.workspace.getConfiguration('alembic').update('databaseUrl', wrongDb.toString(), vscode.ConfigurationTarget.Global);
      await api.services.store.refresh();
      await vscode.commands.executeCommand('alembic.showCurrent');
    } finally {
      await forgetDatabase(db);
    }
    // Output channels flush to their log files asynchronously.
    await new Promise((r) => setTimeout(r, 1500));
    const root = sessionLogs(api.services.context.logUri);
    const files = filesBelow(root);
    assert.ok(files.some((f) => /Alembic\.log$/.test(f)), `the Alembic output channel log is among ${files.length} files under ${root}`);
    const alembicLog = fs.readFileSync(files.find((f) => /Alembic\.log$/.test(f)) ?? '', 'utf8');
    assert.match(alembicLog, /\*\*\*/, 'the log shows the masked form');
    const leaks = files.filter((f) => fs.readFileSync(f).includes(password)).map((f) => path.relative(root, f));
    assert.deepEqual(leaks, [], `the password was written to: ${leaks.join(', ')}`);
  });
});
