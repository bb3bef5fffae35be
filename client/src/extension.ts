import * as vscode from 'vscode';

export function activate(_context: vscode.ExtensionContext): void {
  // wired in later commits
}

export function deactivate(): void {}
