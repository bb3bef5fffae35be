// The CI workflows of docs/ci.md, run as written: the shell commands of the GitHub Actions step and of
// the GitLab job are taken from the page, `npx --yes alembic-lint` becomes the built dist/cli.js, and
// they run in bash on a clone of a repository the test builds (a pull request whose base moved on).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { git, makeGitProject, migrationText, PROBLEM_DOWNGRADE, PROBLEM_UPGRADE, revisionFileName, revisionId } from '../support/gitProject';
import { repoRoot } from '../support/paths';

const CLI = path.join(repoRoot, 'dist', 'cli.js');
const page = fs.readFileSync(path.join(repoRoot, 'docs', 'ci.md'), 'utf8');

/** The yaml block under a heading. */
function yamlUnder(heading: string): string {
  const at = page.indexOf(heading);
  assert.ok(at >= 0, `docs/ci.md has no '${heading}'`);
  const m = /```yaml\n([\s\S]*?)```/.exec(page.slice(at));
  assert.ok(m?.[1], `no yaml block under '${heading}'`);
  return m[1];
}

function bash(script: string, cwd: string, env: Record<string, string>): { code: number | null; stdout: string; stderr: string } {
  const withCli = script.replaceAll('npx --yes alembic-lint', `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)}`);
  const r = spawnSync('bash', ['-euo', 'pipefail', '-c', withCli], { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('docs/ci.md: the documented workflows run', function () {
  this.timeout(60_000);
  let upstream = '';
  let clone = '';
  before(() => {
    const p = makeGitProject();
    upstream = p.root;
    p.git('checkout', '-q', '-b', 'feature');
    p.write(revisionFileName(4), migrationText(revisionId(4), revisionId(3), { upgrade: PROBLEM_UPGRADE, downgrade: PROBLEM_DOWNGRADE }));
    p.commit('feature: r4 with a problem');
    p.git('checkout', '-q', 'main');
    p.write('0009_main.py', migrationText('cccc00000009', revisionId(3)));
    p.commit('main moved on');
    clone = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-ci-docs-'));
    // A full clone of the pull request's branch, as fetch-depth: 0 makes it.
    git(os.tmpdir(), 'clone', '-q', '--branch', 'feature', `file://${upstream}`, clone);
  });
  after(() => {
    for (const d of [upstream, clone]) fs.rmSync(d, { recursive: true, force: true });
  });

  it('GitHub Actions: the SARIF step writes the findings and records status 1; the last step fails the job', () => {
    const yaml = yamlUnder('## GitHub Actions');
    assert.match(yaml, /fetch-depth: 0/);
    const step = /- name: alembic-lint\n\s+run: \|\n([\s\S]*?)\n\s+- uses:/.exec(yaml)?.[1];
    assert.ok(step, 'the alembic-lint step');
    const envFile = path.join(clone, '.github-env');
    const r = bash(step.replace(/^ {10}/gm, ''), clone, { GITHUB_BASE_REF: 'main', GITHUB_ENV: envFile });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(fs.readFileSync(envFile, 'utf8').trim(), 'status=1');
    const sarif = JSON.parse(fs.readFileSync(path.join(clone, 'alembic-lint.sarif'), 'utf8')) as { runs: { results: { ruleId: string }[] }[] };
    const rules = (sarif.runs[0]?.results ?? []).map((x) => x.ruleId).sort();
    assert.deepEqual(rules, ['add-not-null-column-without-default', 'lock-timeout-missing', 'multiple-heads-after-merge']);
    const failStep = /- name: fail on findings\n\s+run: (.*)/.exec(yaml)?.[1] ?? '';
    assert.equal(bash(failStep, clone, { status: '1' }).code, 1);
  });

  it('GitHub Actions: a shallow checkout fails the job with exit 2 and the reason', () => {
    const shallow = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-ci-docs-shallow-'));
    try {
      git(os.tmpdir(), 'clone', '-q', '--depth', '1', '--single-branch', '--branch', 'feature', `file://${upstream}`, shallow);
      const step = /- name: alembic-lint\n\s+run: \|\n([\s\S]*?)\n\s+- uses:/.exec(yamlUnder('## GitHub Actions'))?.[1] ?? '';
      const r = bash(step.replace(/^ {10}/gm, ''), shallow, { GITHUB_BASE_REF: 'main', GITHUB_ENV: path.join(shallow, '.env') });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /shallow clone.*fetch-depth: 0/);
    } finally {
      fs.rmSync(shallow, { recursive: true, force: true });
    }
  });

  it('GitLab CI: the script writes a code quality report of the findings and fails on them', () => {
    const yaml = yamlUnder('## GitLab CI');
    const lines = [...yaml.matchAll(/^ {4}- (.*)$/gm)].map((m) => m[1] ?? '').filter((l) => !l.startsWith('if:'));
    assert.ok(lines.length >= 2, yaml);
    const r = bash(lines.join('\n'), clone, { CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main' });
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(fs.readFileSync(path.join(clone, 'gl-code-quality-report.json'), 'utf8')) as { check_name: string; severity: string; fingerprint: string; location: { path: string; lines: { begin: number } } }[];
    assert.deepEqual(report.map((i) => i.check_name).sort(), ['add-not-null-column-without-default', 'lock-timeout-missing', 'multiple-heads-after-merge']);
    for (const issue of report) {
      // Warnings are minor issues; lock-timeout-missing is information (GitLab's info).
      assert.equal(issue.severity, issue.check_name === 'lock-timeout-missing' ? 'info' : 'minor');
      assert.match(issue.fingerprint, /^[0-9a-f]{40}$/);
      assert.match(issue.location.path, /^migrations\/versions\//);
      assert.ok(issue.location.lines.begin >= 1);
    }
  });

  it('pre-commit: the hook is declared to run the check once per commit, on migration and configuration files', () => {
    const hooks = fs.readFileSync(path.join(repoRoot, '.pre-commit-hooks.yaml'), 'utf8');
    assert.match(hooks, /^- id: alembic-lint$/m);
    assert.match(hooks, /^ {2}entry: alembic-lint check \. --fail-on warning$/m);
    assert.match(hooks, /^ {2}pass_filenames: false$/m);
    const files = new RegExp(/^ {2}files: (.*)$/m.exec(hooks)?.[1] ?? '^$');
    for (const f of ['migrations/versions/0001_a.py', 'alembic.ini', 'pyproject.toml']) assert.ok(files.test(f), f);
    assert.ok(!files.test('README.md'));
  });
});
