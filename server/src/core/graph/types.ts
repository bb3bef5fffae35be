// The revision graph: Alembic's RevisionMap (alembic/script/revision.py) as data. Field comments name the
// Alembic attribute each one mirrors, because the differences between them (`heads` vs `_real_heads`,
// `nextrev` vs `_all_nextrev`) are exactly what users trip over.
import type { Migration, Range } from '../types';

/** A revision id, label or other string written in a migration file, with where it is. */
export interface RefAt {
  value: string;
  range: Range;
}

/** What one migration file declares, whether or not it made it into the graph. */
export interface RevisionFile {
  path: string;
  migration: Migration;
  /**
   * The revision id Alembic would use: the `revision` string, or (Alembic's legacy rule) the file name
   * when it is all hex and the file has no `revision` variable. Absent when it cannot be known.
   */
  revision?: string;
  /** Where the id is written (the `revision` value, or the file's first line for a legacy name). */
  revisionRange: Range;
  /** `down_revision` as Alembic reads it (`_versioned_down_revisions`), duplicates kept. */
  downRevisions: RefAt[];
  /** `depends_on` entries as written (revision ids or branch labels). */
  dependsOn: RefAt[];
  /** `branch_labels` as written (`_orig_branch_labels`). */
  branchLabels: RefAt[];
  /** `down_revision` is present but not readable (not a literal): its parents are unknown. */
  downRevisionUnknown: boolean;
  /** `depends_on` is present but not readable. */
  dependsOnUnknown: boolean;
  /** Alembic's `dependencies is None` after `tuple_rev_as_scalar` (empty `depends_on`). */
  hasNoDependencies: boolean;
}

export interface RevisionNode {
  revision: string;
  /** The file that defines it (for a duplicated id, the last one loaded, as in Alembic's map). */
  file: RevisionFile;
  path: string;
  /** Position in load order (0-based; a duplicated id keeps its first position). */
  index: number;
  /** `_versioned_down_revisions` that name a known revision, in written order. */
  parents: string[];
  /** `_resolved_dependencies`: `depends_on` resolved to revision ids (labels resolved), known ones only. */
  dependencies: string[];
  /** `nextrev`: revisions whose `down_revision` names this one, in load order. */
  children: string[];
  /** Revisions whose `depends_on` names this one (`_all_nextrev` minus `nextrev`), in load order. */
  dependents: string[];
  /** Own `branch_labels`. */
  ownBranchLabels: string[];
  /** `branch_labels` after Alembic's propagation (descendants, and ancestors down to a branch point). */
  branchLabels: string[];
  /** `is_head`: no revision names it in `down_revision` (a `depends_on` does not count). */
  isHead: boolean;
  /** `_is_real_head`: no revision names it in `down_revision` or `depends_on`. */
  isRealHead: boolean;
  /** `is_base`: `down_revision` is None or empty. */
  isBase: boolean;
  /** `_is_real_base`: a base without `depends_on`. */
  isRealBase: boolean;
  /** `is_merge_point`: more than one `down_revision`. */
  isMergePoint: boolean;
  /** `is_branch_point`: more than one child. */
  isBranchPoint: boolean;
  /** `_is_real_branch_point`: more than one child or dependent. */
  isRealBranchPoint: boolean;
}

/** A `down_revision` or `depends_on` element naming nothing Alembic can use there. */
export interface UnknownReference {
  path: string;
  revision?: string;
  variable: 'down_revision' | 'depends_on';
  ref: RefAt;
  /** When the id is a branch label (valid in `depends_on`, not in `down_revision`): its revision. */
  labelOf?: string;
  /** Full ids this is a unique prefix of (Alembic needs the full id in a migration file). */
  prefixOf: string[];
}

/** A revision claimed by a branch label already used (Alembic: "Branch name 'x' ... already used"). */
export interface BranchLabelConflict {
  label: RefAt;
  path: string;
  revision: string;
  /** The revision that already owns the name (a label of it, or its id). */
  usedBy: string;
  usedByPath: string;
}

export type CycleKind = 'Cycle' | 'Dependency cycle' | 'Self-loop' | 'Dependency self-loop';

/** Revisions that lead back to themselves; Alembic refuses to load any of the project. */
export interface RevisionCycle {
  kind: CycleKind;
  /** Members, sorted (Alembic's message lists them sorted). */
  revisions: string[];
}

export interface RevisionGraph {
  /** Revision id → node, in load order (a duplicated id keeps its first position, like Alembic's map). */
  nodes: Map<string, RevisionNode>;
  /** Every file given, in load order, including those with no usable id. */
  files: RevisionFile[];
  filesByPath: Map<string, RevisionFile>;
  /** Ids claimed by more than one file → those files in load order. */
  duplicates: Map<string, RevisionFile[]>;
  /** `heads` (what `alembic heads` and `head` use), in load order. */
  heads: string[];
  /** `_real_heads` (what the target `heads` means: `depends_on` counts), in load order. */
  realHeads: string[];
  /** `bases`, in load order. */
  bases: string[];
  /** `_real_bases`, in load order. */
  realBases: string[];
  /** Branch label → revision that declares it (first claimant). */
  labels: Map<string, string>;
  unknownReferences: UnknownReference[];
  labelConflicts: BranchLabelConflict[];
  cycles: RevisionCycle[];
}
