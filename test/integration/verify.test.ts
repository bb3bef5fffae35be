// The round-trip verification end to end: the real Alembic (Debian's python3) against a real PostgreSQL,
// on the verify-* fixtures. Every test also checks that the scratch database is gone afterwards.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { takeSnapshot } from '../../runtime/db/snapshot';
import { renderMarkdownReport, renderTextReport } from '../../runtime/verify/report';
import type { RevisionVerification } from '../../runtime/verify/roundTrip';
import { verifyProject, type VerifyProjectOptions, type VerifyReport } from '../../runtime/verify/verifyProject';
import { copyFixture } from '../support/paths';
import { createScratchDatabase, databaseExists, testServerUrl, withClient, type ScratchDatabase } from '../support/pg';
import { runAlembic, testPython } from '../support/python';

const copies: string[] = [];
function project(name: string): string {
  const dir = copyFixture(name);
  copies.push(dir);
  return dir;
}

async function verify(dir: string, extra: Partial<VerifyProjectOptions> = {}): Promise<VerifyReport> {
  const report = await verifyProject({
    projectRoot: dir, iniPath: path.join(dir, 'alembic.ini'), databaseUrl: testServerUrl(), python: testPython(),
    where: 'server', ...extra,
  });
  if (report.scratch) {
    assert.equal(report.scratch.dropped, true, `scratch database not dropped: ${report.scratch.dropError}`);
    assert.equal(await databaseExists(report.scratch.name), false, `${report.scratch.name} is still in pg_database`);
  }
  return report;
}

function byRevision(report: VerifyReport, id: string): RevisionVerification {
  const r = report.revisions.find((x) => x.revision === id);
  assert.ok(r, `${id} is not in the report: ${report.revisions.map((x) => x.revision).join(', ')}`);
  return r;
}

function explain(report: VerifyReport): string {
  return `${report.error ?? ''}\n${renderTextReport(report)}`;
}

describe('verify: round trip with the real Alembic and PostgreSQL', function () {
  this.timeout(180_000);
  after(() => {
    for (const dir of copies.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('passes a clean project, every revision from base to head in order, and says how long it took', async () => {
    const dir = project('verify-clean');
    const progress: string[] = [];
    const t0 = performance.now();
    const report = await verify(dir, { onProgress: (p) => progress.push(`${p.revision} ${p.phase}`) });
    const ms = performance.now() - t0;
    assert.equal(report.error, undefined, explain(report));
    assert.equal(report.ok, true, explain(report));
    assert.equal(report.scratch?.location, 'server');
    assert.match(report.scratch?.name ?? '', /^postgres_verify_[0-9a-f]{8}$/);
    const order = report.revisions.map((r) => r.revision);
    assert.equal(order.length, 6);
    assert.equal(order[0], '1a2b3c4d5e01');
    assert.equal(order[5], '6f7a8b9c0d06');
    // Parents before children, the merge after both of its parents.
    for (const r of report.revisions) for (const p of r.parents) assert.ok(order.indexOf(p) < order.indexOf(r.revision), `${p} before ${r.revision}`);
    assert.deepEqual(byRevision(report, '5e6f7a8b9c05').parents, ['3c4d5e6f7a03', '4d5e6f7a8b04']);
    assert.ok(report.revisions.every((r) => r.status === 'passed' && r.downgradeDiff.length === 0 && r.reupgradeDiff.length === 0));
    for (const phase of ['upgrade', 'downgrade', 'reupgrade', 'done']) assert.ok(progress.includes(`5e6f7a8b9c05 ${phase}`), phase);
    const md = await renderMarkdownReport(report);
    assert.match(md, /All 6 revisions pass the round trip/);
    console.log(`      [figure] verify-clean, 6 revisions base→head (1 merge): ${(ms / 1000).toFixed(1)} s total, ` +
      `per revision ${report.revisions.map((r) => (r.durationMs / 1000).toFixed(1)).join(' / ')} s`);
  });

  it('accepts an asyncpg env.py with its own variable: the probe sees its connections through the adapter', async () => {
    const report = await verify(project('runner-async'), {
      databaseUrl: testServerUrl().replace(/^postgresql:/, 'postgresql+asyncpg:'), databaseUrlEnvVar: 'APP_DB_URL',
    });
    assert.equal(report.error, undefined, explain(report));
    assert.deepEqual(report.revisions.map((r) => [r.revision, r.status]), [['a5a5a5a50001', 'passed']]);
  });

  describe('the broken project', () => {
    let walk: VerifyReport;
    before(async () => {
      walk = await verify(project('verify-broken'));
    });

    it('catches a downgrade that leaves a column default behind, with the column and both values', () => {
      assert.equal(byRevision(walk, 'b1000000base').status, 'passed', explain(walk));
      const r = byRevision(walk, 'b2000000dflt');
      assert.equal(r.status, 'failed');
      assert.deepEqual(r.downgradeDiff.map((d) => [d.kind, d.change, d.label, d.details]), [
        ['column', 'changed', 'column users.nickname', ["default changed from none to 'anon'::character varying"]],
      ]);
      assert.deepEqual(r.reupgradeDiff, []);
      assert.equal(r.failure, undefined);
    });

    it('catches a forgotten index, and reports the failing second upgrade as caused by it', () => {
      const r = byRevision(walk, 'b3000000indx');
      assert.equal(r.status, 'failed');
      assert.deepEqual(r.downgradeDiff.map((d) => [d.kind, d.change, d.name, d.table]), [['index', 'added', 'ix_projects_title', 'projects']]);
      assert.equal(r.reupgradeBlockedByLeftovers, true);
      assert.equal(r.failure?.phase, 'reupgrade');
      assert.match(r.failure?.message ?? '', /DuplicateTable.*"ix_projects_title" already exists/);
      assert.equal(path.basename(r.failure?.location?.file ?? ''), 'b3000000indx_project_title_index.py');
      assert.equal(r.failure?.location?.line, 20);
      assert.match(r.summary, /upgrading again fails because the downgrade left index ix_projects_title on projects behind/);
    });

    it('does not walk on through a revision that could not be applied again', () => {
      for (const id of ['b4000000enum', 'b5000000cnst', 'b6000000fail']) {
        const r = byRevision(walk, id);
        assert.equal(r.status, 'skipped');
        assert.match(r.skippedBecause ?? '', /could not be applied/);
      }
      assert.equal(walk.ok, false);
    });

    it('writes a readable Markdown report with links to the lines the lookup finds', async () => {
      const lookups: string[] = [];
      const md = await renderMarkdownReport(walk, {
        lookup: (revision, name, kind) => {
          lookups.push(`${revision} ${kind} ${name}`);
          const file = byRevision(walk, revision).path;
          return name === 'ix_projects_title' && file ? { path: file, line: 21 } : undefined;
        },
      });
      assert.deepEqual(lookups.sort(), ['b2000000dflt column nickname', 'b3000000indx index ix_projects_title']);
      assert.match(md, /\*\*Downgrade of `b2000000dflt` does not restore:\*\* column `users.nickname`/);
      assert.match(md, /- column `users.nickname`: default changed from none to 'anon'::character varying/);
      assert.match(md, /\*\*Downgrade of `b3000000indx` leaves behind:\*\* index `ix_projects_title` on `projects`/);
      assert.match(md, /- index `ix_projects_title` on `projects` — \[migrations\/versions\/b3000000indx\\_project\\_title\\_index\.py:21\]\(file:\/\/\/.*b3000000indx_project_title_index\.py#L21\)/);
      assert.match(md, /Upgrading to `b3000000indx` again failed, because the downgrade left the objects above behind/);
      assert.match(md, /at \[migrations\/versions\/b3000000indx\\_project\\_title\\_index\.py:20\]\(file:.*#L20\) in `upgrade`/);
      assert.match(md, /2 of 6 revisions fail the round trip, 3 not verified/);
    });
  });

  it('catches a forgotten enum type (verifying one revision on its own)', async () => {
    const report = await verify(project('verify-broken'), { range: 'b4000000enum' });
    assert.deepEqual(report.revisions.map((r) => r.revision), ['b4000000enum'], explain(report));
    const r = byRevision(report, 'b4000000enum');
    assert.equal(r.status, 'failed');
    assert.deepEqual(r.downgradeDiff.map((d) => [d.kind, d.change, d.label]), [['enum', 'added', 'enum projectstatus']]);
    // ENUM.create() checks first, so the second upgrade passes: only the snapshot notices.
    assert.equal(r.failure, undefined);
    assert.match((await renderMarkdownReport(report)), /Downgrade of `b4000000enum` leaves behind:\*\* enum `projectstatus`/);
  });

  it('catches a forgotten check constraint, whose second upgrade then fails', async () => {
    const report = await verify(project('verify-broken'), { range: 'b5000000cnst' });
    const r = byRevision(report, 'b5000000cnst');
    assert.equal(r.status, 'failed', explain(report));
    assert.deepEqual(r.downgradeDiff.map((d) => [d.kind, d.change, d.label]), [
      ['constraint', 'added', 'check constraint ck_users_email_has_at on users'],
    ]);
    assert.equal(r.reupgradeBlockedByLeftovers, true);
    assert.match(r.failure?.message ?? '', /DuplicateObject/);
  });

  it('reports an exception in the downgrade as a failure of Alembic, with the migration line', async () => {
    const report = await verify(project('verify-broken'), { range: 'b6000000fail' });
    const r = byRevision(report, 'b6000000fail');
    assert.equal(r.status, 'failed', explain(report));
    assert.equal(r.failure?.phase, 'downgrade');
    assert.equal(r.failure?.status, 'pythonError');
    assert.match(r.failure?.message ?? '', /^sqlalchemy\.exc\.ProgrammingError: .*column "phone_number" of relation "users" does not exist/);
    assert.equal(path.basename(r.failure?.location?.file ?? ''), 'b6000000fail_phone.py');
    assert.equal(r.failure?.location?.line, 23);
    assert.equal(r.failure?.location?.function, 'downgrade');
    assert.match(r.failure?.command ?? '', /^alembic downgrade b6000000fail@b5000000cnst$/);
    assert.match(await renderMarkdownReport(report), /The downgrade of `b6000000fail` failed in Alembic/);
  });

  describe("the user's database", () => {
    let userDb: ScratchDatabase;
    beforeEach(async () => {
      userDb = await createScratchDatabase('verify_userdb');
    });
    afterEach(async () => {
      await userDb.drop();
    });

    it('is untouched by a verification on its server', async () => {
      const dir = project('verify-broken');
      const up = runAlembic(path.join(dir, 'alembic.ini'), ['upgrade', 'b3000000indx'], userDb.url);
      assert.equal(up.status, 0, up.stderr);
      const before = await withClient(userDb.url, (c) => takeSnapshot(c));
      const versionsBefore = await withClient(userDb.url, async (c) => (await c.query('SELECT version_num FROM alembic_version')).rows);
      const report = await verify(dir, { databaseUrl: userDb.url, range: 'b2000000dflt:b4000000enum' });
      assert.deepEqual(report.revisions.map((r) => r.revision), ['b2000000dflt', 'b3000000indx', 'b4000000enum']);
      assert.match(report.scratch?.name ?? '', /^verify_userdb_[0-9a-f]{8}_verify_[0-9a-f]{8}$/);
      const after = await withClient(userDb.url, (c) => takeSnapshot(c));
      assert.deepEqual(after, before);
      assert.ok(before.tables.some((t) => t.name === 'projects'), 'the snapshot compared is not empty');
      const versionsAfter = await withClient(userDb.url, async (c) => (await c.query('SELECT version_num FROM alembic_version')).rows);
      assert.deepEqual(versionsAfter, versionsBefore);
    });

    it('is never touched when env.py ignores the URL it is given: verification refuses to run', async () => {
      const dir = project('verify-ignores-url');
      const ini = path.join(dir, 'alembic.ini');
      fs.writeFileSync(ini, fs.readFileSync(ini, 'utf8').replace(/^sqlalchemy\.url = .*$/m, `sqlalchemy.url = ${userDb.url}`));
      const before = await withClient(userDb.url, (c) => takeSnapshot(c));
      const report = await verify(dir, { databaseUrl: testServerUrl() });
      assert.match(report.error ?? '', /env\.py did not connect to the scratch database/);
      assert.match(report.error ?? '', /no migration|before running any migration/);
      assert.deepEqual(report.revisions, []);
      assert.equal(report.ok, false);
      assert.deepEqual(await withClient(userDb.url, (c) => takeSnapshot(c)), before);
      const hasVersionTable = await withClient(userDb.url, async (c) =>
        (await c.query("SELECT 1 FROM pg_class WHERE relname = 'alembic_version'")).rowCount);
      assert.equal(hasVersionTable, 0, 'Alembic never wrote to the user database');
      assert.ok(!(report.error ?? '').includes(new URL(testServerUrl()).password), 'no password in the message');
    });

    it('is never touched when one engine of a multi-engine env.py ignores the URL: verification refuses to run', async () => {
      // Alembic's multidb template: the app engine follows DATABASE_URL (the scratch database), the
      // reports engine reads [reports] sqlalchemy.url, which points at the user's database.
      const dir = project('verify-multidb');
      const ini = path.join(dir, 'alembic.ini');
      const text = fs.readFileSync(ini, 'utf8');
      fs.writeFileSync(ini, text.replace(/(\[reports\]\n(?:#.*\n)*)sqlalchemy\.url = .*$/m, `$1sqlalchemy.url = ${userDb.url}`));
      assert.notEqual(fs.readFileSync(ini, 'utf8'), text, 'the test wrote the user database into [reports]');
      const before = await withClient(userDb.url, (c) => takeSnapshot(c));
      const report = await verify(dir, { databaseUrl: testServerUrl() });
      assert.deepEqual(report.revisions, [], explain(report));
      assert.equal(report.ok, false);
      assert.match(report.error ?? '', /env\.py did not connect to the scratch database/);
      assert.match(report.error ?? '', /2 migration contexts/);
      // The engine that went elsewhere is named by its database, the scratch one is not blamed.
      assert.match(report.error ?? '', new RegExp(`database ${userDb.name}\\b`));
      assert.match(report.error ?? '', /before running any migration/);
      assert.deepEqual(await withClient(userDb.url, (c) => takeSnapshot(c)), before);
      const tables = await withClient(userDb.url, async (c) =>
        (await c.query("SELECT relname FROM pg_class WHERE relname IN ('alembic_version', 'report_rows')")).rows);
      assert.deepEqual(tables, [], 'Alembic never wrote to the user database');
      assert.ok(!(report.error ?? '').includes(new URL(testServerUrl()).password), 'no password in the message');
    });
  });

  it('drops the scratch database when cancelled in the middle of a migration', async () => {
    const dir = project('verify-slow');
    const controller = new AbortController();
    let scratchName = '';
    const running = verify(dir, {
      signal: controller.signal,
      log: (l) => {
        const m = /scratch database (\S+_verify_[0-9a-f]{8}) created/.exec(l);
        if (m?.[1]) scratchName = m[1];
      },
    });
    // Wait (with a deadline) until the migration's pg_sleep is running in the scratch database.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const sleeping = scratchName && await withClient(testServerUrl(), async (c) => (await c.query(
        "SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'SELECT pg_sleep%'", [scratchName])).rowCount);
      if (sleeping) break;
      assert.ok(Date.now() < deadline, 'the slow migration never started');
      await new Promise((r) => setTimeout(r, 100));
    }
    const t0 = performance.now();
    controller.abort();
    const report = await running;
    assert.ok(performance.now() - t0 < 20_000, 'cancellation took too long');
    assert.equal(report.cancelled, true);
    assert.equal(report.ok, false);
    assert.equal(report.revisions[0]?.status, 'cancelled');
    assert.equal(report.scratch?.name, scratchName);
    assert.equal(await databaseExists(scratchName), false);
    assert.match(renderTextReport(report), /Cancelled after 0 of 1 revisions/);
  });

  it('says why when the scratch database cannot be created', async () => {
    const bad = new URL(testServerUrl());
    bad.password = 'wrong-password';
    const report = await verify(project('verify-clean'), { databaseUrl: bad.toString() });
    assert.equal(report.scratch, undefined);
    assert.match(report.error ?? '', /cannot connect to 127\.0\.0\.1:\d+ to create a scratch database/);
    assert.match(report.error ?? '', /password/i);
    assert.doesNotMatch(report.error ?? '', /wrong-password/);
    assert.match(renderTextReport(report), /Verification could not run/);
  });

  it('refuses a range end that names no revision, before making a database', async () => {
    const report = await verify(project('verify-clean'), { range: 'ffff:head' });
    assert.match(report.error ?? '', /the start of the range "ffff" names no revision of this project/);
    assert.equal(report.scratch, undefined);
  });
});
