import assert from 'node:assert/strict';
import { computeAppliedState, type GraphNode } from '../../server/src/core/graph/appliedState';
import { qualifiedVersionTable, quoteIdent, versionTableQuery } from '../../runtime/db/versionTable';

function node(revision: string, parents: string[] = [], dependencies: string[] = [], branchLabels: string[] = []): GraphNode {
  return { revision, parents, dependencies, branchLabels };
}

// History order (newest first):  m (merge of b2, c1) ; b2 -> b1 ; c1 -> a ; b1 -> a ; a (base)
// plus an independent branch x2 -> x1 (base), and d depends_on x1 on top of m.
const graph: GraphNode[] = [
  node('d4e5f6a7b8c9', ['m0000000000a'], ['x1'], []),
  node('m0000000000a', ['b2', 'c1']),
  node('b2', ['b1']),
  node('c1', ['a'], [], ['cbranch']),
  node('b1', ['a']),
  node('x2', ['x1']),
  node('x1', [], [], ['other']),
  node('a', []),
];

function statuses(current: string[]): Record<string, string> {
  return Object.fromEntries(computeAppliedState(graph, current).status);
}

describe('db/appliedState: applied, pending, current from graph and version table', () => {
  it('empty version table: everything pending, at base', () => {
    const s = computeAppliedState(graph, []);
    assert.equal(s.pendingCount, graph.length);
    assert.deepEqual(s.pending, graph.map((n) => n.revision));
    assert.equal(s.atBase, true);
    assert.equal(s.atHead, false);
    assert.deepEqual(s.current, []);
  });

  it('partially applied: the current revision and its down_revision ancestors', () => {
    assert.deepEqual(statuses(['b1']), {
      d4e5f6a7b8c9: 'pending', m0000000000a: 'pending', b2: 'pending', c1: 'pending', b1: 'current', x2: 'pending', x1: 'pending', a: 'applied',
    });
    assert.equal(computeAppliedState(graph, ['b1']).pendingCount, 6);
  });

  it('a merge revision applies both parents and all their ancestors', () => {
    const s = computeAppliedState(graph, ['m0000000000a']);
    assert.deepEqual([...s.applied].sort(), ['a', 'b1', 'b2', 'c1', 'm0000000000a']);
    assert.deepEqual(s.pending, ['d4e5f6a7b8c9', 'x2', 'x1']);
  });

  it('depends_on counts as an ancestor (as Alembic walks dependencies)', () => {
    const s = computeAppliedState(graph, ['d4e5f6a7b8c9']);
    assert.ok(s.applied.has('x1'));
    assert.deepEqual(s.pending, ['x2']);
  });

  it('several heads applied: both current, at head when nothing is left', () => {
    const s = computeAppliedState(graph, ['x2', 'd4e5f6a7b8c9']);
    assert.deepEqual(s.current, ['d4e5f6a7b8c9', 'x2']);
    assert.equal(s.pendingCount, 0);
    assert.equal(s.atHead, true);
    assert.equal(statuses(['x2', 'b2']).c1, 'pending');
    assert.equal(statuses(['x2', 'b2']).x2, 'current');
    assert.equal(statuses(['x2', 'b2']).b2, 'current');
  });

  it('a revision no file defines is reported, not guessed', () => {
    const s = computeAppliedState(graph, ['5f2c0ffee123', 'b1']);
    assert.deepEqual(s.unknown, ['5f2c0ffee123']);
    assert.deepEqual(s.current, ['b1']);
    assert.equal(s.atHead, false);
    assert.equal(s.warnings.length, 1);
    assert.match(s.warnings[0] ?? '', /^The database is at 5f2c0ffee123, which no migration file defines\./);
    const only = computeAppliedState(graph, ['5f2c0ffee123']);
    assert.equal(only.applied.size, 0);
    assert.equal(only.pendingCount, graph.length);
  });

  it('resolves a unique prefix and a branch label in depends_on, like Alembic', () => {
    const g = [node('top', ['mid'], ['other']), node('mid', []), node('x1', [], [], ['other']), node('abcdef123456', [])];
    assert.ok(computeAppliedState(g, ['top']).applied.has('x1'));
    assert.deepEqual(computeAppliedState(g, ['abcd']).current, ['abcdef123456']);
  });

  it('an empty graph and an empty table is at head and at base', () => {
    const s = computeAppliedState([], []);
    assert.equal(s.atHead, true);
    assert.equal(s.atBase, true);
  });
});

describe('db/versionTable: identifiers', () => {
  it('quotes table and schema names safely', () => {
    assert.equal(quoteIdent('alembic_version'), '"alembic_version"');
    assert.equal(quoteIdent('we"ird'), '"we""ird"');
    assert.equal(qualifiedVersionTable(), '"alembic_version"');
    assert.equal(qualifiedVersionTable({ table: 'MyVersions', schema: 'app schema' }), '"app schema"."MyVersions"');
    assert.equal(qualifiedVersionTable({ table: ' ', schema: '' }), '"alembic_version"');
    assert.equal(versionTableQuery({ table: 'x"; DROP TABLE t; --' }), 'SELECT version_num FROM "x""; DROP TABLE t; --"');
    assert.throws(() => quoteIdent('a\0b'), /NUL/);
  });
});
