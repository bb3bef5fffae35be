// Restricted Mode: analysis works in every workspace, but whatever writes a file, runs Python (env.py and
// the migrations are the workspace's code) or connects to a database asks for a trusted workspace
// first. Every such command calls requireTrust before it reads anything the workspace chose.
import * as vscode from 'vscode';

/** True in a trusted workspace; otherwise says why `what` is off and how to turn it on, and returns false. */
export function requireTrust(what: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showWarningMessage(
    `${what} is disabled because this workspace is not trusted: it would run the project's Python code, write files or connect to ` +
    'a database the workspace names. Trust the workspace to enable it.', 'Manage Workspace Trust',
  ).then((choice) => { if (choice) void vscode.commands.executeCommand('workbench.trust.manage'); });
  return false;
}
