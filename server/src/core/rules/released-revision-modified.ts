// released-revision-modified: a revision that is released (its file was on the base branch, so it ran
// somewhere) was changed in what Alembic runs, deleted, or given another id on this branch. Databases
// that already ran it never run it again: they will not see the change. The answer is a new revision.
// The long form is docs/rules/released-revision-modified.md.
import type { RevisionGraph } from '../graph/types';
import { significantChange } from '../release/changes';
import { defineGraphRule, type GraphRuleFinding, type ReleaseView } from './rule';

const CONSEQUENCE = 'Databases that already ran it will not run it again and never see the change: revert it and write a new revision instead.';

export const releasedRevisionModified = defineGraphRule({
  id: 'released-revision-modified',
  defaultSeverity: 'warning',
  description: 'A revision released on the base branch was changed, deleted or renamed: databases that ran it will not see the change.',
  check({ graph, release }) {
    const base = release?.state.base;
    if (!release || !base) return [];
    const out: GraphRuleFinding[] = [];
    const since = `released on ${base.ref} (merge-base ${base.mergeBase.slice(0, 12)})`;
    // Files changed since git was read (the editor's edits) count as much as committed changes.
    const edited = [...base.unchanged].filter(([file, text]) => release.textOf(file) !== text);
    for (const [file, releasedText] of [...base.releasedBefore, ...edited]) {
      const current = graph.filesByPath.get(file);
      const text = release.textOf(file);
      if (current && text !== undefined) {
        const what = significantChange(releasedText, text, file);
        if (what) out.push({ path: file, range: current.revisionRange, message: `This revision was ${since}, and ${what} changed on this branch. ${CONSEQUENCE}` });
        continue;
      }
      const gone = goneFinding(graph, release, file, releasedText, since);
      if (gone) out.push(gone);
    }
    return out;
  },
});

/** A released file that is not where it was: moved under its id (compared there), or deleted. */
function goneFinding(graph: RevisionGraph, release: ReleaseView, file: string, releasedText: string, since: string): GraphRuleFinding | undefined {
  const id = /^revision\s*(?::[^=]*)?=\s*['"]([^'"]+)['"]/m.exec(releasedText)?.[1];
  const moved = id !== undefined ? graph.nodes.get(id) : undefined;
  if (moved) {
    const what = significantChange(releasedText, release.textOf(moved.path) ?? releasedText, moved.path);
    return what ? { path: moved.path, range: moved.file.revisionRange, message: `This revision was ${since} (as ${file}), and ${what} changed on this branch. ${CONSEQUENCE}` } : undefined;
  }
  // Deleted: the finding goes where the gap shows, on a revision that still names the id, else on a head.
  const child = id !== undefined ? graph.files.find((f) => f.downRevisions.some((d) => d.value === id)) : undefined;
  const where = child ?? graph.nodes.get(graph.heads[0] ?? '')?.file;
  if (!where) return undefined;
  return {
    path: where.path,
    range: child?.downRevisions.find((d) => d.value === id)?.range ?? where.revisionRange,
    message: `Revision ${id ?? '(no readable id)'} (${file}) was ${since} and is deleted on this branch. Databases that ran it still record it ` +
      'in their version table, and Alembic will not find it there: restore the file, and undo its effect with a new revision.',
  };
}
