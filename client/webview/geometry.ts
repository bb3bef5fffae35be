// The picture's arithmetic, apart from the DOM so that Node tests can check it: which rows are in view,
// where the selection goes on a key, and the SVG paths of the rows in view.
import type { GraphLayout } from './graphLayout';
import type { GraphNodeView } from '../../common/graphViewMessages';

export interface Metrics {
  rowHeight: number;
  laneWidth: number;
  /** x of lane 0's centre. */
  left: number;
}

export const METRICS: Metrics = { rowHeight: 24, laneWidth: 14, left: 12 };

/** Rows drawn beyond the edges of the viewport, so a small scroll shows no gap before the redraw. */
export const OVERSCAN = 12;

/** Rows [start, end) to put in the DOM for a viewport at `scrollTop` of `height` pixels. */
export function visibleRange(scrollTop: number, height: number, rowCount: number, rowHeight: number, overscan = OVERSCAN): { start: number; end: number } {
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const last = Math.ceil((Math.max(0, scrollTop) + Math.max(0, height)) / rowHeight);
  return { start: Math.max(0, first - overscan), end: Math.min(rowCount, last + overscan) };
}

/** The selection after a navigation key, or undefined when the key does not move it. */
export function moveSelection(key: string, selected: number | undefined, rowCount: number, pageRows: number): number | undefined {
  if (rowCount === 0) return undefined;
  const at = selected ?? -1;
  const clamp = (i: number) => Math.min(rowCount - 1, Math.max(0, i));
  switch (key) {
    case 'ArrowDown': return clamp(selected === undefined ? 0 : at + 1);
    case 'ArrowUp': return clamp(selected === undefined ? 0 : at - 1);
    case 'PageDown': return clamp(at + Math.max(1, pageRows));
    case 'PageUp': return clamp(at - Math.max(1, pageRows));
    case 'Home': return 0;
    case 'End': return rowCount - 1;
    default: return undefined;
  }
}

/** The scrollTop that brings row `index` fully into a viewport, or the current one when it is in view. */
export function scrollToShow(index: number, scrollTop: number, height: number, rowHeight: number): number {
  const top = index * rowHeight;
  if (top < scrollTop) return top;
  if (top + rowHeight > scrollTop + height) return Math.max(0, top + rowHeight - height);
  return scrollTop;
}

export const laneX = (lane: number, m: Metrics = METRICS): number => m.left + lane * m.laneWidth;

/** Width of the graph column for a layout. */
export const gutterWidth = (laneCount: number, m: Metrics = METRICS): number => m.left + Math.max(1, laneCount) * m.laneWidth;

export interface RowPaths {
  /** Path data per lane colour, one `<path>` each: few elements however many lines. */
  byColor: Map<number, string>;
  /** Stubs for parents missing from the graph (dashed). */
  missing: string;
  nodes: { row: number; x: number; y: number; color: number }[];
}

/**
 * The SVG paths of rows [start, end), in coordinates relative to the top of row `start`. Lines change
 * lane with a vertical S curve between the row's edge and the node's centre.
 */
export function rowPaths(layout: GraphLayout, start: number, end: number, m: Metrics = METRICS): RowPaths {
  const byColor = new Map<number, string>();
  const add = (color: number, d: string) => byColor.set(color, (byColor.get(color) ?? '') + d);
  const r = (n: number) => Math.round(n * 10) / 10;
  let missing = '';
  const nodes: RowPaths['nodes'] = [];
  for (let i = start; i < end; i++) {
    const row = layout.rows[i];
    if (!row) continue;
    const top = (i - start) * m.rowHeight;
    const mid = top + m.rowHeight / 2;
    const bottom = top + m.rowHeight;
    const xn = laneX(row.lane, m);
    for (const line of row.lines) {
      const x = laneX(line.lane, m);
      if (line.kind === 'through') {
        add(line.color, `M${r(x)} ${r(top)}V${r(bottom)}`);
      } else if (line.kind === 'in') {
        const c = (top + mid) / 2;
        add(line.color, x === xn ? `M${r(x)} ${r(top)}V${r(mid)}` : `M${r(x)} ${r(top)}C${r(x)} ${r(c)} ${r(xn)} ${r(c)} ${r(xn)} ${r(mid)}`);
      } else {
        const c = (mid + bottom) / 2;
        add(line.color, x === xn ? `M${r(xn)} ${r(mid)}V${r(bottom)}` : `M${r(xn)} ${r(mid)}C${r(xn)} ${r(c)} ${r(x)} ${r(c)} ${r(x)} ${r(bottom)}`);
      }
    }
    if (row.missingParents > 0) missing += `M${r(xn)} ${r(mid)}V${r(bottom - 2)}`;
    nodes.push({ row: i, x: xn, y: mid, color: row.color });
  }
  return { byColor, missing, nodes };
}

/** The tooltip of a row: everything the tree's tooltip says, as plain text. */
export function tooltipText(n: GraphNodeView, databaseSummary: string): string {
  const list = (ids: string[]) => (ids.length ? ids.join(', ') : '—');
  const marks = [n.isHead && 'head', n.isBase && 'base', n.isMerge && 'merge', n.isBranchPoint && 'branch point'].filter(Boolean).join(', ');
  const lines = [
    n.message || '(no message)',
    `Revision ${n.revision}${n.createDate ? ` · ${n.createDate}` : ''}`,
    `Parents: ${list(n.parents)}`,
    `Children: ${list(n.children)}`,
  ];
  if (n.dependencies.length) lines.push(`Depends on: ${list(n.dependencies)}`);
  if (n.branchLabels.length) lines.push(`Branch labels: ${n.branchLabels.join(', ')}`);
  if (marks) lines.push(`Marks: ${marks}`);
  lines.push(`State: ${n.state === 'unknown' ? databaseSummary : n.state}`);
  if (n.diagnosticCount > 0) {
    lines.push(`${n.diagnosticCount} problem${n.diagnosticCount === 1 ? '' : 's'} in this file${n.problems.length ? ':' : ''}`);
    for (const p of n.problems) lines.push(`  • ${p}`);
  }
  lines.push(`File: ${n.file}`);
  return lines.join('\n');
}
