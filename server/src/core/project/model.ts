// One Alembic project's live state: its files (text + parsed migration), the revision graph built from
// them, and the rule findings. Built for editing: `setFile` re-parses one file, the graph is rebuilt
// lazily from cached per-file facts, and file-rule findings are cached per file.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RuleSeverityMap } from '../config/severities';
import { buildRevisionGraph, readRevisionFile, replaceFileFacts, sameGraphFacts } from '../graph/build';
import { historyOrder } from '../graph/history';
import type { RevisionFile, RevisionGraph } from '../graph/types';
import { parseMigration } from '../parse';
import { allRules } from '../rules';
import type { Rule } from '../rules/rule';
import { runFileRules, runGraphRules } from '../rules/runner';
import type { Finding, Migration, Severity } from '../types';
import type { ProjectInfo, RevisionGraphResult, RevisionNode as ProtocolNode } from '../../protocol';
import type { ProjectConfig } from './discover';
import type { FileSystem } from './fs';
import { isInVersionLocations, listRevisionFiles } from './locations';

export interface ProjectFile {
  path: string;
  text: string;
  migration: Migration;
  revisionFile: RevisionFile;
}

export interface ProjectModelOptions {
  parse?: (text: string) => Migration;
  rules?: readonly Rule[];
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, information: 2, hint: 3 };

export class ProjectModel {
  private readonly files = new Map<string, ProjectFile>();
  private ordered: string[] | undefined;
  private graphCache: RevisionGraph | undefined;
  private graphFindingsCache: { graph: RevisionGraph; severities: RuleSeverityMap | undefined; findings: Finding[] } | undefined;
  private readonly fileFindingsCache = new Map<string, { migration: Migration; severities: RuleSeverityMap | undefined; findings: Finding[] }>();
  private readonly parse: (text: string) => Migration;
  readonly rules: readonly Rule[];

  constructor(readonly config: ProjectConfig, opts: ProjectModelOptions = {}) {
    this.parse = opts.parse ?? parseMigration;
    this.rules = opts.rules ?? allRules;
  }

  /** Reads every file Alembic would load for this project. */
  static async load(fs: FileSystem, config: ProjectConfig, opts: ProjectModelOptions = {}): Promise<ProjectModel> {
    const model = new ProjectModel(config, opts);
    const paths = await listRevisionFiles(fs, config.versionLocationPaths, config.recursiveVersionLocations);
    const texts = await Promise.all(paths.map((p) => fs.readFile(p)));
    paths.forEach((p, i) => {
      const text = texts[i];
      if (text !== undefined) model.setFile(p, text);
    });
    return model;
  }

  /** Whether Alembic would load `file` for this project. */
  owns(file: string): boolean {
    return isInVersionLocations(file, this.config.versionLocationPaths, this.config.recursiveVersionLocations);
  }

  /** Adds or replaces a file (re-parsing it). Returns false when the file is not one of this project's. */
  setFile(file: string, text: string): boolean {
    if (!this.owns(file)) return false;
    const existing = this.files.get(file);
    if (existing && existing.text === text) return true;
    const migration = this.parse(text);
    const revisionFile = readRevisionFile({ path: file, migration });
    this.files.set(file, { path: file, text, migration, revisionFile });
    if (!existing) this.ordered = undefined;
    // Most edits leave ids and edges alone: swap the file into the graph instead of rebuilding it.
    if (existing && this.graphCache && sameGraphFacts(existing.revisionFile, revisionFile)) {
      this.graphCache = replaceFileFacts(this.graphCache, existing.revisionFile, revisionFile);
    } else {
      this.graphCache = undefined;
    }
    return true;
  }

  removeFile(file: string): boolean {
    if (!this.files.delete(file)) return false;
    this.ordered = undefined;
    this.graphCache = undefined;
    this.fileFindingsCache.delete(file);
    return true;
  }

  getFile(file: string): ProjectFile | undefined {
    return this.files.get(file);
  }

  /** Paths in Alembic's load order. */
  paths(): string[] {
    if (!this.ordered) {
      const keys = new Map([...this.files.keys()].map((p) => [p, this.loadOrderKey(p)]));
      this.ordered = [...keys.keys()].sort((a, b) => {
        const ka = keys.get(a) ?? '';
        const kb = keys.get(b) ?? '';
        return ka < kb ? -1 : ka > kb ? 1 : 0;
      });
    }
    return this.ordered;
  }

  get graph(): RevisionGraph {
    this.graphCache ??= buildRevisionGraph(this.paths().flatMap((p) => this.files.get(p)?.revisionFile ?? []));
    return this.graphCache;
  }

  /** Every finding of every rule: graph rules, then file rules per file in load order. */
  findings(severities?: RuleSeverityMap): Finding[] {
    const out = [...this.graphFindings(severities)];
    for (const p of this.paths()) out.push(...this.fileFindings(p, severities));
    return out;
  }

  /** Findings of the graph rules (cached until the graph or the severities change). */
  graphFindings(severities?: RuleSeverityMap): Finding[] {
    const graph = this.graph;
    if (!this.graphFindingsCache || this.graphFindingsCache.graph !== graph || this.graphFindingsCache.severities !== severities) {
      this.graphFindingsCache = { graph, severities, findings: runGraphRules(this.rules, graph, this.config, severities) };
    }
    return this.graphFindingsCache.findings;
  }

  /**
   * Findings of the file rules for one file (cached until the file changes). File rules see the graph,
   * but are re-run only when their own file changes: facts from other files belong in graph rules.
   */
  fileFindings(file: string, severities?: RuleSeverityMap): Finding[] {
    const f = this.files.get(file);
    if (!f) return [];
    let cached = this.fileFindingsCache.get(file);
    if (!cached || cached.migration !== f.migration || cached.severities !== severities) {
      cached = { migration: f.migration, severities, findings: runFileRules(this.rules, f, this.graph, this.config, severities) };
      this.fileFindingsCache.set(file, cached);
    }
    return cached.findings;
  }

  /** The `alembic/projects` entry. */
  info(): ProjectInfo {
    const c = this.config;
    const info: ProjectInfo = {
      id: c.id,
      root: c.root,
      configFile: c.configFile,
      // A bare folder (CLI only) has no configuration file kind of its own.
      kind: c.kind === 'pyproject' ? 'pyproject' : 'ini',
      versionLocations: c.versionLocationPaths,
      problems: c.problems,
      revisionCount: this.graph.nodes.size,
      heads: this.graph.heads,
    };
    if (c.scriptLocationPath !== undefined) info.scriptLocation = c.scriptLocationPath;
    if (c.sqlalchemyUrl !== undefined) info.sqlalchemyUrl = c.sqlalchemyUrl;
    if (c.fileTemplate !== undefined) info.fileTemplate = c.fileTemplate;
    if (c.versionTable !== undefined) info.versionTable = c.versionTable;
    if (c.versionTableSchema !== undefined) info.versionTableSchema = c.versionTableSchema;
    return info;
  }

  /** The `alembic/revisionGraph` result: nodes in `alembic history` order with their findings summarized. */
  revisionGraph(findings: readonly Finding[] = []): RevisionGraphResult {
    const graph = this.graph;
    const byPath = new Map<string, Finding[]>();
    for (const f of findings) {
      const list = byPath.get(f.path) ?? [];
      list.push(f);
      byPath.set(f.path, list);
    }
    const nodes: ProtocolNode[] = [];
    for (const id of historyOrder(graph)) {
      const n = graph.nodes.get(id);
      if (!n) continue;
      const own = byPath.get(n.path) ?? [];
      const doc = n.file.migration.docstring;
      const node: ProtocolNode = {
        revision: n.revision,
        parents: n.file.downRevisions.map((d) => d.value),
        children: n.children,
        dependencies: n.file.dependsOn.map((d) => graph.nodes.has(d.value) ? d.value : graph.labels.get(d.value) ?? d.value),
        dependents: n.dependents,
        branchLabels: n.branchLabels,
        isHead: n.isHead,
        isBase: n.isBase,
        isMerge: n.isMergePoint,
        isBranchPoint: n.isBranchPoint,
        uri: pathToFileURL(n.path).href,
        path: n.path,
        revisionRange: n.file.revisionRange,
        diagnosticCount: own.length,
      };
      if (doc?.message !== undefined) node.message = doc.message;
      if (doc?.createDate !== undefined) node.createDate = doc.createDate;
      const worst = own.reduce<Severity | undefined>((w, f) => (w === undefined || SEVERITY_RANK[f.severity] < SEVERITY_RANK[w] ? f.severity : w), undefined);
      if (worst) node.worstSeverity = worst;
      nodes.push(node);
    }
    return { projectId: this.config.id, nodes, heads: graph.heads, bases: graph.bases };
  }

  /**
   * Alembic's load order as a sortable key: version locations in configuration order; inside one, a
   * folder's files by name before its subfolders (by name), depth first.
   */
  private loadOrderKey(file: string): string {
    const locs = this.config.versionLocationPaths;
    const dir = path.dirname(file);
    let best = -1;
    locs.forEach((l, i) => {
      if ((dir === l || dir.startsWith(l + path.sep)) && (best < 0 || l.length > (locs[best] ?? '').length)) best = i;
    });
    const base = locs[best];
    const segs = (base === undefined ? path.basename(file) : file.slice(base.length + 1)).split(path.sep);
    // \u0001 before a file name and \u0002 before a folder name put files first at every level.
    return `${String(best + 1).padStart(4, '0')}${segs.map((s, i) => `${i === segs.length - 1 ? '\u0001' : '\u0002'}${s}\u0000`).join('')}`;
  }
}
