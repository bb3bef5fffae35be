// The long-lived parts every command needs, created once in `activate`.
import type * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { Log } from './log';
import type { ProjectStore } from './projectStore';

export interface Services {
  context: vscode.ExtensionContext;
  log: Log;
  client: LanguageClient;
  store: ProjectStore;
}
