// Backups around a downgrade or stamp, and "Alembic: Restore Backup…": which button the confirmation
// offers (alembic.backupBeforeDowngrade, protected databases backing up always), pg_dump with a
// cancellable progress notification, and pg_restore after the same kind of confirmation. The programs
// and their arguments are runtime/backup's; this file only asks and shows.
import path from 'node:path';
import * as vscode from 'vscode';
import { ui } from '../ui';
import { chooseUrl, workspaceFolderOf } from '../databaseInputs';
import { readSettings } from '../config';
import { requireTrust } from '../trust';
import {
  backupDatabase, BackupError, effectiveBackupPolicy, libpqConnection, listBackups, resolveBackupFolder, restoreBackup,
  type BackupPolicy, type BackupResult,
} from '../../../runtime/backup/backup';
import { databaseIdentity, isProtected } from '../../../runtime/db/protectedDatabases';
import { parseDatabaseUrl } from '../../../runtime/db/sqlalchemyUrl';
import type { ProjectInfo } from '../../../common/protocol';
import type { ProjectState } from '../projectStore';
import type { Services } from '../services';
import { shortRevision } from '../views/format';
import { protectedDatabaseCheck } from './confirm';
import { pickProject } from './pick';

/** The folder backups of this project go to. */
export function backupFolderFor(project: ProjectInfo): string {
  const folder = workspaceFolderOf(project);
  return resolveBackupFolder(readSettings(folder?.uri).backupFolder, folder?.uri.fsPath ?? project.root);
}

/**
 * What the confirmation offers for this database: `never` for anything pg_dump cannot back up (no URL,
 * another dialect), else the setting, where a protected database backs up always unless it was set.
 */
export function backupPolicyFor(project: ProjectInfo, url: string | undefined): BackupPolicy {
  if (!url || parseDatabaseUrl(url, { env: process.env }).kind !== 'postgres') return 'never';
  const scope = workspaceFolderOf(project)?.uri ?? vscode.Uri.file(project.root);
  const settings = readSettings(scope);
  const inspected = vscode.workspace.getConfiguration('alembic', scope).inspect('backupBeforeDowngrade');
  const explicit = [inspected?.globalValue, inspected?.workspaceValue, inspected?.workspaceFolderValue].some((v) => v !== undefined);
  const identity = databaseIdentity(url);
  return effectiveBackupPolicy(settings.backupBeforeDowngrade, explicit, identity !== undefined && isProtected(settings.protectedDatabases, identity));
}

/** pg_dump with progress and Cancel; undefined (after saying why) when the backup did not succeed. */
export async function backUp(s: Services, project: ProjectInfo, url: string, revisions: readonly string[]): Promise<BackupResult | undefined> {
  const folder = backupFolderFor(project);
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Alembic: Backing up the database', cancellable: true }, async (progress, token) => {
    const abort = new AbortController();
    const sub = token.onCancellationRequested(() => abort.abort());
    try {
      const result = await backupDatabase({
        databaseUrl: url, folder, revisions, signal: abort.signal, env: process.env,
        onProgress: (m) => progress.report({ message: m }), log: (l) => s.log.info(s.log.mask(l)),
      });
      s.log.info(`Backup of ${project.configFile}: ${result.file} (${result.bytes} bytes, ${Math.round(result.durationMs)} ms, ${result.tool.name} ${result.tool.version})`);
      return result;
    } catch (err) {
      const message = s.log.mask(err instanceof Error ? err.message : String(err));
      s.log.error(`Backup before the change failed: ${message}`);
      const cancelled = err instanceof BackupError && err.code === 'cancelled';
      void (cancelled ? vscode.window.showWarningMessage(`Alembic: ${message}. Nothing was changed.`)
        : vscode.window.showErrorMessage(`Alembic: the backup failed, so nothing was changed: ${message}`, 'Show Log').then((c) => { if (c) s.log.show(); }));
      return undefined;
    } finally {
      sub.dispose();
    }
  });
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

async function restoreCommand(s: Services, project: ProjectState): Promise<void> {
  const chosen = await chooseUrl(s.context, project.info);
  if (!chosen.ok) {
    void vscode.window.showErrorMessage(`Alembic: Restore Backup: ${chosen.message}`);
    return;
  }
  let conn;
  try {
    conn = libpqConnection(chosen.url);
  } catch (err) {
    void vscode.window.showErrorMessage(`Alembic: Restore Backup: ${err instanceof Error ? err.message : String(err)}`);
    return;
  }
  const folder = backupFolderFor(project.info);
  const backups = listBackups(folder, { database: conn.database, host: conn.host, port: conn.port });
  if (backups.length === 0) {
    void vscode.window.showInformationMessage(`Alembic: no backups of ${conn.database} in ${folder}.`);
    return;
  }
  const picked = await ui.showQuickPick(backups.map((b) => ({
    label: `${b.database} at ${b.revisions.length ? b.revisions.map(shortRevision).join(', ') : 'base'}`,
    description: `${new Date(b.createdAt).toLocaleString()} · ${formatBytes(b.bytes)}`,
    detail: path.basename(b.file),
    file: b.file,
    revisions: b.revisions,
  })), { placeHolder: `Restore which backup into ${conn.database}?` });
  if (!picked) return;
  const at = picked.revisions.length ? picked.revisions.map(shortRevision).join(', ') : 'base';
  const detail = [
    `${path.basename(picked.file)} (${picked.description})`,
    '',
    `pg_restore --clean --if-exists --single-transaction replaces every table, type and sequence the backup holds with its contents, ` +
      `and the version table goes back to ${at}. Objects made after the backup that it does not hold stay. One transaction: a failure changes nothing.`,
  ].join('\n');
  const choice = await ui.showWarningMessage(`Restore ${conn.database} from the backup at ${at}?`, { modal: true, detail }, 'Restore');
  if (choice !== 'Restore') return;
  if (!(await protectedDatabaseCheck(project, chosen.url, 'Restore'))) return;
  const ok = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Alembic: Restoring ${conn.database}`, cancellable: true }, async (progress, token) => {
    const abort = new AbortController();
    const sub = token.onCancellationRequested(() => abort.abort());
    try {
      await restoreBackup({ databaseUrl: chosen.url, file: picked.file, signal: abort.signal, onProgress: (m) => progress.report({ message: m }), log: (l) => s.log.info(s.log.mask(l)) });
      return true;
    } catch (err) {
      const message = s.log.mask(err instanceof Error ? err.message : String(err));
      s.log.error(`Restore failed: ${message}`);
      void vscode.window.showErrorMessage(`Alembic: ${message}`, 'Show Log').then((c) => { if (c) s.log.show(); });
      return false;
    } finally {
      sub.dispose();
    }
  });
  await s.store.refresh().catch((err: unknown) => s.log.error('Refreshing after the restore failed', err));
  if (ok) void vscode.window.showInformationMessage(`Alembic: restored ${conn.database} from ${path.basename(picked.file)}; the database is at ${at}.`);
}

export function backupCommands(s: Services): Record<string, (...args: unknown[]) => unknown> {
  return {
    'alembic.restoreBackup': async (arg: unknown) => {
      if (!requireTrust('Restore Backup')) return;
      const project = await pickProject(s, arg);
      if (project) await restoreCommand(s, project);
    },
  };
}
