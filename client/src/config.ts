// Typed access to the `alembic.*` settings. Scope: the workspace folder of the project.
import * as vscode from 'vscode';
import type { ProjectInfo } from '../../common/protocol';
import type { VersionTableName } from '../../runtime/db/versionTable';

export interface AlembicSettings {
  configFile: string;
  rules: Record<string, string>;
  pythonPath: string;
  databaseUrl: string;
  databaseUrlEnvVar: string;
  versionTable: string;
  versionTableSchema: string;
  protectedDatabases: string[];
  refreshInterval: number;
  codeLens: boolean;
}

export function readSettings(scope?: vscode.Uri): AlembicSettings {
  const c = vscode.workspace.getConfiguration('alembic', scope);
  return {
    configFile: c.get<string>('configFile', '').trim(),
    rules: c.get<Record<string, string>>('rules', {}),
    pythonPath: c.get<string>('pythonPath', '').trim(),
    databaseUrl: c.get<string>('databaseUrl', '').trim(),
    databaseUrlEnvVar: c.get<string>('databaseUrlEnvVar', 'DATABASE_URL').trim() || 'DATABASE_URL',
    versionTable: c.get<string>('versionTable', '').trim(),
    versionTableSchema: c.get<string>('versionTableSchema', '').trim(),
    protectedDatabases: c.get<string[]>('protectedDatabases', []),
    refreshInterval: c.get<number>('refreshInterval', 0),
    codeLens: c.get<boolean>('codeLens', true),
  };
}

/** Settings the language server reads; a change is pushed to it rather than restarting it. */
export const serverSettingKeys = ['alembic.configFile', 'alembic.rules', 'alembic.codeLens'];

/** The project's version table: the settings first, else the literals env.py passes; undefined: Alembic's default. */
export function versionTableFor(settings: AlembicSettings, project: ProjectInfo): VersionTableName | undefined {
  const table = settings.versionTable || project.versionTable;
  const schema = settings.versionTableSchema || project.versionTableSchema;
  return table || schema ? { ...(table ? { table } : {}), ...(schema ? { schema } : {}) } : undefined;
}
