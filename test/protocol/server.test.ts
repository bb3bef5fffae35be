// The bundled language server (dist/server.js, exactly what the .vsix ships) started as its own process
// over stdio, spoken to with the real LSP client libraries: the lifecycle every editor goes through.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ConfigurationRequest,
  createProtocolConnection,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  type InitializeResult,
  type ProtocolConnection,
  RegistrationRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  TextDocumentSyncKind,
  WorkDoneProgressCreateRequest,
} from 'vscode-languageserver-protocol/node';
import { copyFixture, repoRoot } from '../support/paths';

const SERVER = path.join(repoRoot, 'dist', 'server.js');

interface Server {
  child: ChildProcess;
  connection: ProtocolConnection;
  stderr: () => string;
  exited: Promise<number | null>;
}

function startServer(): Server {
  assert.ok(fs.existsSync(SERVER), `${SERVER} is missing: build first (node esbuild.mjs)`);
  const child = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  assert.ok(child.stdout && child.stdin);
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  // Requests the server may send to its client: answer them the way a plain editor would.
  connection.onRequest(ConfigurationRequest.type, (params) => params.items.map(() => null));
  connection.onRequest(RegistrationRequest.type, () => undefined);
  connection.onRequest(WorkDoneProgressCreateRequest.type, () => undefined);
  connection.listen();
  return { child, connection, stderr: () => stderr, exited };
}

/** Resolves with the exit code, or fails after `ms` (the process is then killed). */
async function exitWithin(server: Server, ms: number): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), ms); });
  const result = await Promise.race([server.exited, timeout]);
  clearTimeout(timer);
  if (result === 'timeout') {
    server.child.kill('SIGKILL');
    assert.fail(`the server did not exit within ${ms} ms; stderr:\n${server.stderr()}`);
  }
  return result;
}

async function initialize(server: Server, root: string): Promise<InitializeResult> {
  const rootUri = pathToFileURL(root).toString();
  return server.connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri,
    workspaceFolders: [{ uri: rootUri, name: path.basename(root) }],
    capabilities: {
      textDocument: { synchronization: { dynamicRegistration: false }, publishDiagnostics: { relatedInformation: true } },
      workspace: { workspaceFolders: true, configuration: true },
    },
    clientInfo: { name: 'alembic-migrations protocol test' },
  });
}

describe('bundled language server over stdio', function () {
  this.timeout(30_000);
  let project = '';
  let server: Server | undefined;

  before(() => { project = copyFixture('amani'); });
  after(() => { fs.rmSync(project, { recursive: true, force: true }); });
  afterEach(() => {
    if (server && server.child.exitCode === null) server.child.kill('SIGKILL');
    server?.connection.dispose();
    server = undefined;
  });

  it('initializes, accepts an opened migration, shuts down and exits with code 0', async () => {
    const s = (server = startServer());
    const result = await initialize(s, project);

    assert.match(result.serverInfo?.name ?? '', /alembic/i, 'serverInfo.name should name the server');
    const sync = result.capabilities.textDocumentSync;
    const change = typeof sync === 'object' ? sync.change : sync;
    assert.equal(change, TextDocumentSyncKind.Incremental, `textDocumentSync: ${JSON.stringify(sync)}`);
    if (typeof sync === 'object') assert.notEqual(sync.openClose, false, 'the server must hear about opened files');

    await s.connection.sendNotification(InitializedNotification.type, {});
    const file = path.join(project, 'alembic', 'versions', '001_initial_schema.py');
    await s.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri: pathToFileURL(file).toString(), languageId: 'python', version: 1, text: fs.readFileSync(file, 'utf8') },
    });

    // A request after the open proves the server handled it and is still answering.
    const shutdown = await s.connection.sendRequest(ShutdownRequest.type);
    assert.equal(shutdown, null);
    assert.equal(s.child.exitCode, null, `the server died before exit; stderr:\n${s.stderr()}`);
    await s.connection.sendNotification(ExitNotification.type);
    assert.equal(await exitWithin(s, 5_000), 0, `stderr:\n${s.stderr()}`);
  });

  it('exits with code 1 when told to exit without a shutdown first (LSP lifecycle)', async () => {
    const s = (server = startServer());
    await initialize(s, project);
    await s.connection.sendNotification(InitializedNotification.type, {});
    await s.connection.sendNotification(ExitNotification.type);
    assert.equal(await exitWithin(s, 5_000), 1);
  });
});
