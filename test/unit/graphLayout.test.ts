// The revision graph picture's lane layout: lanes per line of descent, forks at branch points, joins
// at merges, lines that never break between rows, and robustness to broken histories. Inputs come from
// the core's own history order (the order the server sends).
import assert from 'node:assert/strict';
import { historyOrder } from '../../server/src/core/graph';
import { DEFAULT_COLORS, type GraphLayout, type LayoutInput, layoutGraph } from '../../client/webview/graphLayout';
import { WorkspaceIndex } from '../../server/src/lsp/workspaceIndex';
import { nodeFileSystem } from '../../server/src/fs/nodeFileSystem';
import { fixturePath } from '../support/paths';
import { graphOf } from './graphSupport';
import { wireOf } from '../../server/src/lsp/wire';

type Ids = string | string[] | null;

/** Nodes in the server's order (core historyOrder) for `[revision, down_revision]` rows. */
function history(rows: [string, Ids][]): LayoutInput[] {
  const g = graphOf(rows);
  return historyOrder(g).map((id) => ({ revision: id, parents: g.nodes.get(id)?.parents ?? [] }));
}

/** The lanes busy at a row's edge (an `out` line may join a `through` line on the same lane). */
const lanesOf = (layout: GraphLayout, row: number, kinds: string[]): number[] =>
  [...new Set((layout.rows[row]?.lines ?? []).filter((l) => kinds.includes(l.kind)).map((l) => l.lane))].sort((a, b) => a - b);

/**
 * Checks the invariants any drawing relies on: the lanes leaving a row's bottom edge are exactly the
 * lanes entering the next row's top edge, nothing enters the first row or leaves the last, and every
 * line followed down from a revision ends in one of its parents (and reaches each of them).
 */
function checkLayout(nodes: readonly LayoutInput[], layout: GraphLayout): void {
  assert.equal(layout.rows.length, nodes.length);
  assert.deepEqual(lanesOf(layout, 0, ['through', 'in']), [], 'nothing enters the first row');
  assert.deepEqual(lanesOf(layout, nodes.length - 1, ['through', 'out']), [], 'nothing leaves the last row');
  for (let r = 0; r + 1 < nodes.length; r++) {
    const bottom = lanesOf(layout, r, ['through', 'out']);
    const top = lanesOf(layout, r + 1, ['through', 'in']);
    assert.deepEqual(bottom, top, `rows ${r} → ${r + 1} (${nodes[r]?.revision} → ${nodes[r + 1]?.revision})`);
  }
  layout.rows.forEach((r) => {
    // Lines open at the same time get different colours while the palette suffices (a picture that
    // was ever wider than the palette may carry a repeat further down).
    const colorByLane = new Map<number, number>();
    for (const l of r.lines) if (l.kind !== 'in') colorByLane.set(l.lane, l.color);
    if (layout.laneCount <= DEFAULT_COLORS) assert.equal(new Set(colorByLane.values()).size, colorByLane.size, 'open lanes have distinct colours');
    for (const l of r.lines) assert.ok(l.color >= 0 && l.color < DEFAULT_COLORS);
  });
  const row = new Map(nodes.map((n, i) => [n.revision, i]));
  nodes.forEach((n, r) => {
    const reached = new Set<string>();
    for (const out of layout.rows[r]?.lines.filter((l) => l.kind === 'out') ?? []) {
      let at = r + 1;
      while (at < nodes.length && !layout.rows[at]?.lines.some((l) => l.kind === 'in' && l.lane === out.lane)) at++;
      assert.ok(at < nodes.length, `the line from ${n.revision} on lane ${out.lane} ends somewhere`);
      reached.add(nodes[at]?.revision ?? '');
    }
    const expected = n.parents.filter((p) => (row.get(p) ?? -1) > r);
    for (const p of expected) assert.ok(reached.has(p), `${n.revision} reaches its parent ${p}`);
    for (const p of reached) assert.ok(expected.includes(p), `${n.revision} reaches only its parents, not ${p}`);
  });
}

describe('graph picture: lane layout', () => {
  it('puts a linear history in one lane, one line between each pair of rows', () => {
    const nodes = history([['a', null], ['b', 'a'], ['c', 'b'], ['d', 'c']]);
    const layout = layoutGraph(nodes);
    checkLayout(nodes, layout);
    assert.equal(layout.laneCount, 1);
    assert.deepEqual(layout.rows.map((r) => r.lane), [0, 0, 0, 0]);
    assert.deepEqual(layout.rows.map((r) => r.lines.map((l) => l.kind).join(',')), ['out', 'in,out', 'in,out', 'in']);
  });

  it('forks at the branch point and joins at the merge, each branch in its own lane and colour', () => {
    // a ← b ← c ← m, a ← x ← y ← m: history m, c, b, y, x, a (or with the branches swapped).
    const nodes = history([['a', null], ['b', 'a'], ['c', 'b'], ['x', 'a'], ['y', 'x'], ['m', ['c', 'y']]]);
    const layout = layoutGraph(nodes);
    checkLayout(nodes, layout);
    assert.equal(layout.laneCount, 2);
    const at = (id: string) => nodes.findIndex((n) => n.revision === id);
    const merge = layout.rows[at('m')];
    assert.deepEqual(merge?.lines.filter((l) => l.kind === 'out').map((l) => l.lane), [0, 1], 'the merge opens two lanes');
    const base = layout.rows[at('a')];
    assert.deepEqual(base?.lines.filter((l) => l.kind === 'in').map((l) => l.lane), [0, 1], 'both lines end in the branch point');
    assert.equal(base?.lane, 0);
    const laneOf = (id: string) => layout.rows[at(id)]?.lane;
    assert.equal(laneOf('c'), laneOf('b'), 'a branch keeps its lane');
    assert.equal(laneOf('y'), laneOf('x'));
    assert.notEqual(laneOf('c'), laneOf('y'));
    const colorOf = (id: string) => layout.rows[at(id)]?.color;
    assert.notEqual(colorOf('c'), colorOf('y'), 'the branches have different colours');
    assert.equal(colorOf('m'), colorOf(nodes[1]?.revision ?? ''), 'the first parent continues the merge\'s colour');
  });

  it('gives two heads two lanes and keeps the lines of a branch point apart until the branch point', () => {
    const nodes = history([['a', null], ['b', 'a'], ['h1', 'b'], ['h2', 'b']]);
    const layout = layoutGraph(nodes);
    checkLayout(nodes, layout);
    assert.deepEqual(layout.rows.slice(0, 2).map((r) => r.lane), [0, 1], 'each head starts a lane');
    const b = layout.rows[2];
    assert.deepEqual(b?.lines.filter((l) => l.kind === 'in').map((l) => l.lane), [0, 1]);
    assert.equal(layout.rows[3]?.lines.length, 1, 'only one line left below the branch point');
  });

  it('reuses a freed lane from the left instead of widening the picture', () => {
    // Two feature branches one after the other on a trunk: never more than two lanes.
    const nodes = history([
      ['t1', null], ['f1', 't1'], ['t2', 't1'], ['m1', ['t2', 'f1']],
      ['f2', 'm1'], ['t3', 'm1'], ['m2', ['t3', 'f2']], ['t4', 'm2'],
    ]);
    const layout = layoutGraph(nodes);
    checkLayout(nodes, layout);
    assert.equal(layout.laneCount, 2);
  });

  it('lets a lane freed at a branch point take a line of that revision\'s merge', () => {
    // b ends lanes 0 and 1 (two children) and, being a merge, opens lines to p and q: lanes 0 and 1.
    const nodes: LayoutInput[] = [
      { revision: 'h1', parents: ['b'] }, { revision: 'h2', parents: ['b'] },
      { revision: 'b', parents: ['p', 'q'] }, { revision: 'p', parents: [] }, { revision: 'q', parents: [] },
    ];
    const layout = layoutGraph(nodes);
    checkLayout(nodes, layout);
    const row = layout.rows[2];
    assert.deepEqual(row?.lines.filter((l) => l.kind === 'in').map((l) => l.lane), [0, 1]);
    assert.deepEqual(row?.lines.filter((l) => l.kind === 'out').map((l) => l.lane), [0, 1]);
    assert.equal(layout.laneCount, 2);
  });

  it('joins a merge parent that another lane already waits for into that lane', () => {
    const nodes: LayoutInput[] = [
      { revision: 'h', parents: ['p'] }, { revision: 'm', parents: ['q', 'p'] },
      { revision: 'q', parents: ['p'] }, { revision: 'p', parents: [] },
    ];
    const layout = layoutGraph(nodes);
    checkLayout(nodes, layout);
    assert.equal(layout.laneCount, 2, 'no third lane for p');
    assert.deepEqual(layout.rows[1]?.lines.filter((l) => l.kind === 'out').map((l) => l.lane), [1, 0]);
  });

  it('counts parents missing from the graph and opens no lane for them', () => {
    const nodes: LayoutInput[] = [{ revision: 'b', parents: ['a', 'gone'] }, { revision: 'a', parents: [] }, { revision: 'c', parents: ['nowhere'] }];
    const layout = layoutGraph(nodes);
    checkLayout(nodes, layout);
    assert.equal(layout.rows[0]?.missingParents, 1);
    assert.equal(layout.rows[2]?.missingParents, 1);
    assert.equal(layout.rows[2]?.lines.length, 0);
  });

  it('survives a cycle and duplicate parents: every lane opened is closed', () => {
    const nodes: LayoutInput[] = [
      { revision: 'a', parents: ['b', 'b'] }, { revision: 'b', parents: ['c'] }, { revision: 'c', parents: ['a'] },
    ];
    const layout = layoutGraph(nodes);
    checkLayout(nodes, layout);
    assert.equal(layout.rows[0]?.lines.length, 1);
    assert.equal(layout.rows[2]?.lines.filter((l) => l.kind === 'out').length, 0, 'the back edge to a opens no lane');
  });

  it('keeps its invariants on random histories in the server\'s order', () => {
    let seed = 7;
    const rand = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
    for (let round = 0; round < 40; round++) {
      const rows: [string, Ids][] = [['r0', null]];
      const tips = ['r0'];
      const size = 5 + Math.floor(rand() * 60);
      for (let i = 1; i < size; i++) {
        const id = `r${i}`;
        const roll = rand();
        if (roll < 0.05) {
          rows.push([id, null]);
          tips.push(id);
        } else if (roll < 0.2 && tips.length > 1) {
          const a = tips.splice(Math.floor(rand() * tips.length), 1)[0] as string;
          const b = tips.splice(Math.floor(rand() * tips.length), 1)[0] as string;
          rows.push([id, [a, b]]);
          tips.push(id);
        } else {
          const from = rand() < 0.2 ? `r${Math.floor(rand() * i)}` : (tips[Math.floor(rand() * tips.length)] as string);
          rows.push([id, from]);
          if (tips.includes(from)) tips.splice(tips.indexOf(from), 1);
          tips.push(id);
        }
      }
      const nodes = history(rows);
      checkLayout(nodes, layoutGraph(nodes));
    }
  });
});

describe('graph picture: the 300-revision fixture', () => {
  it('lays out test/fixtures/graph-300 as the server sends it: valid, narrow, in a few milliseconds', async () => {
    const index = new WorkspaceIndex(nodeFileSystem, () => undefined, [fixturePath('graph-300')], { rules: {} });
    await index.reindex();
    const id = index.projectIds()[0] ?? assert.fail('graph-300 is not found as a project');
    const graph = wireOf(index.model(id) ?? assert.fail('graph-300 has no model')).revisionGraph();
    assert.equal(graph.nodes.length, 300);
    const layout = layoutGraph(graph.nodes);
    checkLayout(graph.nodes, layout);
    assert.ok(layout.laneCount >= 3 && layout.laneCount <= 8, `${layout.laneCount} lanes`);
    assert.ok(layout.rows.some((r) => r.lines.filter((l) => l.kind === 'out').length >= 3), 'a merge of two branches at once');
    const times: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now();
      layoutGraph(graph.nodes);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)] ?? 0;
    console.log(`      layout of graph-300: median ${median.toFixed(3)} ms, worst ${times[times.length - 1]?.toFixed(3)} ms (300 revisions, ${layout.laneCount} lanes)`);
    // Generous on a loaded 2-core machine; the measured figure is printed above.
    assert.ok(median < 50, `median layout time ${median} ms`);
  });
});
