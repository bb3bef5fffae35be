// Database connection commands: configure (password to SecretStorage, password-less URL to settings),
// test, and the warning that moves a password out of settings.json.
import * as vscode from 'vscode';
import { ui } from '../ui';
import { requireTrust } from '../trust';
import { chooseUrl, secretKeyFor, stateOptions, workspaceFolderOf } from '../databaseInputs';
import { hasPassword, splitPassword, withEncodedPassword } from '../../../runtime/db/databaseUrl';
import { describeDatabaseState, readDatabaseStateFromUrl } from '../../../runtime/db/databaseState';
import { redactUrl } from '../../../common/redact';
import { parseDatabaseUrl } from '../../../runtime/db/sqlalchemyUrl';
import type { Services } from '../services';
import { shortRevision } from '../views/format';
import { pickProject } from './pick';

type Handler = (...args: unknown[]) => unknown;

/** Where the setting is written: the project's workspace folder when there are several, else the workspace. */
function settingTarget(folder: vscode.WorkspaceFolder | undefined): vscode.ConfigurationTarget {
  return (vscode.workspace.workspaceFolders?.length ?? 0) > 1 && folder ? vscode.ConfigurationTarget.WorkspaceFolder : vscode.ConfigurationTarget.Workspace;
}

/** Stores the password as a secret and writes only the password-less URL to the setting. */
export async function storeDatabaseUrl(s: Services, folder: vscode.WorkspaceFolder | undefined, url: string, password?: string): Promise<string> {
  const split = splitPassword(url);
  const secret = password ?? split.password;
  if (secret) {
    await s.context.secrets.store(secretKeyFor(split.urlWithoutPassword), secret);
    s.log.addSecret(secret);
  }
  await vscode.workspace.getConfiguration('alembic', folder?.uri).update('databaseUrl', split.urlWithoutPassword, settingTarget(folder));
  return split.urlWithoutPassword;
}

export function databaseCommands(s: Services): Record<string, Handler> {
  return {
    'alembic.configureDatabase': async (arg: unknown) => {
      // It writes settings and then connects to what was typed: neither for an untrusted workspace.
      if (!requireTrust('Configuring the database connection')) return;
      const project = await pickProject(s, arg);
      const folder = project ? workspaceFolderOf(project.info) : vscode.workspace.workspaceFolders?.[0];
      const existing = vscode.workspace.getConfiguration('alembic', folder?.uri).get<string>('databaseUrl', '');
      const url = await ui.showInputBox({
        title: 'Alembic: database connection (1/2)',
        prompt: 'Database URL in SQLAlchemy form (postgresql://…, sqlite:///app.db, mysql+pymysql://…). A password typed here is moved to the editor\'s secret storage.',
        placeHolder: 'postgresql+asyncpg://user@localhost:5432/app',
        value: existing,
        ignoreFocusOut: true,
        validateInput: (v) => {
          if (!v.trim()) return 'Enter a URL such as postgresql://user@localhost:5432/app';
          // What is stored: the password moves to SecretStorage and comes back percent-encoded, so a
          // password typed with a raw `@` is fine here (as typed, SQLAlchemy would misread it).
          const parsed = parseDatabaseUrl(withEncodedPassword(v.trim()), { env: process.env });
          return parsed.kind === 'invalid' ? parsed.message : undefined;
        },
      });
      if (!url) return;
      let password: string | undefined;
      // A SQLite file has no password to ask for.
      if (!hasPassword(url.trim()) && !/^\s*sqlite[+:]/i.test(url)) {
        password = await ui.showInputBox({
          title: 'Alembic: database connection (2/2)',
          prompt: 'Password (kept in the editor\'s secret storage, never in settings). Leave empty for none.',
          password: true,
          ignoreFocusOut: true,
        });
        if (password === undefined) return;
      }
      const stored = await storeDatabaseUrl(s, folder, url.trim(), password || undefined);
      s.log.info(`Database URL set to ${redactUrl(stored)} (password in secret storage: ${password || hasPassword(url) ? 'yes' : 'no'})`);
      await s.store.refresh();
      await vscode.commands.executeCommand('alembic.testConnection', project ? { projectId: project.info.id } : undefined);
    },
    'alembic.testConnection': async (arg: unknown) => {
      if (!requireTrust('Testing the database connection')) return;
      const project = await pickProject(s, arg);
      if (!project) return;
      const chosen = await chooseUrl(s.context, project.info);
      if (!chosen.ok) {
        const c = await vscode.window.showErrorMessage(`Alembic: ${chosen.message}`, 'Configure Database Connection…');
        if (c) void vscode.commands.executeCommand('alembic.configureDatabase', { projectId: project.info.id });
        return;
      }
      const state = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Alembic: testing the database connection' },
        () => readDatabaseStateFromUrl(chosen.url, stateOptions(project.info), chosen.source));
      if (!state.ok) {
        s.log.warn(`Connection test failed (${chosen.source.label}): ${state.problem.message}`);
        const c = await vscode.window.showErrorMessage(`Alembic: ${state.problem.message} (URL from ${chosen.source.label})`, 'Configure Database Connection…');
        if (c) void vscode.commands.executeCommand('alembic.configureDatabase', { projectId: project.info.id });
        return;
      }
      const current = state.currentRevisions.length ? state.currentRevisions.map(shortRevision).join(', ') : 'base';
      const message = `${describeDatabaseState(state, current)} URL from ${chosen.source.label}.`;
      s.log.info(message);
      for (const note of state.notes) s.log.info(note);
      void vscode.window.showInformationMessage(`Alembic: ${message}`);
    },
  };
}

/** Warns about a password written into settings and offers to move it into secret storage. */
export async function warnAboutPasswordInSettings(s: Services): Promise<void> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  for (const folder of folders.length ? folders : [undefined]) {
    const config = vscode.workspace.getConfiguration('alembic', folder?.uri);
    const url = config.get<string>('databaseUrl', '');
    if (!url || !hasPassword(url)) continue;
    s.log.addSecret(splitPassword(url).password);
    const choice = await ui.showWarningMessage(
      'alembic.databaseUrl in your settings contains a password. Move it to the editor\'s secret storage?', 'Move Password', 'Not Now');
    if (choice !== 'Move Password') continue;
    const inspect = config.inspect<string>('databaseUrl');
    const split = splitPassword(url);
    if (split.password) await s.context.secrets.store(secretKeyFor(split.urlWithoutPassword), split.password);
    const target = inspect?.workspaceFolderValue !== undefined ? vscode.ConfigurationTarget.WorkspaceFolder
      : inspect?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await config.update('databaseUrl', split.urlWithoutPassword, target);
    s.log.info(`Moved the database password out of settings; the setting is now ${redactUrl(split.urlWithoutPassword)}`);
  }
}
