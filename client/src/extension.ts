// activate/deactivate: wiring only.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { basicCommands } from './commands/basic';
import { createLanguageClient } from './languageClient';
import { Log } from './log';
import { type DatabaseReader, ProjectStore } from './projectStore';
import type { Services } from './services';
import { RevisionTreeProvider } from './views/revisionTree';
import { DatabaseStatusBar } from './views/statusBar';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<Services> {
  const log = new Log();
  context.subscriptions.push(log);
  const serverChannel = vscode.window.createOutputChannel('Alembic Language Server', { log: true });
  context.subscriptions.push(serverChannel);
  client = createLanguageClient(context, serverChannel);

  const readDatabase: DatabaseReader = async () => ({ kind: 'unconfigured' });
  const store = new ProjectStore(client, readDatabase);
  const services: Services = { context, log, client, store };

  const tree = new RevisionTreeProvider(store);
  const view = vscode.window.createTreeView('alembic.revisions', { treeDataProvider: tree, showCollapseAll: true });
  context.subscriptions.push(store, tree, view, new DatabaseStatusBar(store));

  const commands = { ...basicCommands(services) };
  for (const [id, handler] of Object.entries(commands)) {
    context.subscriptions.push(vscode.commands.registerCommand(id, handler));
  }

  await client.start();
  log.info('Alembic language server started');
  await store.refresh().catch((err: unknown) => log.error('Reading the Alembic projects failed', err));
  return services;
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
