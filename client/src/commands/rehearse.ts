// "Alembic: Rehearse Upgrade…": runtime/verify/rehearsal.ts on a scratch copy of the connected
// database, each step shown in the progress notification as it runs, the result as a Markdown report.
// The copy is made on the database's own server, so a protected server asks first.
import * as vscode from 'vscode';
import { ui } from '../ui';
import { chooseUrl, workspaceFolderOf } from '../databaseInputs';
import { readSettings, versionTableFor } from '../config';
import { interpreterFor } from '../runAlembic';
import { requireTrust } from '../trust';
import { saveProjectFiles } from '../unsavedFiles';
import { changeReportMarkdown } from '../../../runtime/db/schemaChange';
import { databaseIdentity, protectingPattern } from '../../../runtime/db/protectedDatabases';
import { rehearseUpgrade, type RehearsalResult } from '../../../runtime/verify/rehearsal';
import { type ProjectState, versionTableRows } from '../projectStore';
import type { Services } from '../services';
import { backupFolderFor } from './backup';
import { pickProject } from './pick';

function rehearsalMarkdown(r: RehearsalResult): string {
  const lines = [`# Upgrade rehearsal: ${r.ok ? 'passed' : 'failed'}`, ''];
  for (const s of r.steps) lines.push(`- ${s.ok ? '✓' : '✗'} **${s.name}**: ${s.message}`);
  lines.push('');
  if (r.backup) lines.push(`Backup of the real database: \`${r.backup.file}\``, '');
  for (const s of r.steps) if (s.report) lines.push(changeReportMarkdown(s.report).replace(/^# /, '## '));
  return `${lines.join('\n')}\n`;
}

async function rehearse(s: Services, project: ProjectState): Promise<RehearsalResult | undefined> {
  if (!(await saveProjectFiles(project.info, 'Rehearse Upgrade'))) return;
  const chosen = await chooseUrl(s.context, project.info);
  if (!chosen.ok) {
    void vscode.window.showErrorMessage(`Alembic: Rehearse Upgrade: ${chosen.message}`);
    return;
  }
  const settings = readSettings(workspaceFolderOf(project.info)?.uri);
  const identity = databaseIdentity(chosen.url);
  const pattern = identity ? protectingPattern(settings.protectedDatabases, identity) : undefined;
  if (identity && pattern !== undefined) {
    const go = `Rehearse on a Copy on ${identity.host}`;
    const choice = await ui.showWarningMessage(`Rehearse on the server of a protected database (${identity.host})?`, {
      modal: true,
      detail: `${identity.host}/${identity.database} matches alembic.protectedDatabases ("${pattern}"). The rehearsal reads it with pg_dump, ` +
        `creates a scratch database ${identity.database}_verify_… on that server from the dump, migrates the copy and drops it. ` +
        'The database itself is not migrated, but the dump and the copy load the server.',
    }, go);
    if (choice !== go) return;
  }
  const db = s.store.get(project.info.id)?.database;
  const revisions = versionTableRows(db);
  let python;
  try {
    python = await interpreterFor(project.info);
  } catch (err) {
    void vscode.window.showErrorMessage(`Alembic: Rehearse Upgrade: ${err instanceof Error ? err.message : String(err)}`);
    return;
  }
  const versionTable = versionTableFor(settings, project.info);
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Alembic: Rehearsing the upgrade', cancellable: true }, async (progress, token) => {
    const abort = new AbortController();
    const sub = token.onCancellationRequested(() => abort.abort());
    try {
      return await rehearseUpgrade({
        databaseUrl: chosen.url, python: python.path, iniPath: project.info.configFile, ...(project.info.iniSection ? { iniSection: project.info.iniSection } : {}),
        ...(project.info.workingFolder !== undefined ? { workingFolder: project.info.workingFolder } : {}), backupFolder: backupFolderFor(project.info),
        revisions, databaseUrlEnvVar: settings.databaseUrlEnvVar, env: process.env, signal: abort.signal,
        ...(versionTable ? { versionTable } : {}),
        onStep: (step) => {
          progress.report({ message: step.message });
          s.log.info(`Rehearsal ${step.name}${step.ok === undefined ? '' : step.ok ? ' ✓' : ' ✗'}: ${s.log.mask(step.message)}`);
        },
        log: (l) => s.log.output(s.log.mask(l)),
      });
    } finally {
      sub.dispose();
    }
  });
  const show = 'Show Report';
  const message = result.ok
    ? `Alembic: the rehearsal passed on a scratch copy: ${result.steps.map((x) => x.message).slice(2).join(' → ')}`
    : `Alembic: the rehearsal failed: ${s.log.mask(result.failure ?? '')}`;
  // Not awaited: a notification stays until it is closed, and the command is done.
  void (result.ok ? vscode.window.showInformationMessage(message, show) : vscode.window.showErrorMessage(message, show)).then(async (choice) => {
    if (choice !== show) return;
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: rehearsalMarkdown(result) });
    await vscode.window.showTextDocument(doc, { preview: false });
  });
  return result;
}

export function rehearseCommands(s: Services): Record<string, (...args: unknown[]) => unknown> {
  return {
    'alembic.rehearseUpgrade': async (arg: unknown) => {
      if (!requireTrust('Rehearse Upgrade')) return;
      const project = await pickProject(s, arg);
      // The result goes back to the caller (the vscode-tier test); the user sees the notification.
      return project ? rehearse(s, project) : undefined;
    },
  };
}
