// Every custom request and notification between the extension (client) and the language server, each
// as one typed constant: `client.sendRequest(ProjectsRequest, {})` and `connection.onRequest(ProjectsRequest,
// ...)` get their params and result types from it, so the two sides cannot disagree. Nothing here imports
// vscode or the server: both sides (and the CLI) import this file. Paths are absolute file-system paths;
// URIs are `file://` URIs made by the server's one `fileUri`.
import { NotificationType, RequestType } from 'vscode-jsonrpc';

/**
 * `initializationOptions` of the server: the `alembic` settings section itself (what Helix's `config`,
 * Zed's `initialization_options` or eglot's `:initializationOptions` hold), plus `clientCommands`,
 * which only a client that implements commands sends.
 */
export interface InitializationOptions {
  /**
   * The commands the client runs itself. The server sends CodeLenses only when the client runs their
   * commands (the VS Code extension does); any other editor would show lenses that do nothing.
   */
  clientCommands?: string[];
  /**
   * The client watches the project files for the server by itself (the VS Code extension does, with
   * its own file system watchers): the server then neither registers watchers nor watches.
   */
  clientWatchesFiles?: boolean;
  [setting: string]: unknown;
}

/** The commands the server's CodeLenses name: implemented by the VS Code extension only. */
export const CODE_LENS_COMMANDS = { upgradeToHere: 'alembic.upgradeToHere', previewSqlToHere: 'alembic.previewSqlToHere' } as const;

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
  /** Stable id: the absolute path of the configuration file, and `#section` for a named environment. */
  id: string;
  /** Folder holding the configuration file; Alembic runs here unless `workingFolder` says otherwise. */
  root: string;
  /**
   * The folder Alembic runs in when it is not `root`: the relative `script_location` exists only from
   * there (a `conf/alembic.ini` run from the repository root).
   */
  workingFolder?: string;
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
  /** Flask-Migrate's migrations folder (`flask db` runs it; Alembic's command line cannot). */
  flaskMigrate?: boolean;
  /** The ini section of a named environment (`alembic --name <section>`); absent for `[alembic]`. */
  iniSection?: string;
  revisionCount: number;
  heads: string[];
}

/** `alembic/projects` (client → server): the projects currently indexed. */
export interface ProjectsResult {
  projects: ProjectInfo[];
}
export const ProjectsRequest = new RequestType<Record<string, never>, ProjectsResult, void>('alembic/projects');

/** One revision in a project's graph, as the tree, the graph view and the pickers show it. */
export interface RevisionInfo {
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
  /** Why the revision is released (it ran somewhere: file rules leave it alone by default). */
  released?: ReleaseInfo;
  /**
   * True once the server knows which revisions are released (a base or `since` is in use) and this one
   * is not: added on this branch, modified or uncommitted. Absent while nothing is known to be released.
   */
  isNew?: boolean;
}

/** Why a revision is released: its file is unchanged since the merge-base with `ref`, or it is at or below `since`. */
export type ReleaseInfo =
  | { kind: 'base'; ref: string; mergeBase: string }
  | { kind: 'since'; since: string };

/** Plain text for a hover or tooltip: that the revision is released, and why (callers escape it for Markdown). */
export function releaseSentence(info: ReleaseInfo): string {
  return info.kind === 'base'
    ? `Released: unchanged since ${info.mergeBase.slice(0, 12)}, where this branch left ${info.ref}. Databases may have run it: write a new revision instead of editing it.`
    : `Released: at or below the configured since revision ${info.since}. Databases may have run it: write a new revision instead of editing it.`;
}

/** Plain text for a new revision. */
export const NEW_REVISION_SENTENCE = 'New: added, changed or uncommitted since the base; the file rules check it.';

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
  nodes: RevisionInfo[];
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
  /** Read the saved files, not the editor's unsaved text (what Alembic will run): for confirmations. */
  fromDisk?: boolean;
}
export interface OperationsResult {
  operations: OperationSummary[];
  /** Objects the named functions create (tables, columns, indexes, constraints, enums), by literal name. */
  creations: { revision: string; kind: 'table' | 'column' | 'index' | 'constraint' | 'enum'; name: string; uri: string; range: Range }[];
  /**
   * Every table the named functions change, by name (what a schema snapshot of a very large database
   * may be limited to); absent when one of them does something no table can be named for.
   */
  tables?: string[];
}
export const OperationsRequest = new RequestType<OperationsParams, OperationsResult, void>('alembic/operations');

/**
 * `alembic/graphChanged` (server → client): a project's graph or its diagnostics changed; the client
 * asks again for those graphs only. Sent after the initial index and after every (debounced) change.
 */
export interface GraphChangedParams {
  /** The projects whose graph (nodes, order or problem counts) changed: ask for these graphs again. */
  projectIds: string[];
  /** The set of projects may have changed too (after a re-index): ask for `alembic/projects` again. */
  projectsChanged?: boolean;
}
export const GraphChangedNotification = new NotificationType<GraphChangedParams>('alembic/graphChanged');

/**
 * `alembic/workspaceTrust` (client → server): whether the workspace is trusted. Until told, the server
 * takes it as untrusted and spawns no `git` (the repository's configuration can name programs that git
 * would run); it reads the repository's objects in JavaScript instead.
 */
export interface WorkspaceTrustParams {
  trusted: boolean;
}
export const WorkspaceTrustNotification = new NotificationType<WorkspaceTrustParams>('alembic/workspaceTrust');

/** A question a migration template asks (`{{table}}`), as `alembic/templates` lists it. */
export interface TemplateQuestion {
  /** The placeholder's name; answers are keyed by it. */
  name: string;
  prompt: string;
  /** A sample answer, shown as the input box's hint. */
  example: string;
}

/** One template of the library (migrations-templates/) that "New Revision from Template…" offers. */
export interface TemplateInfo {
  id: string;
  label: string;
  description: string;
  /** The new revision merges every head instead of following one. */
  merge: boolean;
  questions: TemplateQuestion[];
}

/** `alembic/templates` (client → server): the template library; `problem` when it cannot be loaded. */
export type TemplatesResult = { templates: TemplateInfo[] } | { templates: []; problem: string };
export const TemplatesRequest = new RequestType<Record<string, never>, TemplatesResult, void>('alembic/templates');

/**
 * `alembic/templateAnswer` (client → server): for one question, given the answers so far, the suggested
 * answer and (when `value` is given) why that value is not acceptable. The input box asks it as the
 * user types, so that the checks are the core's, the same as when the file is made.
 */
export interface TemplateAnswerParams {
  templateId: string;
  question: string;
  answers: Record<string, string>;
  value?: string;
}
export interface TemplateAnswerResult {
  suggested?: string;
  problem?: string;
}
export const TemplateAnswerRequest = new RequestType<TemplateAnswerParams, TemplateAnswerResult, void>('alembic/templateAnswer');

/**
 * `alembic/renderTemplate` (client → server): the new revision's file made from a template, for the
 * project's versions folder, following `chosenHead` (or the only head). The client writes it.
 */
export interface RenderTemplateParams {
  projectId: string;
  templateId: string;
  answers: Record<string, string>;
  /** The head to follow when there are several, or the heads to merge (a merge template merges them all). */
  chosenHead?: string | string[];
}
export type RenderTemplateResult =
  | { ok: true; path: string; text: string; revision: string; cursor: Position; notes: string[] }
  | { ok: false; message: string };
export const RenderTemplateRequest = new RequestType<RenderTemplateParams, RenderTemplateResult, void>('alembic/renderTemplate');

/**
 * `alembic/appliedState` (client → server): which revisions a database is at, has applied and has
 * pending, given the ids its version table holds, the way Alembic reads them.
 */
export interface AppliedStateParams {
  projectId: string;
  /** The version table's rows, as stored. */
  versionTable: string[];
  /**
   * `server_version` of the database read (`15.4 (Debian ...)`): the project's PostgreSQL version for
   * the lock information when neither `alembic.postgresVersion` nor pyproject.toml says one.
   */
  serverVersion?: string;
}
export interface AppliedStateResult {
  /** Version-table ids that a migration file defines (full ids), sorted. */
  current: string[];
  /** Version-table ids that no migration file defines, as stored. */
  unknown: string[];
  /** The current revisions and all their ancestors, in history order. */
  applied: string[];
  /** Everything else, in history order (newest first). */
  pending: string[];
  atBase: boolean;
  atHead: boolean;
  /** What to tell the user (a version-table id that no file defines). */
  warnings: string[];
}
export const AppliedStateRequest = new RequestType<AppliedStateParams, AppliedStateResult, void>('alembic/appliedState');

/** `alembic/downgradePlan` (client → server): the revisions `alembic downgrade <target>` would undo. */
export interface DowngradePlanParams {
  projectId: string;
  /** A full revision id, or `base`. */
  target: string;
  /** The version table's rows, as stored. */
  versionTable: string[];
}
export interface DowngradePlanResult {
  /** Applied revisions above the target, in history order (newest first). */
  undone: string[];
}
export const DowngradePlanRequest = new RequestType<DowngradePlanParams, DowngradePlanResult, void>('alembic/downgradePlan');

/**
 * `alembic/rebasePlan` (client → server): what "Rebase New Revisions onto Base Head" changes: the
 * oldest new revision's down_revision (and docstring) pointed at the base's head, from the
 * multiple-heads-after-merge finding. The client checks the database before it applies the edits.
 */
export interface RebasePlanParams {
  projectId: string;
}
export type RebasePlanResult =
  | {
    ok: true;
    /** The revision that moves (the oldest new one) and the parent it leaves. */
    revision: string;
    oldParents: string[];
    /** The base ref and its head that the revision builds on afterwards. */
    base: string;
    baseHead: string;
    uri: string;
    /** LSP text edits on `uri`. */
    edits: { range: Range; newText: string }[];
  }
  | { ok: false; message: string };
export const RebasePlanRequest = new RequestType<RebasePlanParams, RebasePlanResult, void>('alembic/rebasePlan');
