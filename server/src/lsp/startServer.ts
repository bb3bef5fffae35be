// The LSP glue: connection, documents, settings, file watching, debounced re-analysis, and the
// handlers. Everything it answers comes from the WorkspaceIndex (core models) and features.ts.
import fs from 'node:fs';
import path from 'node:path';
import {
  type ClientCapabilities, CodeLensRefreshRequest, InlayHintRefreshRequest, type Connection, createConnection, DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification, FileChangeType, MarkupKind, MessageType, ProposedFeatures, ShowMessageNotification,
  TextDocuments, TextDocumentSyncKind,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { type RuleSeverityMap, severitiesFromSetting } from '../core/config/severities';
import { createdObjects, destructiveOperations } from '../core/operations';
import { downgradeEffects, revisionEffects, tablesTouched } from '../core/schema';
import { parseMigration } from '../core/parse';
import { findProjectAbove } from '../core/project';
import { ruleIds } from '../core/rules';
import { postgresMajor } from '../core/locks/describe';
import { nodeFileSystem } from '../fs/nodeFileSystem';
import {
  AppliedStateRequest, CODE_LENS_COMMANDS, type InitializationOptions, DowngradePlanRequest, GraphChangedNotification, WorkspaceTrustNotification, type GraphChangedParams, OperationsRequest, type OperationsParams, type OperationsResult,
  ProjectsRequest, type ProjectsResult, ResolveRevisionRequest, type ResolveRevisionResult,
  RenderTemplateRequest, RevisionGraphRequest, type RevisionGraphParams, type RevisionGraphResult, TemplateAnswerRequest,
  TemplatesRequest, RebasePlanRequest, type RebasePlanResult,
} from '../../../common/protocol';
import { PACKAGE_VERSION } from '../../../common/packageInfo';
import { rebasePlan } from './rebase';
import {
  changedEditorSettings, editorSettingDefaults, type EditorSettingName, type EditorSettings, layeredSettingsSection,
  parseEditorSettings, SETTINGS_SECTION,
} from '../../../common/settings';
import { codeActions } from './codeActions';
import { DiagnosticsPublisher } from './diagnostics';
import * as features from './features';
import { gitFoldersToWatch, isRefChange } from '../git/layout';
import { findRepositoryRoot } from '../git/reader';

import { lockInlayHints } from './locks';
import { FolderWatcher, type WatchedChange } from './folderWatcher';
import { TemplateLibrary } from './templates';
import { uriToPath } from './positions';
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
/** The settings that say which revisions are released: a change classifies again (no re-index). */
const RELEASE_SETTINGS: readonly EditorSettingName[] = ['lint.base', 'lint.since', 'lint.scope'];
/** The settings the index is built from: a change to one of them re-indexes. */
const INDEX_SETTINGS: readonly EditorSettingName[] = ['configFile', 'rules', 'lint.dialect', 'postgresVersion'];
/** Every setting the server reads; the others are the extension's. */
const SERVER_SETTINGS: readonly EditorSettingName[] = [...INDEX_SETTINGS, 'codeLens', 'inlayHints.locks', ...RELEASE_SETTINGS];
/** What a client that watches files for the server (dynamic registration) is asked to watch. */
const WATCHED_GLOBS = ['**/*.py', '**/alembic.ini', '**/*.ini', '**/pyproject.toml'];

/** What the client declared it can do, read once from `initialize`; nothing here is assumed. */
interface ClientSupport {
  configuration: boolean;
  registerConfiguration: boolean;
  registerWatchedFiles: boolean;
  workspaceFolders: boolean;
  refreshCodeLenses: boolean;
  /** `textDocument.inlayHint` (LSP 3.17): the lock hints are offered only then. */
  inlayHints: boolean;
  refreshInlayHints: boolean;
  markdownHover: boolean;
  markdownCompletion: boolean;
  codeDescription: boolean;
  /** The client runs the commands the CodeLenses name (it said so in `initializationOptions.clientCommands`). */
  codeLensCommands: boolean;
  /** The client watches files for the server unasked (`initializationOptions.clientWatchesFiles`). */
  watchesFiles: boolean;
}

function clientSupport(capabilities: ClientCapabilities, options: InitializationOptions | undefined): ClientSupport {
  const { workspace, textDocument } = capabilities;
  const commands = new Set(Array.isArray(options?.clientCommands) ? options.clientCommands : []);
  return {
    configuration: !!workspace?.configuration,
    registerConfiguration: !!workspace?.didChangeConfiguration?.dynamicRegistration,
    registerWatchedFiles: !!workspace?.didChangeWatchedFiles?.dynamicRegistration,
    workspaceFolders: !!workspace?.workspaceFolders,
    refreshCodeLenses: !!workspace?.codeLens?.refreshSupport,
    inlayHints: !!textDocument?.inlayHint,
    refreshInlayHints: !!workspace?.inlayHint?.refreshSupport,
    // An absent format list means plain text: the protocol's MarkupContent is optional for clients.
    markdownHover: (textDocument?.hover?.contentFormat ?? []).includes(MarkupKind.Markdown),
    markdownCompletion: (textDocument?.completion?.completionItem?.documentationFormat ?? []).includes(MarkupKind.Markdown),
    codeDescription: !!textDocument?.publishDiagnostics?.codeDescriptionSupport,
    codeLensCommands: Object.values(CODE_LENS_COMMANDS).every((c) => commands.has(c)),
    watchesFiles: options?.clientWatchesFiles === true,
  };
}

export function startServer(connection: Connection = createConnection(ProposedFeatures.all)): void {
  const documents = new TextDocuments(TextDocument);
  let index: WorkspaceIndex | undefined;
  let publisher: DiagnosticsPublisher | undefined;
  let client: ClientSupport = clientSupport({}, undefined);
  let settings: EditorSettings = editorSettingDefaults;
  /**
   * The three sources of the `alembic` section (see layeredSettingsSection for their precedence): each
   * keeps its last value, so a pull answered with null does not undo the initialization options.
   */
  const settingsSources: { initialization: unknown; pushed: unknown; pulled: unknown } = { initialization: undefined, pushed: undefined, pulled: undefined };
  const currentSection = (): unknown => layeredSettingsSection(settingsSources.initialization, settingsSources.pushed, settingsSources.pulled);
  /** The workspace folders (or root) the client named, and the folders found above opened files. */
  let workspaceRoots: string[] = [];
  const rootsFoundAbove = new Set<string>();
  const allRoots = (): string[] => [...workspaceRoots, ...[...rootsFoundAbove].filter((r) => !workspaceRoots.includes(r))];
  /** Folders already searched upward for a project, so opening their files again costs nothing. */
  const searchedAbove = new Set<string>();
  let folderWatcher: FolderWatcher | undefined;
  /**
   * Watches the repositories' ref folders in every editor (no client watches `.git` for a server, and a
   * linked worktree's git folder lies outside the workspace): a commit, a checkout or a fetch changes
   * which revisions are released. Reading a folder's changes executes nothing, so this runs untrusted too.
   */
  let gitWatcher: FolderWatcher | undefined;
  /** Settings problems last logged, so a notification that changes nothing does not repeat them. */
  let loggedSettingsProblems = '';
  /**
   * Set once every file's findings were published. From then on an index publishes when its file
   * rules are done: showing its graph findings first would take the file findings away for a moment.
   */
  let publishedComplete = false;
  let ready: Promise<void> = Promise.resolve();
  const dirty = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  /** Counts indexes: a background rules run stops when a newer index starts. */
  let rulesRun = 0;
  /** Untrusted until the client says otherwise: then no git is spawned (alembic/workspaceTrust). */
  let workspaceTrusted = false;
  /** Release notes already shown (no base found …): each is said once per session. */
  const toldNotes = new Set<string>();

  /**
   * Open documents by normalized file path, each with the URI text its client used: editors write the
   * same file's URI differently (Neovim and eglot leave `+ ( ) @ , ' ; =` unescaped, Neovim writes
   * lower-case hex, Windows clients `C:` or `c%3A`), so the URI text is never compared.
   */
  const openUris = new Map<string, string>();
  const documentAt = (p: string): TextDocument | undefined => {
    const uri = openUris.get(p);
    return uri === undefined ? undefined : documents.get(uri);
  };
  const openText = (p: string): string | undefined => documentAt(p)?.getText();

  /**
   * Runs `work` after everything queued before it; requests wait for the queue (`current`). A failure
   * is logged rather than kept, so that it does not stop the work queued after it.
   */
  const enqueue = (what: string, work: () => Promise<void>): void => {
    ready = ready.then(work).catch((err: unknown) => {
      connection.console.error(`${what} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    });
  };

  /**
   * Takes a settings section as the client sent it (values of the wrong type fall back to their
   * defaults, and that is logged), and returns the names of the settings that changed.
   */
  const adoptSettings = (section: unknown): EditorSettingName[] => {
    const parsed = parseEditorSettings(section);
    const changed = changedEditorSettings(settings, parsed.settings);
    settings = parsed.settings;
    const severities = severitiesFromSetting(settings.rules, ruleIds);
    const problems = [...parsed.problems, ...severities.errors, ...severities.warnings];
    const key = problems.join('\n');
    if (key !== loggedSettingsProblems) for (const problem of problems) connection.console.warn(`Settings: ${problem}`);
    loggedSettingsProblems = key;
    if (changed.some((name) => INDEX_SETTINGS.includes(name))) index?.setSettings(indexSettings(settings, severities.severities));
    return changed;
  };

  /** The `alembic` section: asked for when the client answers `workspace/configuration`. */
  const pullSettings = async (): Promise<void> => {
    try {
      settingsSources.pulled = await connection.workspace.getConfiguration(SETTINGS_SECTION);
    } catch (err) {
      connection.console.warn(`Asking the client for the ${SETTINGS_SECTION} settings failed (keeping the others): ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  connection.onInitialize((params) => {
    const options = isObject(params.initializationOptions) ? params.initializationOptions as InitializationOptions : undefined;
    client = clientSupport(params.capabilities, options);
    const roots = (params.workspaceFolders ?? []).flatMap((f) => uriToPath(f.uri) ?? []);
    if (roots.length === 0 && params.rootUri) roots.push(...[uriToPath(params.rootUri)].flatMap((r) => r ?? []));
    workspaceRoots = roots;
    index = new WorkspaceIndex(nodeFileSystem, openText, roots, indexSettings(settings, {}));
    index.onSqlFilesRefreshed = (ids) => {
      connection.console.info(`PostgreSQL's parser loaded in ${index?.sqlParserLoad?.ms ?? 0} ms: the SQL of the migrations was read again`);
      publishAll();
      notifyGraphChanged(ids);
    };
    if (options) {
      const { clientCommands: _commands, clientWatchesFiles: _watches, ...section } = options;
      settingsSources.initialization = section;
      adoptSettings(currentSection());
    }
    publisher = new DiagnosticsPublisher(connection, { codeDescription: client.codeDescription });
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        definitionProvider: true,
        referencesProvider: true,
        hoverProvider: true,
        completionProvider: { triggerCharacters: ['"', "'"] },
        documentSymbolProvider: true,
        workspaceSymbolProvider: true,
        // Lenses name commands only the VS Code extension has: elsewhere they would do nothing.
        ...(client.codeLensCommands ? { codeLensProvider: { resolveProvider: false } } : {}),
        codeActionProvider: { codeActionKinds: ['quickfix'] },
        // Offered to every client that has them: `alembic.inlayHints.locks` decides per request.
        ...(client.inlayHints ? { inlayHintProvider: true } : {}),
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'alembic-language-server', version: PACKAGE_VERSION },
    };
  });

  let toldSqlParser = false;
  /** Re-discovers projects and re-reads every migration, then publishes everything. */
  const reindexAll = async (): Promise<void> => {
    if (!index) return;
    const started = Date.now();
    index.settingsProblems = [];
    const run = ++rulesRun;
    if (!(await index.reindex())) return;
    await index.sqlParserSettled();
    if (run !== rulesRun) return;
    for (const problem of index.settingsProblems) connection.console.warn(problem);
    const ids = index.projectIds();
    // The tree shows them too; the output channel says why a project looks empty in any editor.
    for (const id of ids) for (const problem of index.model(id)?.problems() ?? []) connection.console.warn(problem);
    if (ids.length === 0) {
      connection.console.info(`No alembic.ini (or pyproject.toml with [tool.alembic]) in ${allRoots().join(', ') || 'no workspace folder'}; ` +
        'opened files are looked up from their own folder upward');
    }
    for (const id of ids) connection.console.info(`Using ${id}`);
    const sql = index.sqlParserLoad;
    if (sql && !toldSqlParser && (toldSqlParser = true)) connection.console.info(sql.loaded ? `PostgreSQL's parser loaded in ${sql.ms} ms (the migrations run SQL)` : `${sql.reason ?? 'PostgreSQL\'s parser did not load'}: SQL strings are read with regular expressions`);
    watchProjectFolders();
    watchGitFolders();
    const files = ids.reduce((n, id) => n + (index?.model(id)?.paths().length ?? 0), 0);
    index.fileRulesPending = true;
    const graphMs = Date.now() - started;
    let done = index.computeFileFindings(FIRST_RULES_SLICE_MS);
    // The first index shows the graph early; a later one keeps what is shown until it is complete.
    if (!done && publishedComplete) {
      if (!(await runFileRulesToEnd(run))) return;
      done = true;
    }
    index.fileRulesPending = !done;
    connection.console.info(`Indexed ${ids.length} Alembic project(s), ${files} migration file(s) in ${graphMs} ms` +
      (done ? `, rules in ${Date.now() - started - graphMs} ms` : '; file rules go on in the background'));
    publishAll();
    lastGraph.clear();
    notifyGraphChanged(ids, true);
    if (!done) void finishFileRules(run, started);
    // After the first diagnostics are out, and beside the queue: reading git holds back neither them
    // nor the requests waiting for the index.
    void classifyReleases(run).catch((err: unknown) => {
      connection.console.error(`Finding released revisions failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    });
  };

  /**
   * Tells released from new revisions (git spawned with safe options in a trusted workspace, read in
   * JavaScript otherwise), then publishes what changed: file findings of released revisions go away.
   */
  const classifyReleases = async (run: number): Promise<void> => {
    if (!index || run !== rulesRun) return;
    const started = Date.now();
    const access = workspaceTrusted ? 'spawn' : 'objects';
    const { changed, notes } = await index.classifyReleases({ base: settings['lint.base'], since: settings['lint.since'], scope: settings['lint.scope'] }, access);
    if (run !== rulesRun) return;
    connection.console.info(`Released revisions found in ${Date.now() - started} ms (${access === 'spawn' ? 'git' : 'git objects read in JavaScript: the workspace is not trusted'})`);
    for (const note of notes) {
      if (toldNotes.has(note)) continue;
      toldNotes.add(note);
      connection.console.warn(note);
      // A notification, not a request: nothing to answer, and a client that cannot show it loses nothing.
      void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Info, message: `Alembic: ${note}` });
    }
    publishAll();
    notifyGraphChanged(changed);
  };

  /** Runs the file rules an index left, in slices; false when a newer index took over. */
  const runFileRulesToEnd = async (run: number): Promise<boolean> => {
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      if (!index || run !== rulesRun) return false;
      if (index.computeFileFindings(RULES_SLICE_MS)) return true;
    }
  };

  /** Runs the file rules an index left, in slices, then publishes what they found. */
  const finishFileRules = async (run: number, started: number): Promise<void> => {
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      // A newer index started: it runs its own rules.
      if (!index || run !== rulesRun) return;
      if (!index.computeFileFindings(RULES_SLICE_MS)) continue;
      index.fileRulesPending = false;
      publishAll();
      notifyGraphChanged(index.projectIds());
      // After the diagnostics: a client (or test) that waits for this line has them already, since
      // messages arrive in the order they were sent.
      connection.console.info(`File rules done ${Date.now() - started} ms after the index started`);
      return;
    }
  };

  const publishAll = (): void => {
    if (!index || !publisher) return;
    // While a later index completes its rules, edits wait for it: it publishes them with the rest.
    if (index.fileRulesPending && publishedComplete) return;
    if (!index.fileRulesPending) publishedComplete = true;
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

  /**
   * Tells the client only about projects whose revision graph (nodes, order, problem counts) changed;
   * `always` (after an index): about every project, and that the set of projects may have changed.
   */
  const lastGraph = new Map<string, RevisionGraphResult>();
  const notifyGraphChanged = (ids: string[], always = false): void => {
    const changed = ids.filter((id) => {
      const graph = index?.revisionGraph(id);
      if (!graph) return always;
      const same = lastGraph.get(id) === graph;
      lastGraph.set(id, graph);
      return always || !same;
    });
    if (changed.length > 0 || always) {
      void connection.sendNotification(GraphChangedNotification, { projectIds: changed, ...(always ? { projectsChanged: true } : {}) } satisfies GraphChangedParams);
    }
  };

  const schedule = (p: string): void => {
    dirty.add(p);
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, DEBOUNCE_MS);
  };

  connection.onInitialized(() => {
    // The one way settings reach the server: it registers for changes of its section (the extension
    // does not also synchronise it), and asks for the section when the client supports that.
    if (client.registerConfiguration) {
      void connection.client.register(DidChangeConfigurationNotification.type, { section: SETTINGS_SECTION });
    }
    // A client that offers to watch files does it for the server; for the others the server watches
    // the folders its projects read (after each index, see watchProjectFolders).
    if (client.watchesFiles) {
      // The VS Code extension's own watchers report the files already.
    } else if (client.registerWatchedFiles) {
      void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: WATCHED_GLOBS.map((globPattern) => ({ globPattern })) });
    } else {
      folderWatcher = new FolderWatcher((changes) => void applyDiskChanges(changes), (m) => connection.console.warn(m));
    }
    // Asking for the event of a client without workspace folders throws (vscode-languageserver).
    if (client.workspaceFolders) {
      connection.workspace.onDidChangeWorkspaceFolders(async (e) => {
        const current = new Set((await connection.workspace.getWorkspaceFolders() ?? []).flatMap((f) => uriToPath(f.uri) ?? []));
        for (const removed of e.removed) current.delete(uriToPath(removed.uri) ?? '');
        workspaceRoots = [...current];
        index?.setRoots(allRoots());
        enqueue('Indexing the changed workspace folders', reindexAll);
      });
    }
    enqueue('Indexing the workspace', async () => {
      if (client.configuration) {
        await pullSettings();
        adoptSettings(currentSection());
      }
      await reindexAll();
    });
  });

  // A client sends this at start (vscode-languageclient does when the server registers) and whenever
  // any setting changes: only a change to what the index is built from re-indexes.
  connection.onDidChangeConfiguration((params) => {
    enqueue('Applying changed settings', async () => {
      // nvim-lspconfig and Sublime push the section; VS Code and eglot push nothing useful and are asked.
      const pushed = sectionIn(params.settings);
      if (pushed !== undefined) settingsSources.pushed = pushed;
      if (client.configuration) await pullSettings();
      const changed = adoptSettings(currentSection()).filter((name) => SERVER_SETTINGS.includes(name));
      if (changed.length === 0) return;
      const affectsIndex = changed.some((name) => INDEX_SETTINGS.includes(name));
      connection.console.info(`Settings changed: ${changed.map((name) => `${SETTINGS_SECTION}.${name}`).join(', ')}` +
        (affectsIndex ? '; re-indexing' : ''));
      if (affectsIndex) await reindexAll();
      else if (changed.some((name) => RELEASE_SETTINGS.includes(name))) await classifyReleases(rulesRun);
      if ((changed.includes('inlayHints.locks') || affectsIndex) && client.refreshInlayHints) {
        await connection.sendRequest(InlayHintRefreshRequest.type).catch((err: unknown) => {
          connection.console.warn(`Refreshing inlay hints failed: ${err instanceof Error ? err.message : String(err)}`);
        });
      }
      if (changed.includes('codeLens') && client.refreshCodeLenses && client.codeLensCommands) {
        await connection.sendRequest(CodeLensRefreshRequest.type).catch((err: unknown) => {
          connection.console.warn(`Refreshing code lenses failed: ${err instanceof Error ? err.message : String(err)}`);
        });
      }
    });
  });

  connection.onNotification(WorkspaceTrustNotification, (params) => {
    workspaceTrusted = params.trusted;
  });

  documents.onDidOpen((e) => {
    const p = uriToPath(e.document.uri);
    if (!p) return;
    openUris.set(p, e.document.uri);
    if (p.endsWith('.py')) enqueue(`Looking for the project of ${p}`, () => adoptProjectAbove(p));
  });

  /**
   * A Python file no project owns: its project may lie above every root (eglot outside a repository
   * makes the migration's folder the root). Searches from its folder upward and indexes what it finds.
   */
  const adoptProjectAbove = async (p: string): Promise<void> => {
    if (!index || index.owner(p) !== undefined) return;
    const dir = path.dirname(p);
    if (searchedAbove.has(dir)) return;
    searchedAbove.add(dir);
    const project = await findProjectAbove(nodeFileSystem, dir);
    if (!project) {
      connection.console.info(`No alembic.ini (or pyproject.toml with [tool.alembic]) above ${p}, up to the filesystem root or the repository root`);
      return;
    }
    if (index.projectIds().includes(project.id)) return;
    rootsFoundAbove.add(path.dirname(project.id));
    index.setRoots(allRoots());
    connection.console.info(`Using ${project.id} for ${p}: found above the opened file`);
    await reindexAll();
  };

  documents.onDidChangeContent((e) => {
    const p = uriToPath(e.document.uri);
    if (p) schedule(p);
  });
  documents.onDidClose((e) => {
    const p = uriToPath(e.document.uri);
    if (p && openUris.get(p) === e.document.uri) openUris.delete(p);
    if (!p || !index) return;
    // The editor's text no longer overrides the disk: read what is saved.
    void index.refreshFromDisk(p).then((affected) => {
      if (affected.length === 0) return;
      publishAll();
      notifyGraphChanged(affected);
    });
  });

  connection.onDidChangeWatchedFiles((params) => {
    const changes = params.changes.flatMap((change): WatchedChange[] => {
      const p = uriToPath(change.uri);
      return p ? [{ path: p, kind: change.type === FileChangeType.Deleted ? 'deleted' : 'changed' }] : [];
    });
    void applyDiskChanges(changes);
  });

  /** Files changed on disk (reported by the client's watcher or the server's own). */
  const applyDiskChanges = async (changes: readonly WatchedChange[]): Promise<void> => {
    if (!index) return;
    let configChanged = false;
    const affected = new Set<string>();
    for (const change of changes) {
      const p = change.path;
      if (isConfigurationFile(p)) {
        configChanged = true;
        continue;
      }
      if (!p.endsWith('.py')) {
        if (change.kind !== 'deleted') continue;
        // A folder deleted in one go (rm -r, the explorer): editors report the folder, not what it held.
        const held = projectsBelow(p);
        if (held.configuration) configChanged = true;
        for (const file of held.files) for (const id of index.updateFile(file, undefined)) affected.add(id);
        continue;
      }
      // A deleted file leaves the graph even while an editor still holds its text: Alembic loads
      // from disk. Typing in that editor again brings it back (as an unsaved file would).
      if (change.kind === 'deleted') {
        for (const id of index.updateFile(p, undefined)) affected.add(id);
        continue;
      }
      if (openUris.has(p)) continue;
      const ids = await index.refreshFromDisk(p);
      for (const id of ids) affected.add(id);
    }
    if (configChanged) {
      enqueue('Indexing after a configuration file changed', reindexAll);
      return;
    }
    if (affected.size === 0) return;
    publishAll();
    notifyGraphChanged([...affected]);
  };

  /**
   * What a deleted folder took with it: whether a project's configuration file was in it (the projects
   * are found again), and the migration files of the projects that stay.
   */
  const projectsBelow = (folder: string): { configuration: boolean; files: string[] } => {
    const inside = (p: string): boolean => p.startsWith(folder + path.sep);
    const files: string[] = [];
    let configuration = false;
    for (const id of index?.projectIds() ?? []) {
      const model = index?.model(id);
      if (!model) continue;
      if (inside(model.config.configFile) || inside(model.config.id) || model.config.id === folder) configuration = true;
      else for (const f of model.paths()) if (inside(f)) files.push(f);
    }
    return { configuration, files };
  };

  /** The server's own watcher follows the folders of the current projects. */
  const watchProjectFolders = (): void => {
    if (!folderWatcher || !index) return;
    const folders = new Set<string>();
    for (const id of index.projectIds()) {
      const config = index.model(id)?.config;
      if (!config) continue;
      folders.add(path.dirname(config.id));
      for (const location of config.versionLocationPaths) {
        folders.add(location);
        // recursive_version_locations: every folder below as well, as they are at this index.
        if (config.recursiveVersionLocations) for (const sub of foldersBelow(location)) folders.add(sub);
      }
    }
    folderWatcher.watch(folders);
  };
  connection.onShutdown(() => folderWatcher?.close());

  /** The ref folders of the repositories holding the current projects (after each index and git change). */
  const watchGitFolders = (): void => {
    if (!index) return;
    gitWatcher ??= new FolderWatcher((changes) => onGitChanges(changes), (m) => connection.console.warn(m));
    const folders = new Set<string>();
    const repositories = new Set<string>();
    for (const id of index.projectIds()) {
      const root = index.model(id)?.config.root;
      const repository = root === undefined ? undefined : findRepositoryRoot(root);
      if (repository !== undefined) repositories.add(repository);
    }
    for (const repository of repositories) for (const folder of gitFoldersToWatch(repository)) folders.add(folder);
    gitWatcher.watch(folders);
  };
  connection.onShutdown(() => gitWatcher?.close());

  /** A ref moved (commit, checkout, reset, fetch): released and new are found again; nothing is re-read. */
  const onGitChanges = (changes: readonly WatchedChange[]): void => {
    const moved = changes.filter((c) => isRefChange(c.path));
    if (moved.length === 0 || !index) return;
    connection.console.info(`Git refs changed (${moved.slice(0, 3).map((c) => path.basename(c.path)).join(', ')}${moved.length > 3 ? ', …' : ''}): finding released revisions again`);
    // A new branch folder or remote is watched from now on.
    watchGitFolders();
    enqueue('Finding released revisions after a git change', () => classifyReleases(rulesRun));
  };

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
    return idx && file ? features.hover(idx, file, p.position, client.markdownHover) ?? null : null;
  });
  connection.onCompletion(async (p) => {
    const idx = await current();
    const file = pathOf(p.textDocument.uri);
    const doc = file && documentAt(file);
    return idx && file && doc ? features.completion(idx, file, doc.getText(), p.position, client.markdownCompletion) : [];
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
    return idx && file && settings.codeLens && client.codeLensCommands ? features.codeLenses(idx, file) : [];
  });
  connection.languages.inlayHint.on(async (p) => {
    // After the queue, so the answer follows the settings work queued before it.
    const idx = await current();
    if (!settings['inlayHints.locks']) return [];
    const file = pathOf(p.textDocument.uri);
    return idx && file ? lockInlayHints(idx, file, p.range) : [];
  });
  connection.onCodeAction(async (p) => {
    const idx = await current();
    const file = pathOf(p.textDocument.uri);
    const doc = file && documentAt(file);
    return idx && file && doc ? codeActions(idx, file, doc.getText(), p) : [];
  });

  connection.onRequest(ProjectsRequest, async (): Promise<ProjectsResult> => {
    const idx = await current();
    return { projects: idx ? idx.projects().map((p) => p.info) : [] };
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
    // undefined once a function does something no table can be named for (or a revision has no file)
    let tables: Set<string> | undefined = new Set<string>();
    const dialect = project.config?.dialect ?? 'postgresql';
    for (const revision of params.revisions) {
      const node = project.nodes.get(revision);
      const file = node && project.files.get(node.path);
      if (!file) {
        tables = undefined;
        continue;
      }
      // A confirmation describes what Alembic will run: the saved file, not the editor's unsaved text.
      const onDisk = params.fromDisk && openUris.has(file.path) ? await nodeFileSystem.readFile(file.path) : undefined;
      const migration = onDisk !== undefined ? parseMigration(onDisk) : file.migration;
      for (const op of destructiveOperations(migration, params.function)) {
        operations.push({ revision, function: params.function, operation: op.operation, ...(op.target ? { target: op.target } : {}), uri: file.uri, range: op.range });
      }
      for (const c of createdObjects(migration, params.function)) creations.push({ revision, ...c, uri: file.uri });
      if (tables) {
        const touched = tablesTouched(params.function === 'upgrade' ? revisionEffects(migration, dialect) : downgradeEffects(migration, dialect));
        if (touched) for (const t of touched) tables.add(t);
        else tables = undefined;
      }
    }
    return { operations, creations, ...(tables ? { tables: [...tables].sort() } : {}) };
  });

  connection.onRequest(AppliedStateRequest, async (params) => {
    const idx = await current();
    // The database's server version is the project's PostgreSQL version unless a setting or
    // pyproject.toml says one: a change re-runs the rules that read it.
    const major = params.serverVersion === undefined ? undefined : postgresMajor(params.serverVersion);
    if (idx && major !== undefined && idx.setServerVersion(params.projectId, major)) {
      connection.console.info(`${params.projectId}: PostgreSQL ${major} from the connected server; re-indexing`);
      enqueue('Indexing for the connected server\'s PostgreSQL version', reindexAll);
    }
    const project = idx?.project(params.projectId);
    return project?.appliedState(params.versionTable)
      ?? { current: [], unknown: [...params.versionTable], applied: [], pending: [], atBase: params.versionTable.length === 0, atHead: false, warnings: [`No Alembic project ${params.projectId}`] };
  });
  connection.onRequest(DowngradePlanRequest, async (params) => {
    const project = (await current())?.project(params.projectId);
    return { undone: project?.downgradePlan(params.target, params.versionTable).undone ?? [] };
  });

  connection.onRequest(RebasePlanRequest, async (params): Promise<RebasePlanResult> => {
    const idx = await current();
    return idx ? rebasePlan(idx, params.projectId) : { ok: false, message: 'the language server has not indexed the workspace yet' };
  });

  const templates = new TemplateLibrary();
  connection.onRequest(TemplatesRequest, () => templates.list());
  connection.onRequest(TemplateAnswerRequest, (params) => templates.answer(params));
  connection.onRequest(RenderTemplateRequest, async (params) => {
    const idx = await current();
    return idx ? templates.render(idx, params, (p) => nodeFileSystem.readFile(p)) : { ok: false, message: 'the language server has not indexed the workspace yet' };
  });

  documents.listen(connection);
  connection.listen();
}

/** What the index needs of the settings; `rules` already checked against the rule ids. */
function indexSettings(settings: EditorSettings, rules: RuleSeverityMap): IndexSettings {
  const out: IndexSettings = settings.configFile ? { configFile: settings.configFile, rules } : { rules };
  if (settings['lint.dialect']) out.dialect = settings['lint.dialect'];
  if (settings.postgresVersion > 0) out.postgresVersion = Math.floor(settings.postgresVersion);
  return out;
}

/**
 * The `alembic` section of a pushed `workspace/didChangeConfiguration` (clients without
 * `workspace/configuration`); undefined when the notification carries none, which changes nothing.
 */
function sectionIn(settings: unknown): unknown {
  if (typeof settings !== 'object' || settings === null) return undefined;
  return (settings as Record<string, unknown>)[SETTINGS_SECTION];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The folders below `root` (not `__pycache__`), to a depth that no versions tree reaches. */
function foldersBelow(root: string, depth = 8): string[] {
  if (depth === 0) return [];
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(root, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.filter((e) => e.isDirectory() && e.name !== '__pycache__').flatMap((e) => {
    const sub = path.join(root, e.name);
    return [sub, ...foldersBelow(sub, depth - 1)];
  });
}
