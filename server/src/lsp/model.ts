// What the LSP handlers read: the indexed projects. The workspace index builds these from the core's
// parse results, graph and rule findings; handlers never touch the file system.
import type { AppliedStateResult, DowngradePlanResult, ProjectInfo, ResolveRevisionResult, RevisionInfo } from '../../../common/protocol';
import type { ProjectConfig } from '../core/project/discover';
import type { Finding, Migration } from '../core/types';

export interface IndexedFile {
  path: string;
  uri: string;
  text: string;
  /** Module-level facts (revision variables, docstring header): cheap, always there. */
  header: Migration;
  /** The full parse, made on first use: for what reads function bodies. */
  readonly migration: Migration;
  projectId: string;
}

export interface IndexedProject {
  info: ProjectInfo;
  /** The project's configuration as discovered (its dialect, for the rules' fixes). */
  config?: ProjectConfig;
  files: ReadonlyMap<string, IndexedFile>;
  /** By full revision id. */
  nodes: ReadonlyMap<string, RevisionInfo>;
  /** Revision ids in `alembic history` order (heads first, newest first). */
  historyOrder: readonly string[];
  heads: readonly string[];
  bases: readonly string[];
  /** Findings by absolute file path (every file of the project has an entry, possibly empty). */
  findings: ReadonlyMap<string, readonly Finding[]>;
  /** Heads reachable upwards from a revision (through children). */
  headsAbove(revision: string): string[];
  resolve(target: string, current?: string[]): ResolveRevisionResult;
  /** What a database whose version table holds these ids is at, has applied and has pending. */
  appliedState(versionTable: readonly string[]): AppliedStateResult;
  /** What `alembic downgrade <target>` undoes on that database. */
  downgradePlan(target: string, versionTable: readonly string[]): DowngradePlanResult;
}

export interface WorkspaceModel {
  projects(): IndexedProject[];
  project(id: string): IndexedProject | undefined;
  /** The indexed migration file at a path (open documents win over disk). */
  file(path: string): { project: IndexedProject; file: IndexedFile } | undefined;
}
