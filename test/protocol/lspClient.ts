// A minimal LSP client for protocol tests: starts the bundled dist/server.js over stdio, answers the
// server's own requests like a plain editor, and collects published diagnostics.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ConfigurationRequest, createProtocolConnection, type Diagnostic, ExitNotification, InitializedNotification,
  InitializeRequest, type ProtocolConnection, PublishDiagnosticsNotification, type PublishDiagnosticsParams,
  RegistrationRequest, ShutdownRequest, StreamMessageReader, StreamMessageWriter, type WorkspaceClientCapabilities,
  WorkDoneProgressCreateRequest,
} from 'vscode-languageserver-protocol/node';
import { repoRoot } from '../support/paths';

export interface TestServer {
  connection: ProtocolConnection;
  diagnostics: Map<string, Diagnostic[]>;
  /** Every publishDiagnostics, in the order it came. */
  publishes: PublishDiagnosticsParams[];
  notifications: { method: string; params: unknown }[];
  /** Methods the server registered for (client/registerCapability). */
  registrations: string[];
  /** Polls until `predicate` holds, or fails after `ms`. */
  waitFor(what: string, predicate: () => boolean, ms?: number): Promise<void>;
  stop(): Promise<void>;
  stderr(): string;
  /** Every byte the server wrote to stdout, as a verbose trace would show it. */
  sent(): string;
}

export function uriOf(p: string): string {
  return pathToFileURL(p).toString();
}

/**
 * Starts the server on `root`. `settings` is what `workspace/configuration` answers for the `alembic`
 * section (change it, then send didChangeConfiguration, as an editor does); `workspace` adds client
 * capabilities.
 */
export async function startTestServer(root: string, settings: Record<string, unknown> = {}, workspace: WorkspaceClientCapabilities = {}): Promise<TestServer> {
  const server = path.join(repoRoot, 'dist', 'server.js');
  assert.ok(fs.existsSync(server), `${server} is missing: build first (node esbuild.mjs)`);
  const child: ChildProcess = spawn(process.execPath, [server, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  assert.ok(child.stdout && child.stdin);
  let sent = '';
  child.stdout.on('data', (d: Buffer) => { sent += d.toString(); });
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const diagnostics = new Map<string, Diagnostic[]>();
  const publishes: PublishDiagnosticsParams[] = [];
  const notifications: { method: string; params: unknown }[] = [];
  const registrations: string[] = [];
  connection.onRequest(ConfigurationRequest.type, (params) => params.items.map((i) => (i.section === 'alembic' ? settings : null)));
  connection.onRequest(RegistrationRequest.type, (params) => { registrations.push(...params.registrations.map((r) => r.method)); });
  connection.onRequest(WorkDoneProgressCreateRequest.type, () => undefined);
  connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
    diagnostics.set(p.uri, p.diagnostics);
    publishes.push(p);
  });
  connection.onUnhandledNotification((n) => { notifications.push({ method: n.method, params: n.params }); });
  connection.listen();
  await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: uriOf(root),
    workspaceFolders: [{ uri: uriOf(root), name: path.basename(root) }],
    capabilities: { workspace: { workspaceFolders: true, configuration: true, ...workspace }, textDocument: { publishDiagnostics: { relatedInformation: true } } },
  });
  await connection.sendNotification(InitializedNotification.type, {});
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const waitFor = async (what: string, predicate: () => boolean, ms = 10_000): Promise<void> => {
    const deadline = Date.now() + ms;
    while (!predicate()) {
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; server stderr:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return {
    connection, diagnostics, publishes, notifications, registrations, waitFor, stderr: () => stderr, sent: () => sent,
    stop: async () => {
      await connection.sendRequest(ShutdownRequest.type);
      await connection.sendNotification(ExitNotification.type);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      connection.dispose();
    },
  };
}
