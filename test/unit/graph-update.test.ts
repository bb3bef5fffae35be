// updateFileEdges: after random edits of down_revision / depends_on, the graph updated in place equals a
// full rebuild from the same files (nodes, order, flags, children, labels, unknown references ...).
import assert from 'node:assert/strict';
import { buildRevisionGraph, readRevisionFile, type RevisionFile, type RevisionGraph } from '../../server/src/core/graph';
import { updateFileEdges } from '../../server/src/core/graph/update';
import { parseMigration } from '../../server/src/core/parse';
import { migrationText } from './graphSupport';
import { seededRandom } from '../support/random';

interface Spec { rev: string; down: string[]; deps: string[]; labels: string[] }

function fileOf(path: string, s: Spec): RevisionFile {
  const ids = (xs: string[]): string | string[] | null => (xs.length === 0 ? null : xs.length === 1 ? xs[0] ?? null : xs);
  const text = migrationText(s.rev, ids(s.down), { deps: ids(s.deps) ?? undefined, labels: ids(s.labels) ?? undefined } as { deps?: string | string[]; labels?: string | string[] });
  return readRevisionFile({ path, migration: parseMigration(text) });
}

/** Comparable form: Maps as entry lists (order kept), nodes without their parsed files. */
function shape(g: RevisionGraph): unknown {
  return {
    nodes: [...g.nodes.entries()].map(([id, n]) => [id, { ...n, file: n.file.path }]),
    files: g.files.map((f) => f.path),
    filesByPath: [...g.filesByPath.entries()].map(([p, f]) => [p, f.path]).sort(),
    duplicates: [...g.duplicates.entries()].map(([id, fs]) => [id, fs.map((f) => f.path)]),
    heads: g.heads, realHeads: g.realHeads, bases: g.bases, realBases: g.realBases,
    labels: [...g.labels.entries()],
    unknownReferences: g.unknownReferences,
    labelConflicts: g.labelConflicts,
    cycles: g.cycles,
  };
}

describe('graph: updating one file\'s edges in place', () => {
  it('equals a full rebuild after each of many random down_revision / depends_on edits', function () {
    this.timeout(60_000);
    let handled = 0;
    let declined = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const rnd = seededRandom(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
      const n = 8 + Math.floor(rnd() * 30);
      const specs: Spec[] = [];
      for (let i = 0; i < n; i++) {
        const down = i === 0 || rnd() < 0.05 ? [] : [rnd() < 0.7 ? `r${i - 1}` : `r${Math.floor(rnd() * i)}`];
        if (i > 2 && rnd() < 0.15) down.push(`r${Math.floor(rnd() * (i - 1))}`);
        const deps = i > 2 && rnd() < 0.1 ? [`r${Math.floor(rnd() * (i - 1))}`] : [];
        const labels = seed % 3 === 0 && rnd() < 0.1 ? [`lab${i}`] : [];
        specs.push({ rev: `r${i}`, down: [...new Set(down)], deps, labels });
      }
      const paths = specs.map((s, i) => `/v/${String((i * 7) % n).padStart(3, '0')}_${i}.py`);
      let files = specs.map((s, i) => fileOf(paths[i] ?? '', s));
      const order = (fs: RevisionFile[]): RevisionFile[] => [...fs].sort((a, b) => (a.path < b.path ? -1 : 1));
      let graph = buildRevisionGraph(order(files));
      for (let step = 0; step < 25; step++) {
        const k = Math.floor(rnd() * n);
        const s = specs[k] as Spec;
        // Mostly older revisions (as people write them); now and then any, which may close a cycle.
        const ids = specs.slice(0, rnd() < 0.9 && k > 0 ? k : n).map((x) => x.rev);
        const r = rnd();
        const down = r < 0.1 ? [] : r < 0.2 ? [`missing${step}`] : r < 0.3 ? [pick(ids), pick(ids)] : [pick(ids)];
        const labelIds = specs.flatMap((x) => x.labels);
        const deps = rnd() < 0.2 ? [labelIds.length > 0 && rnd() < 0.5 ? pick(labelIds) : pick(ids)] : rnd() < 0.1 ? ['nowhere'] : [];
        const next: Spec = { ...s, down: [...new Set(down)], deps };
        const oldFile = files[k] as RevisionFile;
        const newFile = fileOf(oldFile.path, next);
        specs[k] = next;
        files = files.map((f, i) => (i === k ? newFile : f));
        const rebuilt = buildRevisionGraph(order(files));
        const updated = updateFileEdges(graph, oldFile, newFile);
        if (updated) {
          handled++;
          assert.deepEqual(shape(updated), shape(rebuilt), `seed ${seed} step ${step}: ${JSON.stringify(next)}`);
          graph = updated;
        } else {
          declined++;
          const ownLabel = next.deps.some((d) => next.labels.includes(d));
          assert.ok(rebuilt.cycles.length > 0 || ownLabel, `seed ${seed} step ${step}: declined without a cycle: ${JSON.stringify(next)} ${JSON.stringify(s)}`);
          // Undo the edit that closed a cycle, so that the next edits start from a loadable history.
          specs[k] = s;
          files = files.map((f, i) => (i === k ? oldFile : f));
          graph = buildRevisionGraph(order(files));
        }
      }
    }
    assert.ok(handled > 800, `most edits are updated in place (${handled} updated, ${declined} rebuilt)`);
  });

  it('declines what it cannot do exactly: a new cycle, a changed id, a duplicated id', () => {
    const a = fileOf('/v/a.py', { rev: 'a', down: [], deps: [], labels: [] });
    const b = fileOf('/v/b.py', { rev: 'b', down: ['a'], deps: [], labels: [] });
    const g = buildRevisionGraph([a, b]);
    assert.equal(updateFileEdges(g, a, fileOf('/v/a.py', { rev: 'a', down: ['b'], deps: [], labels: [] })), undefined, 'cycle');
    assert.equal(updateFileEdges(g, a, fileOf('/v/a.py', { rev: 'a', down: ['a'], deps: [], labels: [] })), undefined, 'self-loop');
    assert.equal(updateFileEdges(g, b, fileOf('/v/b.py', { rev: 'c', down: ['a'], deps: [], labels: [] })), undefined, 'new id');
    const b2 = fileOf('/v/c.py', { rev: 'b', down: ['a'], deps: [], labels: [] });
    const dup = buildRevisionGraph([a, b, b2]);
    assert.equal(updateFileEdges(dup, b2, fileOf('/v/c.py', { rev: 'b', down: [], deps: [], labels: [] })), undefined, 'duplicate');
    // The declined cycle left the graph as it was.
    assert.deepEqual(shape(g), shape(buildRevisionGraph([a, b])));
  });
});
