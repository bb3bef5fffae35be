// `alembic-lint verify` as users run it: the bundled dist/cli.js against the throwaway PostgreSQL with
// Debian's Alembic. Passing and failing projects, exit codes, and no scratch database left behind.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fixturePath, repoRoot } from '../support/paths';
import { testPython } from '../support/python';
import { testServerUrl, withClient } from '../support/pg';

function verify(project: string, ...extra: string[]) {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'dist', 'cli.js'), 'verify', project, '--database-url', testServerUrl(), '--python', testPython(), ...extra], {
    encoding: 'utf8', timeout: 240_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
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

  it('refuses usage errors with exit 2', () => {
    const r = spawnSync(process.execPath, [path.join(repoRoot, 'dist', 'cli.js'), 'verify'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /verify needs exactly one PATH/);
  });
});
