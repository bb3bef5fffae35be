// `alembic-lint verify` as users run it: the bundled dist/cli.js against the throwaway PostgreSQL with
// Debian's Alembic. Passing and failing projects, exit codes, and no scratch database left behind.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fixturePath, repoRoot } from '../support/paths';
import { testPython } from '../support/python';
import { createScratchDatabase, testServerUrl, withClient } from '../support/pg';

function verify(project: string, ...extra: string[]) {
  return verifyOn(testServerUrl(), project, ...extra);
}

function verifyOn(databaseUrl: string, project: string, ...extra: string[]) {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'dist', 'cli.js'), 'verify', project, '--database-url', databaseUrl, '--python', testPython(), ...extra], {
    encoding: 'utf8', timeout: 240_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface JsonReport {
  ok: boolean;
  error?: string;
  scratch?: { name: string; location: string };
  revisions: { revision: string; status: string }[];
}

async function verifyDatabases(): Promise<string[]> {
  return withClient(testServerUrl(), async (c) => (await c.query("SELECT datname FROM pg_database WHERE datname LIKE '%verify%'")).rows.map((r: { datname: string }) => r.datname));
}

describe('alembic-lint verify (CLI)', function () {
  this.timeout(300_000);

  it('passes every revision of the amani project and drops its scratch database', async () => {
    const before = await verifyDatabases();
    const r = verify(fixturePath('amani'));
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /All 6 revisions pass the round trip/);
    for (const rev of ['001_initial_schema', '003_notifications', '005_merge_notifications']) assert.match(r.stdout, new RegExp(`PASSED\\s+${rev}`));
    assert.deepEqual(await verifyDatabases(), before);
  });

  it('fails with exit 1 and names what a downgrade leaves behind', async () => {
    const r = verify(fixturePath('verify-broken'));
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /FAILED/);
    assert.match(r.stdout, /ix_projects_title|projectstatus/);
  });

  it('verifies a single revision given with --range and prints JSON', () => {
    const r = verify(fixturePath('amani'), '--range', '002_user_phone', '--format', 'json');
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { ok: boolean; revisions: { revision: string; status: string }[] };
    assert.equal(report.ok, true);
    assert.deepEqual(report.revisions.map((x) => [x.revision, x.status]), [['002_user_phone', 'passed']]);
  });

  describe('a protected database', () => {
    // Named like production, so the default patterns (*prod*, *production*) protect it.
    let prod: Awaited<ReturnType<typeof createScratchDatabase>>;
    before(async () => { prod = await createScratchDatabase('cli_prod'); });
    after(async () => { await prod.drop(); });

    it('is refused with exit 2 before anything is created on its server, naming the pattern and the ways on', () => {
      const r = verifyOn(prod.url, fixturePath('amani'), '--range', '002_user_phone', '--format', 'json');
      assert.equal(r.status, 2, r.stdout + r.stderr);
      const report = JSON.parse(r.stdout) as JsonReport;
      assert.equal(report.scratch, undefined, 'no scratch database was made');
      assert.deepEqual(report.revisions, []);
      assert.match(report.error ?? '', new RegExp(`127\\.0\\.0\\.1/${prod.name} matches the protected-database pattern "\\*prod\\*"`));
      assert.match(report.error ?? '', /--local/);
      assert.match(report.error ?? '', /--allow-protected/);
      // The same with patterns of one's own, which replace the default.
      const own = verifyOn(prod.url, fixturePath('amani'), '--range', '002_user_phone', '--protected', '127.0.0.1/cli_*');
      assert.equal(own.status, 2, own.stdout + own.stderr);
      assert.match(own.stdout, /matches the protected-database pattern "127\.0\.0\.1\/cli_\*"/);
    });

    it('is verified on its server with --allow-protected, and not protected when --protected names other databases', () => {
      for (const extra of [['--allow-protected'], ['--protected', 'billing_*']]) {
        const r = verifyOn(prod.url, fixturePath('amani'), '--range', '002_user_phone', '--format', 'json', ...extra);
        assert.equal(r.status, 0, `${extra.join(' ')}: ${r.stdout}${r.stderr}`);
        const report = JSON.parse(r.stdout) as JsonReport;
        assert.equal(report.scratch?.location, 'server');
        assert.match(report.scratch?.name ?? '', new RegExp(`^${prod.name}_verify_`));
      }
    });

    it('is left alone with --local: a throwaway PostgreSQL on this machine does the work', () => {
      const r = verifyOn(prod.url, fixturePath('amani'), '--range', '002_user_phone', '--format', 'json', '--local');
      assert.equal(r.status, 0, r.stdout + r.stderr);
      const report = JSON.parse(r.stdout) as JsonReport;
      assert.equal(report.ok, true);
      assert.equal(report.scratch?.location, 'local');
    });

    it('is explained in --help', () => {
      const r = spawnSync(process.execPath, [path.join(repoRoot, 'dist', 'cli.js'), '--help'], { encoding: 'utf8' });
      assert.match(r.stdout, /--allow-protected/);
      assert.match(r.stdout, /--protected PATTERN/);
      assert.match(r.stdout, /\*prod\*, \*production\*/);
    });
  });

  it('takes the URL from standard input or an environment variable, so that it is in no argument', () => {
    const cli = path.join(repoRoot, 'dist', 'cli.js');
    const base = ['verify', fixturePath('amani'), '--python', testPython(), '--range', '002_user_phone', '--format', 'json'];
    const runs = [
      spawnSync(process.execPath, [cli, ...base, '--database-url-stdin'], { encoding: 'utf8', timeout: 240_000, input: `${testServerUrl()}\n` }),
      spawnSync(process.execPath, [cli, ...base, '--database-url-env', 'ALEMBIC_LINT_VERIFY_URL'], {
        encoding: 'utf8', timeout: 240_000, env: { ...process.env, ALEMBIC_LINT_VERIFY_URL: testServerUrl(), DATABASE_URL: '' },
      }),
    ];
    for (const r of runs) {
      assert.equal(r.status, 0, r.stdout + r.stderr);
      const report = JSON.parse(r.stdout) as { ok: boolean; scratch?: { location: string } };
      assert.equal(report.ok, true);
      assert.equal(report.scratch?.location, 'server', 'the scratch database went on the server the URL names');
    }
  });

  it('verifies a named environment of the ini (--name), as alembic --name runs it', async () => {
    // amani with its environment moved from [alembic] into [core] (Netflix Dispatch's layout): Alembic
    // itself finds no script_location unless --name core reaches it.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-lint-verify-named-'));
    try {
      fs.cpSync(fixturePath('amani'), dir, { recursive: true });
      const ini = path.join(dir, 'alembic.ini');
      const text = fs.readFileSync(ini, 'utf8');
      assert.match(text, /^script_location = alembic$/m);
      fs.writeFileSync(ini, text.replace(/^script_location = alembic$/m, '').replace('[loggers]', '[core]\nscript_location = alembic\n\n[loggers]'));
      const before = await verifyDatabases();
      const r = verify(dir, '--name', 'core', '--range', '002_user_phone', '--format', 'json');
      assert.equal(r.status, 0, r.stdout + r.stderr);
      const report = JSON.parse(r.stdout) as JsonReport;
      assert.equal(report.ok, true, report.error);
      assert.deepEqual(report.revisions.map((x) => [x.revision, x.status]), [['002_user_phone', 'passed']]);
      assert.deepEqual(await verifyDatabases(), before);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses usage errors with exit 2', () => {
    const r = spawnSync(process.execPath, [path.join(repoRoot, 'dist', 'cli.js'), 'verify'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /verify needs exactly one PATH/);
    const misplaced = spawnSync(process.execPath, [path.join(repoRoot, 'dist', 'cli.js'), 'check', fixturePath('amani'), '--allow-protected'], { encoding: 'utf8' });
    assert.equal(misplaced.status, 2);
    assert.match(misplaced.stderr, /are for verify only/);
  });
});
