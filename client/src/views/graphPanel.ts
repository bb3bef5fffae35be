// The revision graph picture's editor panel: one webview panel per project, reused when asked again.
// It posts the project's graph, database state and problems to the webview (client/webview/graph.ts),
// posts again when the store or the diagnostics change, and does what the webview asks: open a
// revision's file, or run one of the revision tree's row commands for a revision of this project.
// The webview runs only our bundled script (a nonce'd <script> under a strict content security policy)
// and reads only dist/webview/.
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseMessage, type ProbeResult, type RenderReport, type SimulatedInput, type ToWebview } from '../../../common/graphViewMessages';
import type { ProjectState } from '../projectStore';
import { buildGraphViewModel, isGraphAction } from './graphModel';

/** Where the picture's data comes from: the ProjectStore, or anything shaped like it (tests). */
export interface GraphSource {
  get(projectId: string): ProjectState | undefined;
  readonly onDidChange: vscode.Event<void>;
}

/** Changes arriving closer together than this are posted once. */
const UPDATE_DELAY_MS = 50;

export class GraphPanel implements vscode.Disposable {
  static readonly viewType = 'alembic.revisionGraph';
  private static readonly panels = new Map<string, GraphPanel>();

  /** The panel of a project, if open. */
  static get(projectId: string): GraphPanel | undefined {
    return GraphPanel.panels.get(projectId);
  }

  /** Opens (or reveals) the picture of `projectId`. */
  static show(extensionUri: vscode.Uri, source: GraphSource, projectId: string): GraphPanel {
    const existing = GraphPanel.panels.get(projectId);
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const state = source.get(projectId);
    const panel = vscode.window.createWebviewPanel(GraphPanel.viewType, titleFor(state, projectId), vscode.ViewColumn.Active, {
      enableScripts: true,
      // The webview keeps its selection and scroll position in its own state; no need to keep a hidden
      // panel's DOM alive.
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')],
    });
    const created = new GraphPanel(panel, extensionUri, source, projectId);
    GraphPanel.panels.set(projectId, created);
    return created;
  }

  private readonly disposables: vscode.Disposable[] = [];
  private readonly renderEmitter = new vscode.EventEmitter<RenderReport>();
  /** Fires when the webview has drawn a model: counts and timings. */
  readonly onDidRender = this.renderEmitter.event;
  /** The last thing the webview reported drawing, and when the report arrived (performance.now()). */
  lastRender: RenderReport | undefined;
  lastRenderAt: number | undefined;
  /** When the webview's script last said it was ready (performance.now()): its page load is done. */
  lastReadyAt: number | undefined;
  private generation = 0;
  private timer: NodeJS.Timeout | undefined;
  private nextRequest = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(err: Error): void }>();
  private disposed = false;
  private revealNext: string | undefined;

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly source: GraphSource,
    readonly projectId: string,
  ) {
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'alembic.svg');
    panel.webview.html = this.html();
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: unknown) => { void this.receive(m); }),
      source.onDidChange(() => this.scheduleUpdate()),
      vscode.languages.onDidChangeDiagnostics((e) => {
        const files = new Set(this.source.get(this.projectId)?.graph?.nodes.map((n) => n.uri) ?? []);
        if (e.uris.some((u) => files.has(u.toString()))) this.scheduleUpdate();
      }),
      this.renderEmitter,
    );
  }

  /** Selects and scrolls to a revision in the picture. */
  reveal(revision: string): void {
    this.panel.reveal();
    // A webview still loading has no picture to select in: the next model carries the selection.
    this.revealNext = revision;
    void this.post({ type: 'reveal', revision });
  }

  /** What the webview has in its DOM (for the vscode-tier tests). */
  probe(): Promise<ProbeResult> {
    return this.request<ProbeResult>((id) => ({ type: 'probe', id }));
  }

  /** Replays a user input inside the webview through its own handlers (for the vscode-tier tests). */
  async simulate(input: SimulatedInput): Promise<void> {
    await this.request<void>((id) => ({ type: 'simulate', id, input }));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (GraphPanel.panels.get(this.projectId) === this) GraphPanel.panels.delete(this.projectId);
    if (this.timer) clearTimeout(this.timer);
    for (const p of this.pending.values()) p.reject(new Error(`the revision graph of ${this.projectId} was closed`));
    this.pending.clear();
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
  }

  private scheduleUpdate(): void {
    if (this.timer || this.disposed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.postGraph();
    }, UPDATE_DELAY_MS);
  }

  private async postGraph(): Promise<void> {
    const state = this.source.get(this.projectId);
    this.panel.title = titleFor(state, this.projectId);
    const model = buildGraphViewModel({
      projectId: this.projectId,
      projectName: projectName(state, this.projectId),
      graph: state?.graph,
      database: state?.database ?? { kind: 'loading' },
      problems: (node) => problemsOf(vscode.Uri.parse(node.uri)),
      displayPath: (p) => vscode.workspace.asRelativePath(p),
    });
    const reveal = this.revealNext;
    this.revealNext = undefined;
    await this.post({ type: 'graph', generation: ++this.generation, model, ...(reveal ? { reveal } : {}) });
  }

  private post(message: ToWebview): Thenable<boolean> {
    // A hidden panel's webview is gone: it asks again ('ready') when shown.
    return this.disposed ? Promise.resolve(false) : this.panel.webview.postMessage(message);
  }

  private request<T>(make: (id: number) => ToWebview): Promise<T> {
    const id = this.nextRequest++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      void this.post(make(id)).then((delivered) => {
        if (!delivered && this.pending.delete(id)) reject(new Error(`the revision graph of ${this.projectId} is not visible`));
      });
    });
  }

  private settle(id: number, value: unknown, error?: string): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (error) p.reject(new Error(error));
    else p.resolve(value);
  }

  /** Messages come from our own script, but are checked anyway: the webview is a separate page. */
  private async receive(raw: unknown): Promise<void> {
    const m = parseMessage(raw);
    if (!m) return;
    switch (m.type) {
      case 'ready':
        this.lastReadyAt = performance.now();
        await this.postGraph();
        return;
      case 'rendered':
        this.lastRender = m.report;
        this.lastRenderAt = performance.now();
        this.renderEmitter.fire(m.report);
        return;
      case 'probeResult': this.settle(m.id, m.result); return;
      case 'simulated': this.settle(m.id, undefined, m.error); return;
      case 'open': await this.openFile(m.revision); return;
      case 'action': {
        if (!isGraphAction(m.command) || !this.hasRevision(m.revision)) return;
        await vscode.commands.executeCommand(m.command, { projectId: this.projectId, revision: m.revision });
        return;
      }
    }
  }

  private hasRevision(revision: string): boolean {
    return this.source.get(this.projectId)?.graph?.nodes.some((n) => n.revision === revision) ?? false;
  }

  /** Opens the file at its `revision = ...` line, beside the picture so the picture stays in view. */
  private async openFile(revision: string): Promise<void> {
    const node = this.source.get(this.projectId)?.graph?.nodes.find((n) => n.revision === revision);
    if (!node) return;
    const r = node.revisionRange;
    try {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(node.uri));
      await vscode.window.showTextDocument(doc, {
        viewColumn: vscode.ViewColumn.Beside,
        preview: true,
        selection: new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character),
      });
    } catch (err) {
      void vscode.window.showErrorMessage(`Alembic: cannot open ${node.path} (revision ${revision}): ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private html(): string {
    const webview = this.panel.webview;
    const nonce = randomBytes(18).toString('base64');
    const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', name)).toString();
    const csp = [
      "default-src 'none'",
      `style-src ${webview.cspSource}`,
      `script-src 'nonce-${nonce}'`,
      `img-src ${webview.cspSource} data:`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('graph.css')}">
<title>Revision Graph</title>
</head>
<body>
<script nonce="${nonce}" src="${asset('graph.js')}"></script>
</body>
</html>`;
  }
}

function projectName(state: ProjectState | undefined, projectId: string): string {
  const name = path.basename(state?.info.root ?? path.dirname(projectId));
  return state?.info.iniSection ? `${name} [${state.info.iniSection}]` : name;
}

function titleFor(state: ProjectState | undefined, projectId: string): string {
  return `Revision Graph: ${projectName(state, projectId)}`;
}

const SEVERITY_ORDER = [vscode.DiagnosticSeverity.Error, vscode.DiagnosticSeverity.Warning, vscode.DiagnosticSeverity.Information, vscode.DiagnosticSeverity.Hint];

/** The language server's problems in a file, most severe first, as `line N: message (rule)`. */
function problemsOf(uri: vscode.Uri): string[] {
  return vscode.languages.getDiagnostics(uri)
    .filter((d) => d.source === 'alembic')
    .sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) || a.range.start.line - b.range.start.line)
    .map((d) => `line ${d.range.start.line + 1}: ${d.message}${typeof d.code === 'string' || typeof d.code === 'number' ? ` (${d.code})` : ''}`);
}
