// Confirmations before a command changes what is applied: what will be undone, which of it destroys
// data (from the server's parsed calls), and for protected databases the typed database name.
import * as vscode from 'vscode';
import { ui } from '../ui';
import type { OperationsResult } from '../../../common/protocol';
import { databaseIdentity, describeIdentity, isProtected, type ProtectedServer } from '../../../runtime/db/protectedDatabases';
import { localClusterUnavailable } from '../../../runtime/verify/localCluster';
import type { BackupPolicy } from '../../../runtime/backup/backup';
import { readSettings } from '../config';
import { alembicFolderOf } from '../databaseInputs';
import { type ProjectState, revisionsById } from '../projectStore';
import { shortRevision } from '../views/format';

/**
 * For a protected database, asks for its name; true when typed correctly (or not protected). The name
 * is the database the connection reaches (libpq's defaults filled in); an empty answer never passes,
 * and a protected database whose name cannot be told is refused.
 */
export async function protectedDatabaseCheck(project: ProjectState, url: string | undefined, action: string): Promise<boolean> {
  // A relative SQLite path is the file in the folder Alembic runs in.
  const identity = url ? databaseIdentity(url, process.env, undefined, alembicFolderOf(project.info)) : undefined;
  if (!identity) return true;
  const patterns = readSettings(vscode.Uri.file(project.info.root)).protectedDatabases;
  if (!isProtected(patterns, identity)) return true;
  if (!identity.database) {
    void vscode.window.showErrorMessage(`Alembic: ${action} refused: ${identity.host} matches alembic.protectedDatabases, and the URL names no database to confirm. Put the database name in the URL.`);
    return false;
  }
  const typed = await ui.showInputBox({
    title: `${action}: protected database`,
    prompt: `${describeIdentity(identity)} matches alembic.protectedDatabases. Type the ${identity.kind === 'sqlite' ? 'file' : 'database'} name to continue.`,
    placeHolder: identity.database,
    ignoreFocusOut: true,
    validateInput: (v) => (v === identity.database || v === '' ? undefined : 'That is not the database name'),
  });
  return typed !== undefined && typed !== '' && typed === identity.database;
}

/** What the user chose in a downgrade or stamp confirmation: run it, back up first and then run it, or nothing. */
export type ChangeChoice = 'run' | 'backUpAndRun' | undefined;

/**
 * The buttons for a backup policy (alembic.backupBeforeDowngrade): `ask` both, `always` only the one that
 * backs up, `never` only the plain one; and what the pressed button means.
 */
async function askWithBackup(message: string, detail: string, verb: string, policy: BackupPolicy): Promise<ChangeChoice> {
  const backUp = `Back Up and ${verb}`;
  const buttons = policy === 'always' ? [backUp] : policy === 'never' ? [verb] : [backUp, verb];
  const note = policy === 'always' ? `\n\nThe database is backed up with pg_dump first (alembic.backupBeforeDowngrade); the ${verb.toLowerCase()} runs only if the dump succeeds.` : '';
  const choice = await ui.showWarningMessage(message, { modal: true, detail: detail + note }, ...buttons);
  return choice === backUp ? 'backUpAndRun' : choice === verb ? 'run' : undefined;
}

/**
 * The modal before a downgrade: the revisions undone and the destructive operations in their downgrades
 * (`downgrades`: the server's reading of those functions, which the caller also sizes the snapshots by).
 */
export async function confirmDowngrade(project: ProjectState, undone: string[], target: string, downgrades: OperationsResult, policy: BackupPolicy = 'never'): Promise<ChangeChoice> {
  const { operations } = downgrades;
  const nodes = revisionsById(project);
  const lines = undone.map((r) => `• ${shortRevision(r)} ${nodes.get(r)?.message ?? ''}`.trimEnd());
  const destructive = operations.map((o) => `• ${shortRevision(o.revision)}: ${o.operation}${o.target ? ` ${o.target}` : ''}`);
  const detail = [
    `${undone.length} revision(s) will be undone:`, ...lines.slice(0, 25), ...(lines.length > 25 ? [`… and ${lines.length - 25} more`] : []),
    '',
    destructive.length ? 'Their downgrades destroy data:' : 'Their downgrades drop no tables, columns or enums that the extension can see.',
    ...destructive.slice(0, 30), ...(destructive.length > 30 ? [`… and ${destructive.length - 30} more`] : []),
  ].join('\n');
  return askWithBackup(`Downgrade the database to ${target === 'base' ? 'base' : shortRevision(target)}?`, detail, 'Downgrade', policy);
}

export async function confirmStamp(revisions: string[], policy: BackupPolicy = 'never'): Promise<ChangeChoice> {
  return askWithBackup(
    `Stamp the database at ${revisions.map(shortRevision).join(', ')}?`,
    'Stamping writes the version table only: no migration runs. Use it when the schema already matches that revision.',
    'Stamp', policy,
  );
}

/**
 * Before a verification would create its scratch database on a protected server: the modal offers a
 * local throwaway PostgreSQL (when one can be started here) or that server; undefined means cancel.
 */
export async function confirmProtectedVerifyServer(p: ProtectedServer): Promise<'local' | 'server' | undefined> {
  const { host, database } = p.identity;
  const noLocal = localClusterUnavailable(process.env);
  const useLocal = 'Use a Local PostgreSQL';
  const useServer = `Create It on ${host}`;
  const detail = [
    `${host}/${database} matches alembic.protectedDatabases ("${p.pattern}"), so its server is treated like production.`,
    `Verifying creates a scratch database ${database || 'alembic'}_verify_… on that server, runs every migration in it and drops it ` +
      'afterwards; the database itself is not migrated.',
    '',
    noLocal === undefined
      ? 'A throwaway PostgreSQL on this machine can be used instead: it starts in a temporary folder and is removed afterwards.'
      : `A throwaway PostgreSQL on this machine cannot be used instead: ${noLocal}.`,
  ].join('\n');
  const choice = await ui.showWarningMessage(`Verify on the server of a protected database (${host})?`, { modal: true, detail },
    ...(noLocal === undefined ? [useLocal] : []), useServer);
  return choice === useLocal ? 'local' : choice === useServer ? 'server' : undefined;
}
