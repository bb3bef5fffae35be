// Starting and restarting the language server (dist/server.js) over Node IPC.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, type LanguageClientOptions, type ServerOptions, TransportKind } from 'vscode-languageclient/node';
import { CODE_LENS_COMMANDS, type InitializationOptions } from '../../common/protocol';

export function createLanguageClient(context: vscode.ExtensionContext, outputChannel: vscode.LogOutputChannel): LanguageClient {
  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: 'file', language: 'python' }],
    synchronize: {
      // No configurationSection: the server registers for changes of the `alembic` section and asks for
      // it; synchronising it here as well sent every change twice, and each one re-indexed.
      fileEvents: [
        vscode.workspace.createFileSystemWatcher('**/*.py'),
        vscode.workspace.createFileSystemWatcher('**/alembic.ini'),
        vscode.workspace.createFileSystemWatcher('**/pyproject.toml'),
      ],
    },
    // The extension runs the commands the server's CodeLenses name (other editors get no lenses), and
    // watches the files above, so the server registers no watchers of its own.
    initializationOptions: { clientCommands: Object.values(CODE_LENS_COMMANDS), clientWatchesFiles: true } satisfies InitializationOptions,
    outputChannel,
    // Analysis is read-only and safe in untrusted workspaces; nothing here runs Python.
  };
  return new LanguageClient('alembic', 'Alembic Language Server', serverOptions, clientOptions);
}
