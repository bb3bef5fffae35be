// The extension side of the database: gathers the inputs for choosing a URL (settings, environment,
// the workspace's .env, alembic.ini, SecretStorage) and reads the state for the views.
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { chooseDatabaseUrl, type ChosenUrl, type DatabaseUrlInputs, splitPassword } from '../../runtime/db/databaseUrl';
import { readDatabaseStateFromUrl, type DatabaseStateOptions } from '../../runtime/db/databaseState';
import type { AlembicFallback } from '../../runtime/db/alembicCurrent';
import { parseDialectUrl } from '../../runtime/db/dialectUrl';
import { parseDatabaseUrl } from '../../runtime/db/sqlalchemyUrl';
import { readSettings, versionTableFor } from './config';
import { interpreterFor } from './runAlembic';
import { iniSqlalchemyUrl } from '../../runtime/db/iniUrl';
import type { Log } from './log';
import type { ProjectInfo } from '../../common/protocol';
import type { DatabaseReading } from './projectStore';

const SECRET_PREFIX = 'alembic.databasePassword:';

/** The SecretStorage key of the password that belongs to a password-less URL. */
export function secretKeyFor(urlWithoutPassword: string): string {
  return SECRET_PREFIX + urlWithoutPassword;
}

export function workspaceFolderOf(project: ProjectInfo): vscode.WorkspaceFolder | undefined {
  return vscode.workspace.getWorkspaceFolder(vscode.Uri.file(project.configFile));
}

function readDotenv(folders: string[]): DatabaseUrlInputs['dotenv'] {
  for (const folder of folders) {
    const p = path.join(folder, '.env');
    try {
      return { path: p, text: fs.readFileSync(p, 'utf8') };
    } catch {
      // no .env here
    }
  }
  return undefined;
}

export async function databaseInputs(context: vscode.ExtensionContext, project: ProjectInfo): Promise<DatabaseUrlInputs> {
  const folder = workspaceFolderOf(project);
  const settings = readSettings(folder?.uri ?? vscode.Uri.file(project.root));
  const inputs: DatabaseUrlInputs = { envVarName: settings.databaseUrlEnvVar, env: process.env };
  if (settings.databaseUrl) {
    inputs.settingUrl = settings.databaseUrl;
    const secret = await context.secrets.get(secretKeyFor(settings.databaseUrl));
    if (secret) inputs.secretPassword = secret;
  }
  const dotenv = readDotenv([project.root, ...(folder ? [folder.uri.fsPath] : [])]);
  if (dotenv) inputs.dotenv = dotenv;
  // Interpolated already (by the server's ini reader); chooseDatabaseUrl interpolates again, so escape
  // `%` to make that second pass an identity. The password is read from the ini here, never sent.
  const iniUrl = iniSqlalchemyUrl(project);
  inputs.ini = iniUrl !== undefined ? { path: project.configFile, url: iniUrl.replace(/%/g, '%%') } : { path: project.configFile };
  return inputs;
}

export async function chooseUrl(context: vscode.ExtensionContext, project: ProjectInfo): Promise<ChosenUrl> {
  return chooseDatabaseUrl(await databaseInputs(context, project));
}

/** The reader the ProjectStore calls: URL → version table (the server then says what is applied). */
export function databaseReader(context: vscode.ExtensionContext, log: Log) {
  return async (project: ProjectInfo): Promise<DatabaseReading> => {
    if (!vscode.workspace.isTrusted) return { kind: 'untrusted' };
    const chosen = await chooseUrl(context, project);
    if (!chosen.ok) {
      return chosen.kind === 'none' ? { kind: 'unconfigured' } : { kind: 'problem', message: chosen.message, source: chosen.source?.label ?? 'configuration' };
    }
    const source = chosen.source.label;
    const password = parsedPassword(chosen.url);
    log.addSecret(password);
    const state = await readDatabaseStateFromUrl(chosen.url, stateOptions(project), chosen.source);
    if (!state.ok) {
      log.warn(`Database state for ${project.configFile}: ${state.problem.message}`);
      return state.problem.kind === 'unsupportedDialect'
        ? { kind: 'unsupported', message: state.problem.message, source }
        : { kind: 'problem', message: state.problem.message, source };
    }
    for (const note of state.notes) log.info(`${project.configFile}: ${note}`);
    const serverVersion = state.via === 'alembic' ? `${state.dialect} (read by alembic current)` : `${state.dialect} ${state.serverVersion}`;
    // The server's lock information wants PostgreSQL's own `server_version`, not the text shown.
    const postgresServerVersion = state.dialect === 'PostgreSQL' && state.via === 'direct' ? state.serverVersion : undefined;
    return {
      kind: 'read', source, versionTable: state.currentRevisions, serverVersion, latencyMs: state.latencyMs,
      ...(postgresServerVersion !== undefined ? { postgresServerVersion } : {}),
    };
  };
}

/** The folder Alembic runs in for the project (a relative SQLite path starts there): its working folder, else the config file's. */
export function alembicFolderOf(project: Pick<ProjectInfo, 'configFile' | 'workingFolder'>): string {
  return project.workingFolder ?? path.dirname(project.configFile);
}

/**
 * How the project's database is read, as the migration run will see it: the version table named by the
 * settings or env.py, a relative SQLite path from the folder Alembic runs in (the config file's, or the
 * project's working folder), and for
 * dialects without a direct reader, the project's interpreter running `alembic current`.
 */
export function stateOptions(project: ProjectInfo): DatabaseStateOptions {
  const settings = readSettings(workspaceFolderOf(project)?.uri);
  return {
    env: process.env,
    versionTable: versionTableFor(settings, project) ?? {},
    baseDir: alembicFolderOf(project),
    alembic: async (): Promise<AlembicFallback> => ({
      python: (await interpreterFor(project)).path,
      iniPath: project.configFile,
      ...(project.iniSection ? { iniSection: project.iniSection } : {}),
      ...(project.workingFolder !== undefined ? { workingFolder: project.workingFolder } : {}),
      databaseUrlEnvVar: settings.databaseUrlEnvVar,
    }),
  };
}

/** The password to mask in the log: split as the user meant it, even from a URL that cannot be used. */
function parsedPassword(url: string): string | undefined {
  const parsed = parseDatabaseUrl(url, { env: process.env });
  if (parsed.kind === 'postgres') return splitPassword(url).password ?? parsed.target.password;
  const other = parseDialectUrl(url, { env: process.env });
  return splitPassword(url).password ?? (other.dialect === 'mysql' ? other.target.password : undefined);
}
