// Restricted Mode, in a real VS Code with workspace trust on and the workspace not trusted: every command
// the extension contributes is run, and none of them starts a process, opens a network connection or
// writes a file in the workspace; the analysis (the language server's graph and diagnostics) still works.
// Processes and connections are observed by wrapping child_process and net.Socket in this extension host
// (the extension runs in the same process) and keeping the calls made from the extension's code; the
// calls still go through.
import assert from 'node:assert/strict';
import childProcess from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import * as vscode from 'vscode';
import type { AlembicExtensionApi } from '../../../client/src/extension';
import { EXTENSION_ID, extensionApi, waitFor } from '../support';

/** Every file under `dir` with a hash of its content. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.set(p, crypto.createHash('sha1').update(fs.readFileSync(p)).digest('hex'));
    }
  };
  walk(dir);
  return out;
}

type Recorded = { spawned: string[]; connected: string[]; restore(): void };

/**
 * Records what this extension starts (a process) or opens (a connection) from here on; the originals
 * still run. A call counts when the extension's bundled code is on its stack: the extension host's own
 * port detection (`ps`, `ls /proc`) runs in the same process and is not ours.
 */
function observe(extensionPath: string): Recorded {
  const ours = (): boolean => (new Error().stack ?? '').includes(path.join(extensionPath, 'dist'));
  const spawned: string[] = [];
  const connected: string[] = [];
  const cp = childProcess as unknown as Record<string, (...args: unknown[]) => unknown>;
  const names = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'];
  const originals = new Map(names.map((n) => [n, cp[n]]));
  for (const n of names) {
    const original = originals.get(n);
    if (!original) continue;
    cp[n] = function (this: unknown, ...args: unknown[]) {
      if (ours()) spawned.push(`${n} ${String(args[0])} ${Array.isArray(args[1]) ? args[1].join(' ') : ''}`.trim());
      return original.apply(this, args);
    };
  }
  const socketConnect = net.Socket.prototype.connect;
  // eslint-style note: `connect` has many overloads; the wrapper passes whatever it gets through.
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    const first = args[0];
    if (ours()) connected.push(typeof first === 'object' && first !== null ? JSON.stringify(first) : String(first));
    return (socketConnect as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof net.Socket.prototype.connect;
  return {
    spawned, connected,
    restore: () => {
      for (const [n, f] of originals) if (f) cp[n] = f;
      net.Socket.prototype.connect = socketConnect;
    },
  };
}

/** Runs a command, but gives up waiting after `ms` (a notification left open keeps some awaiting). */
async function runBriefly(id: string, arg: unknown, ms = 3000): Promise<'done' | 'waiting'> {
  const run = Promise.resolve(vscode.commands.executeCommand(id, ...(arg === undefined ? [] : [arg]))).then(() => 'done' as const, () => 'done' as const);
  return Promise.race([run, new Promise<'waiting'>((r) => setTimeout(() => r('waiting'), ms))]);
}

describe('Restricted Mode: nothing runs, connects or writes; analysis works', function () {
  this.timeout(180_000);
  let api: AlembicExtensionApi;
  let root = '';

  before(async () => {
    api = await extensionApi();
    root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? assert.fail('no workspace folder');
  });

  it('runs in a workspace that is not trusted', () => {
    assert.equal(vscode.workspace.isTrusted, false, 'this suite needs workspace trust on and the folder untrusted (run-tests.mjs --restricted)');
  });

  it('still analyses: the graph and the diagnostics come from the language server', async () => {
    const project = await waitFor('the project', () => api.services.store.projects[0]);
    await waitFor('the graph', () => (project.graph?.nodes.length ?? 0) > 0 || undefined);
    assert.equal(api.services.store.projects[0]?.graph?.nodes.length, 6);
    assert.equal(api.services.store.projects[0]?.database.kind, 'untrusted');
    const file = vscode.Uri.file(path.join(root, 'alembic', 'versions', '005_merge_notifications.py'));
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    const hover = await waitFor('a hover on down_revision', async () => {
      const line = doc.getText().split('\n').findIndex((l) => l.startsWith('down_revision'));
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', file, new vscode.Position(line, 20));
      return hovers.length > 0 ? hovers : undefined;
    });
    assert.ok(hover.length > 0);
  });

  it('runs every contributed command: no process, no connection, no file written', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID) ?? assert.fail('not loaded');
    const commands = (ext.packageJSON as { contributes: { commands: { command: string }[] } }).contributes.commands.map((c) => c.command);
    const project = api.services.store.projects[0] ?? assert.fail('no project');
    const revisionArg = { projectId: project.info.id, revision: '003_notifications' };
    // Every prompt is answered as if the user went ahead: a pick takes the first item, an input box
    // its suggestion (or a URL), a modal its first action.
    const saved = { pick: api.ui.showQuickPick, input: api.ui.showInputBox, warn: api.ui.showWarningMessage };
    const asked: string[] = [];
    api.ui.showQuickPick = (async (items: readonly vscode.QuickPickItem[] | Thenable<readonly vscode.QuickPickItem[]>, o?: vscode.QuickPickOptions) => {
      asked.push(`pick: ${o?.placeHolder ?? ''}`);
      const list = [...(await items)];
      return o?.canPickMany ? list : list[0];
    }) as unknown as typeof api.ui.showQuickPick;
    api.ui.showInputBox = (async (o?: vscode.InputBoxOptions) => {
      asked.push(`input: ${o?.prompt ?? ''}`);
      return o?.value || 'postgresql://attacker@127.0.0.1:9/app';
    }) as typeof api.ui.showInputBox;
    api.ui.showWarningMessage = (async (message: string, ...rest: unknown[]) => {
      asked.push(`warning: ${message}`);
      return rest.find((r) => typeof r === 'string');
    }) as typeof api.ui.showWarningMessage;
    const before = snapshot(root);
    const seen = observe(ext.extensionPath);
    const results: string[] = [];
    try {
      for (const id of commands) {
        // Restarting the language server starts our own bundled server again, not workspace code.
        if (id === 'alembic.restartServer') continue;
        const arg = /Here$|openFile|copyRevisionId/.test(id) ? revisionArg : undefined;
        results.push(`${id}: ${await runBriefly(id, arg)}`);
      }
    } finally {
      seen.restore();
      api.ui.showQuickPick = saved.pick;
      api.ui.showInputBox = saved.input;
      api.ui.showWarningMessage = saved.warn;
    }
    const after = snapshot(root);
    const changed = [...new Set([...before.keys(), ...after.keys()])].filter((p) => before.get(p) !== after.get(p));
    const context = `\ncommands: ${results.join(', ')}\nasked: ${asked.join(' | ')}`;
    assert.deepEqual(seen.spawned, [], `processes started${context}`);
    assert.deepEqual(seen.connected, [], `connections opened${context}`);
    assert.deepEqual(changed, [], `files written in the workspace${context}`);
    assert.ok(results.length >= 20, `ran ${results.length} commands`);
  });
});
