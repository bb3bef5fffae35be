// One status bar item for the project of the active editor (or the only project):
// `Alembic: <short id> (head)`, `Alembic: 2 pending`, `Alembic: database unreachable`.
import * as vscode from 'vscode';
import type { ProjectState, ProjectStore } from '../projectStore';
import { shortRevision } from './format';

export class DatabaseStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('alembic.status', vscode.StatusBarAlignment.Left, 50);
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly store: ProjectStore) {
    this.item.name = 'Alembic';
    this.item.command = 'workbench.view.extension.alembic';
    this.disposables.push(
      store.onDidChange(() => this.update()),
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
    );
    this.update();
  }

  update(): void {
    const state = this.store.projectForUri(vscode.window.activeTextEditor?.document.uri) ?? this.store.projects[0];
    if (!state) {
      this.item.hide();
      return;
    }
    const { text, tooltip } = statusText(state, this.store.projects.length > 1);
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

export function statusText(state: ProjectState, named: boolean): { text: string; tooltip: string } {
  const db = state.database;
  const prefix = named ? `Alembic (${state.info.root.split(/[\\/]/).pop()})` : 'Alembic';
  const heads = state.graph?.heads ?? [];
  switch (db.kind) {
    case 'loading': return { text: `$(sync~spin) ${prefix}`, tooltip: 'Reading the database state…' };
    case 'unconfigured': return { text: `$(database) ${prefix}: no database`, tooltip: 'No database configured. Run "Alembic: Configure Database Connection…".' };
    case 'untrusted': return { text: `$(shield) ${prefix}`, tooltip: 'The workspace is not trusted: the database is not read.' };
    case 'unsupported': return { text: `$(database) ${prefix}: dialect not supported`, tooltip: db.message };
    case 'problem': return { text: `$(error) ${prefix}: database unreachable`, tooltip: `${db.message}\n\nURL from ${db.source}.` };
    case 'ok': {
      const where = `Database URL from ${db.source}.`;
      if (db.unknown.length > 0) {
        return { text: `$(warning) ${prefix}: unknown revision`, tooltip: `The database is at ${db.unknown.join(', ')}, which no migration defines.\n\n${where}` };
      }
      const current = db.current.length === 0 ? 'base' : db.current.map(shortRevision).join(', ');
      if (db.pendingCount > 0) {
        return { text: `$(arrow-up) ${prefix}: ${db.pendingCount} pending`, tooltip: `At ${current}; ${db.pendingCount} revision(s) not applied.\n\n${where}` };
      }
      const atHead = db.current.length > 0 && db.current.every((c) => heads.includes(c));
      return { text: `$(check) ${prefix}: ${current}${atHead ? ' (head)' : ''}`, tooltip: `The database is at ${current}${atHead ? ', the head' : ''}.\n\n${where}` };
    }
  }
}
