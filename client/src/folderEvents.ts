// Folders made or deleted in one go. VS Code reports a folder made in one go (a clone, an unzip, a
// copy) as one created folder and folds the events of the files in it into that one, so the
// `**/alembic.ini` and `**/pyproject.toml` watchers never fire and the new project stayed unseen until
// the next re-index. For each created folder we look inside (shallow, skipping what never holds a
// project) and tell the server about the configuration files found, as its file watch would have.
// A folder deleted in one go (rm -r, the explorer) is one deleted folder too: the server is told about
// it, and drops the projects and migrations that were inside.
import * as vscode from 'vscode';
import { type DidChangeWatchedFilesParams, DidChangeWatchedFilesNotification, FileChangeType, type LanguageClient } from 'vscode-languageclient/node';

const CONFIGURATION_FILES = new Set(['alembic.ini', 'pyproject.toml']);
/** Folders that hold no project of the user's, and can hold very many folders (hidden ones are skipped by name). */
const SKIPPED = new Set(['node_modules', '__pycache__', 'site-packages', 'venv', 'env']);
/** How deep below the new folder, and how many folders at most: a new folder is looked at, not crawled. */
const MAX_DEPTH = 3;
const MAX_FOLDERS = 200;

/** The configuration files in `folder` and up to MAX_DEPTH levels below it (none when it is not a folder). */
export async function configurationFilesIn(folder: vscode.Uri): Promise<vscode.Uri[]> {
  const found: vscode.Uri[] = [];
  let level: vscode.Uri[] = [folder];
  let visited = 0;
  for (let depth = 0; depth <= MAX_DEPTH && level.length > 0; depth++) {
    const next: vscode.Uri[] = [];
    for (const dir of level) {
      if (++visited > MAX_FOLDERS) return found;
      let entries: [string, vscode.FileType][];
      try {
        entries = await vscode.workspace.fs.readDirectory(dir);
      } catch {
        continue; // a file, or a folder gone again: nothing to look at
      }
      for (const [name, type] of entries) {
        if (type === vscode.FileType.File && CONFIGURATION_FILES.has(name)) found.push(vscode.Uri.joinPath(dir, name));
        else if (type === vscode.FileType.Directory && !SKIPPED.has(name) && !name.startsWith('.')) next.push(vscode.Uri.joinPath(dir, name));
      }
    }
    level = next;
  }
  return found;
}

/** The files the server's own watchers cover: their deletions reach it already. */
const WATCHED_BY_SERVER = /(?:\.py|[/\\]alembic\.ini|[/\\]pyproject\.toml)$/;

/**
 * Watches for created and deleted folders: reports the configuration files inside a created one, and
 * a deleted one (the server knows what it held), to the server.
 */
export function watchFolderEvents(client: LanguageClient): vscode.Disposable {
  // Creations and deletions; a created file is one stat away from being dismissed.
  const watcher = vscode.workspace.createFileSystemWatcher('**/*', false, true, false);
  watcher.onDidDelete(async (uri) => {
    // What was deleted cannot be asked any more: anything but the files the server watches goes on.
    if (uri.scheme !== 'file' || WATCHED_BY_SERVER.test(uri.fsPath)) return;
    const params: DidChangeWatchedFilesParams = { changes: [{ uri: uri.toString(), type: FileChangeType.Deleted }] };
    await client.sendNotification(DidChangeWatchedFilesNotification.method, params).catch(() => undefined);
  });
  watcher.onDidCreate(async (uri) => {
    if (uri.scheme !== 'file') return;
    const stat = await Promise.resolve(vscode.workspace.fs.stat(uri)).catch(() => undefined);
    if (stat?.type !== vscode.FileType.Directory) return;
    const files = await configurationFilesIn(uri);
    if (files.length === 0) return;
    const params: DidChangeWatchedFilesParams = { changes: files.map((f) => ({ uri: f.toString(), type: FileChangeType.Created })) };
    // By method name: the client's notification type and this package's differ in their type parameters.
    await client.sendNotification(DidChangeWatchedFilesNotification.method, params)
      .catch(() => undefined); // a server that is restarting indexes everything when it starts
  });
  return watcher;
}
