// alembic-lint as users run it: dist/cli.js in a child process, on the fixture projects.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readDatabaseUrl } from '../../cli/verify';
import { MAX_SOURCE_BYTES } from '../../server/src/fs/readFiles';
import { copyFixture, fixturePath, repoRoot } from '../support/paths';
import { migrationText } from './graphSupport';

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

  it('checks and graphs each named environment of an alembic.ini (alembic --name) as its own project', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-lint-named-'));
    try {
      fs.writeFileSync(path.join(dir, 'alembic.ini'), '[alembic]\nfile_template = %%(rev)s\n\n[core]\nscript_location = core\n\n[tenant]\nscript_location = tenant\n');
      for (const [env, rev] of [['core', 'c0000001'], ['tenant', 't0000001']] as const) {
        fs.mkdirSync(path.join(dir, env, 'versions'), { recursive: true });
        fs.writeFileSync(path.join(dir, env, 'env.py'), '');
        fs.writeFileSync(path.join(dir, env, 'versions', `${rev}.py`), migrationText(rev, null));
      }
      const check = run(['check', dir, '--format', 'text']);
      assert.equal(check.code, 0, check.stderr);
      assert.match(check.stderr, /2 revisions in 2 projects/);
      const graph = run(['graph', dir]);
      assert.match(graph.stdout, /\[core\] \(1 revisions; heads: c0000001;/);
      assert.match(graph.stdout, /\[tenant\] \(1 revisions; heads: t0000001;/);
      const json = JSON.parse(run(['graph', dir, '--json']).stdout) as { projects: { iniSection?: string }[] };
      assert.deepEqual(json.projects.map((p) => p.iniSection), ['core', 'tenant']);
      // verify runs one environment: it must be named, and be one of the ini's (nothing runs otherwise).
      const unnamed = run(['verify', dir]);
      assert.equal(unnamed.code, 2, unnamed.stderr);
      assert.match(unnamed.stderr, /has no environment in \[alembic\], only named ones: verify one with --name core, --name tenant/);
      const unknown = run(['verify', dir, '--name', 'tenants']);
      assert.equal(unknown.code, 2, unknown.stderr);
      assert.match(unknown.stderr, /has no environment \[tenants\] \(a section with a script_location\); its environments: \[core\], \[tenant\]/);
      const misplaced = run(['check', dir, '--name', 'core']);
      assert.equal(misplaced.code, 2);
      assert.match(misplaced.stderr, /--name is for verify only/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Workspace files built to hang or crash the tool, made at test time in a temporary folder. A child
// process starts in about 150 ms and each case ends in about 200 ms; the bound leaves room for a
// loaded machine (tests run in parallel with other work) and still fails the
// minutes (or the crash) each of these cost before.
describe('cli: hostile workspace files', function () {
  this.timeout(30_000);
  const BOUND_MS = 3000;
  const made: string[] = [];
  after(() => { for (const d of made) fs.rmSync(d, { recursive: true, force: true }); });

  const migration = (revision: string, down: string | null): string => migrationText(revision, down);

  /** A project with two clean migrations; `ini` replaces the lines after `[alembic]`. */
  function project(opts: { ini?: string; env?: string; files?: Record<string, string | Buffer> } = {}): { root: string; versions: string } {
    const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-hostile-')));
    made.push(root);
    const versions = path.join(root, 'migrations', 'versions');
    fs.mkdirSync(versions, { recursive: true });
    fs.writeFileSync(path.join(root, 'alembic.ini'), `[alembic]\n${opts.ini ?? 'script_location = %(here)s/migrations'}\n`);
    fs.writeFileSync(path.join(root, 'migrations', 'env.py'), opts.env ?? '');
    const files = opts.files ?? { 'a.py': migration('a1', null), 'b.py': migration('b1', 'a1') };
    for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(versions, name), content);
    return { root, versions };
  }

  function timed(args: string[], opts: { uid?: number } = {}): { code: number | null; stdout: string; stderr: string; ms: number } {
    const started = performance.now();
    const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000, ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.uid } : {}) });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - started };
  }

  it('an alembic.ini whose interpolation explodes: exit 2 with the option named, not a crash', () => {
    // 564 bytes: nine levels, each repeating the one below eight times (8^9 copies of eight characters).
    const levels = ['l0 = xxxxxxxx', ...Array.from({ length: 9 }, (_, i) => `l${i + 1} = ${`%(l${i})s`.repeat(8)}`)];
    const { root } = project({ ini: `script_location = %(here)s/migrations\n${levels.join('\n')}\nsqlalchemy.url = %(l9)s` });
    const r = timed(['check', root]);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.ms < BOUND_MS, `took ${Math.round(r.ms)} ms`);
    assert.match(r.stderr, /alembic-lint: error: .*alembic\.ini: option 'sqlalchemy\.url' in section 'alembic' expands to more than 100000 characters/);
  });

  it('an alembic.ini line with 80,000 spaces: exit 2 with configparser\'s ParsingError, quoted short', () => {
    const { root } = project({ ini: `script_location = %(here)s/migrations\na${' '.repeat(80_000)}b` });
    const r = timed(['check', root]);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.ms < BOUND_MS, `took ${Math.round(r.ms)} ms`);
    assert.match(r.stderr, /alembic\.ini:3: cannot parse line "a {119}…" \(80002 characters\) \(configparser ParsingError\)/);
    assert.ok(r.stderr.length < 2000, 'the line is not printed whole');
  });

  it('an env.py with 50,000 configure( lines: checked as usual', () => {
    const { root } = project({ env: `${'context.configure(connection=c)\n'.repeat(50_000)}${'context.configure(\n'.repeat(50_000)}` });
    const r = timed(['check', root, '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.ms < BOUND_MS, `took ${Math.round(r.ms)} ms`);
    assert.equal((JSON.parse(r.stdout) as JsonOut).summary.revisions, 2);
  });

  it('links back up the version folder: each migration once, as Alembic loads them', () => {
    const { root, versions } = project({ ini: 'script_location = %(here)s/migrations\nrecursive_version_locations = true' });
    fs.symlinkSync('.', path.join(versions, 'loop'));
    fs.symlinkSync('..', path.join(versions, 'up'));
    const r = timed(['check', root, '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.ms < BOUND_MS, `took ${Math.round(r.ms)} ms`);
    const out = JSON.parse(r.stdout) as JsonOut;
    assert.deepEqual([out.summary.files, out.summary.revisions], [2, 2]);
    assert.deepEqual(out.diagnostics.filter((d) => d.rule === 'duplicate-revision'), []);
    const rec = timed(['check', root, '--recursive', '--format', 'json']);
    assert.equal(rec.code, 0, rec.stderr);
    assert.ok(rec.ms < BOUND_MS, `discovery took ${Math.round(rec.ms)} ms`);
    assert.equal((JSON.parse(rec.stdout) as JsonOut).summary.projects, 1);
  });

  it('a migration that is not UTF-8: exit 2 with the line, the revision still in the graph', () => {
    const { root, versions } = project({
      files: { 'a.py': migration('a1', null), 'b.py': Buffer.from(`${migration('b1', 'a1')}# caf\xe9\n`, 'latin1') },
    });
    const r = timed(['check', root, '--format', 'json']);
    assert.equal(r.code, 2, r.stderr);
    const line = migration('b1', 'a1').split('\n').length;
    assert.match(r.stderr, new RegExp(`alembic-lint: error: ${path.join(versions, 'b.py')}: is not valid UTF-8 \\(line ${line}: byte 0xe9\\)`));
    assert.equal((JSON.parse(r.stdout) as JsonOut).summary.revisions, 2);
  });

  it('an unreadable or dangling migration: exit 2, reported on the project', () => {
    const { root, versions } = project({ files: { 'a.py': migration('a1', null), 'b.py': migration('b1', 'a1'), 'c.py': migration('c1', 'b1') } });
    fs.symlinkSync('nowhere.py', path.join(versions, 'dangling.py'));
    fs.chmodSync(path.join(versions, 'c.py'), 0o000);
    // Root reads every file whatever its mode: run as nobody then, with the folders open to others.
    const uid = process.getuid?.() === 0 ? 65534 : undefined;
    if (uid !== undefined) for (const d of [root, path.join(root, 'migrations'), versions]) fs.chmodSync(d, 0o755);
    const r = timed(['check', root], uid !== undefined ? { uid } : {});
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`alembic-lint: error: ${path.join(versions, 'c.py')}: cannot be read: permission denied`));
    assert.match(r.stderr, new RegExp(`alembic-lint: error: ${path.join(versions, 'dangling.py')}: is a symbolic link to nowhere\\.py, which does not exist`));
  });

  it('a migration larger than the limit, and a pipe named like one: skipped with a problem, the rest checked', () => {
    const { root, versions } = project();
    fs.writeFileSync(path.join(versions, 'huge.py'), Buffer.alloc(MAX_SOURCE_BYTES + 1, 0x20));
    execFileSync('mkfifo', [path.join(versions, 'pipe.py')]);
    const r = timed(['check', root, '--format', 'json']);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.ms < BOUND_MS, `took ${Math.round(r.ms)} ms`);
    assert.match(r.stderr, /huge\.py: is 10 MB; alembic-lint reads files of up to 10 MB: not checked/);
    assert.match(r.stderr, /pipe\.py: is not a regular file \(a pipe, socket or device\): not read/);
    assert.equal((JSON.parse(r.stdout) as JsonOut).summary.revisions, 2);
  });

  it('a sqlalchemy.url whose interpolation fails: exit 2, and no part of the password on stderr', () => {
    const { root } = project({ ini: 'script_location = %(here)s/migrations\nsqlalchemy.url = postgresql://app:Pa55%word@db/app' });
    const r = timed(['check', root]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /'%' must be followed by '%' or '\(' at character 22 of option 'sqlalchemy\.url' in section 'alembic'/);
    assert.doesNotMatch(r.stderr, /Pa55|word@db/);
  });

  it('a pipe named alembic.ini found by discovery: exit 2 instead of waiting for a writer', () => {
    const { root } = project();
    fs.rmSync(path.join(root, 'alembic.ini'));
    execFileSync('mkfifo', [path.join(root, 'alembic.ini')]);
    const r = timed(['check', root, '--recursive']);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.ms < BOUND_MS, `took ${Math.round(r.ms)} ms`);
    assert.match(r.stderr, /alembic\.ini: cannot read the configuration file: it is not a regular file/);
  });
});

describe('cli: verify takes the database URL without putting it in the process list', function () {
  this.timeout(30_000);

  it('documents where the URL may come from, and what --database-url exposes', () => {
    const help = run(['--help']);
    assert.match(help.stdout, /--database-url-env NAME\s+read the URL from the environment variable NAME/);
    assert.match(help.stdout, /--database-url-stdin\s+read the URL from the first line of standard input/);
    assert.match(help.stdout, /process list \(ps\)/);
  });

  it('refuses a missing variable, empty input, two sources, and the options outside verify, with exit 2', () => {
    const cases: [string[], RegExp, string?][] = [
      [['verify', 'amani', '--database-url-env', 'ALEMBIC_LINT_TEST_UNSET'], /the environment variable ALEMBIC_LINT_TEST_UNSET is not set/],
      [['verify', 'amani', '--database-url-env', 'NOT-A-NAME'], /'NOT-A-NAME' is not an environment variable name/],
      [['verify', 'amani', '--database-url-stdin'], /standard input held no URL/, '\n'],
      [['verify', 'amani', '--database-url-stdin', '--database-url-env', 'X'], /give the database URL once/],
      [['check', 'amani', '--database-url-stdin'], /the database URL options are for verify only/],
    ];
    for (const [args, message, input] of cases) {
      const r = spawnSync(process.execPath, [CLI, ...args], { cwd: path.join(repoRoot, 'test', 'fixtures'), encoding: 'utf8', input: input ?? '' });
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
    }
  });

  it('reads the first line of a pipe or the variable, and never a terminal', async () => {
    const { Readable } = await import('node:stream');
    const pipe = Readable.from([Buffer.from('postgresql://app:s3cret@db/app\r\n'), Buffer.from('ignored\n')]);
    assert.equal(await readDatabaseUrl({ kind: 'stdin' }, pipe), 'postgresql://app:s3cret@db/app');
    const tty = Object.assign(Readable.from([]), { isTTY: true });
    await assert.rejects(readDatabaseUrl({ kind: 'stdin' }, tty), /not from a terminal/);
    process.env.ALEMBIC_LINT_TEST_URL = ' postgresql://app:s3cret@db/app ';
    try {
      assert.equal(await readDatabaseUrl({ kind: 'env', name: 'ALEMBIC_LINT_TEST_URL' }), 'postgresql://app:s3cret@db/app');
    } finally {
      delete process.env.ALEMBIC_LINT_TEST_URL;
    }
  });
});
