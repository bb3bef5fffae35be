// The server's index of the workspace: one core ProjectModel per Alembic project, fed from disk and
// overridden by the editor's open documents. Indexes once, then re-parses only what changed.
import path from 'node:path';
import { normalizeDialect } from '../core/facts/dialect';
import { mayRunSql } from '../core/facts/sqlParser';
import { loadSqlParser, type SqlParserLoad, sqlParserLoaded } from '../fs/sqlParser';
import { mergeSeverities, type RuleSeverityMap, severitiesFromPyproject } from '../core/config/severities';
import { RevisionResolver, resolveTarget } from '../core/graph';
import { type AppliedState, computeAppliedState, revisionsUndoneBy } from '../core/graph/appliedState';
import type { RevisionGraph } from '../core/graph/types';
import { discoverProjects, type FileSystem, type ProjectConfig } from '../core/project';
import { readAllFiles } from '../core/project/fs';
import { ProjectModel } from '../core/project/model';
import { ruleIds } from '../core/rules';
import type { Finding } from '../core/types';
import type { AppliedStateResult, ResolveRevisionResult, RevisionGraphResult, RevisionInfo } from '../../../common/protocol';
import type { IndexedFile, IndexedProject, WorkspaceModel } from './model';
import { wireOf } from './wire';
import { DEFAULT_RELEASE_SETTINGS, type ReleaseSettings, releaseSettingsFromPyproject } from '../core/release/release';
import { findRelease, type GitAccess } from '../git/findRelease';

export interface IndexSettings {
  /** `alembic.configFile`, relative to the first workspace folder or absolute. */
  configFile?: string;
  /** `alembic.rules`. */
  rules: RuleSeverityMap;
  /** `alembic.lint.dialect`: overrides the dialect each project's files name. */
  dialect?: string;
  /** `alembic.postgresVersion` when not 0: overrides the project's and the connected server's version. */
  postgresVersion?: number;
}

/** Whether a change to this file means the set of projects or their locations may have changed. */
export function isConfigurationFile(p: string): boolean {
  const base = path.basename(p);
  return base === 'alembic.ini' || base === 'pyproject.toml' || base === 'env.py' || base.endsWith('.ini');
}

export class WorkspaceIndex implements WorkspaceModel {
  private models = new Map<string, ProjectModel>();
  private severityByProject = new Map<string, RuleSeverityMap>();
  private views = new Map<string, { graph: RevisionGraph; severities: RuleSeverityMap; view: IndexedProject }>();
  /** File views kept across rebuilds of a view: one per parsed file. */
  private readonly fileViews = new WeakMap<object, IndexedFile>();
  private generation = 0;
  /** The major version of the server each project's database runs on, as the client last read it. */
  private readonly serverVersions = new Map<string, number>();
  /** Configuration problems (unreadable settings) to show once per change. */
  settingsProblems: string[] = [];

  constructor(
    private readonly diskFs: FileSystem,
    private readonly openText: (p: string) => string | undefined,
    private roots: string[],
    private settings: IndexSettings,
  ) {}

  /** Reads files through the editor's open documents first. */
  private readonly fs: FileSystem = {
    readFile: async (p) => this.openText(p) ?? this.diskFs.readFile(p),
    readFiles: async (paths) => {
      const open = paths.map((p) => this.openText(p));
      const fromDisk = await readAllFiles(this.diskFs, paths.filter((_, i) => open[i] === undefined));
      let k = 0;
      return open.map((text) => (text !== undefined ? { text } : fromDisk[k++] ?? {}));
    },
    readDirectory: (p) => this.diskFs.readDirectory(p),
    stat: (p) => this.diskFs.stat(p),
    // Without it the listing could not tell that two paths are one file (a link, or overlapping locations).
    realPath: (p) => this.diskFs.realPath?.(p) ?? Promise.resolve(p),
  };

  setRoots(roots: string[]): void {
    this.roots = roots;
  }

  setSettings(settings: IndexSettings): void {
    this.settings = settings;
    this.views.clear();
  }

  /**
   * Discovers every project and reads every migration. A newer call supersedes a running one: the
   * older result is dropped (returns false) so a burst of configuration edits costs one index.
   */
  async reindex(): Promise<boolean> {
    const generation = ++this.generation;
    const configs = await discoverProjects(this.fs, this.roots, this.settings.configFile ? { configFile: this.settings.configFile } : {});
    const models = new Map<string, ProjectModel>();
    const severities = new Map<string, RuleSeverityMap>();
    for (const config of configs) {
      if (generation !== this.generation) return false;
      if (this.settings.dialect) {
        config.dialect = normalizeDialect(this.settings.dialect);
        config.dialectSource = 'the alembic.lint.dialect setting';
      }
      this.applyPostgresVersion(config);
      const model = await ProjectModel.load(this.fs, config);
      models.set(config.id, model);
      // Loaded beside the other projects' reading; the server waits for it (sqlParserSettled) after
      // the index, before the file rules, so that edits arriving meanwhile reach the new models.
      if (!this.pendingSqlParser && !sqlParserLoaded() && model.mayRunSql()) this.pendingSqlParser = this.loadSqlParser();
      severities.set(config.id, await this.projectSeverities(config.root));
    }
    if (generation !== this.generation) return false;
    this.models = models;
    this.severityByProject = severities;
    this.views.clear();
    return true;
  }

  /**
   * The setting wins, then `[tool.alembic-lint] postgres-version` (set by discovery), then the
   * connected server's version, then the default discovery put there.
   */
  private applyPostgresVersion(config: ProjectConfig): void {
    if (this.settings.postgresVersion) {
      config.postgresVersion = this.settings.postgresVersion;
      config.postgresVersionSource = 'the alembic.postgresVersion setting';
      return;
    }
    const server = this.serverVersions.get(config.id);
    if (server !== undefined && !config.postgresVersionSource.includes('postgres-version')) {
      config.postgresVersion = server;
      config.postgresVersionSource = `the connected server (PostgreSQL ${server})`;
    }
  }

  /**
   * The client read the project's database server version. Returns whether the project's version
   * changed (its findings then need a re-index).
   */
  setServerVersion(projectId: string, major: number): boolean {
    if (this.serverVersions.get(projectId) === major) return false;
    this.serverVersions.set(projectId, major);
    const config = this.models.get(projectId)?.config;
    if (!config) return false;
    const before = config.postgresVersion;
    this.applyPostgresVersion(config);
    this.views.delete(projectId);
    return config.postgresVersion !== before;
  }

  private async projectSeverities(root: string): Promise<RuleSeverityMap> {
    const pyprojectPath = path.join(root, 'pyproject.toml');
    const text = await this.fs.readFile(pyprojectPath);
    const fromFile = text === undefined ? { severities: {}, errors: [], warnings: [] } : severitiesFromPyproject(text, pyprojectPath, ruleIds);
    this.settingsProblems.push(...fromFile.errors);
    // The editor setting wins over the project's file.
    return mergeSeverities(fromFile.severities, this.settings.rules);
  }

  /** What loading PostgreSQL's parser said (once: later calls share the first load); undefined until asked. */
  sqlParserLoad: SqlParserLoad | undefined;
  /**
   * Called when PostgreSQL's parser arrived after file rules ran on SQL (an edit brought a workspace's
   * first SQL string): the files that run SQL were analysed again; publish their findings.
   */
  onSqlFilesRefreshed: ((projectIds: string[]) => void) | undefined;

  private pendingSqlParser: Promise<SqlParserLoad> | undefined;

  /**
   * Waits for PostgreSQL's parser when an index started loading it (a project runs SQL); a file whose
   * rules ran meanwhile (an edit during the wait) is read again with it. Call before the file rules.
   */
  async sqlParserSettled(): Promise<void> {
    const pending = this.pendingSqlParser;
    if (!pending) return;
    this.pendingSqlParser = undefined;
    if ((await pending).loaded) for (const model of this.models.values()) model.refreshSqlFiles();
  }

  private async loadSqlParser(): Promise<SqlParserLoad> {
    const load = await loadSqlParser();
    this.sqlParserLoad = load;
    return load;
  }

  /** An edit brought SQL while the parser is not loaded: load it, then analyse the files with SQL again. */
  private sqlArrived(text: string): void {
    // Once the parser is loading, no text needs looking at (this runs on every keystroke).
    if (this.sqlParserLoad || sqlParserLoaded() || !mayRunSql(text)) return;
    void this.loadSqlParser().then((load) => {
      if (!load.loaded) return;
      const ids: string[] = [];
      for (const [id, model] of this.models) if (model.refreshSqlFiles().length > 0) ids.push(id);
      if (ids.length > 0) this.onSqlFilesRefreshed?.(ids);
    });
  }

  /**
   * A migration file's text changed (an edit, or on disk). Returns the ids of the projects affected.
   * `text` undefined means the file is gone (or closed and deleted).
   */
  updateFile(p: string, text: string | undefined): string[] {
    const affected: string[] = [];
    for (const [id, model] of this.models) {
      if (!model.owns(p)) continue;
      const changed = text === undefined ? model.removeFile(p) : model.setFile(p, text);
      if (!changed) continue;
      if (text !== undefined) this.sqlArrived(text);
      affected.push(id);
      // The file being edited gets its findings now, even while the others' are still coming.
      if (text !== undefined && this.fileRulesPending) model.fileFindings(p, this.severities(id));
    }
    return affected;
  }

  /**
   * Re-reads a file from disk (after the editor closed it, or a watcher event), as indexing reads it:
   * a file that is not valid UTF-8, or cannot be read, becomes a problem of its projects.
   */
  async refreshFromDisk(p: string): Promise<string[]> {
    const [read = {}] = await readAllFiles(this.fs, [p]);
    const affected: string[] = [];
    for (const [id, model] of this.models) {
      if (!model.owns(p)) continue;
      model.setFileFromDisk(p, read);
      affected.push(id);
      if (read.text !== undefined) this.sqlArrived(read.text);
      if (read.text !== undefined && this.fileRulesPending) model.fileFindings(p, this.severities(id));
    }
    return affected;
  }

  /** The id of the first project whose version locations hold this path (the file need not exist). */
  owner(p: string): string | undefined {
    for (const [id, model] of this.models) if (model.owns(p)) return id;
    return undefined;
  }

  projectIds(): string[] {
    return [...this.models.keys()];
  }

  model(id: string): ProjectModel | undefined {
    return this.models.get(id);
  }

  severities(id: string): RuleSeverityMap {
    return this.severityByProject.get(id) ?? this.settings.rules;
  }

  /**
   * Every finding of a project, by path, with an entry (possibly empty) for each of its files. The
   * same map comes back while nothing changed (maps and lists are shared: do not change them).
   */
  findingsByPath(id: string): ReadonlyMap<string, readonly Finding[]> {
    const model = this.models.get(id);
    if (!model) return new Map();
    return model.findingsByPath(this.severities(id), { onlyKnown: this.fileRulesPending });
  }

  /**
   * While true, findings leave out file-rule findings not computed yet (graph findings are always
   * there): the server sets it after an index and runs `computeFileFindings` in slices.
   */
  fileRulesPending = false;

  /** Runs file rules not run yet, in every project, for about `budgetMs`. True when none is left. */
  computeFileFindings(budgetMs: number): boolean {
    const deadline = performance.now() + budgetMs;
    for (const [id, model] of this.models) {
      if (!model.computeFileFindings(this.severities(id), deadline)) return false;
    }
    return true;
  }

  /**
   * Finds which revisions of every project are released and hands it to the models (their findings
   * change: publish after). `editor` are the alembic.lint.* settings; a project's [tool.alembic-lint]
   * applies where they are at their defaults. Returns the projects it changed and what to tell the
   * user (no base found, a since that names nothing), with the project's configuration file.
   */
  async classifyReleases(editor: ReleaseSettings, access: GitAccess): Promise<{ changed: string[]; notes: string[] }> {
    const changed: string[] = [];
    const notes: string[] = [];
    for (const [id, model] of [...this.models]) {
      const pyprojectPath = path.join(model.config.root, 'pyproject.toml');
      const text = await this.fs.readFile(pyprojectPath);
      const fromFile = text === undefined ? { settings: {}, errors: [] } : releaseSettingsFromPyproject(text, pyprojectPath);
      notes.push(...fromFile.errors);
      const settings: ReleaseSettings = {
        base: editor.base !== DEFAULT_RELEASE_SETTINGS.base ? editor.base : fromFile.settings.base ?? editor.base,
        since: editor.since !== DEFAULT_RELEASE_SETTINGS.since ? editor.since : fromFile.settings.since ?? editor.since,
        scope: editor.scope !== DEFAULT_RELEASE_SETTINGS.scope ? editor.scope : fromFile.settings.scope ?? editor.scope,
      };
      const texts = new Map<string, string>();
      for (const p of model.paths()) {
        const f = model.getFile(p);
        if (f) texts.set(p, f.text);
      }
      const found = await findRelease({ projectRoot: model.config.root, versionLocations: model.config.versionLocationPaths, recursive: model.config.recursiveVersionLocations, texts }, settings, access);
      // A newer index replaced the model meanwhile: it classifies its own.
      if (this.models.get(id) !== model) continue;
      model.setRelease(found.release);
      changed.push(id);
      if (found.release.note) notes.push(`${model.config.configFile}: ${found.release.note}`);
      const sinceProblem = model.sinceProblem;
      if (sinceProblem) notes.push(`${model.config.configFile}: ${sinceProblem}`);
    }
    return { changed, notes };
  }

  /** The `alembic/revisionGraph` result; the same object while nothing in it changed. */
  revisionGraph(id: string): RevisionGraphResult | undefined {
    const model = this.models.get(id);
    return model ? wireOf(model).revisionGraph([...this.findingsByPath(id).values()].flat()) : undefined;
  }

  projects(): IndexedProject[] {
    return [...this.models.keys()].flatMap((id) => this.project(id) ?? []);
  }

  project(id: string): IndexedProject | undefined {
    const model = this.models.get(id);
    if (!model) return undefined;
    const graph = model.graph;
    const severities = this.severities(id);
    const cached = this.views.get(id);
    if (cached && cached.graph === graph && cached.severities === severities) return cached.view;
    const view = this.buildView(id, model, graph);
    this.views.set(id, { graph, severities, view });
    return view;
  }

  file(p: string): { project: IndexedProject; file: IndexedFile } | undefined {
    for (const [id, model] of this.models) {
      if (!model.getFile(p)) continue;
      const project = this.project(id);
      const file = project?.files.get(p);
      if (project && file) return { project, file };
    }
    return undefined;
  }

  /**
   * A project's view for the handlers. Made again after every edit (the graph object changes), so it
   * costs nothing up front: files and nodes are maps over the model that build (and keep) an entry
   * when asked; findings and history order come from the model, which updates them incrementally.
   */
  private buildView(id: string, model: ProjectModel, graph: RevisionGraph): IndexedProject {
    const wire = wireOf(model);
    const fileView = (p: string): IndexedFile | undefined => {
      const f = model.getFile(p);
      if (!f) return undefined;
      let entry = this.fileViews.get(f);
      if (!entry || entry.projectId !== id) {
        entry = {
          path: p, uri: wire.uri(p), text: f.text, header: f.header, projectId: id,
          // Parsed in full only when a handler asks (symbols, CodeLens, operations).
          get migration() { return f.migration; },
        };
        this.fileViews.set(f, entry);
      }
      return entry;
    };
    const paths = model.paths();
    const files = new LazyMap<IndexedFile>(() => paths, (p) => model.getFile(p) !== undefined, fileView);
    // Iterated in history order, as the handlers list revisions.
    const nodes = new LazyMap<RevisionInfo>(() => model.historyOrder(), (r) => graph.nodes.has(r), (r) => wire.revisionNode(r));
    const findings = this.findingsByPath(id);
    const resolver = new RevisionResolver(graph);
    // Own labels: a label names the revision that declares it, as in Alembic's map.
    const databaseState = (versionTable: readonly string[]): AppliedState => computeAppliedState(
      model.historyNodes().map((n) => ({ revision: n.revision, parents: n.parents, dependencies: n.dependencies, branchLabels: n.ownBranchLabels })),
      versionTable);
    return {
      info: wire.info(),
      config: model.config,
      files,
      nodes,
      get historyOrder(): readonly string[] {
        return model.historyOrder();
      },
      heads: graph.heads,
      bases: graph.bases,
      findings,
      headsAbove: (revision) => {
        const node = graph.nodes.get(revision);
        if (!node) return [];
        return [...resolver.descendants([node], false)].filter((n) => n.isHead).map((n) => n.revision);
      },
      appliedState: (versionTable) => wireAppliedState(model.historyOrder(), databaseState(versionTable)),
      downgradePlan: (target, versionTable) => ({
        undone: revisionsUndoneBy(graph, model.historyOrder(), databaseState(versionTable).applied, target),
      }),
      resolve: (target, current = []): ResolveRevisionResult => {
        const r = resolveTarget(graph, target, current);
        if (!r.ok) return { ok: false, message: r.message };
        return { ok: true, revisions: r.revisions.filter((x): x is string => x !== null && x !== 'base') };
      },
    };
  }
}

function wireAppliedState(order: readonly string[], s: AppliedState): AppliedStateResult {
  return {
    current: s.current, unknown: s.unknown, applied: order.filter((r) => s.applied.has(r)), pending: s.pending,
    atBase: s.atBase, atHead: s.atHead, warnings: s.warnings,
  };
}

/**
 * A read-only map whose keys are known up front and whose values are made on first `get` (the maker
 * keeps them). Iteration follows `keys()`.
 */
class LazyMap<V> implements ReadonlyMap<string, V> {
  constructor(
    private readonly keyList: () => readonly string[],
    private readonly hasKey: (k: string) => boolean,
    private readonly make: (k: string) => V | undefined,
  ) {}

  get size(): number {
    return this.keyList().length;
  }

  get(k: string): V | undefined {
    return this.hasKey(k) ? this.make(k) : undefined;
  }

  has(k: string): boolean {
    return this.hasKey(k);
  }

  forEach(fn: (value: V, key: string, map: ReadonlyMap<string, V>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) fn.call(thisArg, v, k, this);
  }

  *entries(): MapIterator<[string, V]> {
    for (const k of this.keyList()) {
      const v = this.make(k);
      if (v !== undefined) yield [k, v];
    }
  }

  *keys(): MapIterator<string> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): MapIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }
}
