// The server's index of the workspace: one core ProjectModel per Alembic project, fed from disk and
// overridden by the editor's open documents. Indexes once, then re-parses only what changed.
import path from 'node:path';
import { mergeSeverities, type RuleSeverityMap, severitiesFromPyproject } from '../core/config/severities';
import { RevisionResolver, resolveTarget } from '../core/graph';
import type { RevisionGraph } from '../core/graph/types';
import { discoverProjects, type FileSystem } from '../core/project';
import { ProjectModel } from '../core/project/model';
import { ruleIds } from '../core/rules';
import type { Finding } from '../core/types';
import type { ResolveRevisionResult } from '../protocol';
import type { GraphNodeView, IndexedFile, IndexedProject, WorkspaceModel } from './model';
import { fileUri } from './positions';

export interface IndexSettings {
  /** `alembic.configFile`, relative to the first workspace folder or absolute. */
  configFile?: string;
  /** `alembic.rules`. */
  rules: RuleSeverityMap;
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
  private generation = 0;
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
    readDirectory: (p) => this.diskFs.readDirectory(p),
    stat: (p) => this.diskFs.stat(p),
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
      models.set(config.id, await ProjectModel.load(this.fs, config));
      severities.set(config.id, await this.projectSeverities(config.root));
    }
    if (generation !== this.generation) return false;
    this.models = models;
    this.severityByProject = severities;
    this.views.clear();
    return true;
  }

  private async projectSeverities(root: string): Promise<RuleSeverityMap> {
    const pyprojectPath = path.join(root, 'pyproject.toml');
    const text = await this.fs.readFile(pyprojectPath);
    const fromFile = text === undefined ? { severities: {}, errors: [], warnings: [] } : severitiesFromPyproject(text, pyprojectPath, ruleIds);
    this.settingsProblems.push(...fromFile.errors);
    // The editor setting wins over the project's file.
    return mergeSeverities(fromFile.severities, this.settings.rules);
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
      if (changed) affected.push(id);
    }
    return affected;
  }

  /** Re-reads a file from disk (after the editor closed it, or a watcher event). */
  async refreshFromDisk(p: string): Promise<string[]> {
    return this.updateFile(p, await this.fs.readFile(p));
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

  /** Every finding of a project, by path, with an entry (possibly empty) for each of its files. */
  findingsByPath(id: string): Map<string, Finding[]> {
    const model = this.models.get(id);
    const out = new Map<string, Finding[]>();
    if (!model) return out;
    for (const p of model.paths()) out.set(p, []);
    for (const f of model.findings(this.severities(id))) {
      const list = out.get(f.path) ?? [];
      list.push(f);
      out.set(f.path, list);
    }
    return out;
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

  private buildView(id: string, model: ProjectModel, graph: RevisionGraph): IndexedProject {
    const files = new Map<string, IndexedFile>();
    for (const p of model.paths()) {
      const f = model.getFile(p);
      if (f) files.set(p, { path: p, uri: fileUri(p), text: f.text, migration: f.migration, projectId: id });
    }
    const findings = this.findingsByPath(id);
    const protocolGraph = model.revisionGraph([...findings.values()].flat());
    const nodes = new Map<string, GraphNodeView>();
    for (const n of protocolGraph.nodes) {
      const view: GraphNodeView = {
        revision: n.revision, path: n.path, parents: n.parents, children: n.children, dependencies: n.dependencies,
        dependents: n.dependents, branchLabels: n.branchLabels, isHead: n.isHead, isBase: n.isBase, isMerge: n.isMerge,
        isBranchPoint: n.isBranchPoint, revisionRange: n.revisionRange,
      };
      if (n.message !== undefined) view.message = n.message;
      if (n.createDate !== undefined) view.createDate = n.createDate;
      nodes.set(n.revision, view);
    }
    const resolver = new RevisionResolver(graph);
    return {
      info: model.info(),
      files,
      nodes,
      historyOrder: protocolGraph.nodes.map((n) => n.revision),
      heads: graph.heads,
      bases: graph.bases,
      findings,
      headsAbove: (revision) => {
        const node = graph.nodes.get(revision);
        if (!node) return [];
        return [...resolver.descendants([node], false)].filter((n) => n.isHead).map((n) => n.revision);
      },
      resolve: (target, current = []): ResolveRevisionResult => {
        const r = resolveTarget(graph, target, current);
        if (!r.ok) return { ok: false, message: r.message };
        return { ok: true, revisions: r.revisions.filter((x): x is string => x !== null && x !== 'base') };
      },
    };
  }
}
