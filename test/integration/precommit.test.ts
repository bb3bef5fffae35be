// The pre-commit hook as Python teams use it: Debian's pre-commit installs this repository's
// `.pre-commit-hooks.yaml` hook (language: node: `npm install`, `npm pack`, `npm install -g` of the
// tarball, from the npm registry only) and runs it on commits of a real git repository. A clean commit
// passes; a staged new migration with a problem fails the hook with the finding.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeGitProject, migrationText, PROBLEM_DOWNGRADE, PROBLEM_UPGRADE, revisionFileName, revisionId } from '../support/gitProject';
import { repoRoot } from '../support/paths';

function hasPreCommit(): boolean {
  return spawnSync('pre-commit', ['--version'], { encoding: 'utf8' }).status === 0;
}

describe('pre-commit hook (Debian pre-commit, installed from this repository)', function () {
  this.timeout(900_000);
  let home = '';

  before(function () {
    if (!hasPreCommit()) {
      console.log('    skipped: pre-commit is not installed (scripts/prereqs.sh --install integration installs it)');
      this.skip();
    }
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-precommit-'));
  });
  after(() => { if (home) fs.rmSync(home, { recursive: true, force: true }); });

  /** `pre-commit try-repo <this repository> alembic-lint` in the project: the hook on its staged files. */
  function tryHook(cwd: string): { code: number | null; output: string } {
    const r = spawnSync('pre-commit', ['try-repo', repoRoot, 'alembic-lint', '--verbose'], {
      cwd, encoding: 'utf8', timeout: 800_000,
      env: {
        ...process.env, PRE_COMMIT_HOME: home, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null',
        // the packages npm ci already fetched come from its cache
        npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false',
      },
    });
    return { code: r.status, output: `${r.stdout}${r.stderr}` };
  }

  it('passes a clean staged migration and fails a staged new one with a problem, naming the rule', () => {
    const project = makeGitProject({ revisions: 3, withProblems: true });
    try {
      // released history with problems and a clean new revision: the default scope is quiet
      project.write(revisionFileName(4), migrationText(revisionId(4), revisionId(3)));
      project.git('add', '-A');
      const clean = tryHook(project.root);
      assert.equal(clean.code, 0, clean.output);
      assert.match(clean.output, /alembic-lint\.+Passed/);
      assert.match(clean.output, /4 revisions in 1 project: 0 errors, 0 warnings/);

      project.write(revisionFileName(5), migrationText(revisionId(5), revisionId(4), { upgrade: PROBLEM_UPGRADE, downgrade: PROBLEM_DOWNGRADE }));
      project.git('add', '-A');
      const bad = tryHook(project.root);
      assert.equal(bad.code, 1, bad.output);
      assert.match(bad.output, /alembic-lint\.+Failed/);
      assert.match(bad.output, /add-not-null-column-without-default/);
      assert.match(bad.output, new RegExp(revisionFileName(5)));
    } finally {
      fs.rmSync(project.root, { recursive: true, force: true });
    }
  });
});
