// Helpers for suites that run inside the real VS Code: the extension's API, polling, and a scratch
// database on the throwaway PostgreSQL configured the way a user would (password in SecretStorage).
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { AlembicExtensionApi } from '../../client/src/extension';
import { secretKeyFor } from '../../client/src/databaseInputs';
import { splitPassword } from '../../runtime/db/databaseUrl';
import { createScratchDatabase, type ScratchDatabase, withClient } from '../support/pg';

export const EXTENSION_ID = 'alembic-migrations.alembic-migrations';

export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function extensionApi(): Promise<AlembicExtensionApi> {
  const ext = vscode.extensions.getExtension<AlembicExtensionApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not loaded`);
  const api = await ext.activate();
  if (!api) throw new Error(`${EXTENSION_ID} exported nothing: it exports its API only in test mode (extensionTestsPath)`);
  return api;
}

/**
 * A fresh database, set as `alembic.databaseUrl` (user settings, so the fixture stays untouched) without
 * its password, which goes to SecretStorage like "Configure Database Connection…" does.
 */
export async function useScratchDatabase(api: AlembicExtensionApi): Promise<ScratchDatabase> {
  const db = await createScratchDatabase('vscode');
  const { urlWithoutPassword, password } = splitPassword(db.url);
  if (password) await api.services.context.secrets.store(secretKeyFor(urlWithoutPassword), password);
  await vscode.workspace.getConfiguration('alembic').update('databaseUrl', urlWithoutPassword, vscode.ConfigurationTarget.Global);
  await api.services.store.refresh();
  return db;
}

export async function forgetDatabase(db: ScratchDatabase | undefined): Promise<void> {
  await vscode.workspace.getConfiguration('alembic').update('databaseUrl', undefined, vscode.ConfigurationTarget.Global);
  await db?.drop();
}

/** Answers the next modal warnings with `answer` (or what it returns for the message), recording what was asked. */
export function scriptWarnings(
  api: AlembicExtensionApi, answer: string | undefined | ((message: string) => string | undefined),
): { asked: { message: string; detail?: string }[]; restore(): void } {
  const original = api.ui.showWarningMessage;
  const asked: { message: string; detail?: string }[] = [];
  api.ui.showWarningMessage = (async (message: string, ...rest: unknown[]) => {
    const options = rest[0] as vscode.MessageOptions | undefined;
    asked.push({ message, ...(options?.detail ? { detail: options.detail } : {}) });
    return typeof answer === 'function' ? answer(message) : answer;
  }) as typeof api.ui.showWarningMessage;
  return { asked, restore: () => { api.ui.showWarningMessage = original; } };
}

/**
 * Scripts the next quick picks and input boxes: `pick` chooses among the items offered (by their
 * fields), `inputs` answers input boxes in order (`undefined` = accept the suggested value), checking
 * each answer with the box's own validation first.
 */
export function scriptPrompts(api: AlembicExtensionApi, pick: (items: vscode.QuickPickItem[]) => vscode.QuickPickItem | undefined, inputs: (string | undefined)[]): { prompts: string[]; restore(): void } {
  const originalPick = api.ui.showQuickPick;
  const originalInput = api.ui.showInputBox;
  const prompts: string[] = [];
  api.ui.showQuickPick = (async (items: readonly vscode.QuickPickItem[] | Thenable<readonly vscode.QuickPickItem[]>, options?: vscode.QuickPickOptions) => {
    prompts.push(options?.placeHolder ?? '');
    return pick([...(await items)]);
  }) as unknown as typeof api.ui.showQuickPick;
  api.ui.showInputBox = (async (options?: vscode.InputBoxOptions) => {
    prompts.push(options?.prompt ?? '');
    const answer = inputs.shift() ?? options?.value ?? '';
    const problem = await options?.validateInput?.(answer);
    if (problem) throw new Error(`answer ${JSON.stringify(answer)} refused: ${JSON.stringify(problem)}`);
    return answer;
  }) as typeof api.ui.showInputBox;
  return { prompts, restore: () => { api.ui.showQuickPick = originalPick; api.ui.showInputBox = originalInput; } };
}

/**
 * The entries of a log file VS Code writes (`2026-01-01 12:00:00.000 [info] message`), oldest first; the
 * lines after an entry's first one (a stack, say) belong to it. None while the file does not exist yet.
 */
export function logEntries(file: string): string[] {
  if (!fs.existsSync(file)) return [];
  const entries: string[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \[/.test(line) || entries.length === 0) entries.push(line);
    else entries[entries.length - 1] += `\n${line}`;
  }
  return entries.filter((e) => e.trim() !== '');
}

/** The log of the "Alembic Language Server" output channel: the server's window/logMessage lines. */
export function serverLogFile(api: AlembicExtensionApi): string {
  return path.join(api.services.context.logUri.fsPath, 'Alembic Language Server.log');
}

/**
 * The extension host's own log (`exthost.log`; code-server names it `remoteexthost.log`), in the folder
 * that holds the extension's log folder.
 */
export function extensionHostLogFile(api: AlembicExtensionApi): string {
  const folder = path.dirname(api.services.context.logUri.fsPath);
  const name = fs.readdirSync(folder).find((f) => /exthost\.log$/.test(f));
  if (!name) throw new Error(`no exthost.log in ${folder}: ${fs.readdirSync(folder).join(', ')}`);
  return path.join(folder, name);
}

/** The version table's rows in a scratch database (none when the table does not exist yet). */
export async function appliedVersions(db: ScratchDatabase): Promise<string[]> {
  return withClient(db.url, async (c) => {
    const exists = await c.query("SELECT to_regclass('alembic_version') AS t");
    if (!exists.rows[0]?.t) return [];
    return (await c.query('SELECT version_num FROM alembic_version ORDER BY 1')).rows.map((r: { version_num: string }) => r.version_num);
  });
}

/**
 * Removes a project a suite added to the workspace, so that the suites after it see the workspace they
 * expect: the ini first (a deleted folder reaches the server as one event for the folder, which names
 * no alembic.ini), then its folder once the store has dropped the project.
 */
export async function removeAddedProject(api: AlembicExtensionApi, what: string, ini: string, folder: string): Promise<void> {
  fs.rmSync(ini, { force: true });
  const gone = async (): Promise<boolean> => {
    await api.services.store.refresh();
    return !api.services.store.projects.some((p) => p.info.configFile === ini);
  };
  try {
    await waitFor(`${what} gone`, gone, 20_000);
  } catch {
    // The watcher missed the deletion: a restarted server indexes the workspace as it is now.
    await vscode.commands.executeCommand('alembic.restartServer');
    await waitFor(`${what} gone after a server restart`, gone, 40_000);
  }
  fs.rmSync(folder, { recursive: true, force: true });
}
