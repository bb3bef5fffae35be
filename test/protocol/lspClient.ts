// A minimal LSP client for protocol tests: starts the bundled dist/server.js over stdio, answers the
// server's own requests like a plain editor, and collects published diagnostics.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  type ClientCapabilities, ConfigurationRequest, createProtocolConnection, type Diagnostic, ExitNotification, InitializedNotification,
  InitializeRequest, type ProtocolConnection, PublishDiagnosticsNotification, type PublishDiagnosticsParams,
  RegistrationRequest, ShutdownRequest, StreamMessageReader, StreamMessageWriter, type WorkspaceClientCapabilities,
  WorkDoneProgressCreateRequest,
} from 'vscode-languageserver-protocol/node';
import { CODE_LENS_COMMANDS } from '../../common/protocol';
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
 * A file URI as Neovim (vim.uri_from_fname) and eglot write it: only what RFC 3986 forbids in a path
 * is escaped, so `+ ( ) @ , ' ; = !` stay as they are, and the hex is lower-case (Neovim).
 */
export function editorStyleUri(p: string): string {
  const encoded = [...Buffer.from(p, 'utf8')].map((byte) => {
    const c = String.fromCharCode(byte);
    return /[A-Za-z0-9\-._~/!$&'()*+,;=:@]/.test(c) && byte < 0x80 ? c : `%${byte.toString(16).padStart(2, '0')}`;
  }).join('');
  return `file://${encoded}`;
}

/** How the test client presents itself; each field replaces what a VS Code-like client would send. */
export interface ClientOptions {
  /** The whole client capabilities (default: what vscode-languageclient declares for these features). */
  capabilities?: ClientCapabilities;
  /** `initializationOptions` (default: the VS Code extension's, which runs the CodeLens commands). */
  initializationOptions?: unknown;
  /** Send `workspaceFolders` in initialize (default true); without, only `rootUri`. */
  workspaceFolders?: boolean;
  /** The URI of the root folder as the client writes it (default: uriOf). */
  rootUri?: string;
  /** The command that starts the server (default: node dist/server.js --stdio). */
  command?: string[];
  /** What `workspace/configuration` answers for the `alembic` section: the settings object, or null. */
  pulledSection?: 'settings' | 'null';
}

/**
 * Starts the server on `root`. `settings` is what `workspace/configuration` answers for the `alembic`
 * section (change it, then send didChangeConfiguration, as an editor does); `workspace` adds client
 * capabilities.
 */
export async function startTestServer(root: string, settings: Record<string, unknown> = {}, workspace: WorkspaceClientCapabilities = {}, client: ClientOptions = {}): Promise<TestServer> {
  const server = path.join(repoRoot, 'dist', 'server.js');
  assert.ok(fs.existsSync(server), `${server} is missing: build first (node esbuild.mjs)`);
  const [program, ...args] = client.command ?? [process.execPath, server, '--stdio'];
  const child: ChildProcess = spawn(program ?? process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
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
  connection.onRequest(ConfigurationRequest.type, (params) => params.items.map((i) => (i.section === 'alembic' && client.pulledSection !== 'null' ? settings : null)));
  connection.onRequest(RegistrationRequest.type, (params) => { registrations.push(...params.registrations.map((r) => r.method)); });
  connection.onRequest(WorkDoneProgressCreateRequest.type, () => undefined);
  connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
    diagnostics.set(p.uri, p.diagnostics);
    publishes.push(p);
  });
  connection.onUnhandledNotification((n) => { notifications.push({ method: n.method, params: n.params }); });
  connection.listen();
  const rootUri = client.rootUri ?? uriOf(root);
  await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri,
    workspaceFolders: client.workspaceFolders === false ? null : [{ uri: rootUri, name: path.basename(root) }],
    initializationOptions: client.initializationOptions ?? { clientCommands: Object.values(CODE_LENS_COMMANDS), clientWatchesFiles: true },
    capabilities: client.capabilities ?? {
      workspace: { workspaceFolders: true, configuration: true, ...workspace },
      textDocument: {
        publishDiagnostics: { relatedInformation: true, codeDescriptionSupport: true },
        hover: { contentFormat: ['markdown', 'plaintext'] },
        completion: { completionItem: { documentationFormat: ['markdown', 'plaintext'] } },
      },
    },
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
