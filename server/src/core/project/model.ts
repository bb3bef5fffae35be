// One Alembic project's live state: its files (text + parsed migration), the revision graph built from
// them, and the rule findings. Built for editing: `setFile` re-parses one file and updates the graph in
// place (a body edit swaps the file in, an edge edit moves that node's edges; anything else rebuilds
// lazily), file-rule findings are cached per file, and what is derived from the whole project (findings
// by path, history order) is updated for what changed instead of recomputed. What the editor and the CLI
// are sent is made from it by server/src/lsp/wire.ts.
import path from 'node:path';
import type { RuleSeverityMap } from '../config/severities';
import { buildRevisionGraph, readRevisionFile, replaceFileFacts, sameGraphFacts } from '../graph/build';
import { dialectOfMigrations } from '../facts/dialectEvidence';
import { mayRunSql } from '../facts/sqlParser';
import { historyOrder } from '../graph/history';
import { updateFileEdges } from '../graph/update';
import type { RevisionFile, RevisionGraph, RevisionNode } from '../graph/types';
import { headerOf, parseMigration, parseMigrationHeader } from '../parse';
import { allRules } from '../rules';
import type { Rule } from '../rules/rule';
import { runFileRules, runGraphRules } from '../rules/runner';
import { type ProjectRelease, type ReleaseReason, releasedSince } from '../release/release';
import type { Finding, Migration } from '../types';
import { type Effect, RecordedSchemaAt, revisionEffects, SchemaReplay } from '../schema';
import type { ProjectConfig } from './discover';
import { type FileSystem, type FileText, readAllFiles } from './fs';
import { isInVersionLocations, scanVersionLocations } from './locations';

/**
 * One migration file. The graph is built from its module-level facts (`header`, a cheap parse that keeps
 * little memory); the full parse (calls and arguments of every function) is made when something asks
 * for `migration`, and kept with the file from then on. File rules parse the file in full for their
 * run without keeping it, so that indexing a large project does not hold every call of every file.
 */
export class ProjectFile {
  private full: Migration | undefined;

  constructor(
    readonly path: string,
    readonly text: string,
    /** Module-level facts only (revision variables, docstring header, comments). */
    readonly header: Migration,
    readonly revisionFile: RevisionFile,
    private readonly parseFull: (text: string) => Migration,
  ) {
    // A parser that reads everything anyway (tests pass one) gives the full facts at once.
    if (!header.headerOnly) this.full = header;
  }

  /** The full parse (made on first use, then kept). */
  get migration(): Migration {
    this.full ??= this.parseFull(this.text);
    return this.full;
  }

  private sql: boolean | undefined;

  /** The text may run SQL (`op.execute(`, `exec_driver_sql(`): whether PostgreSQL's parser is worth loading. */
  get mayRunSql(): boolean {
    this.sql ??= mayRunSql(this.text);
    return this.sql;
  }

  /** A full parse made before the file's rules run (a full check's load, an edit's effects comparison), for that run to take. */
  private lent: Migration | undefined;

  lend(migration: Migration): void {
    this.lent = migration;
  }

  /** The parse the next rules run will take (the kept one, or one made now and lent to that run). */
  lentMigration(): Migration {
    return this.full ?? (this.lent ??= this.parseFull(this.text));
  }

  /** The full parse when one is kept, else the lent one or a fresh one, which is not kept. */
  transientMigration(): Migration {
    if (this.full) return this.full;
    const migration = this.lent ?? this.parseFull(this.text);
    this.lent = undefined;
    return migration;
  }
}

/** A project's migration files as read: the paths, their texts (or problems) in the same order, and the links Alembic does not follow. */
export interface ReadFiles {
  files: readonly string[];
  folderLinks: readonly string[];
  texts: readonly FileText[];
}

export interface ProjectModelOptions {
  /** The full parse (default parseMigration). */
  parse?: (text: string) => Migration;
  /** The module-level parse the graph is built from (default parseMigrationHeader; `parse` when only that is given). */
  parseHeader?: (text: string) => Migration;
  rules?: readonly Rule[];
}

/** Most files have no findings: one shared frozen empty list (lists handed out are read-only). */
const NO_FINDINGS = Object.freeze([]) as unknown as Finding[];

interface ByPath {
  severities: RuleSeverityMap | undefined;
  paths: string[];
  graphFindings: Finding[];
  map: ReadonlyMap<string, readonly Finding[]>;
}


export class ProjectModel {
  private readonly files = new Map<string, ProjectFile>();
  private readonly orderKeys = new Map<string, string>();
  private ordered: string[] | undefined;
  private graphCache: RevisionGraph | undefined;
  /** Goes up whenever the graph's ids or edges change (not when only a file's other facts do). */
  private structure = 0;
  private historyCache: { structure: number; order: string[]; nodes: RevisionNode[] } | undefined;
  private byPath: ByPath | undefined;
  /** Files whose findings may have changed since `byPath` was made. */
  private readonly changedFiles = new Set<string>();
  /** Files `byPath` holds without their file findings (an `onlyKnown` call). */
  private readonly incomplete = new Set<string>();
  private graphFindingsCache: { graph: RevisionGraph; severities: RuleSeverityMap | undefined; findings: Finding[] } | undefined;
  private readonly fileFindingsCache = new Map<string, { file: ProjectFile; severities: RuleSeverityMap | undefined; findings: Finding[]; schema?: RecordedSchemaAt }>();
  /** The static schema model (core/schema), replayed when a file rule first asks. */
  private readonly schemaReplay = new SchemaReplay(() => ({ graph: this.graph, effectsOf: (n) => this.effectsOf(n.path) }));
  /** Each file's upgrade effects, kept with the file (made from the parse its rules ran on, or on demand). */
  private readonly effectsCache = new WeakMap<ProjectFile, readonly Effect[]>();
  /** Files whose cached findings depend on answers of the schema model. */
  private readonly schemaAsked = new Set<string>();
  /** Of those, the files whose answers may have changed since (an earlier revision was edited). */
  private readonly schemaStale = new Set<string>();
  private replayOrderCache: { structure: number; paths: string[] } | undefined;
  private release: ProjectRelease | undefined;
  /** The `since` revision's ancestors for one graph (made again when the graph changes). */
  private sinceCache: { graph: RevisionGraph; since: string; ids: ReadonlySet<string>; problem?: string } | undefined;
  private readonly parse: (text: string) => Migration;
  private readonly parseHeader: (text: string) => Migration;
  /** While `fromFiles` reads with `parseAllInFull`: files are parsed in full from the start. */
  private parseAllInFull = false;
  /** What is wrong with migration files as read from disk (unreadable, not UTF-8, too large), by path. */
  private readonly fileProblems = new Map<string, string>();
  /** Links to folders inside the version locations: Alembic does not descend into them. */
  private folderLinks: readonly string[] = [];
  readonly rules: readonly Rule[];

  constructor(readonly config: ProjectConfig, opts: ProjectModelOptions = {}) {
    this.parse = opts.parse ?? parseMigration;
    this.parseHeader = opts.parseHeader ?? opts.parse ?? parseMigrationHeader;
    this.rules = opts.rules ?? allRules;
  }

  /** Reads every file Alembic would load for this project; what cannot be read is in `problems()`. */
  static async load(fs: FileSystem, config: ProjectConfig, opts: ProjectModelOptions = {}): Promise<ProjectModel> {
    const listing = await scanVersionLocations(fs, config.versionLocationPaths, config.recursiveVersionLocations);
    const texts = await readAllFiles(fs, listing.files);
    return ProjectModel.fromFiles(config, { files: listing.files, folderLinks: listing.folderLinks, texts }, opts);
  }

  /**
   * The model of files already read (`load` reads them; the CLI reads them itself, to ask git about
   * them while they are parsed).
   */
  static fromFiles(config: ProjectConfig, read: ReadFiles, opts: ProjectModelOptions & { parseAllInFull?: boolean } = {}): ProjectModel {
    const model = new ProjectModel(config, opts);
    model.folderLinks = read.folderLinks;
    model.addFilesRead(read, 0, read.files.length, opts.parseAllInFull ?? false);
    model.readDialectEvidence();
    return model;
  }

  /**
   * `fromFiles` with a pause every `slice` files: a caller running other work beside the parse (the
   * CLI's git commands, each started when the one before answers) lets it go on instead of waiting
   * for the whole parse. The model is the same.
   */
  static async fromFilesInSlices(
    config: ProjectConfig, read: ReadFiles,
    opts: ProjectModelOptions & { parseAllInFull?: boolean; pause: () => Promise<void>; slice?: number },
  ): Promise<ProjectModel> {
    const model = new ProjectModel(config, opts);
    model.folderLinks = read.folderLinks;
    const slice = Math.max(1, opts.slice ?? 250);
    for (let from = 0; from < read.files.length; from += slice) {
      if (from > 0) await opts.pause();
      model.addFilesRead(read, from, Math.min(read.files.length, from + slice), opts.parseAllInFull ?? false);
    }
    model.readDialectEvidence();
    return model;
  }

  /** Files `from` to `to` (excluded) of a read, in order. */
  private addFilesRead(read: ReadFiles, from: number, to: number, parseAllInFull: boolean): void {
    // When every file's rules will run anyway, each file is parsed in full at once, not twice (header, then full).
    this.parseAllInFull = parseAllInFull;
    for (let i = from; i < to; i++) this.setFileFromDisk(read.files[i] ?? '', read.texts[i] ?? {});
    this.parseAllInFull = false;
  }

  /** The weakest evidence of the dialect, read only when nothing stronger said (core/facts/dialectEvidence.ts). */
  private readDialectEvidence(): void {
    const config = this.config;
    if (config.dialect === undefined) {
      const found = dialectOfMigrations([...this.files.values()].map((f) => ({ path: path.relative(config.root, f.path), text: f.text })));
      if (found) {
        config.dialect = found.dialect;
        config.dialectSource = found.source;
      }
    }
  }

  /** Whether Alembic would load `file` for this project. */
  owns(file: string): boolean {
    if (!isInVersionLocations(file, this.config.versionLocationPaths, this.config.recursiveVersionLocations)) return false;
    // A path through a linked folder names a file Alembic does not see there (it may see it elsewhere).
    return this.folderLinks.length === 0 || !this.folderLinks.some((link) => file.startsWith(link + path.sep));
  }

  /**
   * A file as read from disk (`readAllFiles`): its text goes in (a text with a problem too: a file
   * that is not valid UTF-8 still defines its revision), a file that could not be read goes out,
   * and the problem, if any, is kept for `problems()`. Returns false when the file is not one of
   * this project's.
   */
  setFileFromDisk(file: string, read: FileText): boolean {
    if (!this.owns(file)) return false;
    if (read.problem !== undefined) this.fileProblems.set(file, read.problem);
    else this.fileProblems.delete(file);
    if (read.text !== undefined) this.setOwnedFile(file, read.text);
    else this.removeFile(file, { keepProblem: true });
    return true;
  }

  /**
   * Everything wrong with the project that is not a rule's finding: its configuration's problems,
   * then the migration files that could not be read as Alembic reads them (each `path: what`).
   */
  problems(): string[] {
    if (this.fileProblems.size === 0) return this.config.problems;
    const files = [...this.fileProblems].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return [...this.config.problems, ...files.map(([p, problem]) => `${p}: ${problem}`)];
  }

  /** Adds or replaces a file (re-parsing it). Returns false when the file is not one of this project's. */
  setFile(file: string, text: string): boolean {
    if (!this.owns(file)) return false;
    this.setOwnedFile(file, text);
    return true;
  }

  /** setFile of a file `owns` said yes to (a load asks once per file, not twice). */
  private setOwnedFile(file: string, text: string): void {
    const existing = this.files.get(file);
    if (existing && existing.text === text) return;
    // Parsing every file in full at once (a full check): the full parse is lent to the file's rules
    // run, not kept, so that it and the facts read from it die after the file's rules ran.
    const full = this.parseAllInFull ? this.parse(text) : undefined;
    const header = full ? headerOf(full) : this.parseHeader(text);
    const revisionFile = readRevisionFile({ path: file, migration: header });
    const created = new ProjectFile(file, text, header, revisionFile, this.parse);
    if (full) created.lend(full);
    this.files.set(file, created);
    this.changedFiles.add(file);
    const sameGraph = existing !== undefined && sameGraphFacts(existing.revisionFile, revisionFile);
    /** A revision that keeps its id and gets new edges: only its states and its descendants' change. */
    let edgesEdited: string | undefined;
    if (existing && this.graphCache && sameGraph) {
      // A body edit. Most change nothing the schema model reads (a comment, a data statement, a
      // message): then every later state stands, and re-replaying them would cost each keystroke
      // ~40 µs a revision to the head. Nothing to compare when no replay read the old effects.
      const before = this.effectsCache.get(existing);
      if (before !== undefined) {
        // The parse the comparison needs is the one the file's rules run on next: one parse per keystroke.
        if (!sameEffects(before, this.effectsOf(file, created.lentMigration()))) this.schemaChanged(existing.revisionFile.revision);
      }
    } else if (existing && this.graphCache && existing.revisionFile.revision !== undefined && existing.revisionFile.revision === revisionFile.revision) {
      // New down_revision or depends_on: what followed it in the old graph (here), and what follows it
      // in the new one (below, once the graph has its new edges).
      edgesEdited = existing.revisionFile.revision;
      this.schemaChanged(edgesEdited);
    } else {
      this.schemaChanged(undefined);
    }
    if (!existing) {
      this.ordered = undefined;
      this.orderKeys.set(file, this.loadOrderKey(file));
      this.graphCache = undefined;
    } else if (this.graphCache) {
      if (sameGraph) {
        // Most edits leave ids and edges alone: swap the file into the graph.
        this.graphCache = replaceFileFacts(this.graphCache, existing.revisionFile, revisionFile);
      } else {
        // A new down_revision or depends_on: move that node's edges (undefined: rebuild when asked).
        this.graphCache = updateFileEdges(this.graphCache, existing.revisionFile, revisionFile);
        this.structure++;
      }
    }
    if (edgesEdited !== undefined) {
      if (this.graphCache) {
        this.schemaReplay.edgesChanged();
        this.schemaChanged(edgesEdited);
      } else {
        this.schemaChanged(undefined);
      }
    }
  }

  /** Some file may run SQL: the host loads PostgreSQL's parser before the file rules run (core/facts/sqlParser.ts). */
  mayRunSql(): boolean {
    for (const f of this.files.values()) if (f.mayRunSql) return true;
    return false;
  }

  /**
   * PostgreSQL's parser was installed after these files' rules ran (an edit brought the first SQL): the
   * files that may run SQL get a fresh parse and their findings are computed again. Returns their paths.
   */
  refreshSqlFiles(): string[] {
    const out: string[] = [];
    for (const [p, f] of this.files) {
      if (!f.mayRunSql) continue;
      this.files.set(p, new ProjectFile(p, f.text, f.header, f.revisionFile, this.parse));
      this.fileFindingsCache.delete(p);
      this.changedFiles.add(p);
      out.push(p);
    }
    return out;
  }

  removeFile(file: string, opts: { keepProblem?: boolean } = {}): boolean {
    if (!opts.keepProblem) this.fileProblems.delete(file);
    if (!this.files.delete(file)) return false;
    this.orderKeys.delete(file);
    this.ordered = undefined;
    this.graphCache = undefined;
    this.fileFindingsCache.delete(file);
    this.changedFiles.add(file);
    this.schemaChanged(undefined);
    return true;
  }

  /**
   * The schema model after an edit: a body edit of `revision` drops the states from it on, anything
   * else (edges, files added or removed) every state. Files whose findings rest on model answers are
   * looked at again (their rules re-run only when an answer changed).
   */
  private schemaChanged(revision: string | undefined): void {
    if (revision === undefined) {
      this.schemaReplay.reset();
      for (const p of this.schemaAsked) this.markSchemaStale(p);
      return;
    }
    const after = this.schemaReplay.invalidate(revision);
    for (const p of this.schemaAsked) {
      const id = this.files.get(p)?.revisionFile.revision;
      if (id !== undefined && after.has(id)) this.markSchemaStale(p);
    }
  }

  private markSchemaStale(file: string): void {
    this.schemaStale.add(file);
    this.changedFiles.add(file);
  }

  /** The upgrade effects of a file of this project (computed once per file version). */
  private effectsOf(file: string, migration?: Migration): readonly Effect[] | undefined {
    const f = this.files.get(file);
    if (!f) return undefined;
    let effects = this.effectsCache.get(f);
    if (!effects) {
      effects = revisionEffects(migration ?? f.transientMigration(), this.config.dialect ?? 'postgresql');
      this.effectsCache.set(f, effects);
    }
    return effects;
  }

  /** The model's view at a file's revision, recording what rules ask; undefined when the file is not its revision's node. */
  private schemaAt(f: ProjectFile): RecordedSchemaAt | undefined {
    const id = f.revisionFile.revision;
    if (id === undefined || this.graph.nodes.get(id)?.path !== f.path) return undefined;
    const isNew = this.release ? (rev: string) => {
      const p = this.graph.nodes.get(rev)?.path;
      return p !== undefined && this.releaseOf(p) === undefined;
    } : undefined;
    return new RecordedSchemaAt(id, this.schemaReplay, isNew);
  }

  /** The schema replay of this project (the bench and tests read its counters). */
  get schema(): SchemaReplay {
    return this.schemaReplay;
  }

  /**
   * Which revisions are released, and whether file rules skip them (server/src/git finds it, after the
   * graph's first findings are out). Every file's findings may change with it.
   */
  setRelease(release: ProjectRelease | undefined): void {
    this.release = release;
    this.sinceCache = undefined;
    this.graphFindingsCache = undefined;
    // Which tables were created in this deploy depends on what is released.
    for (const p of this.schemaAsked) this.schemaStale.add(p);
    for (const p of this.files.keys()) this.changedFiles.add(p);
  }

  get releaseState(): ProjectRelease | undefined {
    return this.release;
  }

  /** Why the file's revision is released, or undefined when it is new (or nothing is known). */
  releaseOf(file: string): ReleaseReason | undefined {
    const f = this.files.get(file);
    const release = this.release;
    if (!f || !release) return undefined;
    const base = release.base;
    // Compared by text: an edit since git was read makes the file new at once.
    if (base && base.unchanged.get(file) === f.text) return { kind: 'base', ref: base.ref, mergeBase: base.mergeBase };
    const id = f.revisionFile.revision;
    if (release.since && id !== undefined && this.sinceIds().ids.has(id)) return { kind: 'since', since: release.since };
    return undefined;
  }

  /** Why `since` names no revision, when it does not. */
  get sinceProblem(): string | undefined {
    return this.release?.since ? this.sinceIds().problem : undefined;
  }

  private sinceIds(): { ids: ReadonlySet<string>; problem?: string } {
    const since = this.release?.since ?? '';
    const graph = this.graph;
    const cached = this.sinceCache;
    if (cached && cached.graph === graph && cached.since === since) return cached;
    const found = since ? releasedSince(graph, since) : { ids: new Set<string>() };
    const next = 'ids' in found ? { graph, since, ids: found.ids } : { graph, since, ids: new Set<string>(), problem: found.problem };
    // An edit that moves the since revision's ancestry changes which files are released.
    if (cached && cached.since === since && !sameSet(cached.ids, next.ids)) for (const p of this.files.keys()) this.changedFiles.add(p);
    this.sinceCache = next;
    return next;
  }

  /** Whether file rules leave the file alone: released, with scope `new`. */
  private skipsFileRules(file: string): boolean {
    return this.release?.scope === 'new' && this.releaseOf(file) !== undefined;
  }

  getFile(file: string): ProjectFile | undefined {
    return this.files.get(file);
  }

  /** Paths in Alembic's load order. */
  paths(): string[] {
    if (!this.ordered) {
      const paths = [...this.files.keys()];
      const keys = paths.map((p) => this.orderKeys.get(p) ?? '');
      // Files usually arrive in load order (the listing is in that order): check before sorting.
      let sorted = true;
      for (let i = 1; i < keys.length && sorted; i++) sorted = (keys[i - 1] ?? '') <= (keys[i] ?? '');
      if (!sorted) {
        const order = paths.map((_, i) => i).sort((a, b) => {
          const ka = keys[a] ?? '';
          const kb = keys[b] ?? '';
          return ka < kb ? -1 : ka > kb ? 1 : 0;
        });
        this.ordered = order.map((i) => paths[i] ?? '');
      } else {
        this.ordered = paths;
      }
    }
    return this.ordered;
  }

  get graph(): RevisionGraph {
    if (!this.graphCache) {
      const files: RevisionFile[] = [];
      for (const p of this.paths()) {
        const f = this.files.get(p);
        if (f) files.push(f.revisionFile);
      }
      this.graphCache = buildRevisionGraph(files);
      this.structure++;
    }
    return this.graphCache;
  }

  /** A number that changes whenever the graph's ids or edges change (not on other edits). */
  get structureVersion(): number {
    void this.graph;
    return this.structure;
  }

  /** Revision ids in `alembic history` order (kept until the graph's ids or edges change). */
  historyOrder(): string[] {
    const graph = this.graph;
    return this.history(graph).order;
  }

  /** The graph's nodes in `alembic history` order (the same array until the graph's ids or edges change). */
  historyNodes(): RevisionNode[] {
    return this.history(this.graph).nodes;
  }

  private history(graph: RevisionGraph): { order: string[]; nodes: RevisionNode[] } {
    if (this.historyCache?.structure !== this.structure) {
      const order = historyOrder(graph);
      const nodes: RevisionNode[] = [];
      for (const id of order) {
        const n = graph.nodes.get(id);
        if (n) nodes.push(n);
      }
      this.historyCache = { structure: this.structure, order, nodes };
    }
    return this.historyCache;
  }

  /** Every finding of every rule: graph rules, then file rules per file in load order. */
  findings(severities?: RuleSeverityMap): Finding[] {
    this.warmFileFindings(severities);
    const out = [...this.graphFindings(severities)];
    for (const p of this.paths()) out.push(...this.fileFindings(p, severities));
    return out;
  }

  /**
   * Every finding by path, with an entry (possibly empty) for each file in load order; each file's
   * list holds its graph findings, then its file findings. The same map comes back until a finding
   * changes; a changed result is a new map (maps handed out are never changed), built by redoing
   * only the files edited and the files graph findings left or reached. With `onlyKnown`, files whose
   * file findings are not computed yet get their graph findings only (see `computeFileFindings`).
   */
  findingsByPath(severities?: RuleSeverityMap, opts: { onlyKnown?: boolean } = {}): ReadonlyMap<string, readonly Finding[]> {
    const graphFindings = this.graphFindings(severities);
    const paths = this.paths();
    if (this.release?.since) this.sinceIds();
    // Files given without their file findings last time are redone now (they may be known by now).
    for (const p of this.incomplete) this.changedFiles.add(p);
    this.incomplete.clear();
    const fileFindings = (p: string): Finding[] => {
      if (opts.onlyKnown && !this.hasFileFindings(p, severities)) {
        this.incomplete.add(p);
        return NO_FINDINGS;
      }
      return this.fileFindings(p, severities);
    };
    const prev = this.byPath;
    if (prev && prev.severities === severities && prev.paths === paths) {
      if (prev.graphFindings === graphFindings && this.changedFiles.size === 0) return prev.map;
      const redo = new Set(this.changedFiles);
      if (prev.graphFindings !== graphFindings) {
        for (const f of prev.graphFindings) redo.add(f.path);
        for (const f of graphFindings) redo.add(f.path);
      }
      this.changedFiles.clear();
      // Files whose schema answers may have changed, in replay order: each replays from the last.
      if (this.schemaStale.size > 0) for (const p of this.replayOrderPaths()) if (redo.has(p) && this.schemaStale.has(p)) fileFindings(p);
      const map = new Map(prev.map);
      const byFile = groupByPath(graphFindings, redo);
      for (const p of redo) {
        const own = byFile.get(p);
        if (!this.files.has(p) && !own) {
          map.delete(p);
          continue;
        }
        const ownFindings = fileFindings(p);
        map.set(p, own ? (ownFindings.length > 0 ? [...own, ...ownFindings] : own) : ownFindings);
      }
      this.byPath = { severities, paths, graphFindings, map };
      return map;
    }
    this.changedFiles.clear();
    if (!opts.onlyKnown) this.warmFileFindings(severities);
    const map = new Map<string, readonly Finding[]>();
    const byFile = groupByPath(graphFindings);
    for (const p of paths) {
      const own = byFile.get(p);
      const ownFindings = fileFindings(p);
      map.set(p, own ? (ownFindings.length > 0 ? [...own, ...ownFindings] : own) : ownFindings);
    }
    // A graph finding about a path the project does not hold (never expected): keep it visible.
    for (const [p, own] of byFile) if (!map.has(p)) map.set(p, own);
    this.byPath = { severities, paths, graphFindings, map };
    return map;
  }

  /** Findings of the graph rules (cached until the graph or the severities change). */
  graphFindings(severities?: RuleSeverityMap): Finding[] {
    const graph = this.graph;
    if (!this.graphFindingsCache || this.graphFindingsCache.graph !== graph || this.graphFindingsCache.severities !== severities) {
      const release = this.release ? { state: this.release, reasonOf: (p: string) => this.releaseOf(p), textOf: (p: string) => this.files.get(p)?.text } : undefined;
      this.graphFindingsCache = { graph, severities, findings: runGraphRules(this.rules, graph, this.config, severities, release) };
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
    if (this.skipsFileRules(file)) return NO_FINDINGS;
    let cached = this.fileFindingsCache.get(file);
    if (this.schemaStale.delete(file) && cached && cached.file === f && cached.severities === severities && cached.schema) {
      // An earlier revision changed: the findings stand if every answer the rules got is still the same.
      const now = this.schemaAt(f);
      if (!now || !cached.schema.sameAnswersAs(now)) cached = undefined;
    }
    if (!cached || cached.file !== f || cached.severities !== severities) {
      // The full parse lives for this run only (unless something keeps it): rule facts go with it.
      const input = { path: f.path, text: f.text, migration: f.transientMigration() };
      // The effects come from the same parse, so replaying the model later need not parse the file again.
      this.effectsOf(file, input.migration);
      const schema = this.schemaAt(f);
      const found = runFileRules(this.rules, input, this.graph, this.config, severities, schema);
      const asked = schema && schema.answers.length > 0 ? schema : undefined;
      cached = { file: f, severities, findings: found.length === 0 ? NO_FINDINGS : found, ...(asked ? { schema: asked } : {}) };
      if (asked) this.schemaAsked.add(file);
      else this.schemaAsked.delete(file);
      this.fileFindingsCache.set(file, cached);
    }
    return cached.findings;
  }

  /**
   * Every file's findings, computed in replay order (parents first): a rule that asks the schema model
   * then finds the earlier revisions' effects made from the parses their own rules ran on, instead of
   * parsing them again.
   */
  private warmFileFindings(severities: RuleSeverityMap | undefined): void {
    for (const p of this.replayOrderPaths()) if (!this.hasFileFindings(p, severities)) this.fileFindings(p, severities);
  }

  /**
   * Computes the file findings not known yet, in replay order, until `deadline` (a `performance.now()`
   * time) passes. Returns true when every file's are known. Lets a server show the graph and its
   * findings first and run the file rules of a large project in slices between other work.
   */
  computeFileFindings(severities: RuleSeverityMap | undefined, deadline: number): boolean {
    // In replay order: when a rule asks the schema model, the earlier revisions' effects are known
    // already, from the parses their own rules ran on.
    for (const p of this.replayOrderPaths()) {
      if (this.hasFileFindings(p, severities)) continue;
      if (performance.now() > deadline) return false;
      this.fileFindings(p, severities);
    }
    return true;
  }

  /** Whether the file rules' findings for this file are known for these severities (no parse needed). */
  hasFileFindings(file: string, severities?: RuleSeverityMap): boolean {
    const f = this.files.get(file);
    const cached = this.fileFindingsCache.get(file);
    return f === undefined || this.skipsFileRules(file) ||
      (cached !== undefined && cached.file === f && cached.severities === severities && !(cached.schema && this.schemaStale.has(file)));
  }

  /** Paths with parents before children (the schema replay's order), then files outside the graph. */
  private replayOrderPaths(): string[] {
    const structure = this.structureVersion;
    if (this.replayOrderCache?.structure === structure) return this.replayOrderCache.paths;
    const order = this.schemaReplay.topologicalOrder();
    const graph = this.graph;
    const inOrder: string[] = new Array<string>(order.size);
    for (const [id, i] of order) inOrder[i] = graph.nodes.get(id)?.path ?? '';
    const seen = new Set(inOrder);
    const paths = [...inOrder.filter((p) => p !== ''), ...this.paths().filter((p) => !seen.has(p))];
    this.replayOrderCache = { structure, paths };
    return paths;
  }

  /**
   * Alembic's load order as a sortable key: version locations in configuration order; inside one, a
   * folder's files by name before its subfolders (by name), depth first.
   */
  private loadOrderKey(file: string): string {
    const locs = this.config.versionLocationPaths;
    const dir = path.dirname(file);
    let best = -1;
    let bestLength = -1;
    for (let i = 0; i < locs.length; i++) {
      const l = locs[i] ?? '';
      if (l.length > bestLength && (dir === l || dir.startsWith(l + path.sep))) {
        best = i;
        bestLength = l.length;
      }
    }
    const base = locs[best];
    const rel = base === undefined ? path.basename(file) : file.slice(base.length + 1);
    const prefix = String(best + 1).padStart(4, '0');
    // \u0001 before a file name and \u0002 before a folder name put files first at every level.
    if (!rel.includes(path.sep)) return `${prefix}\u0001${rel}\u0000`;
    const segs = rel.split(path.sep);
    return `${prefix}${segs.map((s, i) => `${i === segs.length - 1 ? '\u0001' : '\u0002'}${s}\u0000`).join('')}`;
  }
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

/** Findings grouped by path, in their order (only the paths in `only`, when given). */
function groupByPath(findings: readonly Finding[], only?: ReadonlySet<string>): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>();
  for (const f of findings) {
    if (only && !only.has(f.path)) continue;
    const list = out.get(f.path);
    if (list) list.push(f);
    else out.set(f.path, [f]);
  }
  return out;
}

/** Two revisions' effects are the same (plain data: names, types, flags). */
function sameEffects(a: readonly Effect[] | undefined, b: readonly Effect[] | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}
