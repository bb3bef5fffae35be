// Choosing what a command acts on: the project (from the argument, the active editor, or a pick) and
// revisions (quick picks with messages and dates).
import * as vscode from 'vscode';
import { ui } from '../ui';
import type { RevisionInfo } from '../../../common/protocol';
import { type ProjectState, revisionsById } from '../projectStore';
import type { Services } from '../services';
import { shortRevision } from '../views/format';
import { revisionArg } from './args';

export async function pickProject(s: Services, arg?: unknown): Promise<ProjectState | undefined> {
  const ref = revisionArg(arg);
  const fromArg = ref ? s.store.get(ref.projectId) : typeof arg === 'object' && arg && 'projectId' in arg ? s.store.get(String((arg as { projectId: unknown }).projectId)) : undefined;
  if (fromArg) return fromArg;
  if (s.store.projects.length === 0) await s.store.refresh();
  const active = s.store.projectForUri(vscode.window.activeTextEditor?.document.uri);
  if (active) return active;
  const projects = s.store.projects;
  if (projects.length === 0) {
    void vscode.window.showWarningMessage('No Alembic project found in this workspace (no alembic.ini, no pyproject.toml with [tool.alembic]).');
    return undefined;
  }
  if (projects.length === 1) return projects[0];
  const picked = await ui.showQuickPick(projects.map((p) => ({
    label: `${vscode.workspace.asRelativePath(p.info.configFile)}${p.info.iniSection ? ` [${p.info.iniSection}]` : ''}`, description: `${p.info.revisionCount} revisions`, state: p,
  })), { placeHolder: 'Which Alembic project?' });
  return picked?.state;
}

export interface RevisionPickItem extends vscode.QuickPickItem {
  target: string;
}

export function revisionItem(node: RevisionInfo, extra = ''): RevisionPickItem {
  const flags = [node.isHead && 'head', node.isMerge && 'merge', node.isBase && 'base', extra].filter(Boolean).join(' · ');
  return {
    label: shortRevision(node.revision) === node.revision ? node.revision : `${shortRevision(node.revision)}`,
    description: node.message ?? '',
    detail: [node.revision, node.createDate, flags].filter(Boolean).join('  ·  '),
    target: node.revision,
  };
}

export async function pickRevision(items: RevisionPickItem[], placeHolder: string): Promise<string | undefined> {
  if (items.length === 0) {
    void vscode.window.showInformationMessage(`Alembic: nothing to choose — ${placeHolder.toLowerCase()}`);
    return undefined;
  }
  const picked = await ui.showQuickPick(items, { placeHolder, matchOnDescription: true, matchOnDetail: true });
  return picked?.target;
}

/** The project's heads as pick items, in the server's order. */
export function headItems(project: ProjectState): RevisionPickItem[] {
  const byId = revisionsById(project);
  return (project.graph?.heads ?? []).flatMap((h) => { const n = byId.get(h); return n ? [revisionItem(n)] : []; });
}
