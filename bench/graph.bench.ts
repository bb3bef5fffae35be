// Layout time of the revision graph picture (client/webview/graphLayout.ts) at 300, 1,000 and 10,000
// revisions: the generated 300-revision fixture as the server sends it, and larger synthetic histories
// of the same shape (a trunk, feature branches forking and merging back, up to three open at once, an
// independent labelled branch). The webview lays out the whole history once per model it receives and
// then draws only the rows in view, so this is the picture's up-front cost.
import { layoutGraph, type LayoutInput } from '../client/webview/graphLayout';
import { WorkspaceIndex } from '../server/src/lsp/workspaceIndex';
import { nodeFileSystem } from '../server/src/fs/nodeFileSystem';
import { fixturePath } from '../test/support/paths';
import { seededRandom } from '../test/support/random';
import { wireOf } from '../server/src/lsp/wire';

const rng = seededRandom;

/** A history of `count` revisions, newest first (history order). */
export function syntheticHistory(count: number, seed = 1): LayoutInput[] {
  const r = rng(seed);
  const oldestFirst: LayoutInput[] = [];
  const add = (parents: string[]) => {
    const revision = `r${oldestFirst.length.toString(16).padStart(6, '0')}`;
    oldestFirst.push({ revision, parents });
    return revision;
  };
  let trunk = add([]);
  let side: string | undefined;
  const open: { tip: string; left: number }[] = [];
  while (oldestFirst.length < count) {
    const due = open.find((b) => b.left <= 0 || count - oldestFirst.length <= open.length + 1);
    if (due) {
      trunk = add([trunk, due.tip]);
      open.splice(open.indexOf(due), 1);
      continue;
    }
    const roll = r();
    if (side === undefined && oldestFirst.length > count * 0.1) side = add([]);
    else if (side !== undefined && roll < 0.05) side = add([side]);
    else if (open.length < 3 && roll < 0.2) open.push({ tip: add([trunk]), left: 1 + Math.floor(r() * 15) });
    else if (open.length > 0 && roll < 0.65) {
      const b = open[Math.floor(r() * open.length)] as { tip: string; left: number };
      b.tip = add([b.tip]);
      b.left--;
    } else trunk = add([trunk]);
  }
  return oldestFirst.reverse();
}

function measure(nodes: readonly LayoutInput[], runs: number): { median: number; first: number; lanes: number } {
  const times: number[] = [];
  let lanes = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    lanes = layoutGraph(nodes).laneCount;
    times.push(performance.now() - t0);
  }
  const first = times[0] ?? 0;
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)] ?? 0, first, lanes };
}

export async function run(): Promise<void> {
  const index = new WorkspaceIndex(nodeFileSystem, () => undefined, [fixturePath('graph-300')], { rules: {} });
  await index.reindex();
  const id = index.projectIds()[0];
  const fixture = id ? (() => { const m = index.model(id); return m ? wireOf(m).revisionGraph().nodes : []; })() : [];
  const cases: [string, readonly LayoutInput[], number][] = [
    ['graph-300 fixture', fixture, 50],
    ['synthetic 300', syntheticHistory(300), 50],
    ['synthetic 1,000', syntheticHistory(1_000), 30],
    ['synthetic 10,000', syntheticHistory(10_000), 10],
  ];
  for (const [name, nodes, runs] of cases) {
    const m = measure(nodes, runs);
    console.log(`layout ${name.padEnd(18)} ${String(nodes.length).padStart(6)} revisions  median ${m.median.toFixed(2).padStart(7)} ms  first run ${m.first.toFixed(2).padStart(7)} ms  ${m.lanes} lanes`);
  }
}
