// Fixes of the graph-level findings: repointing the newest head's down_revision at the other head
// (multiple-heads, checked by rebuilding the graph), and a stale docstring header (docstring-mismatch).
import assert from 'node:assert/strict';
import { applyEdits, type HeadInfo, quickFixes, repointTarget } from '../../server/src/core/fixes';
import { buildRevisionGraph } from '../../server/src/core/graph';
import { parseMigration } from '../../server/src/core/parse';
import { getRule, runRules } from '../../server/src/core/rules';
import { fileFindings } from './ruleFixtures';

const rev = (id: string, down: string, date: string, revises = down) => `"""${id}

Revision ID: ${id}
Revises: ${revises}
Create Date: ${date}

"""
revision = '${id}'
down_revision = ${down ? `'${down}'` : 'None'}


def upgrade():
    pass


def downgrade():
    pass
`;

describe('fixes: multiple-heads repoints the newest head', () => {
  const files = new Map([
    ['/p/a.py', rev('a0', '', '2025-01-01 10:00:00')],
    ['/p/b.py', rev('b1', 'a0', '2025-01-02 10:00:00')],
    ['/p/c.py', rev('c1', 'a0', '2025-01-03 10:00:00')],
  ]);
  const graphOf = (texts: Map<string, string>) => buildRevisionGraph([...texts].map(([path, t]) => ({ path, migration: parseMigration(t) })));

  function heads(texts: Map<string, string>, path: string) {
    const g = graphOf(texts);
    const info = (r: string): HeadInfo => {
      const n = g.nodes.get(r);
      assert.ok(n);
      return { revision: r, parents: n.parents, ...(n.file.migration.docstring?.createDate ? { createDate: n.file.migration.docstring.createDate } : {}) };
    };
    const self = [...g.nodes.values()].find((n) => n.path === path && n.isHead);
    assert.ok(self);
    return { self: info(self.revision), heads: g.heads.map(info), childrenOf: (r: string) => g.nodes.get(r)?.children ?? [] };
  }

  it('offers it in the newer head only, and the graph has one head afterwards', () => {
    const g = graphOf(files);
    const finding = (path: string) => runRules({ graph: g, texts: files }).find((f) => f.rule === 'multiple-heads' && f.path === path);
    const older = finding('/p/b.py');
    assert.ok(older);
    assert.deepEqual(quickFixes({ rule: 'multiple-heads', range: older.range, text: files.get('/p/b.py') ?? '', heads: heads(files, '/p/b.py') }), []);
    const newer = finding('/p/c.py');
    assert.ok(newer);
    const fixes = quickFixes({ rule: 'multiple-heads', range: newer.range, text: files.get('/p/c.py') ?? '', heads: heads(files, '/p/c.py') });
    assert.equal(fixes.length, 1);
    const fixed = applyEdits(files.get('/p/c.py') ?? '', fixes[0]?.edits ?? []);
    assert.match(fixed, /^down_revision = 'b1'$/m);
    assert.match(fixed, /^Revises: b1$/m, 'the docstring follows');
    const after = new Map(files).set('/p/c.py', fixed);
    const g2 = graphOf(after);
    assert.deepEqual(g2.heads, ['c1']);
    assert.deepEqual(runRules({ graph: g2, texts: after }), []);
  });

  it('is not offered when the parent would become a head, or with more than two heads', () => {
    const h = (revision: string, parents: string[], createDate?: string): HeadInfo => ({ revision, parents, ...(createDate ? { createDate } : {}) });
    // c1's parent a0 has no other child: repointing c1 leaves a0 as a head.
    assert.equal(repointTarget(h('c1', ['a0'], '2'), [h('b1', ['x'], '1'), h('c1', ['a0'], '2')], () => ['c1']), undefined);
    assert.equal(repointTarget(h('c1', ['a0']), [h('b1', ['a0']), h('c1', ['a0']), h('d1', ['a0'])], () => ['b1', 'c1', 'd1']), undefined);
    assert.equal(repointTarget(h('c1', ['a0', 'z']), [h('b1', ['a0']), h('c1', ['a0', 'z'])], () => ['b1', 'c1']), undefined);
    assert.equal(repointTarget(h('c1', ['a0']), [h('b1', ['a0']), h('c1', ['a0'])], () => ['b1', 'c1']), 'b1', 'without dates both heads offer it');
  });
});

describe('fixes: docstring-mismatch updates the header', () => {
  const check = (text: string) => {
    const rule = getRule('docstring-mismatch');
    assert.ok(rule && rule.kind === 'file');
    return fileFindings('/p/m.py', text).filter((f) => f.rule === 'docstring-mismatch');
  };

  for (const [name, before, expected] of [
    ['Revision ID', rev('b2', 'a0', 'd').replace('Revision ID: b2', 'Revision ID: old'), /^Revision ID: b2$/m],
    ['Revises', rev('b2', 'a1', 'd', 'a0'), /^Revises: a1$/m],
    ['an empty Revises', rev('b2', 'a1', 'd', ''), /^Revises: a1$/m],
    ['Revises of a base', rev('b2', '', 'd', 'a0'), /^Revises:$/m],
  ] as const) {
    it(`fixes ${name}`, () => {
      const findings = check(before);
      assert.equal(findings.length, 1);
      const f = findings[0];
      assert.ok(f);
      const fixes = quickFixes({ rule: 'docstring-mismatch', range: f.range, text: before });
      assert.equal(fixes.length, 1);
      const out = applyEdits(before, fixes[0]?.edits ?? []);
      assert.match(out, expected);
      assert.deepEqual(check(out), []);
    });
  }
});
