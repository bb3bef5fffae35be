// Commands that run Alembic: upgrade, downgrade, stamp, current, history, SQL preview, new revision,
// merge heads. Targets are validated with the server's resolver (the core's, the same as Alembic's)
// before anything runs; everything that changes the database is confirmed first.
import * as vscode from 'vscode';
import { ui } from '../ui';
import { saveProjectFiles } from '../unsavedFiles';
import * as cmd from '../../../runtime/alembic/commandArguments';
import { runAlembic, showOutcome, type SessionRun } from '../runAlembic';
import { requireTrust } from '../trust';
import { chooseUrl } from '../databaseInputs';
import { AppliedStateRequest, DowngradePlanRequest, OperationsRequest, RebasePlanRequest, ResolveRevisionRequest, type ResolveRevisionResult } from '../../../common/protocol';
import { type ProjectState, versionTableRows } from '../projectStore';
import type { Services } from '../services';
import { shortRevision } from '../views/format';
import { revisionArg } from './args';
import { backUp, backupPolicyFor } from './backup';
import { confirmDowngrade, confirmStamp, protectedDatabaseCheck } from './confirm';
import { headItems, pickProject, pickRevision, revisionItem, type RevisionPickItem } from './pick';
import type { SqlPreviews } from './sqlPreview';

type Handler = (...args: unknown[]) => unknown;

async function resolve(s: Services, project: ProjectState, target: string, current?: string[]): Promise<ResolveRevisionResult> {
  return s.client.sendRequest(ResolveRevisionRequest, { projectId: project.info.id, target, ...(current ? { current } : {}) });
}

/** The database state, fresh; undefined (with a message shown) when it cannot be read. */
async function freshState(s: Services, project: ProjectState): Promise<{ current: string[]; applied: Set<string>; versionTable: string[] } | undefined> {
  await s.store.refresh();
  const state = s.store.get(project.info.id) ?? project;
  const db = state.database;
  if (db.kind === 'ok') return { current: db.current, applied: db.applied, versionTable: versionTableRows(db) };
  const why = db.kind === 'unconfigured' ? 'no database is configured' : db.kind === 'untrusted' ? 'the workspace is not trusted'
    : 'message' in db ? db.message : 'the database state is not known yet';
  const choice = await vscode.window.showErrorMessage(`Alembic: cannot read the database: ${why}.`, 'Configure Database Connection…');
  if (choice) void vscode.commands.executeCommand('alembic.configureDatabase');
  return undefined;
}

/** After a command: the tree and the status bar show the database as it is now. */
async function afterRun(s: Services): Promise<void> {
  await s.store.refresh().catch((err: unknown) => s.log.error('Refreshing after the command failed', err));
}

async function upgradeTo(s: Services, project: ProjectState, target: string, title: string): Promise<void> {
  const checked = await resolve(s, project, target);
  if (!checked.ok && !/^[+]\d+$/.test(target)) {
    void vscode.window.showErrorMessage(`Alembic: cannot upgrade to ${target}: ${checked.message}`);
    return;
  }
  // Upgrades change the database too: a protected one asks for its name first (one click otherwise).
  const chosen = await chooseUrl(s.context, project.info);
  if (!(await protectedDatabaseCheck(project, chosen.ok ? chosen.url : undefined, 'Upgrade'))) return;
  const touchedTables = await tablesTouchedBy(s, project, await pendingRevisions(s, project), 'upgrade').catch(() => undefined);
  await runAlembic(s, project.info, cmd.upgrade({ target }), { title, needsDatabase: true, schemaChange: { title, ...(touchedTables ? { touchedTables } : {}) } });
  await afterRun(s);
}

/**
 * Every table the run's migrations change, as the server reads them (a very large schema's snapshots
 * cover only these); undefined when one of them does something no table can be named for, or the
 * revisions are not known: then the snapshots are whole.
 */
async function tablesTouchedBy(s: Services, project: ProjectState, revisions: readonly string[], fn: 'upgrade' | 'downgrade'): Promise<string[] | undefined> {
  if (revisions.length === 0) return undefined;
  const { tables } = await s.client.sendRequest(OperationsRequest, { projectId: project.info.id, revisions: [...revisions], function: fn, fromDisk: true });
  return tables;
}

/** The revisions an upgrade may run: every pending one (a superset for a nearer target, which is safe). */
async function pendingRevisions(s: Services, project: ProjectState): Promise<string[]> {
  const db = (s.store.get(project.info.id) ?? project).database;
  if (db.kind !== 'ok') return [];
  const state = await s.client.sendRequest(AppliedStateRequest, { projectId: project.info.id, versionTable: versionTableRows(db) });
  return state.pending;
}

/** Undoes down to `target` (a revision id or `base`) after the confirmation. */
async function downgradeTo(s: Services, project: ProjectState, target: string, commandTarget = target): Promise<void> {
  // Before the confirmation: it must describe the saved files, which are what Alembic runs.
  if (!(await saveProjectFiles(project.info, 'Downgrade'))) return;
  const state = await freshState(s, project);
  if (!state) return;
  // Alembic undoes what stands above the target (its descendants, through children and dependents);
  // other branches stay applied. Down to base, everything goes. The server's core says which.
  const { undone } = await s.client.sendRequest(DowngradePlanRequest, { projectId: project.info.id, target, versionTable: state.versionTable });
  if (undone.length === 0) {
    void vscode.window.showInformationMessage(`Alembic: nothing to downgrade — ${target === 'base' ? 'the database is at base' : `${shortRevision(target)} is not below the current revision`}.`);
    return;
  }
  const chosen = await chooseUrl(s.context, project.info);
  const url = chosen.ok ? chosen.url : undefined;
  const downgrades = await s.client.sendRequest(OperationsRequest, { projectId: project.info.id, revisions: undone, function: 'downgrade', fromDisk: true });
  const choice = await confirmDowngrade(project, undone, target, downgrades, backupPolicyFor(project.info, url));
  if (!choice) return;
  if (!(await protectedDatabaseCheck(project, url, 'Downgrade'))) return;
  // The downgrade runs only after a dump that succeeded: a failed or cancelled backup has said why.
  if (choice === 'backUpAndRun' && (!url || !(await backUp(s, project.info, url, state.versionTable)))) return;
  // What the undone revisions' upgrades create: the report calls out any the downgrade leaves behind.
  const { creations } = await s.client.sendRequest(OperationsRequest, { projectId: project.info.id, revisions: undone, function: 'upgrade', fromDisk: true });
  // What the downgrades themselves change (not only what the upgrades created: a downgrade also alters
  // tables that stay) bounds the snapshots of a very large schema.
  const touchedTables = downgrades.tables;
  const title = `Downgrading to ${target === 'base' ? 'base' : shortRevision(target)}`;
  await runAlembic(s, project.info, cmd.downgrade({ target: commandTarget }), {
    title, needsDatabase: true,
    schemaChange: {
      title, creations: creations.map((c) => ({ revision: c.revision, kind: c.kind, name: c.name })),
      ...(touchedTables ? { touchedTables } : {}),
    },
  });
  await afterRun(s);
}

async function stampAt(s: Services, project: ProjectState, revisions: string[]): Promise<void> {
  if (!(await saveProjectFiles(project.info, 'Stamp'))) return;
  const chosen = await chooseUrl(s.context, project.info);
  const url = chosen.ok ? chosen.url : undefined;
  const choice = await confirmStamp(revisions, backupPolicyFor(project.info, url));
  if (!choice) return;
  if (!(await protectedDatabaseCheck(project, url, 'Stamp'))) return;
  if (choice === 'backUpAndRun') {
    const now = s.store.get(project.info.id)?.database;
    const current = versionTableRows(now);
    if (!url || !(await backUp(s, project.info, url, current))) return;
  }
  const title = `Stamping ${revisions.map(shortRevision).join(', ')}`;
  await runAlembic(s, project.info, cmd.stamp({ revisions }), { title, needsDatabase: true, schemaChange: { title } });
  await afterRun(s);
}

function nodeItems(project: ProjectState, filter: (rev: string) => boolean): RevisionPickItem[] {
  return (project.graph?.nodes ?? []).filter((n) => filter(n.revision)).map((n) => revisionItem(n));
}

/** With several heads, `upgrade head` fails: ask which head (or all, or merge) first. */
async function headTarget(project: ProjectState): Promise<string | undefined> {
  const heads = project.graph?.heads ?? [];
  if (heads.length <= 1) return 'head';
  const items: RevisionPickItem[] = [
    { label: 'All heads', description: 'alembic upgrade heads', target: 'heads' },
    ...headItems(project),
    { label: 'Merge the heads first…', description: 'alembic merge heads', target: '__merge__' },
  ];
  const picked = await pickRevision(items, `The project has ${heads.length} heads: upgrade which?`);
  if (picked === '__merge__') {
    void vscode.commands.executeCommand('alembic.mergeHeads', { projectId: project.info.id });
    return undefined;
  }
  return picked;
}

export function migrateCommands(s: Services, previews: SqlPreviews): Record<string, Handler> {
  const withProject = (fn: (project: ProjectState, arg: unknown) => Promise<void>, what: string): Handler => async (arg: unknown) => {
    if (!requireTrust(what)) return;
    const project = await pickProject(s, arg);
    if (project) await fn(project, arg);
  };

  return {
    'alembic.upgradeHead': withProject(async (p) => {
      const target = await headTarget(p);
      if (target) await upgradeTo(s, p, target, `Upgrading to ${target}`);
    }, 'Upgrade to Head'),
    'alembic.upgradeOne': withProject((p) => upgradeTo(s, p, '+1', 'Upgrading one revision'), 'Upgrade One Revision'),
    'alembic.upgradeTo': withProject(async (p) => {
      const state = await freshState(s, p);
      if (!state) return;
      const target = await pickRevision(nodeItems(p, (r) => !state.applied.has(r)), 'Upgrade to which pending revision?');
      if (target) await upgradeTo(s, p, target, `Upgrading to ${shortRevision(target)}`);
    }, 'Upgrade to Revision'),
    'alembic.upgradeToHere': withProject(async (p, arg) => {
      const ref = revisionArg(arg);
      if (ref) await upgradeTo(s, p, ref.revision, `Upgrading to ${shortRevision(ref.revision)}`);
    }, 'Upgrade to Here'),
    'alembic.downgradeOne': withProject(async (p) => {
      const state = await freshState(s, p);
      if (!state) return;
      if (state.current.length === 0) {
        void vscode.window.showInformationMessage('Alembic: the database is at base; there is nothing to downgrade.');
        return;
      }
      const target = await resolve(s, p, '-1', state.current);
      if (!target.ok) {
        void vscode.window.showErrorMessage(`Alembic: cannot downgrade one revision: ${target.message}. Choose the target with "Downgrade to Revision…".`);
        return;
      }
      await downgradeTo(s, p, target.revisions[0] ?? 'base', '-1');
    }, 'Downgrade One Revision'),
    'alembic.downgradeTo': withProject(async (p) => {
      const state = await freshState(s, p);
      if (!state) return;
      const items = [
        ...nodeItems(p, (r) => state.applied.has(r) && !state.current.includes(r)),
        { label: 'base', description: 'undo every revision', target: 'base' },
      ];
      const target = await pickRevision(items, 'Downgrade to which revision?');
      if (target) await downgradeTo(s, p, target);
    }, 'Downgrade to Revision'),
    'alembic.downgradeToHere': withProject(async (p, arg) => {
      const ref = revisionArg(arg);
      if (ref) await downgradeTo(s, p, ref.revision);
    }, 'Downgrade to Here'),
    'alembic.stamp': withProject(async (p) => {
      const items = [
        { label: 'head', description: 'the newest revision', target: 'head' },
        ...nodeItems(p, () => true),
        { label: 'base', description: 'empty the version table', target: 'base' },
      ];
      const target = await pickRevision(items, 'Stamp the database at which revision?');
      if (target) await stampAt(s, p, [target]);
    }, 'Stamp Revision'),
    'alembic.stampHere': withProject(async (p, arg) => {
      const ref = revisionArg(arg);
      if (ref) await stampAt(s, p, [ref.revision]);
    }, 'Stamp Here'),
    'alembic.showCurrent': withProject(async (p) => {
      const run = await runAlembic(s, p.info, cmd.current({ verbose: true }), { title: 'Reading the current revision', notify: false, needsDatabase: true });
      if (!run) return;
      if (!run.outcome.ok) return void vscode.window.showErrorMessage(`Alembic: ${run.outcome.message}`);
      const text = run.stdout.trim() || 'The database is at base (no revision applied).';
      s.log.output(text);
      void vscode.window.showInformationMessage(`Alembic current: ${text.split('\n').filter((l) => /^\S/.test(l) || /Rev:/.test(l)).slice(0, 3).join('; ')}`, 'Show Log')
        .then((c) => { if (c) s.log.show(); });
    }, 'Show Current Revision'),
    'alembic.showHistory': withProject(async (p) => {
      const run = await runAlembic(s, p.info, cmd.history({ verbose: true }), { title: 'Reading the history', notify: false });
      if (!run) return;
      if (!run.outcome.ok) return void vscode.window.showErrorMessage(`Alembic: ${run.outcome.message}`);
      await previews.open(`history ${vscode.workspace.asRelativePath(p.info.configFile)}`, run.stdout, 'plaintext');
    }, 'Show History'),
    'alembic.previewUpgradeSql': withProject(async (p) => {
      const from = await startingRevision(s, p);
      if (from === undefined) return;
      const target = await headTarget(p);
      if (target) await previewSql(s, previews, p, 'upgrade', from, target);
    }, 'Preview Upgrade SQL'),
    'alembic.previewDowngradeSql': withProject(async (p) => {
      const from = await startingRevision(s, p);
      if (from === undefined) return;
      if (from === 'base') return void vscode.window.showInformationMessage('Alembic: the database is at base; there is no downgrade to preview.');
      const keep = new Set((await s.client.sendRequest(AppliedStateRequest, { projectId: p.info.id, versionTable: [from] })).applied);
      const items = [...nodeItems(p, (r) => keep.has(r) && r !== from), { label: 'base', description: 'undo every revision', target: 'base' }];
      const target = await pickRevision(items, `Downgrade SQL from ${shortRevision(from)} to which revision?`);
      if (target) await previewSql(s, previews, p, 'downgrade', from, target);
    }, 'Preview Downgrade SQL'),
    'alembic.previewSqlToHere': withProject(async (p, arg) => {
      const ref = revisionArg(arg);
      if (!ref) return;
      const db = (s.store.get(p.info.id) ?? p).database;
      const current = db.kind === 'ok' && db.current.length === 1 ? db.current[0] ?? 'base' : db.kind === 'ok' && db.current.length === 0 ? 'base' : undefined;
      if (db.kind === 'ok' && current && current !== 'base' && db.applied.has(ref.revision) && current !== ref.revision) {
        await previewSql(s, previews, p, 'downgrade', current, ref.revision);
      } else {
        await previewSql(s, previews, p, 'upgrade', current ?? 'base', ref.revision);
      }
    }, 'Preview SQL to Here'),
    'alembic.newRevision': withProject(async (p) => {
      const message = await ui.showInputBox({ title: 'New Alembic revision', prompt: 'Message (what the migration does)', ignoreFocusOut: true, validateInput: (v) => (v.trim() ? undefined : 'A message is required') });
      if (!message) return;
      const mode = await ui.showQuickPick([
        { label: 'Empty revision', description: 'alembic revision', auto: false },
        { label: 'Autogenerate from the models', description: 'alembic revision --autogenerate (compares with the database)', auto: true },
      ], { placeHolder: 'How should the revision start?' });
      if (!mode) return;
      const heads = p.graph?.heads ?? [];
      let head: string | undefined;
      if (heads.length > 1) {
        head = await pickRevision(headItems(p), 'The project has several heads: the new revision follows which?');
        if (!head) return;
      }
      const run = await runAlembic(s, p.info, cmd.revision({ message, autogenerate: mode.auto, ...(head ? { head } : {}) }), { title: `New revision "${message}"`, needsDatabase: mode.auto });
      await openGenerated(run);
      await afterRun(s);
    }, 'New Revision'),
    'alembic.mergeHeads': withProject(async (p) => {
      const heads = p.graph?.heads ?? [];
      if (heads.length < 2) return void vscode.window.showInformationMessage('Alembic: the project has a single head; there is nothing to merge.');
      const picked = await ui.showQuickPick(headItems(p).map((item) => ({ ...item, picked: true })), { canPickMany: true, placeHolder: 'Merge which heads?' });
      if (!picked || picked.length < 2) return;
      const message = await ui.showInputBox({ title: 'Merge heads', prompt: 'Message for the merge revision', value: 'merge heads', ignoreFocusOut: true });
      if (message === undefined) return;
      const run = await runAlembic(s, p.info, cmd.merge({ revisions: picked.map((i) => i.target), message }), { title: 'Merging heads' });
      await openGenerated(run);
      await afterRun(s);
    }, 'Merge Heads'),
    'alembic.rebaseOntoBase': withProject(async (p) => {
      await rebaseOntoBase(s, p);
    }, 'Rebase New Revisions onto Base Head'),
  };
}

/**
 * Points the oldest new revision's down_revision at the base's head (the server plans it with
 * multiple-heads-after-merge's own fix). A revision the connected database applied is not moved: the
 * database's history would disagree with the files, so the user is told how to undo it first.
 */
async function rebaseOntoBase(s: Services, project: ProjectState): Promise<void> {
  const plan = await s.client.sendRequest(RebasePlanRequest, { projectId: project.info.id });
  if (!plan.ok) {
    void vscode.window.showInformationMessage(`Alembic: ${plan.message}.`);
    return;
  }
  await s.store.refresh().catch(() => undefined);
  const db = (s.store.get(project.info.id) ?? project).database;
  if (db.kind === 'ok' && db.applied.has(plan.revision)) {
    const below = plan.oldParents.length === 1 ? plan.oldParents[0] ?? 'base' : 'base';
    const undo = `alembic downgrade ${below}`;
    const choice = await ui.showWarningMessage(
      `Alembic: ${shortRevision(plan.revision)} is applied in the connected database. Rebasing it would make the database's history disagree with the files: undo it first (${undo}), then rebase.`,
      { modal: true, detail: `Commands: ${undo}, then run Rebase New Revisions onto Base Head again.` },
      `Downgrade to ${shortRevision(below)}`,
    );
    if (choice) await vscode.commands.executeCommand('alembic.downgradeToHere', { projectId: project.info.id, revision: below });
    return;
  }
  const edit = new vscode.WorkspaceEdit();
  const uri = vscode.Uri.parse(plan.uri);
  for (const e of plan.edits) {
    edit.replace(uri, new vscode.Range(e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character), e.newText);
  }
  if (!(await vscode.workspace.applyEdit(edit))) {
    void vscode.window.showErrorMessage(`Alembic: could not edit ${uri.fsPath} to rebase ${plan.revision}.`);
    return;
  }
  await vscode.workspace.openTextDocument(uri).then((doc) => doc.save());
  void vscode.window.showInformationMessage(`Alembic: ${shortRevision(plan.revision)} now builds on ${shortRevision(plan.baseHead)}, the head of ${plan.base}. Merge or rebase the branch in git too.`);
}

/** Where an offline SQL range starts: the database's single current revision, or base, or a pick. */
async function startingRevision(s: Services, project: ProjectState): Promise<string | undefined> {
  await s.store.refresh().catch(() => undefined);
  const db = (s.store.get(project.info.id) ?? project).database;
  if (db.kind === 'ok') {
    if (db.current.length === 0) return 'base';
    if (db.current.length === 1) return db.current[0];
  }
  const items = [{ label: 'base', description: 'from an empty database', target: 'base' }, ...nodeItems(project, () => true)];
  return pickRevision(items, db.kind === 'ok' ? 'The database has several heads applied: start the SQL from which revision?' : 'The database state is not known: start the SQL from which revision?');
}

async function previewSql(s: Services, previews: SqlPreviews, project: ProjectState, direction: 'upgrade' | 'downgrade', from: string, to: string): Promise<void> {
  const command = direction === 'upgrade'
    ? cmd.upgrade({ target: to, sql: true, ...(from !== 'base' ? { from } : {}) })
    : cmd.downgrade({ target: to, sql: true, from });
  const range = `${from}:${to}`;
  const run = await runAlembic(s, project.info, command, { title: `SQL for ${direction} ${range}`, notify: false });
  if (!run) return;
  if (!run.outcome.ok) {
    await showOutcome(s, run.outcome);
    return;
  }
  const header = `-- Alembic ${direction} SQL for ${range} (offline, generated by \`alembic ${direction} ${range} --sql\`)\n-- Project: ${vscode.workspace.asRelativePath(project.info.configFile)}\n-- Nothing was run against the database.\n\n`;
  await previews.open(`${direction} ${range}`, header + run.stdout, 'sql');
}

/** `Generating /path/to/file.py ...  done` → open the new file. */
async function openGenerated(run: SessionRun | undefined): Promise<void> {
  if (!run?.outcome.ok) return;
  const m = /Generating (.+?\.py) \.\.\./.exec(run.stdout + '\n' + run.stderr);
  if (!m?.[1]) return;
  const doc = await vscode.workspace.openTextDocument(m[1]);
  await vscode.window.showTextDocument(doc);
}
