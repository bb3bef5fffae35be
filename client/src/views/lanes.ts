// A small text graph of the revision history, one row per revision, for the tree's descriptions
// (like `git log --graph`, simplified). Pure: no vscode import, unit tested.

export interface LaneInput {
  revision: string;
  parents: string[];
}

/**
 * For nodes in history order (every child before its parents), one string per node: `●` in the
 * node's lane, `│` in lanes that continue past it, spaces elsewhere, lanes separated by a space.
 */
export function laneGraph(nodes: readonly LaneInput[]): string[] {
  const lanes: (string | undefined)[] = [];
  const rows: string[] = [];
  const freeLane = (): number => {
    const i = lanes.findIndex((l) => l === undefined);
    return i === -1 ? lanes.length : i;
  };
  for (const node of nodes) {
    const waiting: number[] = [];
    lanes.forEach((expected, i) => { if (expected === node.revision) waiting.push(i); });
    const lane = waiting[0] ?? freeLane();
    if (lane === lanes.length) lanes.push(node.revision);
    let row = '';
    for (let i = 0; i < lanes.length; i++) {
      row += i === lane ? '●' : lanes[i] !== undefined && !waiting.includes(i) ? '│' : waiting.includes(i) ? '┘' : ' ';
      row += ' ';
    }
    rows.push(row.replace(/\s+$/, ''));
    for (const i of waiting) lanes[i] = undefined;
    const [first, ...rest] = node.parents;
    lanes[lane] = first;
    for (const parent of rest) {
      if (lanes.includes(parent)) continue;
      lanes[freeLane()] = parent;
    }
    while (lanes.length > 0 && lanes[lanes.length - 1] === undefined) lanes.pop();
  }
  return rows;
}
