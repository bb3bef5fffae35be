// The `alembic.*` settings for a workspace folder, read through the one typed reader in
// common/settings.ts. VS Code returns package.json's default for a setting nobody set; the reader
// checks each value's type and uses that same default for a value of the wrong type. It does not log
// what it replaced: the language server reads the same section and logs that once per change, where
// this runs at every command.
import * as vscode from 'vscode';
import type { ProjectInfo } from '../../common/protocol';
import { type EditorSettings, isWindowScoped, readEditorSettings, SETTINGS_SECTION } from '../../common/settings';
import type { VersionTableName } from '../../runtime/db/versionTable';

/**
 * The settings that apply to `scope` (a workspace folder or a file in one). Window-scoped settings are
 * read without a resource and the others with `scope`, or for no resource in particular (`null`) when
 * there is none, which is what VS Code asks for each kind.
 */
export function readSettings(scope?: vscode.Uri): EditorSettings {
  const forResource = vscode.workspace.getConfiguration(SETTINGS_SECTION, scope ?? null);
  const forWindow = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const settings = readEditorSettings((name) => (isWindowScoped(name) ? forWindow : forResource).get(name)).settings;
  settings.protectedDatabases = protectedPatterns(forResource);
  return settings;
}

/**
 * `alembic.protectedDatabases` can only grow below the user's level: the user's patterns (or the
 * default) joined with the workspace's and the folder's, so that a committed workspace setting can add
 * protection but never switch the user's off.
 */
function protectedPatterns(config: vscode.WorkspaceConfiguration): string[] {
  const inspected = config.inspect<unknown>('protectedDatabases');
  const patterns = (v: unknown): string[] => (Array.isArray(v) ? v.filter((p): p is string => typeof p === 'string' && p.trim() !== '') : []);
  const user = inspected?.globalValue !== undefined ? patterns(inspected.globalValue) : patterns(inspected?.defaultValue);
  return [...new Set([...user, ...patterns(inspected?.workspaceValue), ...patterns(inspected?.workspaceFolderValue)])];
}

/** The project's version table: the settings first, else the literals env.py passes; undefined: Alembic's default. */
export function versionTableFor(settings: EditorSettings, project: ProjectInfo): VersionTableName | undefined {
  const table = settings.versionTable || project.versionTable;
  const schema = settings.versionTableSchema || project.versionTableSchema;
  return table || schema ? { ...(table ? { table } : {}), ...(schema ? { schema } : {}) } : undefined;
}
