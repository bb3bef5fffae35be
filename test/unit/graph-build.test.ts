// buildRevisionGraph: heads vs real heads, bases, merges, branch points, depends_on, labels, problems.
import assert from 'node:assert/strict';
import { historyOrder, readRevisionFile, replaceFileFacts, sameGraphFacts } from '../../server/src/core/graph';
import { parseMigration } from '../../server/src/core/parse';
import { graphOf, graphOfTexts, migrationText } from './graphSupport';

describe('graph: build', () => {
  it('links a linear history: one head, one base, children in load order', () => {
    const g = graphOf([['a1', null], ['b2', 'a1'], ['c3', 'b2']]);
    assert.deepEqual(g.heads, ['c3']);
    assert.deepEqual(g.bases, ['a1']);
    assert.deepEqual(g.nodes.get('a1')?.children, ['b2']);
    assert.deepEqual(g.nodes.get('c3')?.parents, ['b2']);
    assert.deepEqual(historyOrder(g), ['c3', 'b2', 'a1']);
  });

  it('marks branch points and merge points; a merge ends the second head', () => {
    const g = graphOf([['a', null], ['b', 'a'], ['c', 'a'], ['m', ['b', 'c']], ['d', 'b']]);
    assert.equal(g.nodes.get('a')?.isBranchPoint, true);
    assert.equal(g.nodes.get('m')?.isMergePoint, true);
    assert.equal(g.nodes.get('b')?.isBranchPoint, true, 'b has children m and d');
    assert.deepEqual(g.heads, ['m', 'd']);
    const order = historyOrder(g);
    assert.equal(new Set(order).size, 5);
    for (const [child, parent] of [['m', 'b'], ['m', 'c'], ['d', 'b'], ['b', 'a'], ['c', 'a']]) {
      assert.ok(order.indexOf(child ?? '') < order.indexOf(parent ?? ''), `${child} before ${parent} in ${order}`);
    }
  });

  it('depends_on keeps a revision in heads but not in real heads, and resolves labels', () => {
    const g = graphOf([['x1', null, { labels: 'lib' }], ['x2', 'x1'], ['y1', null, { deps: 'lib' }], ['y2', 'y1', { deps: ['x2'] }]]);
    assert.deepEqual(g.heads, ['x2', 'y2']);
    assert.deepEqual(g.realHeads, ['y2']);
    assert.deepEqual(g.bases, ['x1', 'y1']);
    assert.deepEqual(g.realBases, ['x1'], 'a base with depends_on is no real base');
    assert.deepEqual(g.nodes.get('y1')?.dependencies, ['x1'], 'label resolved to its revision');
    assert.deepEqual(g.nodes.get('x2')?.dependents, ['y2']);
    assert.equal(g.nodes.get('x1')?.isRealBranchPoint, true, 'child x2 + dependent y1');
    assert.equal(g.nodes.get('x1')?.isBranchPoint, false);
  });

  it('propagates branch labels to descendants, and down a single line to the branch point', () => {
    const g = graphOf([['t', null], ['f1', 't'], ['f2', 'f1', { labels: 'feat' }], ['f3', 'f2'], ['m1', 't', { labels: 'main' }], ['m2', 'm1'], ['m3', 'm1']]);
    assert.deepEqual(g.nodes.get('f1')?.branchLabels, ['feat'], 'ancestor on the same line');
    assert.deepEqual(g.nodes.get('f3')?.branchLabels, ['feat']);
    assert.deepEqual(g.nodes.get('t')?.branchLabels, [], 'the branch point keeps no label');
    assert.deepEqual(g.nodes.get('m2')?.branchLabels, ['main']);
    assert.deepEqual(g.nodes.get('m3')?.branchLabels, ['main']);
    assert.deepEqual(g.nodes.get('m1')?.ownBranchLabels, ['main']);
  });

  it('records unknown references with hints, without losing the rest of the graph', () => {
    const g = graphOf([['abcdef12', null, { labels: 'core' }], ['b', 'abcd'], ['c', 'core'], ['d', 'nothing', { deps: ['nolabel', 'core'] }]]);
    const refs = g.unknownReferences.map((u) => `${u.revision}:${u.variable}:${u.ref.value}:${u.labelOf ?? ''}:${u.prefixOf.join('|')}`);
    assert.deepEqual(refs, ['b:down_revision:abcd::abcdef12', 'c:down_revision:core:abcdef12:', 'd:depends_on:nolabel::', 'd:down_revision:nothing::']);
    assert.equal(g.nodes.get('b')?.isBase, false, 'a missing parent does not make a base');
    assert.deepEqual(g.nodes.get('d')?.dependencies, ['abcdef12']);
  });

  it('finds cycles, self-loops and dependency cycles', () => {
    const g = graphOf([['base', null], ['a', 'b'], ['b', 'a'], ['s', ['base', 's']], ['p', 'base', { deps: 'q' }], ['q', 'p']]);
    assert.deepEqual(g.cycles.map((c) => `${c.kind}:${c.revisions.join(',')}`).sort(), ['Cycle:a,b', 'Dependency cycle:p,q', 'Self-loop:s']);
  });

  it('keeps the later of two files claiming one id, and lists both', () => {
    const g = graphOfTexts({ '1.py': migrationText('dup', null, { doc: 'first' }), '2.py': migrationText('dup', null, { doc: 'second' }) });
    assert.equal(g.nodes.get('dup')?.path, '/v/2.py');
    assert.deepEqual(g.duplicates.get('dup')?.map((f) => f.path), ['/v/1.py', '/v/2.py']);
  });

  it('reports branch labels reused or equal to a revision id', () => {
    const g = graphOf([['a', null, { labels: ['x', 'b'] }], ['b', null, { labels: 'x' }]]);
    assert.deepEqual(g.labelConflicts.map((c) => `${c.revision}:${c.label.value}->${c.usedBy}`), ['a:b->b', 'b:x->a']);
  });

  it('reads Alembic\'s value forms: empty down_revision is a base, a legacy hex file name is the id', () => {
    const g = graphOfTexts({
      '1.py': migrationText('a', null).replace('down_revision = None', 'down_revision = ""'),
      'abc123.py': migrationText(null, 'a'),
      '3.py': migrationText('c', null).replace('down_revision = None', 'down_revision = ()').replace('depends_on = None', 'depends_on = ""'),
      '4.py': migrationText('d', null).replace('down_revision = None', 'down_revision = PARENT'),
    });
    assert.deepEqual(g.bases, ['a', 'c']);
    assert.deepEqual(g.realBases, ['a'], "depends_on = '' is not None");
    assert.deepEqual(g.nodes.get('abc123')?.parents, ['a']);
    assert.equal(g.nodes.get('d')?.isBase, false, 'an unreadable down_revision is not a base');
    assert.equal(g.files.length, 4);
  });

  it('swaps an edited file in without a rebuild when ids and edges are unchanged', () => {
    const texts = { '1.py': migrationText('a', null), '2.py': migrationText('b', 'nope', { labels: 'x' }) };
    const g = graphOfTexts(texts);
    const oldB = g.filesByPath.get('/v/2.py');
    assert.ok(oldB);
    // Two lines inserted above the revision variables: every range moves down by two.
    const edited = readRevisionFile({ path: '/v/2.py', migration: parseMigration(`# one\n# two\n${texts['2.py']}`) });
    assert.ok(sameGraphFacts(oldB, edited));
    const before = g.unknownReferences[0]?.ref.range.start.line ?? -1;
    const g2 = replaceFileFacts(g, oldB, edited);
    assert.equal(g2.nodes.get('b')?.file, edited);
    assert.equal(g2.filesByPath.get('/v/2.py'), edited);
    assert.equal(g2.unknownReferences[0]?.ref.range.start.line, before + 2);
    assert.deepEqual(g2.heads, ['a', 'b']);
    const changed = readRevisionFile({ path: '/v/2.py', migration: parseMigration(migrationText('b', 'a', { labels: 'x' })) });
    assert.ok(!sameGraphFacts(oldB, changed), 'a new down_revision needs a rebuild');
  });
});
