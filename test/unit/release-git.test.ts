// Released and new revisions, read from real git repositories that the tests build with Debian's git:
// both ways of reading (git spawned with safe options, and the objects read in JavaScript) must agree
// on every history: a branch, a base that moved on, a modified, a deleted and a renamed released file,
// uncommitted changes, a clone with origin/HEAD, a shallow clone without the base, no repository at all.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfigFile } from '../../server/src/core/project';
import { ProjectModel } from '../../server/src/core/project/model';
import { DEFAULT_RELEASE_SETTINGS, type ReleaseSettings, releaseSettingsFromPyproject } from '../../server/src/core/release/release';
import { severitiesFromPyproject } from '../../server/src/core/config/severities';
import { nodeFileSystem } from '../../server/src/fs/nodeFileSystem';
import { findRelease, type FoundRelease, type GitAccess } from '../../server/src/git/findRelease';
import { SAFE_GIT_OPTIONS } from '../../server/src/git/gitCli';
import { wireOf } from '../../server/src/lsp/wire';
import {
  type GitProject, git, makeGitProject, migrationText, openGitProject, PROBLEM_DOWNGRADE, PROBLEM_UPGRADE, revisionFileName, revisionId,
} from '../support/gitProject';

const ACCESSES: GitAccess[] = ['spawn', 'objects'];

async function loadModel(root: string): Promise<ProjectModel> {
  const config = await loadConfigFile(nodeFileSystem, path.join(root, 'alembic.ini'));
  assert.ok(config, `no project in ${root}`);
  return ProjectModel.load(nodeFileSystem, config);
}

async function classify(model: ProjectModel, access: GitAccess, settings: Partial<ReleaseSettings> = {}): Promise<FoundRelease> {
  const texts = new Map<string, string>();
  for (const p of model.paths()) texts.set(p, model.getFile(p)?.text ?? '');
  const found = await findRelease({ projectRoot: model.config.root, versionLocations: model.config.versionLocationPaths, recursive: model.config.recursiveVersionLocations, texts },
    { ...DEFAULT_RELEASE_SETTINGS, ...settings }, access);
  model.setRelease(found.release);
  return found;
}

/** The revision ids the model counts as new, sorted. */
function newRevisions(model: ProjectModel): string[] {
  return model.paths().filter((p) => model.releaseOf(p) === undefined).map((p) => model.getFile(p)?.revisionFile.revision ?? p).sort();
}

describe('release: released and new revisions from real git repositories', function () {
  this.timeout(60_000);
  const made: string[] = [];
  const project = (opts: Parameters<typeof makeGitProject>[0] = {}): GitProject => {
    const p = makeGitProject(opts);
    made.push(p.root);
    return p;
  };
  after(() => { for (const d of made) fs.rmSync(d, { recursive: true, force: true }); });

  for (const access of ACCESSES) {
    describe(`reading git by ${access === 'spawn' ? 'running git' : 'reading objects in JavaScript'}`, () => {
      it('on the base branch every committed revision is released and an uncommitted change is new', async () => {
        const p = project();
        const model = await loadModel(p.root);
        const found = await classify(model, access);
        assert.equal(found.problem, undefined, found.problem?.message);
        assert.deepEqual(newRevisions(model), []);
        assert.equal(found.release.base?.ref, 'main');
        assert.equal(found.release.base?.mergeBase, p.git('rev-parse', 'HEAD').trim());
        // An edit not committed yet, and a new file: both new.
        p.write(revisionFileName(3), `${model.getFile(path.join(p.versions, revisionFileName(3)))?.text ?? ''}\n# edited\n`);
        p.write(revisionFileName(4), migrationText(revisionId(4), revisionId(3)));
        const again = await loadModel(p.root);
        await classify(again, access);
        assert.deepEqual(newRevisions(again), [revisionId(3), revisionId(4)]);
      });

      it('on a branch, the revisions added since the merge-base are new; the reason names the base and the merge-base', async () => {
        const p = project();
        const forkPoint = p.git('rev-parse', 'HEAD').trim();
        p.git('checkout', '-q', '-b', 'feature');
        p.write(revisionFileName(4), migrationText(revisionId(4), revisionId(3)));
        p.commit('feature: r4');
        const model = await loadModel(p.root);
        await classify(model, access);
        assert.deepEqual(newRevisions(model), [revisionId(4)]);
        assert.deepEqual(model.releaseOf(path.join(p.versions, revisionFileName(1))), { kind: 'base', ref: 'main', mergeBase: forkPoint });
        // An edit in the editor makes a released file new at once, without reading git again.
        const r2 = path.join(p.versions, revisionFileName(2));
        model.setFile(r2, `${model.getFile(r2)?.text ?? ''}# typed\n`);
        assert.deepEqual(newRevisions(model), [revisionId(2), revisionId(4)]);
      });

      it('a released file modified, deleted or renamed to another id on the branch is new, and its released text is kept', async () => {
        const p = project({ revisions: 4 });
        p.git('checkout', '-q', '-b', 'feature');
        const releasedText = fs.readFileSync(path.join(p.versions, revisionFileName(2)), 'utf8');
        p.write(revisionFileName(2), releasedText.replace('    pass', '    op.drop_table("t_9")').replace('    pass', '    pass'));
        p.remove(revisionFileName(4));
        p.write(revisionFileName(3), fs.readFileSync(path.join(p.versions, revisionFileName(3)), 'utf8').replaceAll(revisionId(3), 'bbbb00000003'));
        p.commit('feature: edits released history');
        const model = await loadModel(p.root);
        const found = await classify(model, access);
        assert.deepEqual(newRevisions(model), [revisionId(2), 'bbbb00000003']);
        const before = found.release.base?.releasedBefore;
        assert.ok(before);
        assert.deepEqual([...before.keys()].map((k) => path.basename(k)).sort(), [revisionFileName(2), revisionFileName(3), revisionFileName(4)]);
        assert.equal(before.get(path.join(p.versions, revisionFileName(2))), releasedText);
      });

      it('a migration in a subfolder Alembic does not read, or an __init__.py, is neither released nor deleted (unless the locations are recursive)', async () => {
        // Neutron keeps one folder per release below versions/, which Alembic reads only when told to.
        const p = project();
        fs.mkdirSync(path.join(p.versions, '2023.1'));
        p.write(path.join('2023.1', '0009_sub.py'), migrationText('dddd00000009', revisionId(3)));
        // Nor is a package's __init__.py, which Alembic does not load as a revision (fides, glance, ckan ...).
        p.write('__init__.py', '');
        p.commit('main: a revision in a release folder');
        p.git('checkout', '-q', '-b', 'feature');
        const model = await loadModel(p.root);
        const found = await classify(model, access);
        assert.deepEqual([...(found.release.base?.releasedBefore.keys() ?? [])], [], 'nothing released is missing from what Alembic reads');
        assert.deepEqual(model.findings().filter((f) => f.rule === 'released-revision-modified'), []);
        fs.writeFileSync(path.join(p.root, 'alembic.ini'), `${fs.readFileSync(path.join(p.root, 'alembic.ini'), 'utf8')}recursive_version_locations = true\n`);
        const recursive = await loadModel(p.root);
        await classify(recursive, access);
        assert.deepEqual(newRevisions(recursive), [], 'read recursively, the subfolder revision is released like the others');
        assert.ok(recursive.getFile(path.join(p.versions, '2023.1', '0009_sub.py')));
      });

      it('a base that moved on after the fork: its new and deleted migrations are known (what the merge would hold)', async () => {
        const p = project();
        p.git('checkout', '-q', '-b', 'feature');
        p.write(revisionFileName(4), migrationText(revisionId(4), revisionId(3)));
        p.commit('feature: r4');
        p.git('checkout', '-q', 'main');
        p.write('0005_main.py', migrationText('cccc00000005', revisionId(3)));
        p.commit('main: its own r5');
        p.git('checkout', '-q', 'feature');
        const model = await loadModel(p.root);
        const found = await classify(model, access);
        assert.deepEqual(newRevisions(model), [revisionId(4)]);
        const advanced = found.release.base?.baseAdvanced;
        assert.deepEqual([...(advanced?.keys() ?? [])].map((k) => path.basename(k)), ['0005_main.py']);
        assert.match(advanced?.get(path.join(p.versions, '0005_main.py')) ?? '', /revision = 'cccc00000005'/);
        assert.equal(found.release.base?.baseTip, p.git('rev-parse', 'main').trim());
      });

      it('a clone takes origin/HEAD (named by its branch) as the base, and a local base branch ahead of it counts as the base', async () => {
        const upstream = project();
        const clone = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-clone-'));
        made.push(clone);
        git(os.tmpdir(), 'clone', '-q', `file://${upstream.root}`, clone);
        const c = openGitProject(clone);
        c.write(revisionFileName(4), migrationText(revisionId(4), revisionId(3)));
        c.commit('local main: r4, not pushed');
        const model = await loadModel(clone);
        const found = await classify(model, access);
        assert.equal(found.release.base?.ref, 'origin/main');
        // On main itself everything committed is released.
        assert.deepEqual(newRevisions(model), []);
        c.git('checkout', '-q', '-b', 'feature');
        const onBranch = await loadModel(clone);
        await classify(onBranch, access);
        assert.deepEqual(newRevisions(onBranch), [revisionId(4)]);
      });

      it('a linked worktree (git worktree add) reads its own HEAD and the common refs and objects', async () => {
        const p = project();
        const linked = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-worktree-'));
        made.push(linked);
        fs.rmSync(linked, { recursive: true });
        p.git('worktree', 'add', '-q', '-b', 'feature', linked);
        const w = openGitProject(linked);
        w.write(revisionFileName(4), migrationText(revisionId(4), revisionId(3)));
        w.commit('feature in the worktree: r4');
        const model = await loadModel(linked);
        const found = await classify(model, access);
        assert.equal(found.problem, undefined, found.problem?.message);
        assert.equal(found.release.base?.ref, 'main');
        assert.deepEqual(newRevisions(model), [revisionId(4)]);
      });

      it('a shallow clone without the base says so (the CLI exits 2 on it)', async () => {
        const upstream = project();
        upstream.git('checkout', '-q', '-b', 'feature');
        upstream.write(revisionFileName(4), migrationText(revisionId(4), revisionId(3)));
        upstream.commit('feature: r4');
        const clone = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-shallow-'));
        made.push(clone);
        git(os.tmpdir(), 'clone', '-q', '--depth', '1', '--single-branch', '--branch', 'feature', `file://${upstream.root}`, clone);
        const model = await loadModel(clone);
        const found = await classify(model, access, { base: 'origin/main' });
        assert.equal(found.problem?.kind, 'base-not-found');
        assert.equal(found.problem?.shallow, true);
        assert.match(found.problem?.message ?? '', /shallow clone.*fetch-depth: 0/);
        assert.deepEqual(newRevisions(model), [1, 2, 3, 4].map(revisionId));
      });
    });
  }

  it('not a git repository: every revision is new, and the note says why and how to set since', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-nogit-'));
    made.push(root);
    const p = project();
    fs.cpSync(p.root, root, { recursive: true, filter: (src) => path.basename(src) !== '.git' });
    const model = await loadModel(root);
    const found = await classify(model, 'objects');
    assert.equal(found.problem?.kind, 'not-a-repository');
    assert.match(found.release.note ?? '', /is not in a git repository: every revision counts as new.*alembic\.lint\.since/);
    assert.deepEqual(newRevisions(model), [1, 2, 3].map(revisionId));
  });

  it('since: the revision and its ancestors are released, with git or without; a since naming nothing is a problem', async () => {
    const p = project({ revisions: 4 });
    fs.rmSync(path.join(p.root, '.git'), { recursive: true });
    const model = await loadModel(p.root);
    await classify(model, 'objects', { since: revisionId(2) });
    assert.deepEqual(newRevisions(model), [revisionId(3), revisionId(4)]);
    assert.deepEqual(model.releaseOf(path.join(p.versions, revisionFileName(1))), { kind: 'since', since: revisionId(2) });
    await classify(model, 'objects', { since: 'ffff' });
    assert.match(model.sinceProblem ?? '', /no revision 'ffff'/);
  });

  it('scope new: file rules skip released revisions; scope all checks them; graph rules see the whole graph', async () => {
    const p = project({ withProblems: true });
    p.git('checkout', '-q', '-b', 'feature');
    p.write(revisionFileName(4), migrationText(revisionId(4), revisionId(3), { upgrade: PROBLEM_UPGRADE, downgrade: PROBLEM_DOWNGRADE }));
    p.write('0005_second_head.py', migrationText('dddd00000005', revisionId(3)));
    const model = await loadModel(p.root);
    const fileRuleFindings = (): string[] => [...model.findingsByPath().entries()]
      .flatMap(([file, list]) => list.filter((f) => f.rule === 'add-not-null-column-without-default').map(() => path.basename(file))).sort();
    // Before the release is known every file is checked (the first diagnostics do not wait for git).
    assert.equal(fileRuleFindings().length, 4);
    await classify(model, 'spawn');
    assert.deepEqual(fileRuleFindings(), [revisionFileName(4)]);
    assert.ok(model.findings().some((f) => f.rule === 'multiple-heads'), 'graph rules still run on the whole graph');
    await classify(model, 'spawn', { scope: 'all' });
    assert.equal(fileRuleFindings().length, 4);
    // The wire node says why a revision is released and marks the new ones.
    await classify(model, 'spawn');
    const wire = wireOf(model);
    assert.deepEqual(wire.revisionNode(revisionId(1))?.released, { kind: 'base', ref: 'main', mergeBase: p.git('rev-parse', 'main').trim() });
    assert.equal(wire.revisionNode(revisionId(1))?.isNew, false);
    assert.equal(wire.revisionNode(revisionId(4))?.isNew, true);
    assert.equal(wire.revisionNode(revisionId(4))?.released, undefined);
  });

  it('[tool.alembic-lint] base, since and scope are read, and are not taken for rule severities', () => {
    const text = '[tool.alembic-lint]\nbase = "origin/develop"\nsince = "abc"\nscope = "all"\n[tool.alembic-lint.rules]\nmultiple-heads = "error"\n';
    assert.deepEqual(releaseSettingsFromPyproject(text, 'pyproject.toml'), { settings: { base: 'origin/develop', since: 'abc', scope: 'all' }, errors: [] });
    const severities = severitiesFromPyproject(text, 'pyproject.toml', new Set(['multiple-heads']));
    assert.deepEqual(severities, { severities: { 'multiple-heads': 'error' }, errors: [], warnings: [] });
    assert.match(releaseSettingsFromPyproject('[tool.alembic-lint]\nscope = "some"\n', 'p.toml').errors[0] ?? '', /scope must be "new" or "all"/);
  });

  it('the safe options stop a repository-configured fsmonitor from running (git status would run it)', () => {
    const p = project();
    const marker = path.join(p.root, 'fsmonitor-ran');
    const hook = path.join(p.root, 'fsmonitor.sh');
    fs.writeFileSync(hook, `#!/bin/sh\ntouch '${marker}'\nexit 1\n`, { mode: 0o755 });
    p.git('config', 'core.fsmonitor', hook);
    const status = (extra: readonly string[]): void => {
      spawnSync('git', [...extra, '-C', p.root, 'status', '--porcelain'], { encoding: 'utf8' });
    };
    status(SAFE_GIT_OPTIONS);
    assert.equal(fs.existsSync(marker), false, 'the hook ran despite the safe options');
    status([]);
    assert.equal(fs.existsSync(marker), true, 'the probe is meaningless: plain git status did not run the hook');
  });
});
