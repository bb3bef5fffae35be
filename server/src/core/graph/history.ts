// The order `alembic history` prints revisions in: ScriptDirectory.walk_revisions("base", "heads"), that
// is RevisionMap._topological_sort over everything below the real heads. Heads first, newest first, every
// revision once and only after all revisions above it; ties broken by load order, as in Alembic.
import { RevisionResolver } from './resolve';
import type { RevisionGraph } from './types';

/**
 * Revision ids in `alembic history` order. Revisions Alembic would not reach (in a cycle, or below a
 * broken reference) follow at the end, newest file first, so that every revision appears exactly once.
 */
export function historyOrder(graph: RevisionGraph): string[] {
  const resolver = new RevisionResolver(graph);
  const nodes = graph.nodes;
  const todo = new Set<string>();
  if (graph.cycles.length === 0) {
    for (const n of resolver.ancestors(graph.realHeads.flatMap((h) => nodes.get(h) ?? []))) todo.add(n.revision);
  }
  const position = new Map<string, number>();
  let i = 0;
  for (const id of nodes.keys()) position.set(id, i++);
  const ancestorsOf = (id: string): Set<string> => {
    const n = nodes.get(id);
    return new Set(n ? [...resolver.ancestors([n])].map((a) => a.revision) : []);
  };
  const currentHeads = graph.realHeads.filter((h) => todo.has(h)).sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0));
  const ancestorsByIdx = currentHeads.map(ancestorsOf);
  const output: string[] = [];
  let idx = 0;
  // Alembic's loop ends when every head is walked down; the cap only guards against a map this code
  // did not foresee (Alembic itself would never return).
  let guard = (nodes.size + 1) * (currentHeads.length + 2) * 4;
  while (currentHeads.length > 0 && guard-- > 0) {
    const candidate = currentHeads[idx] ?? '';
    const blocker = ancestorsByIdx.findIndex((anc, j) => j !== idx && anc.has(candidate));
    if (blocker >= 0) {
      // Another head still has to pass through this revision: walk that one first.
      idx = blocker;
      continue;
    }
    if (todo.delete(candidate)) output.push(candidate);
    const rev = nodes.get(candidate);
    const normalizedDown = rev ? resolver.normalizedDownRevisions(rev) : [];
    const toAdd = normalizedDown.filter((r) => todo.has(r) && !currentHeads.includes(r));
    if (toAdd.length === 0) {
      currentHeads.splice(idx, 1);
      ancestorsByIdx.splice(idx, 1);
      idx = Math.max(idx - 1, 0);
    } else if (rev && resolver.normalizedDependencies(rev).length === 0 && rev.file.downRevisions.length === 1) {
      currentHeads[idx] = toAdd[0] ?? '';
      ancestorsByIdx[idx]?.delete(candidate);
    } else {
      currentHeads[idx] = toAdd[0] ?? '';
      currentHeads.push(...toAdd.slice(1));
      ancestorsByIdx[idx] = ancestorsOf(toAdd[0] ?? '');
      ancestorsByIdx.push(...toAdd.slice(1).map(ancestorsOf));
    }
  }
  const emitted = new Set(output);
  const rest = [...nodes.keys()].filter((id) => !emitted.has(id)).reverse();
  return [...output, ...rest];
}
