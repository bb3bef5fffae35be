// multiple-heads-after-merge: this branch and its base each added revisions on top of the same head.
// Each alone is clean; merged, the project has two heads and `alembic upgrade head` fails in the deploy.
// Computed from the base tip's migration files plus this branch's new ones (what the merge would hold).
// When the working tree already has several heads, multiple-heads reports it, and this rule stays quiet.
// The long form is docs/rules/multiple-heads-after-merge.md.
import { repointDownRevisionFix } from '../fixes/graph';
import { buildRevisionGraph, type RevisionSource } from '../graph/build';
import type { RevisionFile, RevisionGraph, RevisionNode } from '../graph/types';
import { parseMigrationHeader } from '../parse';
import { defineGraphRule, type ReleaseView } from './rule';

/** What the rebase reads: the revision to repoint (the oldest new one) and the base's head to build on. */
export type MultipleHeadsAfterMergeData = { baseHeads: string[]; branchHead: string; oldestNew: string; base: string };

export const multipleHeadsAfterMerge = defineGraphRule<MultipleHeadsAfterMergeData>({
  id: 'multiple-heads-after-merge',
  defaultSeverity: 'warning',
  description: 'Merging this branch into its base would leave more than one head, so the deploy\'s \'alembic upgrade head\' fails.',
  check({ graph, release }) {
    const base = release?.state.base;
    if (!release || !base || base.baseAdvanced.size === 0 || graph.heads.length !== 1) return [];
    const branchHead = graph.nodes.get(graph.heads[0] ?? '');
    // A head the base already has (nothing new here): merging is a fast-forward for the migrations.
    if (!branchHead || release.reasonOf(branchHead.path) !== undefined) return [];
    const merged = mergedGraph(graph, release, base.baseAdvanced);
    if (merged.heads.length < 2) return [];
    const baseHeads = merged.heads.filter((h) => h !== branchHead.revision);
    if (baseHeads.length === 0) return [];
    const oldest = oldestNewRevision(graph, release, branchHead);
    const names = baseHeads.join(', ');
    // On the oldest new revision's down_revision: the line the rebase changes.
    const downRange = oldest.file.downRevisions[0]?.range ?? oldest.file.revisionRange;
    return [{
      path: oldest.path,
      range: downRange,
      message: `Merging this branch into ${base.ref} leaves ${merged.heads.length} heads: ${names} (${base.ref}) and ${branchHead.revision} (this branch), ` +
        `and 'alembic upgrade head' fails after the merge. Rebase: point the down_revision of ${oldest.revision}, the oldest new revision, at ${baseHeads[0] ?? names}.`,
      related: oldest === branchHead ? [] : [{ path: branchHead.path, range: branchHead.file.revisionRange, message: `this branch's head ${branchHead.revision}` }],
      data: { baseHeads, branchHead: branchHead.revision, oldestNew: oldest.revision, base: base.ref },
    }];
  },
  // The rebase: the oldest new revision builds on the base's head; the rest of the new chain stays.
  fix(_range, { src, migration, data }) {
    const d = data as Partial<MultipleHeadsAfterMergeData> | undefined;
    const target = Array.isArray(d?.baseHeads) && d.baseHeads.length === 1 ? d.baseHeads[0] : undefined;
    if (typeof target !== 'string') return undefined;
    const fix = repointDownRevisionFix(src, migration, target);
    return fix && { ...fix, title: `Rebase onto ${typeof d?.base === 'string' ? d.base : 'the base'}: point down_revision at its head '${target}'`, isPreferred: true };
  },
});

/**
 * The migrations the merge would hold: this branch's files, with the files the base added or changed
 * since the merge-base taken from the base (unless this branch changed the same file: it is new here,
 * and the merge keeps the branch's), and the ones the base deleted left out.
 */
function mergedGraph(graph: RevisionGraph, release: ReleaseView, baseAdvanced: ReadonlyMap<string, string | null>): RevisionGraph {
  const files: (RevisionFile | RevisionSource)[] = [];
  for (const f of graph.files) {
    if (baseAdvanced.has(f.path) && release.reasonOf(f.path) !== undefined) continue;
    files.push(f);
  }
  for (const [path, text] of baseAdvanced) {
    if (text === null) continue;
    if (graph.filesByPath.has(path) && release.reasonOf(path) === undefined) continue;
    files.push({ path, migration: parseMigrationHeader(text) });
  }
  return buildRevisionGraph(files);
}

/** Walks down from the branch's head while revisions are new: the last one is the one to repoint. */
export function oldestNewRevision(graph: RevisionGraph, release: ReleaseView, head: RevisionNode): RevisionNode {
  let current = head;
  for (;;) {
    const parent = current.parents.length === 1 ? graph.nodes.get(current.parents[0] ?? '') : undefined;
    if (!parent || release.reasonOf(parent.path) !== undefined) return current;
    current = parent;
  }
}
