// Which revisions a verification walks, and in what order: read from the real `alembic history
// --verbose`, ordered parents (and dependencies) first, narrowed to a range.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  parseRange, parseVerboseHistory, selectRange, topologicalOrder, type VerifyRevision,
} from '../../runtime/verify/revisions';
import { copyFixture } from '../support/paths';
import { runAlembic } from '../support/python';

function historyOf(fixture: string): { dir: string; revisions: VerifyRevision[] } {
  const dir = copyFixture(fixture);
  const r = runAlembic(path.join(dir, 'alembic.ini'), ['history', '--verbose']);
  assert.equal(r.status, 0, r.stderr);
  return { dir, revisions: parseVerboseHistory(r.stdout) };
}

const ids = (list: readonly VerifyRevision[]): string[] => list.map((r) => r.revision);

describe('verify: revisions to walk', () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it("reads Alembic's verbose history: parents, merge parents, paths, messages", () => {
    const { dir, revisions } = historyOf('verify-clean');
    dirs.push(dir);
    assert.equal(revisions.length, 6);
    const merge = revisions.find((r) => r.revision === '5e6f7a8b9c05');
    assert.deepEqual(merge?.parents, ['3c4d5e6f7a03', '4d5e6f7a8b04']);
    assert.equal(merge?.message, 'Merge projects and nicknames; a view over both');
    assert.equal(merge?.path, path.join(dir, 'migrations', 'versions', '5e6f7a8b9c05_merge.py'));
    assert.deepEqual(revisions.find((r) => r.revision === '1a2b3c4d5e01')?.parents, []);
  });

  it('reads branch labels from a real project (amani)', () => {
    const { dir, revisions } = historyOf('amani');
    dirs.push(dir);
    assert.deepEqual(revisions.find((r) => r.revision === '003_notifications')?.branchLabels, ['notifications']);
    const order = ids(topologicalOrder(revisions));
    assert.equal(order[0], '001_initial_schema');
    assert.equal(order[order.length - 1], '005_merge_notifications');
  });

  it('orders dependencies before the revisions that depend on them, and resolves them by prefix or label', () => {
    const text = [
      'Rev: c3 (head)', 'Parent: a1', 'Also depends on: b2f', 'Path: /p/c3.py', '', '    Third', '',
      'Rev: b2ff (head)', 'Parent: <base>', 'Branch names: other', 'Path: /p/b2.py', '', '    Other root', '',
      'Rev: d4 (head)', 'Parent: a1', 'Also depends on: other', 'Path: /p/d4.py', '', '    Fourth', '',
      'Rev: a1', 'Parent: <base>', 'Path: /p/a1.py', '', '    First', '    Rev: not a field, it is indented', '',
    ].join('\n');
    const revisions = parseVerboseHistory(text);
    assert.deepEqual(ids(revisions), ['c3', 'b2ff', 'd4', 'a1']);
    assert.deepEqual(revisions[0]?.dependencies, ['b2ff']);
    assert.deepEqual(revisions[2]?.dependencies, ['b2ff']);
    assert.equal(revisions[3]?.message, 'First');
    const order = ids(topologicalOrder(revisions));
    for (const [before, after] of [['a1', 'c3'], ['b2ff', 'c3'], ['b2ff', 'd4'], ['a1', 'd4']] as const) {
      assert.ok(order.indexOf(before) < order.indexOf(after), `${before} before ${after} in ${order.join(' ')}`);
    }
  });

  it('selects one revision, a range, or everything; and says what is wrong with a bad range', () => {
    const { dir, revisions } = historyOf('verify-clean');
    dirs.push(dir);
    const ordered = topologicalOrder(revisions);
    assert.equal(selectRange(ordered).length, 6);
    assert.deepEqual(ids(selectRange(ordered, parseRange('3c4d'))), ['3c4d5e6f7a03']);
    assert.deepEqual(ids(selectRange(ordered, parseRange('2b3c4d5e6f02:5e6f7a8b9c05'))).sort(),
      ['2b3c4d5e6f02', '3c4d5e6f7a03', '4d5e6f7a8b04', '5e6f7a8b9c05']);
    assert.deepEqual(ids(selectRange(ordered, parseRange('5e6f7a8b9c05:'))), ['5e6f7a8b9c05', '6f7a8b9c0d06']);
    assert.deepEqual(ids(selectRange(ordered, parseRange(':2b3c'))), ['1a2b3c4d5e01', '2b3c4d5e6f02']);
    assert.equal(selectRange(ordered, parseRange('base:head')).length, 6);
    // The branch beside: from 3c4d on excludes 4d5e (not a descendant of it).
    assert.deepEqual(ids(selectRange(ordered, parseRange('3c4d5e6f7a03:'))), ['3c4d5e6f7a03', '5e6f7a8b9c05', '6f7a8b9c0d06']);
    assert.throws(() => selectRange(ordered, parseRange('9999')), /names no revision/);
    assert.throws(() => parseRange('a:b:c'), /not a revision range/);
    const twins: VerifyRevision[] = [
      { revision: 'abc1', parents: [], dependencies: [], branchLabels: [] },
      { revision: 'abc2', parents: ['abc1'], dependencies: [], branchLabels: [] },
    ];
    assert.throws(() => selectRange(twins, parseRange('abc')), /"abc" matches 2 revisions; give more of the id/);
  });
});
