// multiple-heads-after-merge and released-revision-modified on git repositories built with real git:
// each rule against the history that causes it, and against the changes it must let pass.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfigFile } from '../../server/src/core/project';
import { ProjectModel } from '../../server/src/core/project/model';
import { DEFAULT_RELEASE_SETTINGS } from '../../server/src/core/release/release';
import type { Finding } from '../../server/src/core/types';
import { nodeFileSystem } from '../../server/src/fs/nodeFileSystem';
import { findRelease } from '../../server/src/git/findRelease';
import { applyEdits, quickFixes } from '../../server/src/core/fixes';

const ZERO = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
import { type GitProject, makeDivergedGitProject, makeGitProject, migrationText, revisionFileName, revisionId } from '../support/gitProject';

async function findings(root: string, rule: string): Promise<Finding[]> {
  const config = await loadConfigFile(nodeFileSystem, path.join(root, 'alembic.ini'));
  assert.ok(config);
  const model = await ProjectModel.load(nodeFileSystem, config);
  const texts = new Map(model.paths().map((p) => [p, model.getFile(p)?.text ?? '']));
  const found = await findRelease({ projectRoot: root, versionLocations: config.versionLocationPaths, recursive: config.recursiveVersionLocations, texts }, DEFAULT_RELEASE_SETTINGS, 'spawn');
  assert.equal(found.problem, undefined, found.problem?.message);
  model.setRelease(found.release);
  return model.findings().filter((f) => f.rule === rule);
}

describe('rules on released history: multiple-heads-after-merge, released-revision-modified', function () {
  this.timeout(60_000);
  const made: string[] = [];
  const project = (revisions = 3): GitProject => {
    const p = makeGitProject({ revisions });
    made.push(p.root);
    return p;
  };
  after(() => { for (const d of made) fs.rmSync(d, { recursive: true, force: true }); });

  describe('multiple-heads-after-merge', () => {
    it('warns on the branch head when the base added its own revision on the same head, naming both heads', async () => {
      const p = makeDivergedGitProject();
      made.push(p.root);
      const found = await findings(p.root, 'multiple-heads-after-merge');
      assert.equal(found.length, 1);
      // On the line the rebase changes: the oldest new revision's down_revision; the head is related.
      assert.equal(path.basename(found[0]?.path ?? ''), revisionFileName(4));
      assert.equal(path.basename(found[0]?.related?.[0]?.path ?? ''), '0005_feature_two.py');
      assert.match(found[0]?.message ?? '', /Merging this branch into main leaves 2 heads: cccc00000009 \(main\) and bbbb00000005 \(this branch\)/);
      assert.match(found[0]?.message ?? '', new RegExp(`point the down_revision of ${revisionId(4)}, the oldest new revision, at cccc00000009`));
      assert.deepEqual(found[0]?.data, { baseHeads: ['cccc00000009'], branchHead: 'bbbb00000005', oldestNew: revisionId(4), base: 'main' });
      // The quick fix rebases: the oldest new revision builds on main's head, docstring included; the
      // rest of the new chain stays as it is.
      const r4 = path.join(p.versions, revisionFileName(4));
      const text = fs.readFileSync(r4, 'utf8');
      const fixes = quickFixes({ rule: 'multiple-heads-after-merge', range: found[0]?.range ?? ZERO, text, path: r4, data: found[0]?.data });
      assert.equal(fixes[0]?.title, "Rebase onto main: point down_revision at its head 'cccc00000009'");
      fs.writeFileSync(r4, applyEdits(text, fixes[0]?.edits ?? []));
      assert.match(fs.readFileSync(r4, 'utf8'), /Revises: cccc00000009\n[\s\S]*down_revision = 'cccc00000009'/);
      // Merged in git as well (the base's revision arrives): one head, nothing to report.
      p.commit('feature: rebased onto main by the quick fix');
      p.git('merge', '-q', '--no-edit', 'main');
      assert.deepEqual(await findings(p.root, 'multiple-heads-after-merge'), [], 'rebased by the fix');
      assert.deepEqual(await findings(p.root, 'multiple-heads'), []);
      // Data that is not the rule's own (a stale or foreign diagnostic) gets no fix.
      assert.deepEqual(quickFixes({ rule: 'multiple-heads-after-merge', range: ZERO, text, path: r4, data: { baseHeads: 'x' } }), []);
      // The working tree itself has one head: multiple-heads has nothing to say.
      assert.deepEqual(await findings(p.root, 'multiple-heads'), []);
    });

    it('is quiet when the base did not move, when the branch was rebased onto it, and when multiple-heads already reports', async () => {
      const p = project();
      p.git('checkout', '-q', '-b', 'feature');
      p.write(revisionFileName(4), migrationText(revisionId(4), revisionId(3)));
      p.commit('feature: r4');
      assert.deepEqual(await findings(p.root, 'multiple-heads-after-merge'), [], 'base did not move');
      p.git('checkout', '-q', 'main');
      p.write('0009_main.py', migrationText('cccc00000009', revisionId(3)));
      p.commit('main: its own revision');
      p.git('checkout', '-q', 'feature');
      // Two heads in the working tree already (a second new revision on r3): multiple-heads' case.
      p.write('0006_second.py', migrationText('eeee00000006', revisionId(3)));
      assert.deepEqual(await findings(p.root, 'multiple-heads-after-merge'), [], 'multiple-heads reports this one');
      assert.equal((await findings(p.root, 'multiple-heads')).length, 2);
      p.remove('0006_second.py');
      // Rebased: r4 now builds on main's head.
      p.git('rebase', '-q', 'main');
      p.write(revisionFileName(4), migrationText(revisionId(4), 'cccc00000009'));
      p.commit('feature: r4 rebased onto main');
      assert.deepEqual(await findings(p.root, 'multiple-heads-after-merge'), [], 'rebased');
    });
  });

  describe('released-revision-modified', () => {
    it('warns on a changed upgrade() body, a changed down_revision and a renamed id; names the base', async () => {
      const p = project(4);
      p.git('checkout', '-q', '-b', 'feature');
      const read = (k: number): string => fs.readFileSync(path.join(p.versions, revisionFileName(k)), 'utf8');
      p.write(revisionFileName(2), read(2).replace('def upgrade() -> None:\n    pass', 'def upgrade() -> None:\n    op.drop_table("t_9")'));
      p.write(revisionFileName(3), read(3).replaceAll(revisionId(3), 'ffff00000003').replace(`'ffff00000003'`, `'ffff00000003'`));
      p.write(revisionFileName(4), read(4).replaceAll(revisionId(3), 'ffff00000003'));
      p.commit('feature: rewrites history');
      const found = await findings(p.root, 'released-revision-modified');
      const byFile = new Map(found.map((f) => [path.basename(f.path), f.message]));
      assert.deepEqual([...byFile.keys()].sort(), [revisionFileName(2), revisionFileName(3), revisionFileName(4)]);
      assert.match(byFile.get(revisionFileName(2)) ?? '', /^This revision was released on main \(merge-base [0-9a-f]{12}\), and the body of upgrade\(\) changed on this branch\. Databases that already ran it will not run it again/);
      assert.match(byFile.get(revisionFileName(3)) ?? '', new RegExp(`its revision id \\(${revisionId(3)} → ffff00000003\\)`));
      assert.match(byFile.get(revisionFileName(4)) ?? '', /its down_revision/);
    });

    it('lets docstring, comment and quoting changes pass, and new revisions alone', async () => {
      const p = project();
      p.git('checkout', '-q', '-b', 'feature');
      const file = path.join(p.versions, revisionFileName(2));
      const text = fs.readFileSync(file, 'utf8');
      fs.writeFileSync(file, text
        .replace('"""revision', '"""A better description\n\nrevision')
        .replace(`revision = '${revisionId(2)}'`, `revision = "${revisionId(2)}"`)
        .replace('def upgrade() -> None:\n    pass', "def upgrade() -> None:\n    # nothing to do here\n    'a docstring of the function'\n    pass"));
      p.write(revisionFileName(4), migrationText(revisionId(4), revisionId(3), { upgrade: ['op.drop_table("t_1")'] }));
      p.commit('feature: cosmetic edit, new revision');
      assert.deepEqual(await findings(p.root, 'released-revision-modified'), []);
    });

    it('warns where a deleted released revision leaves its gap; an uncommitted edit counts too', async () => {
      const p = project(4);
      p.git('checkout', '-q', '-b', 'feature');
      p.remove(revisionFileName(2));
      p.commit('feature: deletes r2');
      const found = await findings(p.root, 'released-revision-modified');
      assert.equal(found.length, 1);
      assert.equal(path.basename(found[0]?.path ?? ''), revisionFileName(3), 'on the revision that still names it');
      assert.match(found[0]?.message ?? '', new RegExp(`Revision ${revisionId(2)} \\(.*${revisionFileName(2)}\\) was released on main .* is deleted on this branch`));
      const r4 = path.join(p.versions, revisionFileName(4));
      fs.writeFileSync(r4, fs.readFileSync(r4, 'utf8').replace('def downgrade() -> None:\n    pass', 'def downgrade() -> None:\n    op.drop_table("t_1")'));
      const again = await findings(p.root, 'released-revision-modified');
      assert.deepEqual(again.map((f) => path.basename(f.path)).sort(), [revisionFileName(3), revisionFileName(4)]);
      assert.match(again.find((f) => f.path === r4)?.message ?? '', /the body of downgrade\(\) changed/);
    });
  });
});
