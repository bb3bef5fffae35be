// The one place where core's project model becomes what goes over the wire: the `alembic/projects`
// entry, the `alembic/revisionGraph` result and its nodes, and the revision records of
// `alembic-lint graph --json` (whose field names are public, and which are made from the same facts).
// Results are kept and reused: a node object stays the same while its revision, file and finding summary
// read the same, and a whole result while none of its parts changed, so callers can tell by identity
// whether something changed (shared objects: callers must not change them).
import type { RevisionFile, RevisionGraph, RevisionNode } from '../core/graph/types';
import type { ProjectModel } from '../core/project/model';
import type { Finding, Range } from '../core/types';
import type { ProjectInfo, ReleaseInfo, RevisionGraphResult, RevisionInfo, Severity } from '../../../common/protocol';
import { redactUrl } from '../../../common/redact';
import { fileUri } from './positions';

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, information: 2, hint: 3 };

/** What a kept wire node was made of, to tell whether it can be handed out again. */
interface NodeEntry {
  from: RevisionNode;
  file: RevisionFile;
  children: string[];
  dependents: string[];
  labels: string[];
  flags: number;
  /** The release as the node says it (`releaseKey`). */
  release: string;
  node: RevisionInfo;
}

/** One string per release state, to tell whether a kept node still says the right one. */
function releaseKey(released: ReleaseInfo | undefined, isNew: boolean | undefined): string {
  if (released) return released.kind === 'base' ? `base:${released.ref}:${released.mergeBase}` : `since:${released.since}`;
  return isNew ? 'new' : '';
}

/** One project's wire forms, kept across edits; get it with `wireOf(model)`. */
export class WireProject {
  /** By node index (a rebuild makes new nodes, which the entry's `from` tells apart). */
  private nodeCache: (NodeEntry | undefined)[] = [];
  private readonly summarized = new WeakMap<RevisionInfo, RevisionInfo>();
  private lastGraphResult: RevisionGraphResult | undefined;
  private readonly uris = new Map<string, string>();

  constructor(readonly model: ProjectModel) {}

  /** The `alembic/projects` entry. */
  info(): ProjectInfo {
    const c = this.model.config;
    const graph = this.model.graph;
    const info: ProjectInfo = {
      id: c.id,
      root: c.root,
      configFile: c.configFile,
      // A bare folder (CLI only) has no configuration file kind of its own.
      kind: c.kind === 'pyproject' ? 'pyproject' : 'ini',
      versionLocations: c.versionLocationPaths,
      problems: [...this.model.problems(), ...c.warnings],
      revisionCount: graph.nodes.size,
      heads: graph.heads,
    };
    if (c.scriptLocationPath !== undefined) info.scriptLocation = c.scriptLocationPath;
    if (c.flaskMigrate) info.flaskMigrate = true;
    if (c.workingFolder !== undefined) info.workingFolder = c.workingFolder;
    if (c.iniSection !== undefined) info.iniSection = c.iniSection;
    if (c.sqlalchemyUrl !== undefined) {
      // Never a password over the wire (the LSP trace logs every message): the client reads the ini
      // itself when it connects.
      info.sqlalchemyUrl = redactUrl(c.sqlalchemyUrl);
      if (info.sqlalchemyUrl !== c.sqlalchemyUrl) info.sqlalchemyUrlMasked = true;
    }
    if (c.fileTemplate !== undefined) info.fileTemplate = c.fileTemplate;
    if (c.versionTable !== undefined) info.versionTable = c.versionTable;
    if (c.versionTableSchema !== undefined) info.versionTableSchema = c.versionTableSchema;
    return info;
  }

  /**
   * The `alembic/revisionGraph` result: nodes in `alembic history` order with their findings summarized;
   * the same object while nothing in it changed.
   */
  revisionGraph(findings: readonly Finding[] = []): RevisionGraphResult {
    const graph = this.model.graph;
    const count = new Map<string, number>();
    const worstOf = new Map<string, Severity>();
    for (const f of findings) {
      count.set(f.path, (count.get(f.path) ?? 0) + 1);
      const w = worstOf.get(f.path);
      if (w === undefined || SEVERITY_RANK[f.severity] < SEVERITY_RANK[w]) worstOf.set(f.path, f.severity);
    }
    const nodes: RevisionInfo[] = [];
    // Nodes are the same objects until the structure changes (the history is recomputed then).
    for (const n of this.model.historyNodes()) {
      const base = this.node(graph, n);
      const c = count.get(base.path) ?? 0;
      const worst = worstOf.get(base.path);
      if (c === 0 && worst === undefined) {
        nodes.push(base);
        continue;
      }
      let node = this.summarized.get(base);
      if (!node || node.diagnosticCount !== c || node.worstSeverity !== worst) {
        node = { ...base, diagnosticCount: c };
        if (worst) node.worstSeverity = worst;
        this.summarized.set(base, node);
      }
      nodes.push(node);
    }
    if (this.nodeCache.length > graph.nodes.size) this.nodeCache.length = graph.nodes.size;
    // Nothing in it changed (the usual case after an edit inside a function body): the same result.
    const last = this.lastGraphResult;
    if (last && last.heads === graph.heads && last.bases === graph.bases && sameItems(last.nodes, nodes)) return last;
    this.lastGraphResult = { projectId: this.model.config.id, nodes, heads: graph.heads, bases: graph.bases };
    return this.lastGraphResult;
  }

  /** One revision as `alembic/revisionGraph` describes it, without a findings summary (diagnosticCount 0). */
  revisionNode(id: string): RevisionInfo | undefined {
    const graph = this.model.graph;
    const n = graph.nodes.get(id);
    return n ? this.node(graph, n) : undefined;
  }

  /** The file's `file://` URI (computed once per path). */
  uri(file: string): string {
    let u = this.uris.get(file);
    if (u === undefined) {
      u = fileUri(file);
      this.uris.set(file, u);
    }
    return u;
  }

  private node(graph: RevisionGraph, n: RevisionNode): RevisionInfo {
    // Kept while none of what it is made of changed (graph updates replace lists they change, and a
    // rebuild makes new nodes).
    const flags = (n.isHead ? 1 : 0) | (n.isBase ? 2 : 0) | (n.isMergePoint ? 4 : 0) | (n.isBranchPoint ? 8 : 0);
    const released = this.model.releaseOf(n.path);
    // Marked only where something is released: without a base or since every revision is new, and a
    // mark on every row would tell nothing.
    const state = this.model.releaseState;
    const isNew = state && (state.base || state.since) ? released === undefined : undefined;
    const release = releaseKey(released, isNew);
    const cached = this.nodeCache[n.index];
    if (cached && cached.from === n && cached.file === n.file && cached.children === n.children && cached.dependents === n.dependents &&
      cached.labels === n.branchLabels && cached.flags === flags && cached.release === release) return cached.node;
    const facts = revisionFacts(n);
    const node: RevisionInfo = {
      revision: facts.revision,
      parents: facts.downRevisions,
      children: n.children,
      dependencies: n.file.dependsOn.map((d) => graph.nodes.has(d.value) ? d.value : graph.labels.get(d.value) ?? d.value),
      dependents: n.dependents,
      branchLabels: n.branchLabels,
      isHead: n.isHead,
      isBase: n.isBase,
      isMerge: n.isMergePoint,
      isBranchPoint: n.isBranchPoint,
      uri: this.uri(n.path),
      path: facts.path,
      revisionRange: n.file.revisionRange,
      diagnosticCount: 0,
    };
    if (facts.message !== null) node.message = facts.message;
    if (facts.createDate !== null) node.createDate = facts.createDate;
    if (released) node.released = released;
    if (isNew !== undefined) node.isNew = isNew;
    // An edit elsewhere in the file: the node reads the same, keep the object (identity means unchanged).
    const kept = cached && sameWireNode(cached.node, node) ? cached.node : node;
    this.nodeCache[n.index] = { from: n, file: n.file, children: n.children, dependents: n.dependents, labels: n.branchLabels, flags, release, node: kept };
    return kept;
  }
}

const projects = new WeakMap<ProjectModel, WireProject>();

/** The model's wire forms (one per model, so that what it keeps survives between calls). */
export function wireOf(model: ProjectModel): WireProject {
  let w = projects.get(model);
  if (!w) {
    w = new WireProject(model);
    projects.set(model, w);
  }
  return w;
}

/**
 * A revision as its file declares it: `alembic-lint graph --json` prints these fields (public names),
 * and the wire node is made from the same ones.
 */
export interface RevisionFacts {
  revision: string;
  /** `down_revision`, in the order written. */
  downRevisions: string[];
  /** `depends_on`, as written (ids, prefixes or labels). */
  dependsOn: string[];
  /** `branch_labels` of this file only (the graph adds inherited ones). */
  branchLabels: string[];
  path: string;
  message: string | null;
  createDate: string | null;
}

export function revisionFacts(n: RevisionNode): RevisionFacts {
  const doc = n.file.migration.docstring;
  return {
    revision: n.revision,
    downRevisions: n.file.downRevisions.map((d) => d.value),
    dependsOn: n.file.dependsOn.map((d) => d.value),
    branchLabels: n.ownBranchLabels,
    path: n.path,
    message: doc?.message ?? null,
    createDate: doc?.createDate ?? null,
  };
}

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameRange(a: Range, b: Range): boolean {
  return a === b || (a.start.line === b.start.line && a.start.character === b.start.character &&
    a.end.line === b.end.line && a.end.character === b.end.character);
}

/** Field by field (lists by value): whether two wire nodes would serialize the same. */
function sameWireNode(a: RevisionInfo, b: RevisionInfo): boolean {
  const list = (x: readonly string[], y: readonly string[]): boolean => x === y || (x.length === y.length && x.every((v, i) => v === y[i]));
  return a.revision === b.revision && a.path === b.path && a.uri === b.uri && a.isHead === b.isHead && a.isBase === b.isBase &&
    a.isMerge === b.isMerge && a.isBranchPoint === b.isBranchPoint && a.message === b.message && a.createDate === b.createDate &&
    a.diagnosticCount === b.diagnosticCount && a.worstSeverity === b.worstSeverity && a.isNew === b.isNew &&
    releaseKey(a.released, a.isNew) === releaseKey(b.released, b.isNew) && sameRange(a.revisionRange, b.revisionRange) &&
    list(a.parents, b.parents) && list(a.children, b.children) && list(a.dependencies, b.dependencies) &&
    list(a.dependents, b.dependents) && list(a.branchLabels, b.branchLabels);
}
