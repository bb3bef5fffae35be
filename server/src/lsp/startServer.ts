// The LSP glue: connection, documents, settings, file watching, debounced re-analysis, and the
// handlers. Everything it answers comes from the WorkspaceIndex (core models) and features.ts.
import {
  type Connection, createConnection, DidChangeConfigurationNotification, FileChangeType, ProposedFeatures,
  RequestType, TextDocuments, TextDocumentSyncKind,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { severitiesFromSetting } from '../core/config/severities';
import { createdObjects, destructiveOperations } from '../core/operations';
import { ruleIds } from '../core/rules';
import { nodeFileSystem } from '../fs/nodeFileSystem';
import {
  GraphChangedNotification, type GraphChangedParams, OperationsRequest, type OperationsParams, type OperationsResult,
  ProjectsRequest, type ProjectsResult, ResolveRevisionRequest, type ResolveRevisionParams, type ResolveRevisionResult,
  RevisionGraphRequest, type RevisionGraphParams, type RevisionGraphResult,
} from '../../../common/protocol';
import { codeActions } from './codeActions';
import { DiagnosticsPublisher } from './diagnostics';
import * as features from './features';
import { fileUri, uriToPath } from './positions';
import { type IndexSettings, isConfigurationFile, WorkspaceIndex } from './workspaceIndex';

/** Edits are re-analysed after this pause in typing. */
const DEBOUNCE_MS = 120;
/**
 * After an index, file rules run this long before the first publish: a small project is published
 * whole, a large one shows its graph and graph findings first and gets the rest in slices.
 */
const FIRST_RULES_SLICE_MS = 100;
/** One slice of the remaining file rules; requests and edits are served between slices. */
const RULES_SLICE_MS = 40;

export function startServer(connection: Connection = createConnection(ProposedFeatures.all)): void {
  const documents = new TextDocuments(TextDocument);
  let index: WorkspaceIndex | undefined;
  let publisher: DiagnosticsPublisher | undefined;
  let hasConfigurationCapability = false;
  let codeLensEnabled = true;
  let ready: Promise<void> = Promise.resolve();
  const dirty = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  /** Counts indexes: a background rules run stops when a newer index starts. */
  let rulesRun = 0;

  const openText = (p: string): string | undefined => documents.get(fileUri(p))?.getText();

  connection.onInitialize((params) => {
    hasConfigurationCapability = !!params.capabilities.workspace?.configuration;
    const roots = (params.workspaceFolders ?? []).flatMap((f) => uriToPath(f.uri) ?? []);
    if (roots.length === 0 && params.rootUri) roots.push(...[uriToPath(params.rootUri)].flatMap((r) => r ?? []));
    index = new WorkspaceIndex(nodeFileSystem, openText, roots, settingsFrom(params.initializationOptions));
    publisher = new DiagnosticsPublisher(connection);
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        definitionProvider: true,
        referencesProvider: true,
        hoverProvider: true,
        completionProvider: { triggerCharacters: ['"', "'"] },
        documentSymbolProvider: true,
        workspaceSymbolProvider: true,
        codeLensProvider: { resolveProvider: false },
        codeActionProvider: { codeActionKinds: ['quickfix'] },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'alembic-language-server', version: '0.1.0' },
    };
  });

  /** Re-reads settings, re-discovers projects, re-publishes everything. */
  const reindexAll = async (): Promise<void> => {
    if (!index) return;
    if (hasConfigurationCapability) {
      const config: unknown = await connection.workspace.getConfiguration('alembic');
      index.setSettings(settingsFrom(config));
      codeLensEnabled = (config as { codeLens?: boolean } | null)?.codeLens !== false;
    }
    const started = Date.now();
    index.settingsProblems = [];
    const run = ++rulesRun;
    if (!(await index.reindex())) return;
    for (const problem of index.settingsProblems) connection.console.warn(problem);
    const ids = index.projectIds();
    // The tree does not show them (yet): the output channel at least says why a project looks empty.
    for (const id of ids) for (const problem of index.model(id)?.problems() ?? []) connection.console.warn(problem);
    const files = ids.reduce((n, id) => n + (index?.model(id)?.paths().length ?? 0), 0);
    index.fileRulesPending = true;
    const graphMs = Date.now() - started;
    const done = index.computeFileFindings(FIRST_RULES_SLICE_MS);
    index.fileRulesPending = !done;
    connection.console.info(`Indexed ${ids.length} Alembic project(s), ${files} migration file(s) in ${graphMs} ms` +
      (done ? `, rules in ${Date.now() - started - graphMs} ms` : '; file rules go on in the background'));
    publishAll();
    lastGraph.clear();
    notifyGraphChanged(ids, true);
    if (!done) void finishFileRules(run, started);
  };

  /** Runs the file rules an index left, in slices, then publishes what they found. */
  const finishFileRules = async (run: number, started: number): Promise<void> => {
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      // A newer index started: it runs its own rules.
      if (!index || run !== rulesRun) return;
      if (!index.computeFileFindings(RULES_SLICE_MS)) continue;
      index.fileRulesPending = false;
      connection.console.info(`File rules done ${Date.now() - started} ms after the index started`);
      publishAll();
      notifyGraphChanged(index.projectIds());
      return;
    }
  };

  const publishAll = (): void => {
    if (!index || !publisher) return;
    const all = new Map<string, readonly import('../core/types').Finding[]>();
    for (const id of index.projectIds()) for (const [p, f] of index.findingsByPath(id)) all.set(p, f);
    publisher.publish(all);
  };

  const flush = (): void => {
    timer = undefined;
    if (!index) return;
    const affected = new Set<string>();
    for (const p of dirty) {
      for (const id of index.updateFile(p, openText(p))) affected.add(id);
    }
    dirty.clear();
    if (affected.size === 0) return;
    publishAll();
    notifyGraphChanged([...affected]);
  };

  /** Tells the client only about projects whose revision graph (nodes, order, problem counts) changed. */
  const lastGraph = new Map<string, RevisionGraphResult>();
  const notifyGraphChanged = (ids: string[], always = false): void => {
    const changed = ids.filter((id) => {
      const graph = index?.revisionGraph(id);
      if (!graph) return always;
      const same = lastGraph.get(id) === graph;
      lastGraph.set(id, graph);
      return always || !same;
    });
    if (changed.length > 0) void connection.sendNotification(GraphChangedNotification, { projectIds: changed } satisfies GraphChangedParams);
  };

  const schedule = (p: string): void => {
    dirty.add(p);
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, DEBOUNCE_MS);
  };

  connection.onInitialized(() => {
    if (hasConfigurationCapability) {
      void connection.client.register(DidChangeConfigurationNotification.type, { section: 'alembic' });
    }
    connection.workspace.onDidChangeWorkspaceFolders(async (e) => {
      const current = new Set((await connection.workspace.getWorkspaceFolders() ?? []).flatMap((f) => uriToPath(f.uri) ?? []));
      for (const removed of e.removed) current.delete(uriToPath(removed.uri) ?? '');
      index?.setRoots([...current]);
      ready = reindexAll();
    });
    ready = reindexAll();
  });

  connection.onDidChangeConfiguration(() => { ready = ready.then(reindexAll); });

  documents.onDidChangeContent((e) => {
    const p = uriToPath(e.document.uri);
    if (p) schedule(p);
  });
  documents.onDidClose((e) => {
    const p = uriToPath(e.document.uri);
    if (!p || !index) return;
    // The editor's text no longer overrides the disk: read what is saved.
    void index.refreshFromDisk(p).then((affected) => {
      if (affected.length === 0) return;
      publishAll();
      notifyGraphChanged(affected);
    });
  });

  connection.onDidChangeWatchedFiles(async (params) => {
    if (!index) return;
    let configChanged = false;
    const affected = new Set<string>();
    for (const change of params.changes) {
      const p = uriToPath(change.uri);
      if (!p) continue;
      if (isConfigurationFile(p)) {
        configChanged = true;
        continue;
      }
      if (!p.endsWith('.py')) continue;
      // A deleted file leaves the graph even while an editor still holds its text: Alembic loads
      // from disk. Typing in that editor again brings it back (as an unsaved file would).
      if (change.type === FileChangeType.Deleted) {
        for (const id of index.updateFile(p, undefined)) affected.add(id);
        continue;
      }
      if (documents.get(change.uri)) continue;
      const ids = await index.refreshFromDisk(p);
      for (const id of ids) affected.add(id);
    }
    if (configChanged) {
      ready = ready.then(reindexAll);
      return;
    }
    if (affected.size === 0) return;
    publishAll();
    notifyGraphChanged([...affected]);
  });

  /** Answers only after pending edits are analysed, so a request never sees stale text. */
  const current = async (): Promise<WorkspaceIndex | undefined> => {
    await ready;
    if (timer) {
      clearTimeout(timer);
      flush();
    }
    return index;
  };
  const pathOf = (uri: string): string | undefined => uriToPath(uri);

  connection.onDefinition(async (p) => {
    const idx = await current();
    const file = pathOf(p.textDocument.uri);
    return idx && file ? features.definition(idx, file, p.position) : [];
  });
  connection.onReferences(async (p) => {
    const idx = await current();
    const file = pathOf(p.textDocument.uri);
    return idx && file ? features.references(idx, file, p.position, p.context.includeDeclaration) : [];
  });
  connection.onHover(async (p) => {
    const idx = await current();
    const file = pathOf(p.textDocument.uri);
    return idx && file ? features.hover(idx, file, p.position) ?? null : null;
  });
  connection.onCompletion(async (p) => {
    const idx = await current();
    const file = pathOf(p.textDocument.uri);
    const doc = documents.get(p.textDocument.uri);
    return idx && file && doc ? features.completion(idx, file, doc.getText(), p.position) : [];
  });
  connection.onDocumentSymbol(async (p) => {
    const idx = await current();
    const file = pathOf(p.textDocument.uri);
    return idx && file ? features.documentSymbols(idx, file) : [];
  });
  connection.onWorkspaceSymbol(async (p) => {
    const idx = await current();
    return idx ? features.workspaceSymbols(idx, p.query) : [];
  });
  connection.onCodeLens(async (p) => {
    const idx = await current();
    const file = pathOf(p.textDocument.uri);
    return idx && file && codeLensEnabled ? features.codeLenses(idx, file) : [];
  });
  connection.onCodeAction(async (p) => {
    const idx = await current();
    const file = pathOf(p.textDocument.uri);
    const doc = documents.get(p.textDocument.uri);
    return idx && file && doc ? codeActions(idx, file, doc.getText(), p) : [];
  });

  connection.onRequest(ProjectsRequest, async (): Promise<ProjectsResult> => {
    const idx = await current();
    return { projects: idx ? idx.projectIds().flatMap((id) => idx.model(id)?.info() ?? []) : [] };
  });
  connection.onRequest(RevisionGraphRequest, async (params: RevisionGraphParams): Promise<RevisionGraphResult> => {
    const idx = await current();
    const id = params.projectId ?? idx?.projectIds()[0];
    return (id ? idx?.revisionGraph(id) : undefined) ?? { projectId: id ?? '', nodes: [], heads: [], bases: [] };
  });
  connection.onRequest(ResolveRevisionRequest, async (params): Promise<ResolveRevisionResult> => {
    const idx = await current();
    const project = idx?.project(params.projectId);
    if (!project) return { ok: false, message: `No Alembic project ${params.projectId}` };
    return project.resolve(params.target, params.current ?? []);
  });
  connection.onRequest(OperationsRequest, async (params: OperationsParams): Promise<OperationsResult> => {
    const idx = await current();
    const project = idx?.project(params.projectId);
    if (!project) return { operations: [], creations: [] };
    const operations: OperationsResult['operations'] = [];
    const creations: OperationsResult['creations'] = [];
    for (const revision of params.revisions) {
      const node = project.nodes.get(revision);
      const file = node && project.files.get(node.path);
      if (!file) continue;
      for (const op of destructiveOperations(file.migration, params.function)) {
        operations.push({ revision, function: params.function, operation: op.operation, ...(op.target ? { target: op.target } : {}), uri: file.uri, range: op.range });
      }
      for (const c of createdObjects(file.migration, params.function)) creations.push({ revision, ...c, uri: file.uri });
    }
    return { operations, creations };
  });

  documents.listen(connection);
  connection.listen();
}

function settingsFrom(value: unknown): IndexSettings {
  const o = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const configFile = typeof o.configFile === 'string' && o.configFile.trim() ? o.configFile.trim() : undefined;
  const rules = severitiesFromSetting(o.rules, ruleIds).severities;
  return configFile ? { configFile, rules } : { rules };
}
