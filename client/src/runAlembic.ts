// Running one Alembic command for a project from the editor: the interpreter, the database URL, a
// progress notification with a Cancel button, the output streamed to the log (masked), and the
// outcome shown with plain advice and a link to the failing migration line.
import * as vscode from 'vscode';
import type { AlembicCommand } from '../../runtime/alembic/commandArguments';
import { flaskDbCommand, flaskMigrateRefusal } from '../../runtime/alembic/flaskMigrate';
import { type AlembicInterpreter, InterpreterError, resolveInterpreter } from '../../runtime/alembic/interpreter';
import { describeCommits, type RunOutcome, interpretRun } from '../../runtime/alembic/results';
import { AlembicBusyError, AlembicRunner } from '../../runtime/alembic/runner';
import { DatabaseBusyError } from '../../runtime/db/runLock';
import { runGuardsFor, type RunGuards } from '../../runtime/db/runGuards';
import { readSettings, versionTableFor } from './config';
import { chooseUrl, workspaceFolderOf } from './databaseInputs';
import { redactUrl } from '../../common/redact';
import type { ProjectInfo } from '../../common/protocol';
import type { Services } from './services';
import { requireTrust } from './trust';
import { ui } from './ui';
import { saveProjectFiles } from './unsavedFiles';
import { aroundRun, changeReport, type ChangeReport, type Creation } from '../../runtime/db/schemaChange';
import { rememberSchemaChange, showSchemaChange } from './commands/schemaChange';

/** The Python extension's selected interpreter for a folder, when that extension is installed. */
async function pythonExtensionInterpreter(folder: vscode.WorkspaceFolder | undefined): Promise<string | undefined> {
  if (!vscode.extensions.getExtension('ms-python.python')) return undefined;
  try {
    const { PythonExtension } = await import('@vscode/python-extension');
    const api = await PythonExtension.api();
    const active = api.environments.getActiveEnvironmentPath(folder?.uri);
    const resolved = await api.environments.resolveEnvironment(active);
    return resolved?.executable.uri?.fsPath ?? active.path;
  } catch {
    return undefined;
  }
}

export async function interpreterFor(project: ProjectInfo): Promise<AlembicInterpreter> {
  const folder = workspaceFolderOf(project);
  const settings = readSettings(folder?.uri);
  const fromExtension = settings.pythonPath ? undefined : await pythonExtensionInterpreter(folder);
  return resolveInterpreter({
    ...(settings.pythonPath ? { settingPath: settings.pythonPath } : {}),
    ...(fromExtension ? { pythonExtensionPath: fromExtension } : {}),
    projectRoot: project.root,
    ...(folder ? { workspaceFolder: folder.uri.fsPath } : {}),
  });
}


export interface SessionRun {
  outcome: RunOutcome;
  stdout: string;
  stderr: string;
}

export interface RunAlembicOptions {
  /** Progress title, e.g. "Upgrading to head". */
  title: string;
  /** Show the outcome as a notification (default true). */
  notify?: boolean;
  /** Whether the command needs a database URL (online commands, autogenerate). */
  needsDatabase?: boolean;
  /**
   * Snapshot the schema before and after (PostgreSQL), and report the difference with the outcome:
   * `creations` are what the undone revisions' upgrades create (a downgrade leaving one is called out),
   * `touchedTables` what the snapshot may be limited to on a very large schema.
   */
  schemaChange?: { title: string; creations?: Creation[]; touchedTables?: string[] };
}

/** Runs one command; never throws: problems are shown and come back as an outcome or undefined. */
export async function runAlembic(s: Services, project: ProjectInfo, command: AlembicCommand, o: RunAlembicOptions): Promise<SessionRun | undefined> {
  if (!requireTrust(`Running Alembic (${o.title})`)) return undefined;
  if (project.flaskMigrate) {
    // `flask db` runs this env.py inside the app; Alembic's command line cannot (runtime/alembic/flaskMigrate.ts).
    const dir = project.scriptLocation ?? project.root;
    const message = flaskMigrateRefusal(command, project.configFile, dir);
    s.log.warn(message);
    const choice = await ui.showErrorMessage(`Alembic: ${o.title}: ${message}`, 'Copy Command');
    if (choice === 'Copy Command') await vscode.env.clipboard.writeText(flaskDbCommand(command, dir));
    return undefined;
  }
  // Alembic runs the saved files: what runs migrations (or prints their SQL, or writes a revision after
  // the heads on disk) saves the project's unsaved edits first, or stops.
  const readsMigrations = command.changesDatabase || command.offline || command.writesFiles;
  if (readsMigrations && !(await saveProjectFiles(project, o.title))) return undefined;
  let python: AlembicInterpreter;
  try {
    python = await interpreterFor(project);
  } catch (err) {
    const message = err instanceof InterpreterError ? err.message : `Could not check the Python interpreter: ${String(err)}`;
    s.log.error(message);
    const choice = await vscode.window.showErrorMessage(message, 'Choose Interpreter…', 'Open Settings');
    if (choice === 'Choose Interpreter…') void vscode.commands.executeCommand('python.setInterpreter');
    if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'alembic.pythonPath');
    return undefined;
  }
  const settings = readSettings(workspaceFolderOf(project)?.uri);
  const chosen = await chooseUrl(s.context, project);
  if (!chosen.ok && o.needsDatabase) {
    const choice = await vscode.window.showErrorMessage(`${o.title}: ${chosen.message}`, 'Configure Database Connection…');
    if (choice) void vscode.commands.executeCommand('alembic.configureDatabase');
    return undefined;
  }
  const databaseUrl = chosen.ok ? chosen.url : undefined;
  const guards = databaseUrl ? guardsFor(s, project, databaseUrl) : {};
  const runner = new AlembicRunner({
    python: python.path,
    iniPath: project.configFile,
    ...(project.iniSection ? { iniSection: project.iniSection } : {}),
    ...(project.workingFolder !== undefined ? { workingFolder: project.workingFolder } : {}),
    ...(databaseUrl ? { databaseUrl } : {}),
    databaseUrlEnvVar: settings.databaseUrlEnvVar,
    sink: (line) => s.log.output(line.text),
    projectKey: project.id,
    ...(guards.runLock ? { runLock: guards.runLock } : {}),
    ...(guards.reapSessions ? { reapSessions: guards.reapSessions } : {}),
    timeouts: { lockTimeout: settings.lockTimeout, statementTimeout: settings.statementTimeout },
  });
  if (command.changesDatabase || command.connects) {
    for (const note of runner.session.notes) s.log.warn(`${project.configFile}: ${note}`);
    if (runner.session.applied.length) s.log.info(`${project.configFile}: the migration's session gets ${runner.session.applied.join(', ')} (PGOPTIONS)`);
  }
  s.log.info(`${project.configFile}: ${runner.mask(`${python.path} ${runner.argv(command).join(' ')}`)}` +
    (databaseUrl ? ` (database from ${chosen.ok ? chosen.source.label : ''}: ${redactUrl(databaseUrl)})` : ''));

  const cancellable = command.changesDatabase || command.connects || command.name === 'revision';
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Alembic: ${o.title}`, cancellable }, async (_progress, token) => {
    const abort = new AbortController();
    const sub = token.onCancellationRequested(() => abort.abort());
    try {
      const go = (): ReturnType<AlembicRunner['run']> => runner.run(command, { signal: abort.signal });
      const versionTable = versionTableFor(settings, project);
      const around = o.schemaChange && databaseUrl && command.changesDatabase
        ? await aroundRun({
          databaseUrl, env: process.env, ...(o.schemaChange.touchedTables ? { touchedTables: o.schemaChange.touchedTables } : {}),
          ...(versionTable?.table ? { versionTable: versionTable.table } : {}), ...(versionTable?.schema ? { versionTableSchema: versionTable.schema } : {}),
        }, go)
        : { result: await go() };
      const run = around.result;
      const knownRevisions = new Set((s.store.get(project.id)?.graph?.nodes ?? []).map((n) => n.revision));
      const outcome = interpretRun(run, { versionDirs: project.versionLocations, databaseUrlEnvVar: settings.databaseUrlEnvVar, knownRevisions });
      s.log.info(`${run.display}: ${outcome.status} in ${Math.round(run.durationMs)} ms — ${outcome.message}` +
        (outcome.status === 'cancelled' && outcome.detail ? ` ${outcome.detail}` : ''));
      let report: ChangeReport | undefined;
      if (o.schemaChange && 'before' in around && around.before && around.after) {
        report = changeReport({ title: o.schemaChange.title, command: run.display, before: around.before, after: around.after, ...(o.schemaChange.creations ? { creations: o.schemaChange.creations } : {}) });
        rememberSchemaChange(report);
        s.log.info(`${run.display}: schema change ${report.summary}${report.leftBehind.length ? `; left behind: ${report.leftBehind.map((c) => `${c.kind} ${c.name}`).join(', ')}` : ''} ` +
          `(snapshots ${Math.round(report.snapshotMs)} ms${report.scoped ? ', touched tables only' : ''})`);
      } else if ('error' in around && around.error) {
        s.log.warn(`${run.display}: no schema-change report: ${s.log.mask(around.error)}`);
      }
      if (o.notify !== false) void showOutcome(s, outcome, report);
      return { outcome, stdout: run.stdout, stderr: run.stderr };
    } catch (err) {
      if (err instanceof AlembicBusyError || err instanceof DatabaseBusyError) {
        void vscode.window.showWarningMessage(err.message);
        return undefined;
      }
      s.log.error(`Running ${o.title} failed`, err);
      void vscode.window.showErrorMessage(`Alembic: ${o.title} failed: ${s.log.mask(String(err))}`);
      return undefined;
    } finally {
      sub.dispose();
    }
  });
}

/**
 * The database's migration lock (another window or machine migrating the same database refuses to
 * start, naming who holds it) and, after a cancel, the end of the sessions the killed run left running
 * (killing Python does not stop its statement on the server).
 */
function guardsFor(s: Services, project: ProjectInfo, url: string): RunGuards {
  const versionTable = versionTableFor(readSettings(workspaceFolderOf(project)?.uri), project);
  const guards = runGuardsFor(url, { env: process.env, ...(versionTable ? { versionTable } : {}) });
  if (guards.missing) s.log.info(`${project.configFile}: ${guards.missing}`);
  return guards;
}

/** The outcome as a notification: success info, or the error with advice and a link to the failing line. */
export async function showOutcome(s: Services, outcome: RunOutcome, report?: ChangeReport): Promise<void> {
  if (outcome.ok) {
    if (!report) {
      void vscode.window.showInformationMessage(`Alembic: ${outcome.message}`);
      return;
    }
    const behind = report.leftBehind.length ? ` The downgrade left ${report.leftBehind.length} object(s) its upgrade created.` : '';
    const show = 'Show Schema Change';
    const notify = behind ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    const choice = await notify(`Alembic: ${outcome.message} — schema: ${report.summary}.${behind}`, show);
    if (choice === show) await showSchemaChange(report);
    return;
  }
  if (outcome.status === 'cancelled') {
    // The detail names sessions that may still run and clean-up that failed: worth seeing, not only logging.
    void vscode.window.showWarningMessage(`Alembic: ${s.log.mask([outcome.message, outcome.detail].filter(Boolean).join(' '))}`);
    return;
  }
  const actions: string[] = [];
  const location = outcome.location ?? outcome.projectLocation;
  if (location) actions.push(`Open ${location.file.split(/[\\/]/).pop()}:${location.line}`);
  for (const a of outcome.advice?.actions ?? []) {
    if (a === 'mergeHeads') actions.push('Merge Heads…');
    if (a === 'editDatabaseUrl') actions.push('Configure Database Connection…');
    if (a === 'chooseInterpreter') actions.push('Choose Interpreter…');
    if (a === 'upgradeToHead') actions.push('Upgrade to Head');
  }
  actions.push('Show Log');
  // A failure part-way through may have kept some migrations (transaction_per_migration): say which.
  const text = [outcome.message, outcome.commits ? describeCommits(outcome.commits) : undefined, outcome.advice?.text].filter(Boolean).join(' — ');
  const choice = await vscode.window.showErrorMessage(`Alembic: ${s.log.mask(text)}`, ...actions);
  if (!choice) return;
  if (choice === 'Show Log') s.log.show();
  else if (choice.startsWith('Open ') && location) {
    const doc = await vscode.workspace.openTextDocument(location.file);
    const line = Math.max(0, location.line - 1);
    await vscode.window.showTextDocument(doc, { selection: new vscode.Range(line, 0, line, 0) });
  } else if (choice === 'Merge Heads…') void vscode.commands.executeCommand('alembic.mergeHeads');
  else if (choice === 'Configure Database Connection…') void vscode.commands.executeCommand('alembic.configureDatabase');
  else if (choice === 'Choose Interpreter…') void vscode.commands.executeCommand('workbench.action.openSettings', 'alembic.pythonPath');
  else if (choice === 'Upgrade to Head') void vscode.commands.executeCommand('alembic.upgradeHead');
}
