// The Revisions tree (`alembic.revisions`): the server's graph in `alembic history` order, flat, with
// markers, a small lane graph, the database's applied/pending/current state and diagnostics.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { markdownCode, markdownText } from '../../../common/markdown';
import { NEW_REVISION_SENTENCE, releaseSentence, type RevisionInfo } from '../../../common/protocol';
import type { ProjectState, ProjectStore } from '../projectStore';
import { laneGraph } from './lanes';
import { shortRevision } from './format';
import { severityBadge, severityMarker, severitySummary } from './severityMarker';

export type TreeNode =
  | { kind: 'project'; projectId: string }
  | { kind: 'revision'; projectId: string; revision: string; lane: string }
  | { kind: 'notice'; projectId: string; message: string };

export class RevisionTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly store: ProjectStore) {
    this.subscription = store.onDidChange(() => this.emitter.fire(undefined));
  }

  getChildren(element?: TreeNode): TreeNode[] {
    const projects = this.store.projects;
    if (!element) {
      if (projects.length === 1 && projects[0]) return this.revisionsOf(projects[0]);
      return projects.map((p) => ({ kind: 'project', projectId: p.info.id }));
    }
    if (element.kind === 'project') {
      const state = this.store.get(element.projectId);
      return state ? this.revisionsOf(state) : [];
    }
    return [];
  }

  private revisionsOf(state: ProjectState): TreeNode[] {
    const nodes = state.graph?.nodes ?? [];
    const lanes = laneGraph(nodes);
    const out: TreeNode[] = [];
    // What Alembic would stop at or skip in this project (an unreadable ini, a file Python cannot import):
    // the server finds it, the tree says it above the revisions.
    for (const problem of state.info.problems) out.push({ kind: 'notice', projectId: state.info.id, message: problem });
    const db = state.database;
    if (db.kind === 'ok' && db.unknown.length > 0) {
      out.push({ kind: 'notice', projectId: state.info.id, message: `The database is at ${db.unknown.map(shortRevision).join(', ')}, which no migration defines` });
    }
    if (db.kind === 'problem' || db.kind === 'unsupported') {
      out.push({ kind: 'notice', projectId: state.info.id, message: db.message });
    }
    nodes.forEach((n, i) => out.push({ kind: 'revision', projectId: state.info.id, revision: n.revision, lane: lanes[i] ?? '' }));
    return out;
  }

  getTreeItem(element: TreeNode): vscode.TreeItem {
    const state = this.store.get(element.projectId);
    if (element.kind === 'project') {
      const item = new vscode.TreeItem(path.basename(state?.info.root ?? element.projectId), vscode.TreeItemCollapsibleState.Expanded);
      item.description = state ? `${vscode.workspace.asRelativePath(state.info.configFile)}${state.info.iniSection ? ` [${state.info.iniSection}]` : ''}` : undefined;
      item.contextValue = 'project';
      item.iconPath = new vscode.ThemeIcon('database');
      item.id = `project:${element.projectId}`;
      return item;
    }
    if (element.kind === 'notice') {
      const item = new vscode.TreeItem(element.message, vscode.TreeItemCollapsibleState.None);
      item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
      item.contextValue = 'notice';
      item.tooltip = element.message;
      return item;
    }
    const node = state?.graph?.nodes.find((n) => n.revision === element.revision);
    if (!state || !node) return new vscode.TreeItem(element.revision);
    return revisionItem(state, node, element.lane);
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}

type AppliedState = 'current' | 'applied' | 'pending' | 'unknown';

function appliedStateOf(state: ProjectState, revision: string): AppliedState {
  const db = state.database;
  if (db.kind !== 'ok') return 'unknown';
  if (db.current.includes(revision)) return 'current';
  return db.applied.has(revision) ? 'applied' : 'pending';
}

function revisionItem(state: ProjectState, node: RevisionInfo, lane: string): vscode.TreeItem {
  const applied = appliedStateOf(state, node.revision);
  const item = new vscode.TreeItem(`${shortRevision(node.revision)} ${node.message ?? ''}`.trim(), vscode.TreeItemCollapsibleState.None);
  item.id = `${state.info.id}#${node.revision}`;
  const markers: string[] = [];
  if (node.isHead) markers.push('head');
  if (node.isBase) markers.push('base');
  if (node.isMerge) markers.push('merge');
  if (node.isBranchPoint) markers.push('branchpoint');
  for (const label of node.branchLabels) markers.push(`@${label}`);
  if (applied === 'current') markers.push('current');
  // New revisions are this branch's work, the ones the file rules check: marked so they stand out.
  if (node.isNew) markers.push('new');
  if (node.diagnosticCount > 0) markers.push(severityBadge(node.worstSeverity, node.diagnosticCount));
  const date = node.createDate?.slice(0, 10);
  item.description = [lane, markers.join(' · '), date].filter((s) => s).join('  ');
  item.iconPath = iconFor(applied, node);
  item.contextValue = ['revision', applied, node.isHead ? 'head' : '', node.isBase ? 'base' : ''].filter(Boolean).join('.');
  item.resourceUri = vscode.Uri.parse(node.uri);
  item.tooltip = tooltipFor(state, node, applied);
  item.command = { command: 'alembic.openFile', title: 'Open File', arguments: [{ projectId: state.info.id, revision: node.revision }] };
  const problems = node.diagnosticCount > 0 ? ` ${node.diagnosticCount} ${severityMarker(node.worstSeverity).word}` : '';
  item.accessibilityInformation = { label: `${node.revision} ${node.message ?? ''} ${markers.join(' ')}${problems} ${applied}` };
  return item;
}

function iconFor(applied: AppliedState, node: RevisionInfo): vscode.ThemeIcon {
  // An error replaces the applied-state icon (the migration will fail); lesser findings leave it and
  // show in the description and tooltip, so the state of a revision with a warning stays visible.
  if (node.worstSeverity === 'error') {
    const m = severityMarker('error');
    return new vscode.ThemeIcon(m.codicon, new vscode.ThemeColor(m.color));
  }
  switch (applied) {
    case 'current': return new vscode.ThemeIcon('debug-stackframe', new vscode.ThemeColor('charts.blue'));
    case 'applied': return new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('charts.green'));
    case 'pending': return new vscode.ThemeIcon('circle-large-outline', new vscode.ThemeColor('charts.yellow'));
    default: return new vscode.ThemeIcon(node.isMerge ? 'git-merge' : node.isNew ? 'diff-added' : 'git-commit');
  }
}

function tooltipFor(state: ProjectState, node: RevisionInfo, applied: AppliedState): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${markdownText(node.message ?? '(no message)')}**\n\n`);
  md.appendMarkdown(`Revision ${markdownCode(node.revision)}`);
  if (node.createDate) md.appendMarkdown(` · ${markdownText(node.createDate)}`);
  md.appendMarkdown('\n\n');
  const list = (ids: string[]) => (ids.length ? ids.map(markdownCode).join(', ') : '—');
  md.appendMarkdown(`Parents: ${list(node.parents)}  \nChildren: ${list(node.children)}`);
  if (node.dependencies.length) md.appendMarkdown(`  \nDepends on: ${list(node.dependencies)}`);
  if (node.branchLabels.length) md.appendMarkdown(`  \nBranch labels: ${node.branchLabels.map(escape).join(', ')}`);
  md.appendMarkdown(`\n\nState: ${applied === 'unknown' ? describeDatabase(state) : applied}`);
  if (node.diagnosticCount) md.appendMarkdown(`  \n${severitySummary(node.worstSeverity, node.diagnosticCount)}`);
  if (node.released) md.appendMarkdown(`\n\n${markdownText(releaseSentence(node.released))}`);
  else if (node.isNew) md.appendMarkdown(`\n\n${markdownText(NEW_REVISION_SENTENCE)}`);
  md.appendMarkdown(`\n\nFile: ${markdownText(vscode.workspace.asRelativePath(node.path))}`);
  return md;
}

function describeDatabase(state: ProjectState): string {
  const db = state.database;
  switch (db.kind) {
    case 'unconfigured': return 'no database configured';
    case 'untrusted': return 'database not read (workspace not trusted)';
    case 'loading': return 'reading the database…';
    case 'problem': case 'unsupported': return markdownText(db.message);
    default: return 'unknown';
  }
}

