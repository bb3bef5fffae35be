// alembic-lint check with --base, --since and --scope, as a CI job runs it: dist/cli.js in a child
// process, on git repositories (and clones, and a shallow clone) that the test builds with real git.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { git, type GitProject, makeGitProject, migrationText, PROBLEM_DOWNGRADE, PROBLEM_UPGRADE, revisionFileName, revisionId } from '../support/gitProject';
import { repoRoot } from '../support/paths';

const CLI = path.join(repoRoot, 'dist', 'cli.js');
const FILE_RULE = 'add-not-null-column-without-default';

function check(cwd: string, ...args: string[]): { code: number | null; stdout: string; stderr: string; warned: string[] } {
  const r = spawnSync(process.execPath, [CLI, 'check', '.', '--format', 'json', ...args], { cwd, encoding: 'utf8' });
  let warned: string[] = [];
  if (r.status !== 2) {
    const out = JSON.parse(r.stdout) as { diagnostics: { path: string; rule: string }[] };
    warned = out.diagnostics.filter((d) => d.rule === FILE_RULE).map((d) => path.basename(d.path)).sort();
  }
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, warned };
}

describe('cli: released and new revisions (--base, --since, --scope)', function () {
  this.timeout(60_000);
  const made: string[] = [];
  let p: GitProject;
  before(() => {
    assert.ok(fs.existsSync(CLI), `${CLI} is missing: run node esbuild.mjs first`);
    p = makeGitProject({ withProblems: true });
    made.push(p.root);
    p.git('checkout', '-q', '-b', 'feature');
    p.write(revisionFileName(4), migrationText(revisionId(4), revisionId(3), { upgrade: PROBLEM_UPGRADE, downgrade: PROBLEM_DOWNGRADE }));
    p.commit('feature: r4');
  });
  after(() => { for (const d of made) fs.rmSync(d, { recursive: true, force: true }); });

  it('by default checks the new revision only; --scope all checks all; --since releases what git calls new', () => {
    assert.deepEqual(check(p.root).warned, [revisionFileName(4)]);
    assert.deepEqual(check(p.root, '--base', 'main').warned, [revisionFileName(4)]);
    assert.equal(check(p.root, '--scope', 'all').warned.length, 4);
    assert.deepEqual(check(p.root, '--base', '', '--since', revisionId(4)).warned, []);
    assert.deepEqual(check(p.root, '--base', '', '--since', revisionId(2)).warned, [revisionFileName(3), revisionFileName(4)]);
  });

  it('reads base, since and scope from [tool.alembic-lint]; the command line wins', () => {
    fs.writeFileSync(path.join(p.root, 'pyproject.toml'), '[tool.alembic-lint]\nscope = "all"\n');
    try {
      assert.equal(check(p.root).warned.length, 4);
      assert.deepEqual(check(p.root, '--scope', 'new').warned, [revisionFileName(4)]);
    } finally {
      fs.rmSync(path.join(p.root, 'pyproject.toml'));
    }
  });

  it('a base that is not there exits 2 naming it; a since that names nothing exits 2', () => {
    const missing = check(p.root, '--base', 'origin/main');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /the base 'origin\/main' is not a commit in .* \(--base origin\/main\)/);
    const since = check(p.root, '--since', 'ffff');
    assert.equal(since.code, 2);
    assert.match(since.stderr, /since: no revision 'ffff'/);
    assert.equal(check(p.root, '--scope', 'some').code, 2);
  });

  it('in a CI checkout with the history (fetch-depth: 0), --base origin/main checks the pull request only', () => {
    const clone = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-ci-'));
    made.push(clone);
    git(os.tmpdir(), 'clone', '-q', '--branch', 'feature', `file://${p.root}`, clone);
    const r = check(clone, '--base', 'origin/main');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.warned, [revisionFileName(4)]);
  });

  it('in a shallow clone without the base, or without the history down to the merge-base, exits 2 and says to fetch it', () => {
    const shallowClone = (extra: string[]): string => {
      const clone = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-ci-shallow-'));
      made.push(clone);
      git(os.tmpdir(), 'clone', '-q', '--depth', '1', ...extra, '--branch', 'feature', `file://${p.root}`, clone);
      return clone;
    };
    const expectExit2 = (clone: string, args: string[], why: RegExp): void => {
      const r = check(clone, ...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, why);
      assert.match(r.stderr, /shallow clone: fetch the base and its history, e\.g\. actions\/checkout with fetch-depth: 0/);
    };
    // The base was not fetched at all.
    expectExit2(shallowClone(['--single-branch']), ['--base', 'origin/main'], /the base 'origin\/main' is not a commit/);
    // Both tips were fetched, one commit deep: the merge-base is cut off (found by auto, too).
    const both = shallowClone(['--no-single-branch']);
    // The upstream has feature checked out, so origin/HEAD would be feature itself; a CI checkout has
    // no origin/HEAD, and auto goes on to origin/main.
    git(both, 'remote', 'set-head', 'origin', '-d');
    expectExit2(both, [], /HEAD and origin\/main have no common commit/);
    expectExit2(both, ['--base', 'origin/main'], /HEAD and origin\/main have no common commit/);
  });

  it('outside git, says once why every revision is checked, and how to set since', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-cli-nogit-'));
    made.push(root);
    fs.cpSync(p.root, root, { recursive: true, filter: (src) => path.basename(src) !== '.git' });
    const r = check(root);
    assert.equal(r.code, 0);
    assert.equal(r.warned.length, 4);
    assert.equal(r.stderr.match(/note: .* is not in a git repository: every revision counts as new/g)?.length, 1, r.stderr);
    assert.match(r.stderr, /--since/);
  });
});
