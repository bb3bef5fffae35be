// What the revision graph picture is told: the server's graph, the database's applied / pending /
// current state and the files' problems, flattened into the webview's model. Pure (no vscode import at
// run time), unit tested; graphPanel.ts feeds it from the ProjectStore and the editor's diagnostics.
import type { RevisionGraphResult, RevisionInfo } from '../../../common/protocol';
import type { GraphActionView, GraphNodeView, GraphViewModel, RevisionState } from '../../../common/graphViewMessages';
import type { DatabaseView } from '../projectStore';
import { shortRevision } from './format';

/**
 * The revision tree's row commands, offered in the same order by the picture's context menu. The panel
 * runs nothing else on the webview's behalf.
 */
export const GRAPH_ACTIONS: readonly GraphActionView[] = [
  { command: 'alembic.upgradeToHere', title: 'Upgrade to Here' },
  { command: 'alembic.downgradeToHere', title: 'Downgrade to Here' },
  { command: 'alembic.previewSqlToHere', title: 'Preview SQL to Here' },
  { command: 'alembic.stampHere', title: 'Stamp Here' },
  { command: 'alembic.openFile', title: 'Open File' },
  { command: 'alembic.copyRevisionId', title: 'Copy Revision ID' },
];

export function isGraphAction(command: string): boolean {
  return GRAPH_ACTIONS.some((a) => a.command === command);
}

/** At most this many problem messages per file go into a tooltip. */
const PROBLEMS_SHOWN = 5;

export interface GraphModelInput {
  projectId: string;
  projectName: string;
  graph: RevisionGraphResult | undefined;
  database: DatabaseView;
  /** The problem messages of a revision's file (the editor's diagnostics), most severe first. */
  problems?: (node: RevisionInfo) => string[];
  /** A path as the user knows it (relative to the workspace). */
  displayPath?: (path: string) => string;
}

export function revisionState(database: DatabaseView, revision: string): RevisionState {
  if (database.kind !== 'ok') return 'unknown';
  if (database.current.includes(revision)) return 'current';
  return database.applied.has(revision) ? 'applied' : 'pending';
}

export function databaseSummary(database: DatabaseView): string {
  switch (database.kind) {
    case 'loading': return 'Reading the database…';
    case 'unconfigured': return 'No database configured: applied and pending revisions are not shown.';
    case 'untrusted': return 'The workspace is not trusted: the database is not read.';
    case 'unsupported':
    case 'problem': return database.message;
    case 'ok': {
      const at = database.current.length === 0 ? 'at base (empty version table)' : `at ${database.current.map(shortRevision).join(', ')}`;
      const pending = database.pendingCount === 0 ? 'up to date' : `${database.pendingCount} pending`;
      const unknown = database.unknown.length > 0 ? ` · ${database.unknown.map(shortRevision).join(', ')} is not defined by any migration` : '';
      return `Database ${at} · ${pending}${unknown}`;
    }
  }
}

export function buildGraphViewModel(input: GraphModelInput): GraphViewModel {
  const { graph, database } = input;
  const display = input.displayPath ?? ((p: string) => p);
  // The server sends each revision's labels with the inherited ones (as Alembic propagates them to
  // descendants); a label repeated on every row of a branch says nothing, so rows show where it starts.
  const labelsOf = new Map((graph?.nodes ?? []).map((n) => [n.revision, n.branchLabels]));
  const declared = (n: RevisionInfo) => n.branchLabels.filter((l) => !n.parents.some((p) => labelsOf.get(p)?.includes(l)));
  const nodes: GraphNodeView[] = (graph?.nodes ?? []).map((n) => {
    const view: GraphNodeView = {
      revision: n.revision,
      shortId: shortRevision(n.revision),
      message: n.message ?? '',
      parents: n.parents,
      children: n.children,
      dependencies: n.dependencies,
      branchLabels: n.branchLabels,
      declaredLabels: declared(n),
      isHead: n.isHead,
      isBase: n.isBase,
      isMerge: n.isMerge,
      isBranchPoint: n.isBranchPoint,
      state: revisionState(database, n.revision),
      diagnosticCount: n.diagnosticCount,
      problems: n.diagnosticCount > 0 && input.problems ? input.problems(n).slice(0, PROBLEMS_SHOWN) : [],
      file: display(n.path),
    };
    if (n.createDate !== undefined) view.createDate = n.createDate;
    if (n.worstSeverity !== undefined) view.severity = n.worstSeverity;
    return view;
  });
  const model: GraphViewModel = {
    projectId: input.projectId,
    projectName: input.projectName,
    nodes,
    database: { kind: database.kind, summary: databaseSummary(database), current: database.kind === 'ok' ? database.current : [] },
    actions: [...GRAPH_ACTIONS],
  };
  if (!graph) model.notice = `The project ${input.projectName} is not in the workspace any more.`;
  else if (nodes.length === 0) model.notice = 'This project has no migrations yet.';
  return model;
}
