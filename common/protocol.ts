// Every custom request and notification between the extension (client) and the language server, each
// as one typed constant: `client.sendRequest(ProjectsRequest, {})` and `connection.onRequest(ProjectsRequest,
// ...)` get their params and result types from it, so the two sides cannot disagree. Nothing here imports
// vscode or the server: both sides (and the CLI) import this file. Paths are absolute file-system paths;
// URIs are `file://` URIs made by the server's one `fileUri`.
import { NotificationType, RequestType } from 'vscode-jsonrpc';

/** A zero-based position, as LSP counts it (UTF-16 code units). */
export interface Position {
  line: number;
  character: number;
}
export interface Range {
  start: Position;
  end: Position;
}
export type Severity = 'error' | 'warning' | 'information' | 'hint';

/** One Alembic project the server found (an `alembic.ini` or a `pyproject.toml` with `[tool.alembic]`). */
export interface ProjectInfo {
  /** Stable id: the absolute path of the configuration file. */
  id: string;
  /** Folder holding the configuration file; Alembic runs here. */
  root: string;
  configFile: string;
  kind: 'ini' | 'pyproject';
  /** Absolute path to the `script_location` folder (holds env.py). */
  scriptLocation?: string;
  versionLocations: string[];
  /**
   * `sqlalchemy.url` from the ini (interpolated), with any password masked as `***`: the server never
   * sends a password, since a verbose trace logs every message.
   */
  sqlalchemyUrl?: string;
  /** `sqlalchemyUrl` had a password masked: read the real value from `configFile` to connect. */
  sqlalchemyUrlMasked?: boolean;
  /** `file_template` from the configuration, when set. */
  fileTemplate?: string;
  /** Literal `version_table` / `version_table_schema` passed in env.py's `context.configure(...)`. */
  versionTable?: string;
  versionTableSchema?: string;
  /** Configuration problems (unreadable ini, missing script_location ...), for the UI to show. */
  problems: string[];
  revisionCount: number;
  heads: string[];
}

/** `alembic/projects` (client → server): the projects currently indexed. */
export interface ProjectsResult {
  projects: ProjectInfo[];
}
export const ProjectsRequest = new RequestType<Record<string, never>, ProjectsResult, void>('alembic/projects');

/** One revision in a project's graph. */
export interface RevisionNode {
  revision: string;
  /** `down_revision` ids, in the order written. */
  parents: string[];
  /** Revisions whose `down_revision` names this one. */
  children: string[];
  /** `depends_on` ids (resolved to full revision ids where possible). */
  dependencies: string[];
  /** Revisions whose `depends_on` names this one. */
  dependents: string[];
  branchLabels: string[];
  isHead: boolean;
  isBase: boolean;
  isMerge: boolean;
  isBranchPoint: boolean;
  message?: string;
  createDate?: string;
  /** `file://` URI of the migration file. */
  uri: string;
  path: string;
  /** Range of the `revision = ...` line's value. */
  revisionRange: Range;
  /** Worst severity of the diagnostics on this file, if any. */
  worstSeverity?: Severity;
  diagnosticCount: number;
}

/** `alembic/revisionGraph` (client → server): one project's graph, heads first, newest first. */
export interface RevisionGraphParams {
  /** ProjectInfo.id; when absent, the first project. */
  projectId?: string;
}
export interface RevisionGraphResult {
  projectId: string;
  /**
   * Nodes in `alembic history` order: from the heads down to the bases, newest first, each revision
   * once, a revision only after every child of it.
   */
  nodes: RevisionNode[];
  heads: string[];
  bases: string[];
}
export const RevisionGraphRequest = new RequestType<RevisionGraphParams, RevisionGraphResult, void>('alembic/revisionGraph');

/**
 * `alembic/resolveRevision` (client → server): resolve a target the way Alembic does
 * (`head`, `heads`, `base`, a unique prefix, `label@head`, `+N`/`-N` relative to `from`).
 */
export interface ResolveRevisionParams {
  projectId: string;
  target: string;
  /** The current revision(s) the database is at, for relative targets. */
  current?: string[];
}
export type ResolveRevisionResult = { ok: true; revisions: string[] } | { ok: false; message: string };
export const ResolveRevisionRequest = new RequestType<ResolveRevisionParams, ResolveRevisionResult, void>('alembic/resolveRevision');

/** A destructive or notable operation found in a migration's function, for confirmations. */
export interface OperationSummary {
  revision: string;
  function: 'upgrade' | 'downgrade';
  /** For example `drop_table`, `drop_column`, `drop enum`, `execute DROP`. */
  operation: string;
  /** The object it acts on, as written (table, `table.column`, enum name), when literal. */
  target?: string;
  uri: string;
  range: Range;
}

/** `alembic/operations` (client → server): operations of the named revisions' functions. */
export interface OperationsParams {
  projectId: string;
  revisions: string[];
  function: 'upgrade' | 'downgrade';
}
export interface OperationsResult {
  operations: OperationSummary[];
  /** Objects the named functions create (tables, columns, indexes, constraints, enums), by literal name. */
  creations: { revision: string; kind: 'table' | 'column' | 'index' | 'constraint' | 'enum'; name: string; uri: string; range: Range }[];
}
export const OperationsRequest = new RequestType<OperationsParams, OperationsResult, void>('alembic/operations');

/**
 * `alembic/graphChanged` (server → client): a project's graph or its diagnostics changed; the client
 * asks again for what it shows. Sent after the initial index and after every (debounced) change.
 */
export interface GraphChangedParams {
  projectIds: string[];
}
export const GraphChangedNotification = new NotificationType<GraphChangedParams>('alembic/graphChanged');
