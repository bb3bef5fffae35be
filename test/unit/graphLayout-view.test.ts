// The revision graph picture apart from the DOM: the model the panel posts (applied / pending /
// current, problems, the row actions), the webview's arithmetic (rows in view, keys, paths, tooltips)
// and the panel's check of the webview's messages.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { RevisionGraphResult, RevisionInfo } from '../../common/protocol';
import type { DatabaseView } from '../../client/src/projectStore';
import { buildGraphViewModel, databaseSummary, GRAPH_ACTIONS, isGraphAction } from '../../client/src/views/graphModel';
import { layoutGraph } from '../../client/webview/graphLayout';
import { laneX, METRICS, moveSelection, rowPaths, scrollToShow, tooltipText, visibleRange } from '../../client/webview/geometry';
import { parseMessage } from '../../common/graphViewMessages';
import { repoRoot } from '../support/paths';

function node(revision: string, parents: string[], extra: Partial<RevisionInfo> = {}): RevisionInfo {
  return {
    revision, parents, children: [], dependencies: [], dependents: [], branchLabels: [],
    isHead: false, isBase: parents.length === 0, isMerge: parents.length > 1, isBranchPoint: false,
    uri: `file:///p/versions/${revision}.py`, path: `/p/versions/${revision}.py`,
    revisionRange: { start: { line: 9, character: 11 }, end: { line: 9, character: 20 } },
    diagnosticCount: 0, ...extra,
  };
}

const graph: RevisionGraphResult = {
  projectId: '/p/alembic.ini',
  nodes: [
    node('c3c3c3c3c3c3aa', ['b2b2b2b2b2b2bb'], { isHead: true, message: 'third', createDate: '2024-03-01 10:00:00.000000', branchLabels: ['core', 'fast'] }),
    node('b2b2b2b2b2b2bb', ['a1'], { message: 'second', diagnosticCount: 7, worstSeverity: 'warning', branchLabels: ['core'] }),
    node('a1', [], { message: 'first', branchLabels: ['core'] }),
  ],
  heads: ['c3c3c3c3c3c3aa'],
  bases: ['a1'],
};

const okDb = (current: string[], applied: string[]): DatabaseView => ({
  kind: 'ok', source: 'test', current, applied: new Set(applied), unknown: [], pendingCount: graph.nodes.length - applied.length,
});

describe('graph picture: the model posted to the webview', () => {
  it('tells current, applied and pending apart from the database state', () => {
    const model = buildGraphViewModel({ projectId: graph.projectId, projectName: 'p', graph, database: okDb(['b2b2b2b2b2b2bb'], ['a1', 'b2b2b2b2b2b2bb']) });
    assert.deepEqual(model.nodes.map((n) => n.state), ['pending', 'current', 'applied']);
    assert.deepEqual(model.database.current, ['b2b2b2b2b2b2bb']);
    assert.equal(model.database.summary, 'Database at b2b2b2b2 · 1 pending');
    assert.equal(model.nodes[0]?.shortId, 'c3c3c3c3');
    assert.equal(model.nodes[2]?.shortId, 'a1', 'hand-written ids stay whole');
    assert.equal(model.notice, undefined);
  });

  it('shows a branch label where it is declared, not on every revision that inherits it', () => {
    const model = buildGraphViewModel({ projectId: 'p', projectName: 'p', graph, database: { kind: 'unconfigured' } });
    assert.deepEqual(model.nodes.map((n) => n.declaredLabels), [['fast'], [], ['core']]);
    assert.deepEqual(model.nodes.map((n) => n.branchLabels), [['core', 'fast'], ['core'], ['core']]);
  });

  it('marks every revision unknown when the database is not read, and says why', () => {
    for (const database of [{ kind: 'unconfigured' }, { kind: 'loading' }, { kind: 'problem', message: 'connection refused', source: 'x' }] as DatabaseView[]) {
      const model = buildGraphViewModel({ projectId: 'p', projectName: 'p', graph, database });
      assert.ok(model.nodes.every((n) => n.state === 'unknown'));
      assert.deepEqual(model.database.current, []);
      assert.equal(model.database.kind, database.kind);
    }
    assert.match(databaseSummary({ kind: 'unconfigured' }), /No database configured/);
    assert.equal(databaseSummary({ kind: 'problem', message: 'connection refused', source: 'x' }), 'connection refused');
    assert.equal(databaseSummary(okDb([], [])), 'Database at base (empty version table) · 3 pending');
    assert.equal(databaseSummary({ ...okDb(['c3c3c3c3c3c3aa'], ['a1', 'b2b2b2b2b2b2bb', 'c3c3c3c3c3c3aa']), unknown: ['ffffffffffff'] } as DatabaseView),
      'Database at c3c3c3c3 · up to date · ffffffff is not defined by any migration');
  });

  it('asks for problem messages only for files with problems, and keeps five', () => {
    const asked: string[] = [];
    const model = buildGraphViewModel({
      projectId: 'p', projectName: 'p', graph, database: { kind: 'unconfigured' },
      problems: (n) => { asked.push(n.revision); return Array.from({ length: n.diagnosticCount }, (_, i) => `problem ${i}`); },
      displayPath: (p) => path.basename(p),
    });
    assert.deepEqual(asked, ['b2b2b2b2b2b2bb']);
    assert.equal(model.nodes[1]?.problems.length, 5);
    assert.equal(model.nodes[1]?.diagnosticCount, 7);
    assert.equal(model.nodes[1]?.severity, 'warning');
    assert.equal(model.nodes[0]?.file, 'c3c3c3c3c3c3aa.py');
  });

  it('says so when the project is gone or has no migrations', () => {
    assert.match(buildGraphViewModel({ projectId: 'p', projectName: 'shop', graph: undefined, database: { kind: 'loading' } }).notice ?? '', /shop is not in the workspace/);
    assert.match(buildGraphViewModel({ projectId: 'p', projectName: 'shop', graph: { ...graph, nodes: [] }, database: { kind: 'loading' } }).notice ?? '', /no migrations/);
  });

  it('offers exactly the revision tree\'s row commands, each declared in package.json', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
      contributes: { commands: { command: string; title: string }[]; menus: Record<string, { command: string; when?: string }[]> };
    };
    const rowCommands = (pkg.contributes.menus['view/item/context'] ?? []).filter((m) => /view == alembic\.revisions/.test(m.when ?? '') && /revision/.test(m.when ?? '')).map((m) => m.command)
      // "Show in Graph" leads from a tree row to the picture; in the picture itself it has no use.
      .filter((c) => c !== 'alembic.showGraph');
    assert.deepEqual(GRAPH_ACTIONS.map((a) => a.command), rowCommands);
    for (const a of GRAPH_ACTIONS) {
      assert.equal(pkg.contributes.commands.find((c) => c.command === a.command)?.title, a.title, `${a.command} has the title the tree shows`);
    }
    assert.ok(isGraphAction('alembic.stampHere'));
    assert.ok(!isGraphAction('alembic.upgradeHead'));
    assert.ok(!isGraphAction('workbench.action.terminal.sendSequence'));
  });
});

describe('graph picture: webview arithmetic', () => {
  it('puts only the rows in view (and a margin) in the DOM', () => {
    assert.deepEqual(visibleRange(0, 240, 300, 24, 0), { start: 0, end: 10 });
    assert.deepEqual(visibleRange(2400, 240, 300, 24, 5), { start: 95, end: 115 });
    assert.deepEqual(visibleRange(7000, 240, 300, 24, 12), { start: 279, end: 300 });
    assert.deepEqual(visibleRange(-50, 0, 0, 24), { start: 0, end: 0 });
  });

  it('moves the selection with the keys, within the rows', () => {
    assert.equal(moveSelection('ArrowDown', undefined, 10, 5), 0);
    assert.equal(moveSelection('ArrowDown', 3, 10, 5), 4);
    assert.equal(moveSelection('ArrowDown', 9, 10, 5), 9);
    assert.equal(moveSelection('ArrowUp', 0, 10, 5), 0);
    assert.equal(moveSelection('PageDown', 3, 10, 5), 8);
    assert.equal(moveSelection('PageUp', 3, 10, 5), 0);
    assert.equal(moveSelection('End', 3, 10, 5), 9);
    assert.equal(moveSelection('Home', 3, 10, 5), 0);
    assert.equal(moveSelection('a', 3, 10, 5), undefined);
    assert.equal(moveSelection('ArrowDown', undefined, 0, 5), undefined);
  });

  it('scrolls just enough to show a row', () => {
    assert.equal(scrollToShow(5, 0, 240, 24), 0, 'already in view');
    assert.equal(scrollToShow(20, 0, 240, 24), 21 * 24 - 240, 'below: scrolled until its bottom shows');
    assert.equal(scrollToShow(2, 200, 240, 24), 48, 'above: scrolled to its top');
  });

  it('draws the rows in view with one path per lane colour, relative to the first row drawn', () => {
    const nodes = [
      { revision: 'm', parents: ['b', 'x'] }, { revision: 'b', parents: ['a'] }, { revision: 'x', parents: ['a'] }, { revision: 'a', parents: ['gone'] },
    ];
    const layout = layoutGraph(nodes);
    const all = rowPaths(layout, 0, 4);
    assert.equal(all.nodes.length, 4);
    assert.equal(all.byColor.size, 2, 'two lines of descent, two colours');
    assert.deepEqual(all.nodes.map((n) => n.x), [laneX(0), laneX(0), laneX(1), laneX(0)]);
    assert.ok(all.missing.length > 0, 'a stub for the missing parent');
    const lower = rowPaths(layout, 2, 4);
    assert.equal(lower.nodes[0]?.y, METRICS.rowHeight / 2, 'coordinates start at the first row drawn');
    assert.match([...lower.byColor.values()].join(''), /^M/);
  });

  it('puts everything the tree\'s tooltip says in the row tooltip', () => {
    const text = tooltipText({
      revision: 'b2', shortId: 'b2', message: 'second', createDate: '2024-01-01', parents: ['a1'], children: ['c3'], dependencies: ['z9'],
      branchLabels: ['core'], declaredLabels: [], isHead: false, isBase: false, isMerge: true, isBranchPoint: false, state: 'unknown',
      diagnosticCount: 2, problems: ['line 3: drops a column'], file: 'versions/b2.py',
    }, 'No database configured');
    for (const part of ['second', 'Revision b2 · 2024-01-01', 'Parents: a1', 'Children: c3', 'Depends on: z9', 'Branch labels: core', 'Marks: merge',
      'State: No database configured', '2 problems in this file:', '• line 3: drops a column', 'File: versions/b2.py']) {
      assert.ok(text.includes(part), `${part} in\n${text}`);
    }
  });
});

describe('graph picture: messages from the webview', () => {
  it('accepts the messages it knows, field by field, and nothing else', () => {
    assert.deepEqual(parseMessage({ type: 'open', revision: 'abc' }), { type: 'open', revision: 'abc' });
    assert.deepEqual(parseMessage({ type: 'action', command: 'alembic.stampHere', revision: 'abc', extra: 1 }), { type: 'action', command: 'alembic.stampHere', revision: 'abc' });
    assert.equal(parseMessage({ type: 'action', command: 'alembic.stampHere' }), undefined);
    assert.equal(parseMessage({ type: 'open', revision: 42 }), undefined);
    assert.equal(parseMessage({ type: 'eval', code: '1' }), undefined);
    assert.equal(parseMessage('ready'), undefined);
    assert.equal(parseMessage(null), undefined);
    assert.equal(parseMessage({ type: 'rendered', report: { generation: 1, nodes: 3 } }), undefined);
    const report = { generation: 1, nodes: 3, rowsInDom: 3, laneCount: 1, layoutMs: 0.1, renderMs: 0.2 };
    assert.deepEqual(parseMessage({ type: 'rendered', report }), { type: 'rendered', report });
    assert.deepEqual(parseMessage({ type: 'simulated', id: 3, error: 'no row' }), { type: 'simulated', id: 3, error: 'no row' });
  });
});
