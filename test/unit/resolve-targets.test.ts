// The resolver: Alembic's identifier rules and error texts (the agreement test checks the same against
// the real Alembic on the fixtures; these pin the behaviour down without Python).
import assert from 'node:assert/strict';
import { getRevisions, resolveTarget, RevisionResolver } from '../../server/src/core/graph';
import { graphOf } from './graphSupport';

const g = graphOf([
  ['ae10aaaa', null],
  ['ae10bbbb', 'ae10aaaa'],
  ['c0ffee01', 'ae10bbbb', { labels: 'feature' }],
  ['c0ffee02', 'c0ffee01'],
  ['d00d0001', 'ae10bbbb'],
]);
const ok = (target: string, current: string[] = []): (string | null)[] => {
  const r = resolveTarget(g, target, current);
  assert.ok(r.ok, `${target}: ${r.ok ? '' : r.message}`);
  return r.revisions;
};
const err = (target: string, current: string[] = []): string => {
  const r = resolveTarget(g, target, current);
  assert.ok(!r.ok, `${target} resolved to ${JSON.stringify(r.ok && r.revisions)}`);
  return r.message;
};

describe('resolve: targets', () => {
  it('resolves full ids, unique prefixes of four or more characters, and labels', () => {
    assert.deepEqual(ok('c0ffee01'), ['c0ffee01']);
    assert.deepEqual(ok('d00d'), ['d00d0001']);
    assert.deepEqual(ok('feature'), ['c0ffee01']);
    assert.deepEqual(ok('d0'), ['d00d0001'], 'Alembic only requires the matched id to be longer than 3 characters');
    assert.equal(err('zz'), "No such revision or branch 'zz'; please ensure at least four characters are present for partial revision identifier matches");
    assert.equal(err('ae10'), "Multiple revisions start with 'ae10': 'ae10aaaa', 'ae10bbbb'...");
    assert.equal(err('zzzzz'), "No such revision or branch 'zzzzz'");
  });

  it('resolves head, heads and base; head with two heads is an error', () => {
    assert.deepEqual(ok('heads'), ['c0ffee02', 'd00d0001']);
    assert.deepEqual(ok('base'), []);
    assert.equal(err('head'), "Multiple heads are present for given argument 'head'; c0ffee02, d00d0001");
    const r = getRevisions(g, 'head');
    assert.ok(!r.ok && r.commandMessage.startsWith("Multiple head revisions are present for given argument 'head'; please specify"));
  });

  it('resolves label@head, label@rev and reports revisions outside the branch', () => {
    assert.deepEqual(ok('feature@head'), ['c0ffee02']);
    assert.deepEqual(ok('feature@heads'), ['c0ffee02']);
    assert.deepEqual(ok('feature@c0ffee02'), ['c0ffee02']);
    assert.deepEqual(ok('d00d@head'), ['d00d0001'], 'a revision id prefix works as the branch part');
    assert.equal(err('feature@d00d0001'), "Revision d00d0001 is not a member of branch 'feature'");
    assert.equal(err('nolabel@c0ffee02'), "No such branch: 'nolabel'");
    assert.equal(err('nolabel@head'), "No such revision or branch 'nolabel'", 'label@head filters heads by lineage instead');
  });

  it('walks relative targets like upgrade and downgrade do', () => {
    assert.deepEqual(ok('+1', ['ae10aaaa']), ['ae10bbbb']);
    assert.equal(err('+2', ['ae10aaaa']), 'Ambiguous walk');
    assert.deepEqual(ok('feature@+1', ['c0ffee01']), ['c0ffee02']);
    assert.deepEqual(ok('c0ffee01+1'), ['c0ffee02']);
    assert.equal(err('ae10bbbb+1'), 'Ambiguous walk', 'a branch point has two children');
    assert.deepEqual(ok('-1', ['c0ffee02']), ['c0ffee01']);
    assert.deepEqual(ok('-2', ['ae10bbbb']), [], 'down to base');
    assert.equal(err('-3', ['ae10bbbb']), "Relative revision -3 didn't produce 3 migrations");
    assert.equal(err('-1', []), "Relative revision -1 didn't produce 1 migrations");
    assert.equal(err('+9', ['c0ffee02']), "Relative revision +9 didn't produce 9 migrations");
    assert.equal(err('c0ffee01+5'), "'c0ffee01+5' walks past the end of the revision history", "Alembic's None is an error here");
    assert.deepEqual(ok('base'), []);
  });

  it('get_revisions("-1") walks down from every real head', () => {
    const r = new RevisionResolver(g);
    assert.deepEqual(r.getRevisions('-1').map((x) => (x === null || x === 'base' ? x : x.revision)), ['c0ffee01', 'ae10bbbb']);
    assert.deepEqual(r.getRevisions('feature@-1').map((x) => (x === null || x === 'base' ? x : x.revision)), ['c0ffee01']);
  });
});
