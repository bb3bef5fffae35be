// Alembic runs the files on disk. Before anything runs a project's migrations (or describes what they
// will do), the editor's unsaved changes to that project's files are saved, with the user's consent, or
// the command stops: a confirmation that described unsaved text would describe what does not run.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ProjectInfo } from '../../common/protocol';
import { ui } from './ui';

/** Whether Alembic reads this file when it runs the project: migrations, env.py and its helpers, the configuration. */
export function isProjectFile(project: ProjectInfo, file: string): boolean {
  const inside = (folder: string): boolean => file === folder || file.startsWith(folder + path.sep);
  return file === project.configFile || project.versionLocations.some(inside) || (project.scriptLocation !== undefined && inside(project.scriptLocation));
}

/** The project's files open with unsaved changes. */
export function unsavedProjectFiles(project: ProjectInfo): vscode.TextDocument[] {
  return vscode.workspace.textDocuments.filter((d) => d.isDirty && d.uri.scheme === 'file' && isProjectFile(project, d.uri.fsPath));
}

/**
 * Saves the project's unsaved files after asking; true when none is left unsaved (the command may go
 * on), false when the user declined or a save failed (the command must stop; the user was told).
 */
export async function saveProjectFiles(project: ProjectInfo, action: string): Promise<boolean> {
  const unsaved = unsavedProjectFiles(project);
  if (unsaved.length === 0) return true;
  const names = unsaved.map((d) => `• ${vscode.workspace.asRelativePath(d.uri)}`);
  const choice = await ui.showWarningMessage(
    `${action}: ${unsaved.length} file(s) of this project have unsaved changes. Alembic runs the saved files.`,
    { modal: true, detail: [...names.slice(0, 20), ...(names.length > 20 ? [`… and ${names.length - 20} more`] : []), '', 'Save them and continue, or cancel and decide first.'].join('\n') },
    'Save All and Continue',
  );
  if (choice !== 'Save All and Continue') return false;
  for (const doc of unsaved) await doc.save();
  const still = unsavedProjectFiles(project);
  if (still.length > 0) {
    void vscode.window.showErrorMessage(`Alembic: ${action} stopped: ${still.map((d) => vscode.workspace.asRelativePath(d.uri)).join(', ')} could not be saved.`);
    return false;
  }
  return true;
}
