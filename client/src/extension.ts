// activate/deactivate: wiring only.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { forgetInterpreterChecks } from '../../runtime/alembic/interpreter';
import { backupCommands } from './commands/backup';
import { schemaChangeCommands } from './commands/schemaChange';
import { rehearseCommands } from './commands/rehearse';
import { basicCommands } from './commands/basic';
import { graphCommands } from './commands/graph';
import { databaseCommands, warnAboutPasswordInSettings } from './commands/database';
import { migrateCommands } from './commands/migrate';
import { SqlPreviews } from './commands/sqlPreview';
import { templateCommands } from './commands/templates';
import { verifyCommands } from './commands/verify';
import { readSettings } from './config';
import { databaseReader } from './databaseInputs';
import { createLanguageClient } from './languageClient';
import { Log } from './log';
import { watchFolderEvents } from './folderEvents';
import { ProjectStore } from './projectStore';
import type { Services } from './services';
import { RevisionTreeProvider } from './views/revisionTree';
import { DatabaseStatusBar } from './views/statusBar';
import { ui } from './ui';
import { WorkspaceTrustNotification } from '../../common/protocol';

let client: LanguageClient | undefined;

/**
 * What the extension exports in test mode only (the vscode-tier tests): its services, whose context holds
 * the SecretStorage of database passwords, and the prompts, which a replacement would answer. Another
 * extension gets nothing.
 */
export interface AlembicExtensionApi {
  services: Services;
  previews: SqlPreviews;
  tree: RevisionTreeProvider;
  /** The prompts commands use; tests script answers through it. */
  ui: typeof ui;
}

export async function activate(context: vscode.ExtensionContext): Promise<AlembicExtensionApi | undefined> {
  const log = new Log();
  context.subscriptions.push(log);
  const serverChannel = vscode.window.createOutputChannel('Alembic Language Server', { log: true });
  context.subscriptions.push(serverChannel);
  client = createLanguageClient(context, serverChannel);
  context.subscriptions.push(watchFolderEvents(client));

  const store = new ProjectStore(client, databaseReader(context, log), (message) => log.warn(message));
  const services: Services = { context, log, client, store };
  const previews = new SqlPreviews();

  const tree = new RevisionTreeProvider(store);
  const view = vscode.window.createTreeView('alembic.revisions', { treeDataProvider: tree, showCollapseAll: true });
  context.subscriptions.push(store, tree, view, previews, new DatabaseStatusBar(store));

  const commands = {
    ...basicCommands(services), ...databaseCommands(services), ...migrateCommands(services, previews),
    ...templateCommands(services), ...verifyCommands(services), ...graphCommands(services),
    ...backupCommands(services), ...schemaChangeCommands(), ...rehearseCommands(services),
  };
  for (const [id, handler] of Object.entries(commands)) {
    context.subscriptions.push(vscode.commands.registerCommand(id, handler));
  }

  // The database state follows focus, settings, trust, and an optional interval.
  let interval: NodeJS.Timeout | undefined;
  const schedule = (): void => {
    if (interval) clearInterval(interval);
    const seconds = readSettings().refreshInterval;
    interval = seconds > 0 ? setInterval(() => { void store.refresh(); }, seconds * 1000) : undefined;
  };
  schedule();
  context.subscriptions.push(
    { dispose: () => { if (interval) clearInterval(interval); } },
    vscode.window.onDidChangeWindowState((e) => { if (e.focused) void store.refresh(); }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      void client?.sendNotification(WorkspaceTrustNotification, { trusted: true });
      void store.refresh();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('alembic.refreshInterval')) schedule();
      if (e.affectsConfiguration('alembic.pythonPath')) forgetInterpreterChecks();
      if (e.affectsConfiguration('alembic.databaseUrl')) void warnAboutPasswordInSettings(services);
      if (['alembic.databaseUrl', 'alembic.databaseUrlEnvVar', 'alembic.versionTable', 'alembic.versionTableSchema'].some((k) => e.affectsConfiguration(k))) {
        void store.refresh();
      }
    }),
  );

  await client.start();
  log.info('Alembic language server started');
  // The server spawns git (with safe options) only once told the workspace is trusted.
  void client.sendNotification(WorkspaceTrustNotification, { trusted: vscode.workspace.isTrusted });
  void warnAboutPasswordInSettings(services);
  await store.refresh().catch((err: unknown) => log.error('Reading the Alembic projects failed', err));
  return exportsFor(context.extensionMode, { services, previews, tree, ui });
}

/** The API only when VS Code runs the extension's tests (`extensionTestsPath`), never to other extensions. */
export function exportsFor(mode: vscode.ExtensionMode, api: AlembicExtensionApi): AlembicExtensionApi | undefined {
  return mode === vscode.ExtensionMode.Test ? api : undefined;
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
