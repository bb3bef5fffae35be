// alembic-lint as users run it: dist/cli.js in a child process, on the fixture projects.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { copyFixture, fixturePath, repoRoot } from '../support/paths';

const CLI = path.join(repoRoot, 'dist', 'cli.js');

function run(args: string[], cwd = path.join(repoRoot, 'test', 'fixtures')): { code: number | null; stdout: string; stderr: string } {
  // The fixtures are committed in this repository, so git calls them released, and on main (as in CI)
  // file rules would skip them all: these tests are about the rules, so they check every revision.
  // release-cli.test.ts tests the scopes on repositories of its own.
  const scoped = args[0] === 'check' && !args.some((a) => /^--(scope|base|since)\b/.test(a)) ? [...args, '--scope', 'all'] : args;
  const r = spawnSync(process.execPath, [CLI, ...scoped], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface JsonOut {
  diagnostics: { path: string; line: number; column: number; endLine: number; endColumn: number; severity: string; rule: string; message: string }[];
  summary: Record<string, number>;
}

describe('cli: alembic-lint', function () {
  this.timeout(30_000);
  before(() => assert.ok(fs.existsSync(CLI), `${CLI} is missing: run node esbuild.mjs first`));

  it('prints usage with --help and exits 0; usage errors exit 2 with a message on stderr', () => {
    const help = run(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /alembic-lint check PATH\.\.\./);
    for (const args of [[], ['check'], ['frobnicate', 'x'], ['check', 'graph-linear', '--format', 'xml'], ['check', 'graph-linear', '--fail-on=sometimes'], ['check', 'no-such-folder'], ['check', 'graph-linear', '--rule', 'nope=error'], ['check', 'graph-linear', '--rule', 'multiple-heads=loud']]) {
      const r = run(args);
      if (args.length === 0) {
        assert.equal(r.code, 0, 'no arguments prints usage');
        continue;
      }
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /^alembic-lint: /, args.join(' '));
      assert.equal(r.stdout, '');
    }
  });

  it('check: a clean project exits 0 with no diagnostics (json)', () => {
    const r = run(['check', 'graph-linear', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as JsonOut;
    assert.deepEqual(out.diagnostics, []);
    assert.equal(out.summary.revisions, 3);
    assert.equal(out.summary.errors, 0);
  });

  it('check: errors exit 1 and print path:line:col: severity rule message', () => {
    const r = run(['check', 'graph-duplicate', 'graph-cycle']);
    assert.equal(r.code, 1);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 4, r.stdout);
    assert.match(lines[0] ?? '', /^graph-cycle\/migrations\/versions\/c0c0c0c00002_a\.py:14:17: error revision-cycle Cycle is detected in revisions \(c0c0c0c00002, c0c0c0c00003\)/);
    assert.ok(lines.some((l) => /^graph-duplicate\/migrations\/versions\/d1d1d1d10002_second\.py:13:12: error duplicate-revision /.test(l)));
    assert.match(r.stderr, /4 errors/);
  });

  it('check: --fail-on and --rule decide the exit code for warnings', () => {
    assert.equal(run(['check', 'graph-branches']).code, 0, 'multiple heads is a warning');
    assert.equal(run(['check', 'graph-branches', '--fail-on', 'warning']).code, 1);
    assert.equal(run(['check', 'graph-branches', '--fail-on', 'warning', '--rule', 'multiple-heads=off']).code, 0);
    assert.equal(run(['check', 'graph-branches', '--rule=multiple-heads=error']).code, 1);
    assert.equal(run(['check', 'graph-cycle', '--fail-on', 'never']).code, 0);
  });

  it('check: json positions are 1-based and cover the revision value', () => {
    const r = run(['check', 'graph-branches', '--format', 'json']);
    const out = JSON.parse(r.stdout) as JsonOut;
    const d = out.diagnostics.find((x) => x.path.endsWith('ff0000000008_side.py'));
    assert.ok(d);
    const line = fs.readFileSync(d.path, 'utf8').split('\n')[d.line - 1] ?? '';
    assert.equal(line.slice(d.column - 1, d.endColumn - 1), "'ff0000000008'");
    assert.equal(d.rule, 'multiple-heads');
    assert.equal(d.severity, 'warning');
  });

  it('check: SARIF 2.1.0 with rules, their pages as help, and regions', () => {
    const r = run(['check', 'graph-invalid-id', '--format', 'sarif']);
    assert.equal(r.code, 1);
    const log = JSON.parse(r.stdout) as { version: string; runs: { tool: { driver: { rules: { id: string; helpUri?: string; fullDescription?: { text: string }; help?: { text: string; markdown: string } }[] } }; results: { ruleId: string; ruleIndex: number; level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[] }[] };
    assert.equal(log.version, '2.1.0');
    const run0 = log.runs[0];
    assert.ok(run0);
    const result = run0.results.find((x) => x.ruleId === 'invalid-revision-id');
    assert.ok(result, JSON.stringify(run0.results));
    assert.equal(result.level, 'error');
    assert.equal(run0.tool.driver.rules[result.ruleIndex]?.id, 'invalid-revision-id');
    // The rule's page itself, not a link to a site that does not exist.
    const rule = run0.tool.driver.rules[result.ruleIndex];
    assert.equal(rule?.help?.markdown, fs.readFileSync(path.join(repoRoot, 'docs', 'rules', 'invalid-revision-id.md'), 'utf8'));
    assert.match(rule?.help?.text ?? '', /^The revision id is one Alembic refuses/);
    assert.equal(rule?.fullDescription?.text, rule?.help?.text);
    assert.equal(rule?.helpUri, undefined);
    assert.ok(run0.tool.driver.rules.every((r) => (r.help?.markdown ?? '').startsWith(`# ${r.id}\n`)), 'every rule carries its page');
    assert.equal(result.locations[0]?.physicalLocation.artifactLocation.uri, 'graph-invalid-id/migrations/versions/bad_id.py');
    assert.equal(result.locations[0]?.physicalLocation.region.startLine, 13);
  });

  it('check: reads [tool.alembic-lint] from the project\'s pyproject.toml; --rule wins', () => {
    const dir = copyFixture('graph-branches');
    try {
      fs.writeFileSync(path.join(dir, 'pyproject.toml'), '[tool.alembic-lint.rules]\nmultiple-heads = "error"\n');
      assert.equal(run(['check', dir]).code, 1);
      assert.equal(run(['check', dir, '--rule', 'multiple-heads=warning']).code, 0);
      fs.writeFileSync(path.join(dir, 'pyproject.toml'), '[tool.alembic-lint.rules]\nmultiple-heads = "nope"\n');
      const bad = run(['check', dir]);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /"nope" is not a severity/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes an ini file, a folder of migrations, and --recursive folders', () => {
    const ini = run(['graph', fixturePath('graph-linear', 'alembic.ini'), '--json']);
    assert.equal(ini.code, 0, ini.stderr);
    const folder = run(['graph', fixturePath('graph-linear', 'migrations', 'versions'), '--json']);
    assert.equal(folder.code, 0, folder.stderr);
    const a = JSON.parse(ini.stdout) as { projects: { heads: string[]; revisions: unknown[] }[] };
    const b = JSON.parse(folder.stdout) as { projects: { root: string; heads: string[]; revisions: unknown[] }[] };
    assert.deepEqual(b.projects[0]?.heads, a.projects[0]?.heads);
    assert.equal(b.projects[0]?.root, fixturePath('graph-linear', 'migrations', 'versions'));
    const rec = run(['check', '.', '--recursive', '--format', 'json', '--fail-on', 'never']);
    assert.equal(rec.code, 0, rec.stderr);
    assert.ok(((JSON.parse(rec.stdout) as JsonOut).summary.projects ?? 0) >= 15);
    const loose = run(['check', fixturePath('parser'), '--format', 'json', '--fail-on', 'never']);
    assert.equal(loose.code, 0, loose.stderr);
    const pyFiles = fs.readdirSync(fixturePath('parser')).filter((f) => f.endsWith('.py')).length;
    assert.deepEqual([(JSON.parse(loose.stdout) as JsonOut).summary.projects, (JSON.parse(loose.stdout) as JsonOut).summary.files], [1, pyFiles], 'a folder of .py files is one version location');
    assert.equal(run(['check', fixturePath('graph-linear', 'migrations', 'versions', '..', '..', '..', 'graph-linear')]).code, 0);
  });

  it('graph --json prints the documented shape, revisions in history order', () => {
    const r = run(['graph', 'graph-branches', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { projects: { root: string; versionLocations: string[]; revisions: { revision: string; downRevisions: string[]; dependsOn: string[]; branchLabels: string[]; path: string; message: string; createDate: string }[]; heads: string[]; bases: string[] }[] };
    const p = out.projects[0];
    assert.ok(p);
    assert.equal(p.root, fixturePath('graph-branches'));
    assert.deepEqual(p.versionLocations, [fixturePath('graph-branches', 'migrations', 'versions')]);
    assert.deepEqual(p.heads, ['ff0000000008', 'ff0000000009']);
    assert.deepEqual(p.bases, ['aa0000000001']);
    assert.deepEqual(Object.keys(p.revisions[0] ?? {}), ['revision', 'downRevisions', 'dependsOn', 'branchLabels', 'path', 'message', 'createDate']);
    const merge = p.revisions.find((x) => x.revision === 'dd0000000006');
    assert.deepEqual(merge?.downRevisions, ['bb0000000004', 'cc0000000005']);
    assert.equal(merge?.message, 'merge left and right');
    assert.equal(p.revisions[p.revisions.length - 1]?.revision, 'aa0000000001');
  });
});
