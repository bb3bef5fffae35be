// The messages between the revision graph panel (extension host, client/src/views/graphPanel.ts) and its
// webview (client/webview/graph.ts), and the panel's check of what arrives. No DOM and no vscode: both
// sides import this file.

export type RevisionState = 'current' | 'applied' | 'pending' | 'unknown';
export type ProblemSeverity = 'error' | 'warning' | 'information' | 'hint';

/** One revision as the picture shows it. */
export interface GraphNodeView {
  revision: string;
  /** The short id shown on the row. */
  shortId: string;
  message: string;
  /** `Create Date` as written in the docstring. */
  createDate?: string;
  parents: string[];
  children: string[];
  dependencies: string[];
  /** Every label the revision is on, inherited ones included (Alembic's own view). */
  branchLabels: string[];
  /** The labels this revision's file declares (no parent carries them): where the picture shows them. */
  declaredLabels: string[];
  isHead: boolean;
  isBase: boolean;
  isMerge: boolean;
  isBranchPoint: boolean;
  state: RevisionState;
  severity?: ProblemSeverity;
  diagnosticCount: number;
  /** The first few problem messages of the file, for the tooltip. */
  problems: string[];
  /** The file, relative to the workspace. */
  file: string;
}

/** A row action offered by the context menu: one of the revision tree's row commands. */
export interface GraphActionView {
  command: string;
  title: string;
}

export interface GraphViewModel {
  projectId: string;
  projectName: string;
  /** In `alembic history` order: heads first, every child before its parents. */
  nodes: GraphNodeView[];
  database: {
    kind: 'loading' | 'unconfigured' | 'untrusted' | 'unsupported' | 'problem' | 'ok';
    /** One line for the header: where the database is, how many pending, or why it is not known. */
    summary: string;
    current: string[];
  };
  actions: GraphActionView[];
  /** When the project is gone or has no graph: shown instead of the picture. */
  notice?: string;
}

/** What the webview measured for one model it drew. */
export interface RenderReport {
  generation: number;
  nodes: number;
  /** Rows in the DOM: the visible window plus a margin, not the whole history. */
  rowsInDom: number;
  laneCount: number;
  layoutMs: number;
  renderMs: number;
}

/** The rows the webview has in its DOM, for the tests: what a user would see. */
export interface ProbeResult {
  selected?: string;
  scrollTop: number;
  viewportHeight: number;
  totalHeight: number;
  header: string;
  /** Whether graph.css is applied (a stylesheet the CSP blocked would leave the page unstyled). */
  styled: boolean;
  menu: { open: boolean; items: string[]; revision?: string };
  rows: { revision: string; classes: string[]; text: string; tooltip: string; nodeClasses: string[] }[];
}

/** A user input that the webview replays through its own event handlers (the vscode-tier tests). */
export type SimulatedInput =
  | { kind: 'key'; key: string; shiftKey?: boolean }
  | { kind: 'click'; revision: string }
  | { kind: 'contextmenu'; revision: string }
  | { kind: 'menuItem'; command: string }
  | { kind: 'scroll'; top: number };

export type ToWebview =
  /** `reveal`: a revision to select once drawn. */
  | { type: 'graph'; generation: number; model: GraphViewModel; reveal?: string }
  | { type: 'reveal'; revision: string }
  | { type: 'probe'; id: number }
  | { type: 'simulate'; id: number; input: SimulatedInput };

export type FromWebview =
  | { type: 'ready' }
  | { type: 'rendered'; report: RenderReport }
  | { type: 'open'; revision: string }
  | { type: 'action'; command: string; revision: string }
  | { type: 'probeResult'; id: number; result: ProbeResult }
  | { type: 'simulated'; id: number; error?: string };

/** The webview's message, checked field by field; undefined for anything else. */
export function parseMessage(raw: unknown): FromWebview | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const m = raw as Record<string, unknown>;
  const str = (k: string) => (typeof m[k] === 'string' ? (m[k] as string) : undefined);
  const num = (k: string) => (typeof m[k] === 'number' && Number.isFinite(m[k]) ? (m[k] as number) : undefined);
  switch (m.type) {
    case 'ready': return { type: 'ready' };
    case 'open': {
      const revision = str('revision');
      return revision ? { type: 'open', revision } : undefined;
    }
    case 'action': {
      const command = str('command');
      const revision = str('revision');
      return command && revision ? { type: 'action', command, revision } : undefined;
    }
    case 'rendered': {
      const r = m.report as Record<string, unknown> | null | undefined;
      if (typeof r !== 'object' || r === null) return undefined;
      const fields = ['generation', 'nodes', 'rowsInDom', 'laneCount', 'layoutMs', 'renderMs'] as const;
      if (!fields.every((f) => typeof r[f] === 'number')) return undefined;
      return { type: 'rendered', report: r as unknown as RenderReport };
    }
    case 'probeResult': {
      const id = num('id');
      return id !== undefined && typeof m.result === 'object' && m.result !== null ? { type: 'probeResult', id, result: m.result as ProbeResult } : undefined;
    }
    case 'simulated': {
      const id = num('id');
      const error = str('error');
      return id === undefined ? undefined : { type: 'simulated', id, ...(error ? { error } : {}) };
    }
    default: return undefined;
  }
}
