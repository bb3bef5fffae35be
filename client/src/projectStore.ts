// What the views show, in one place: the projects and revision graphs (asked from the language server,
// the single source of truth about migration files) and each project's database state (asked from the
// database). Views subscribe to `onDidChange`; commands call `refresh` after they change something.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  AppliedStateRequest, GraphChangedNotification, type GraphChangedParams, type ProjectInfo, ProjectsRequest,
  RevisionGraphRequest, type RevisionGraphParams, type RevisionGraphResult, type RevisionInfo,
} from '../../common/protocol';

/** The database side of a project, as the views show it. */
export type DatabaseView =
  | { kind: 'loading' }
  | { kind: 'unconfigured' }
  | { kind: 'untrusted' }
  /** A URL for a dialect we cannot read yet (SQLite, MySQL ...): the tree still works from files. */
  | { kind: 'unsupported'; message: string; source: string }
  | { kind: 'problem'; message: string; source: string }
  | {
      kind: 'ok';
      source: string;
      /** Revisions in the version table (several when several heads are applied). */
      current: string[];
      applied: Set<string>;
      /** Revisions in the version table that no migration file defines. */
      unknown: string[];
      /** The version table's rows, as stored (what the applied state is computed from; else current + unknown). */
      versionTable?: string[];
      pendingCount: number;
      serverVersion?: string;
      latencyMs?: number;
    };

/** The version table's rows of a database read (as stored, else current + unknown); none when it was not read. */
export function versionTableRows(db: DatabaseView | undefined): string[] {
  return db?.kind === 'ok' ? (db.versionTable ?? [...db.current, ...db.unknown]) : [];
}

export interface ProjectState {
  info: ProjectInfo;
  graph?: RevisionGraphResult;
  database: DatabaseView;
}

/** What the reader got from the database: a problem, or the version table's rows as stored. */
export type DatabaseReading =
  | Exclude<DatabaseView, { kind: 'ok' }>
  | {
    kind: 'read'; source: string; versionTable: string[];
    /** What the status bar and the tooltip show (`PostgreSQL 15.4 (Debian ...)`, `SQLite 3.40.1`). */
    serverVersion?: string;
    /** PostgreSQL's `server_version` as read, for the server's lock information; only for PostgreSQL. */
    postgresServerVersion?: string;
    latencyMs?: number;
  };

export type DatabaseReader = (project: ProjectInfo) => Promise<DatabaseReading>;

const indexes = new WeakMap<RevisionGraphResult, ReadonlyMap<string, RevisionInfo>>();

/** A project's revisions by id: built once per graph the server sent, shared by every command and view. */
export function revisionsById(project: Pick<ProjectState, 'graph'>): ReadonlyMap<string, RevisionInfo> {
  const graph = project.graph;
  if (!graph) return new Map();
  let index = indexes.get(graph);
  if (!index) {
    index = new Map(graph.nodes.map((n) => [n.revision, n]));
    indexes.set(graph, index);
  }
  return index;
}

export class ProjectStore implements vscode.Disposable {
  private states = new Map<string, ProjectState>();
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private readonly disposables: vscode.Disposable[] = [];
  private refreshing: Promise<void> | undefined;
  /** A refresh was asked for while one ran; `againDatabase`: and it wanted the database read too. */
  private again = false;
  private againDatabase = false;

  constructor(
    private readonly client: LanguageClient,
    private readonly readDatabase: DatabaseReader,
    private readonly warn: (message: string) => void = () => undefined,
  ) {
    this.disposables.push(
      client.onNotification(GraphChangedNotification, (p: GraphChangedParams) => {
        if (p.projectsChanged) void this.refresh({ database: false });
        else void this.refreshGraphs(p.projectIds);
      }),
    );
  }

  get projects(): ProjectState[] {
    return [...this.states.values()];
  }

  get(projectId: string): ProjectState | undefined {
    return this.states.get(projectId);
  }

  /**
   * Reloads projects and graphs from the server and (unless told not to) the database state.
   * Concurrent calls coalesce: at most one runs, and one more follows if asked meanwhile.
   */
  async refresh(opts: { database?: boolean } = {}): Promise<void> {
    if (this.refreshing) {
      this.again = true;
      this.againDatabase ||= opts.database !== false;
      return this.refreshing;
    }
    this.refreshing = this.doRefresh(opts.database !== false).finally(() => { this.refreshing = undefined; });
    await this.refreshing;
    if (this.again) {
      const database = this.againDatabase;
      this.again = false;
      this.againDatabase = false;
      await this.refresh({ database });
    }
  }

  /**
   * The server said these projects' graphs changed (an edit, a file on disk): asks for those graphs
   * only, in parallel (and the small projects entry), and keeps each project's database state
   * (re-reading what is pending against the new graph). A full refresh running meanwhile already asks
   * for every graph, so this joins it.
   */
  async refreshGraphs(projectIds: readonly string[]): Promise<void> {
    if (this.refreshing) {
      this.again = true;
      return this.refreshing;
    }
    const known = projectIds.filter((id) => this.states.has(id));
    if (known.length === 0) return;
    // The projects entry too (one small answer): its problems follow the files (one Python cannot import).
    const [{ projects }, graphs] = await Promise.all([
      this.client.sendRequest(ProjectsRequest, {}),
      Promise.all(known.map((id) => this.client.sendRequest(RevisionGraphRequest, { projectId: id } satisfies RevisionGraphParams))),
    ]);
    const infos = new Map(projects.map((p) => [p.id, p]));
    await Promise.all(known.map(async (id) => {
      const state = this.states.get(id);
      if (state) state.database = await this.againstGraph(id, state.database);
    }));
    known.forEach((id, i) => {
      const state = this.states.get(id);
      const graph = graphs[i];
      if (!state || !graph) return;
      this.states.set(id, { info: infos.get(id) ?? state.info, graph, database: state.database });
    });
    this.emitter.fire();
  }

  private async doRefresh(withDatabase: boolean): Promise<void> {
    const { projects } = await this.client.sendRequest(ProjectsRequest, {});
    const graphs = await Promise.all(projects.map((info) => this.client.sendRequest(RevisionGraphRequest, { projectId: info.id } satisfies RevisionGraphParams)));
    const next = new Map<string, ProjectState>();
    projects.forEach((info, i) => {
      const graph = graphs[i];
      const previous = this.states.get(info.id);
      next.set(info.id, { info, ...(graph ? { graph } : {}), database: previous?.database ?? { kind: 'loading' } });
    });
    await Promise.all([...next.entries()].map(async ([id, state]) => { state.database = await this.againstGraph(id, state.database); }));
    this.states = next;
    await vscode.commands.executeCommand('setContext', 'alembic.projectCount', projects.length);
    this.emitter.fire();
    if (!withDatabase && [...next.values()].every((s) => s.database.kind !== 'loading')) return;
    await Promise.all([...next.values()].map(async (state) => {
      state.database = await this.viewOf(state.info.id, await this.readDatabase(state.info), true);
    }));
    const configured = [...next.values()].some((s) => s.database.kind !== 'unconfigured');
    await vscode.commands.executeCommand('setContext', 'alembic.databaseConfigured', configured);
    this.emitter.fire();
  }

  /**
   * What a reading of the version table means in the project's current graph, as the server's core
   * reads it (which ids are current, unknown, applied; how many are pending). `warn`: log what the
   * user should know (an id no file defines), once per database read rather than per edit.
   */
  private async viewOf(projectId: string, reading: DatabaseReading, warn = false): Promise<DatabaseView> {
    if (reading.kind !== 'read') return reading;
    // The server version tells the server which PostgreSQL the lock information answers for.
    const state = await this.client.sendRequest(AppliedStateRequest, {
      projectId, versionTable: reading.versionTable, ...(reading.postgresServerVersion !== undefined ? { serverVersion: reading.postgresServerVersion } : {}),
    });
    if (warn) for (const w of state.warnings) this.warn(w);
    const view: DatabaseView = {
      kind: 'ok', source: reading.source, versionTable: reading.versionTable, current: state.current, unknown: state.unknown,
      applied: new Set(state.applied), pendingCount: state.pending.length,
    };
    if (reading.serverVersion !== undefined) view.serverVersion = reading.serverVersion;
    if (reading.latencyMs !== undefined) view.latencyMs = reading.latencyMs;
    return view;
  }

  /**
   * The database's state against a new graph without reading the database again: the version table is
   * the same, but a revision added or removed changes what is pending (and what the table's ids mean).
   */
  private againstGraph(projectId: string, db: DatabaseView): Promise<DatabaseView> | DatabaseView {
    return db.kind === 'ok' ? this.viewOf(projectId, { ...db, kind: 'read', versionTable: versionTableRows(db) }) : db;
  }

  /** The project a file belongs to (its versions folder or config file), or the only project. */
  projectForUri(uri: vscode.Uri | undefined): ProjectState | undefined {
    if (uri) {
      const p = uri.fsPath;
      for (const s of this.states.values()) {
        if (s.info.configFile === p || s.info.versionLocations.some((v) => p.startsWith(v + '/') || p.startsWith(v + '\\'))) return s;
      }
    }
    return this.states.size === 1 ? [...this.states.values()][0] : undefined;
  }

  dispose(): void {
    this.emitter.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
