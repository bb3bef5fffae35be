// Lane layout for the revision graph picture: one row per revision in `alembic history` order (heads
// first, every child before its parents) and a lane per line of descent, like `git log --graph`.
// Pure: no vscode import, no DOM; the webview bundles it and the unit tests and benches run it in Node.
//
// Why by hand and not a layout library (@dagrejs/dagre, elkjs, d3-dag are in the registry): those do
// layered (Sugiyama) layout — ranks, crossing minimisation, coordinate assignment over the whole graph —
// and hand back free 2-D positions. A migration history is read top to bottom in history order, the same
// order as the tree and `alembic history`, and at 300+ revisions the picture must be virtualised: only
// the rows in view are drawn. That needs a fixed row per revision and lines that can be drawn row by
// row, which a lane assignment gives in one linear pass (O(revisions × lanes)); a layered layout would
// reorder revisions, cost super-linear time on the whole graph before the first row shows, and add a
// large dependency to the webview bundle for a picture we would then have to re-slice into rows anyway.

export interface LayoutInput {
  revision: string;
  /** `down_revision` ids in the order written; the first one continues the revision's own lane. */
  parents: readonly string[];
}

/** A line segment inside one row; x positions are lane indexes, y is implied by the kind. */
export type LaneLine =
  /** Top edge to bottom edge on the same lane: a line of descent passing this revision by. */
  | { kind: 'through'; lane: number; color: number }
  /** Top edge of `lane` into the revision's node: a child's edge ends here (a fork when several). */
  | { kind: 'in'; lane: number; color: number }
  /** The revision's node to the bottom edge of `lane`: an edge to a parent starts (a join when several). */
  | { kind: 'out'; lane: number; color: number };

export interface LayoutRow {
  /** The lane the revision's node sits in. */
  lane: number;
  /** Colour of that lane: an index into the renderer's palette. */
  color: number;
  lines: LaneLine[];
  /** Parents named in `down_revision` that are not in the graph (a broken chain): drawn as a stub. */
  missingParents: number;
}

/** Lane colours the webview's stylesheet defines (media/graph.css `.lane-c0` … `.lane-c6`). */
export const DEFAULT_COLORS = 7;

export interface GraphLayout {
  rows: LayoutRow[];
  /** Lanes the widest row uses: the width of the graph column. */
  laneCount: number;
}

/**
 * Lays out `nodes` (history order). A lane holds the parent id it waits for; a revision takes the
 * leftmost lane waiting for it (every other lane waiting for it ends in it: a branch point), keeps that
 * lane for its first parent and opens lanes for further parents (a merge) unless a lane already waits
 * for that parent. Lanes keep their x position until freed, so lines stay straight; freed lanes are
 * reused from the left. Parents that are unknown, or that come earlier in the order (only possible in
 * a cycle, which the server reports), get no lane, so every lane opened is closed again.
 */
export function layoutGraph(nodes: readonly LayoutInput[], options: { colors?: number } = {}): GraphLayout {
  const palette = Math.max(1, options.colors ?? DEFAULT_COLORS);
  const index = new Map<string, number>();
  nodes.forEach((n, i) => { if (!index.has(n.revision)) index.set(n.revision, i); });

  // waiting[lane]: the revision the lane's line leads to, or undefined when the lane is free.
  const waiting: (string | undefined)[] = [];
  const colors: number[] = [];
  let nextColor = 0;
  let laneCount = 0;
  const rows: LayoutRow[] = [];

  // A new line takes the next colour in turn that no open line has, so neighbours rarely match.
  const newColor = (): number => {
    const open = new Set<number>();
    for (let l = 0; l < waiting.length; l++) if (waiting[l] !== undefined) open.add(colors[l] ?? -1);
    for (let k = 0; k < palette; k++) {
      const c = (nextColor + k) % palette;
      if (!open.has(c)) { nextColor = c + 1; return c; }
    }
    return nextColor++ % palette;
  };
  const freeLane = (taken: ReadonlySet<number>): number => {
    for (let i = 0; i < waiting.length; i++) if (waiting[i] === undefined && !taken.has(i)) return i;
    return waiting.length;
  };

  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i] as LayoutInput;
    const lines: LaneLine[] = [];
    const ending = new Set<number>();
    for (let l = 0; l < waiting.length; l++) if (waiting[l] === node.revision) ending.add(l);

    let lane: number;
    let color: number;
    if (ending.size > 0) {
      lane = Math.min(...ending);
      color = colors[lane] ?? 0;
    } else {
      // A head (or a revision whose children are missing): a new line starts here.
      lane = freeLane(new Set());
      color = newColor();
    }
    for (let l = 0; l < waiting.length; l++) {
      const w = waiting[l];
      if (w === undefined) continue;
      lines.push(ending.has(l) ? { kind: 'in', lane: l, color: colors[l] ?? 0 } : { kind: 'through', lane: l, color: colors[l] ?? 0 });
    }
    for (const l of ending) waiting[l] = undefined;

    const parents: string[] = [];
    let missingParents = 0;
    for (const p of node.parents) {
      const at = index.get(p);
      if (at === undefined) { missingParents++; continue; }
      if (at > i && !parents.includes(p)) parents.push(p);
    }

    // A lane freed in this row may take one of its new lines at once: both lines meet at the node, so
    // the picture stays narrow (a merge right below a branch point keeps two lanes, not three).
    const taken = new Set<number>([lane]);
    parents.forEach((p, k) => {
      let target: number;
      if (k === 0) {
        target = lane;
        colors[lane] = color;
      } else {
        const existing = waiting.indexOf(p);
        if (existing !== -1) {
          target = existing;
        } else {
          target = freeLane(taken);
          colors[target] = newColor();
        }
      }
      waiting[target] = p;
      taken.add(target);
      lines.push({ kind: 'out', lane: target, color: colors[target] ?? 0 });
    });

    while (waiting.length > 0 && waiting[waiting.length - 1] === undefined) waiting.pop();
    let width = lane + 1;
    for (const line of lines) width = Math.max(width, line.lane + 1);
    laneCount = Math.max(laneCount, width);
    rows.push({ lane, color, lines, missingParents });
  }
  return { rows, laneCount };
}
