// The blocking prompts commands use (modal confirmations, quick picks, input boxes), in one object so
// that the vscode-tier tests can script the answers while everything else runs for real.
import * as vscode from 'vscode';

export const ui = {
  showWarningMessage: vscode.window.showWarningMessage,
  showQuickPick: vscode.window.showQuickPick,
  showInputBox: vscode.window.showInputBox,
};
