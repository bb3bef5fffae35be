// The `alembic.*` settings for a workspace folder, read through the one typed reader in
// common/settings.ts. VS Code returns package.json's default for a setting nobody set; the reader
// checks each value's type and uses that same default for a value of the wrong type. It does not log
// what it replaced: the language server reads the same section and logs that once per change, where
// this runs at every command.
import * as vscode from 'vscode';
import { type EditorSettings, isWindowScoped, readEditorSettings, SETTINGS_SECTION } from '../../common/settings';

/**
 * The settings that apply to `scope` (a workspace folder or a file in one). Window-scoped settings are
 * read without a resource and the others with `scope`, or for no resource in particular (`null`) when
 * there is none, which is what VS Code asks for each kind.
 */
export function readSettings(scope?: vscode.Uri): EditorSettings {
  const forResource = vscode.workspace.getConfiguration(SETTINGS_SECTION, scope ?? null);
  const forWindow = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  return readEditorSettings((name) => (isWindowScoped(name) ? forWindow : forResource).get(name)).settings;
}
