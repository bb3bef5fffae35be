// The revision graph picture, inside the webview: lays out the model the panel posts, draws only the
// rows in view (an SVG for the lanes and a row of text per revision), and sends back what the user asks
// for (open a file, run a row action) and what it drew (counts and timings, for the tests).
// Bundled by esbuild.mjs into dist/webview/graph.js (+ graph.css from the import below).
import '../../media/graph.css';
import { type GraphLayout, layoutGraph } from './graphLayout';
import { gutterWidth, METRICS, moveSelection, rowPaths, scrollToShow, tooltipText, visibleRange } from './geometry';
import { ContextMenu } from './menu';
import type { FromWebview, GraphNodeView, GraphViewModel, ProbeResult, SimulatedInput, ToWebview } from '../../common/graphViewMessages';

interface SavedState {
  selected?: string;
  scrollTop?: number;
}

interface VsCodeApi {
  postMessage(message: FromWebview): void;
  getState(): SavedState | undefined;
  setState(state: SavedState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const SVG = 'http://www.w3.org/2000/svg';
/** Lane colours in media/graph.css (`.lane-c0` …). */
const PALETTE = 7;
const H = METRICS.rowHeight;

let model: GraphViewModel | undefined;
let layout: GraphLayout | undefined;
let index = new Map<string, number>();
let selected: number | undefined;
let drawn = { start: -1, end: -1 };
let saved = vscode.getState() ?? {};
let restoredScroll = false;

// --- the page ------------------------------------------------------------------------------------------

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function svgEl<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

const header = el('header', 'header');
const title = el('h1', 'title');
const dbSummary = el('span', 'db');
const goCurrent = el('button', 'button', 'Go to Current');
goCurrent.type = 'button';
goCurrent.title = 'Select the revision the database is at';
const legend = el('span', 'legend');
for (const [state, text] of [['applied', 'applied'], ['pending', 'pending'], ['current', 'current']] as const) {
  const item = el('span', 'legend-item');
  const dot = svgEl('svg', { width: 14, height: 14, 'aria-hidden': 'true' });
  if (state === 'current') dot.append(svgEl('circle', { cx: 7, cy: 7, r: 6, class: 'ring' }));
  dot.append(svgEl('circle', { cx: 7, cy: 7, r: 4, class: `node lane-c0 state-${state}` }));
  item.append(dot, document.createTextNode(text));
  legend.append(item);
}
header.append(title, dbSummary, goCurrent, legend);

const viewport = el('div', 'viewport');
viewport.tabIndex = 0;
viewport.setAttribute('role', 'listbox');
viewport.setAttribute('aria-label', 'Revisions, newest first');
const canvas = el('div', 'canvas');
const lanes = svgEl('svg', { class: 'lanes', 'aria-hidden': 'true' });
const rows = el('div', 'rows');
canvas.append(lanes, rows);
viewport.append(canvas);
const notice = el('div', 'notice');
notice.hidden = true;
const menu = new ContextMenu((command, revision) => post({ type: 'action', command, revision }));
document.body.append(header, notice, viewport, menu.element);

function post(message: FromWebview): void {
  vscode.postMessage(message);
}

function remember(): void {
  const node = selected === undefined ? undefined : model?.nodes[selected];
  saved = { scrollTop: viewport.scrollTop, ...(node ? { selected: node.revision } : {}) };
  vscode.setState(saved);
}

// --- drawing -------------------------------------------------------------------------------------------

function rowElement(i: number, node: GraphNodeView): HTMLDivElement {
  const row = el('div', `row state-${node.state}`);
  if (node.state === 'current') row.classList.add('current');
  if (i === selected) row.classList.add('selected');
  row.id = `row-${i}`;
  row.setAttribute('role', 'option');
  row.setAttribute('aria-selected', String(i === selected));
  row.dataset.index = String(i);
  row.dataset.revision = node.revision;
  row.title = tooltipText(node, model?.database.summary ?? '');
  row.append(el('span', 'rev', node.shortId));
  const badges: HTMLElement[] = [];
  if (node.state === 'current') badges.push(el('span', 'badge current', 'current'));
  if (node.isHead) badges.push(el('span', 'badge head', 'head'));
  if (node.isBase) badges.push(el('span', 'badge base', 'base'));
  for (const label of node.declaredLabels) badges.push(el('span', 'badge label', `@${label}`));
  if (node.diagnosticCount > 0) {
    const severity = node.severity ?? 'warning';
    const mark = severity === 'error' ? '✖' : severity === 'warning' ? '⚠' : 'ℹ';
    const diag = el('span', `diag ${severity}`, `${mark} ${node.diagnosticCount}`);
    diag.title = [`${node.diagnosticCount} problem${node.diagnosticCount === 1 ? '' : 's'} in ${node.file}`, ...node.problems.map((p) => `• ${p}`)].join('\n');
    diag.setAttribute('aria-label', `${node.diagnosticCount} ${severity}${node.diagnosticCount === 1 ? '' : 's'}`);
    badges.push(diag);
  }
  row.append(...badges, el('span', 'msg', node.message), el('span', 'date', node.createDate?.slice(0, 10) ?? ''));
  row.setAttribute('aria-label', [node.revision, node.message, node.state, node.isHead ? 'head' : '', node.isBase ? 'base' : '',
    node.diagnosticCount ? `${node.diagnosticCount} problems` : ''].filter(Boolean).join(', '));
  return row;
}

function render(force = false): void {
  if (!model || !layout) return;
  const { start, end } = visibleRange(viewport.scrollTop, viewport.clientHeight, model.nodes.length, H);
  if (!force && start === drawn.start && end === drawn.end) return;
  drawn = { start, end };
  const width = gutterWidth(layout.laneCount);
  const paths = rowPaths(layout, start, end);
  const shapes: SVGElement[] = [];
  for (const [color, d] of paths.byColor) shapes.push(svgEl('path', { d, class: `line lane-c${color % PALETTE}` }));
  if (paths.missing) shapes.push(svgEl('path', { d: paths.missing, class: 'line missing' }));
  for (const n of paths.nodes) {
    const node = model.nodes[n.row];
    if (!node) continue;
    if (node.state === 'current') shapes.push(svgEl('circle', { cx: n.x, cy: n.y, r: 7.5, class: 'ring' }));
    const classes = ['node', `lane-c${n.color % PALETTE}`, `state-${node.state}`];
    if (node.isHead) classes.push('head');
    if (node.isBase) classes.push('base');
    if (node.isMerge) classes.push('merge');
    if (node.isBranchPoint) classes.push('branchpoint');
    shapes.push(svgEl('circle', { cx: n.x, cy: n.y, r: node.isMerge || node.isBranchPoint ? 5 : 4, class: classes.join(' '), 'data-revision': node.revision }));
  }
  lanes.replaceChildren(...shapes);
  lanes.setAttribute('width', String(width));
  lanes.setAttribute('height', String(Math.max(0, end - start) * H));
  lanes.style.top = `${start * H}px`;
  rows.style.top = `${start * H}px`;
  rows.style.paddingLeft = `${width}px`;
  const fragment = document.createDocumentFragment();
  for (let i = start; i < end; i++) {
    const node = model.nodes[i];
    if (node) fragment.append(rowElement(i, node));
  }
  rows.replaceChildren(fragment);
  if (selected !== undefined && selected >= start && selected < end) viewport.setAttribute('aria-activedescendant', `row-${selected}`);
  else viewport.removeAttribute('aria-activedescendant');
}

let frame = 0;
function scheduleRender(): void {
  if (frame) return;
  frame = requestAnimationFrame(() => { frame = 0; render(); remember(); });
}

// --- selection and actions -----------------------------------------------------------------------------

function select(i: number | undefined, reveal = true): void {
  selected = i;
  if (i !== undefined && reveal) viewport.scrollTop = scrollToShow(i, viewport.scrollTop, viewport.clientHeight, H);
  render(true);
  remember();
}

function open(i: number | undefined): void {
  const node = i === undefined ? undefined : model?.nodes[i];
  if (node) post({ type: 'open', revision: node.revision });
}

function openMenuAt(i: number, x?: number, y?: number): void {
  const node = model?.nodes[i];
  if (!node) return;
  select(i);
  const row = document.getElementById(`row-${i}`);
  const box = row?.getBoundingClientRect();
  menu.open(x ?? (box ? box.left + gutterWidth(layout?.laneCount ?? 1) : 0), y ?? (box ? box.bottom : 0), node.revision, viewport);
}

function rowIndexOf(target: EventTarget | null): number | undefined {
  const row = (target as HTMLElement | null)?.closest<HTMLElement>('.row');
  return row?.dataset.index === undefined ? undefined : Number(row.dataset.index);
}

rows.addEventListener('click', (e) => {
  const i = rowIndexOf(e.target);
  if (i === undefined) return;
  select(i, false);
  viewport.focus();
  open(i);
});
rows.addEventListener('contextmenu', (e) => {
  const i = rowIndexOf(e.target);
  if (i === undefined) return;
  e.preventDefault();
  openMenuAt(i, e.clientX, e.clientY);
});
viewport.addEventListener('keydown', (e) => {
  if (!model) return;
  if (e.key === 'Enter') { open(selected); e.preventDefault(); return; }
  if (e.key === 'ContextMenu' || (e.key === 'F10' && e.shiftKey)) {
    if (selected !== undefined) openMenuAt(selected);
    e.preventDefault();
    return;
  }
  const next = moveSelection(e.key, selected, model.nodes.length, Math.floor(viewport.clientHeight / H) - 1);
  if (next === undefined) return;
  e.preventDefault();
  select(next);
});
viewport.addEventListener('scroll', () => { menu.close(false); scheduleRender(); }, { passive: true });
window.addEventListener('resize', () => scheduleRender());
goCurrent.addEventListener('click', () => {
  const current = model?.database.current[0];
  const i = current === undefined ? undefined : index.get(current);
  if (i !== undefined) { select(i); viewport.focus(); }
});

// --- messages from the panel ---------------------------------------------------------------------------

function show(generation: number, next: GraphViewModel, reveal: string | undefined): void {
  const t0 = performance.now();
  const previous = reveal ?? (selected === undefined ? saved.selected : model?.nodes[selected]?.revision);
  model = next;
  layout = layoutGraph(next.nodes);
  const t1 = performance.now();
  index = new Map(next.nodes.map((n, i) => [n.revision, i]));
  selected = previous === undefined ? undefined : index.get(previous);
  title.textContent = next.projectName;
  dbSummary.textContent = next.database.summary;
  dbSummary.className = `db db-${next.database.kind}`;
  goCurrent.hidden = next.database.current.length === 0;
  legend.hidden = next.database.kind !== 'ok';
  notice.hidden = next.notice === undefined;
  notice.textContent = next.notice ?? '';
  menu.setActions(next.actions);
  canvas.style.height = `${next.nodes.length * H}px`;
  canvas.style.minWidth = `${gutterWidth(layout.laneCount) + 320}px`;
  if (!restoredScroll) {
    restoredScroll = true;
    if (saved.scrollTop) viewport.scrollTop = saved.scrollTop;
  }
  if (reveal !== undefined && selected !== undefined) viewport.scrollTop = scrollToShow(selected, viewport.scrollTop, viewport.clientHeight, H);
  render(true);
  const t2 = performance.now();
  const report = { generation, nodes: next.nodes.length, rowsInDom: rows.childElementCount, laneCount: layout.laneCount, layoutMs: t1 - t0, renderMs: t2 - t1 };
  // Sent once the frame is painted (or soon after, when the webview gets no animation frames).
  let sent = false;
  const send = () => { if (!sent) { sent = true; post({ type: 'rendered', report }); } };
  requestAnimationFrame(send);
  setTimeout(send, 100);
}

function probe(): ProbeResult {
  const chosen = selected === undefined ? undefined : model?.nodes[selected];
  return {
    ...(chosen ? { selected: chosen.revision } : {}),
    scrollTop: viewport.scrollTop,
    viewportHeight: viewport.clientHeight,
    totalHeight: canvas.offsetHeight,
    header: header.textContent ?? '',
    styled: getComputedStyle(document.body).display === 'flex' && getComputedStyle(viewport).overflow === 'auto',
    menu: { open: menu.isOpen, items: menu.items, ...(menu.openFor ? { revision: menu.openFor } : {}) },
    rows: [...rows.querySelectorAll<HTMLElement>('.row')].map((r) => ({
      revision: r.dataset.revision ?? '',
      classes: [...r.classList],
      text: r.textContent ?? '',
      tooltip: r.title,
      nodeClasses: [...lanes.querySelectorAll('circle.node')].find((c) => c.getAttribute('data-revision') === r.dataset.revision)?.getAttribute('class')?.split(' ') ?? [],
    })),
  };
}

/** Replays an input through the same listeners a user's input reaches. */
function simulate(input: SimulatedInput): void {
  const rowOf = (revision: string): HTMLElement => {
    const i = index.get(revision);
    if (i === undefined) throw new Error(`no revision ${revision} in the picture`);
    viewport.scrollTop = scrollToShow(i, viewport.scrollTop, viewport.clientHeight, H);
    render(true);
    const row = document.getElementById(`row-${i}`);
    if (!row) throw new Error(`row ${i} (${revision}) was not drawn`);
    return row;
  };
  switch (input.kind) {
    case 'key': {
      const target = (menu.isOpen ? document.activeElement : viewport) ?? viewport;
      target.dispatchEvent(new KeyboardEvent('keydown', { key: input.key, shiftKey: input.shiftKey ?? false, bubbles: true, cancelable: true }));
      return;
    }
    case 'click': {
      rowOf(input.revision).querySelector('.msg')?.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }));
      return;
    }
    case 'contextmenu': {
      const row = rowOf(input.revision);
      const box = row.getBoundingClientRect();
      row.dispatchEvent(new MouseEvent('contextmenu', { bubbles: true, cancelable: true, clientX: box.left + 40, clientY: box.top + H / 2 }));
      return;
    }
    case 'menuItem': {
      const item = menu.element.querySelector<HTMLButtonElement>(`button[data-command="${CSS.escape(input.command)}"]`);
      if (!menu.isOpen || !item) throw new Error(`the menu is not open with ${input.command}`);
      item.click();
      return;
    }
    case 'scroll': {
      viewport.scrollTop = input.top;
      render();
      return;
    }
  }
}

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  const message = event.data;
  switch (message.type) {
    case 'graph': show(message.generation, message.model, message.reveal); break;
    case 'reveal': {
      const i = index.get(message.revision);
      if (i !== undefined) select(i);
      break;
    }
    case 'probe': post({ type: 'probeResult', id: message.id, result: probe() }); break;
    case 'simulate': {
      try {
        simulate(message.input);
        post({ type: 'simulated', id: message.id });
      } catch (err) {
        post({ type: 'simulated', id: message.id, error: err instanceof Error ? err.message : String(err) });
      }
      break;
    }
  }
});

viewport.focus();
post({ type: 'ready' });
