// The blocking prompts commands use (modal confirmations, errors whose buttons lead on, quick picks,
// input boxes), in one object so that the vscode-tier tests can script the answers while everything
// else runs for real.
import * as vscode from 'vscode';

export const ui = {
  showWarningMessage: vscode.window.showWarningMessage,
  showErrorMessage: vscode.window.showErrorMessage,
  showQuickPick: vscode.window.showQuickPick,
  showInputBox: vscode.window.showInputBox,
};
