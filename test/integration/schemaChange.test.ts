// The schema-change report of runs from the editor, against the real Alembic and PostgreSQL: for every
// revision of the amani fixture, the upgrade's report and the downgrade's report are each other's
// inverse, and the schema they lead back to is what the verify feature's round trip finds (its
// downgrade diff for that revision); a downgrade that leaves a table its upgrade created is called out.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as cmd from '../../runtime/alembic/commandArguments';
import { interpretRun } from '../../runtime/alembic/results';
import { AlembicRunner } from '../../runtime/alembic/runner';
import { aroundRun, changeReport, changeReportMarkdown, summarizeChange } from '../../runtime/db/schemaChange';
import { diffSnapshots, type SchemaDifference } from '../../runtime/db/schemaDiff';
import { parseVerboseHistory, topologicalOrder } from '../../runtime/verify/revisions';
import { verifyProject } from '../../runtime/verify/verifyProject';
import { copyFixture } from '../support/paths';
import { createScratchDatabase, testServerUrl, type ScratchDatabase } from '../support/pg';
import { runAlembic, testPython } from '../support/python';
import { project as runnerProject } from './runner-support';

const INVERSE = { added: 'removed', removed: 'added', changed: 'changed' } as const;
const keyOf = (d: SchemaDifference): string => `${d.kind} ${d.change} ${d.label}`;
const inverted = (diffs: readonly SchemaDifference[]): string[] => diffs.map((d) => `${d.kind} ${INVERSE[d.change]} ${d.label}`).sort();

describe('schema change of each run', function () {
  this.timeout(240_000);
  let db: ScratchDatabase;
  let dir = '';
  beforeEach(async () => {
    db = await createScratchDatabase('change');
  });
  afterEach(async () => {
    await db.drop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = '';
  });

  it('each amani revision, up and down: the reports are inverses and agree with the verify round trip', async () => {
    dir = copyFixture('amani');
    const ini = path.join(dir, 'alembic.ini');
    const history = runAlembic(ini, ['history', '--verbose']);
    assert.equal(history.status, 0, history.stderr);
    const revisions = topologicalOrder(parseVerboseHistory(history.stdout));
    const verified = await verifyProject({ projectRoot: dir, iniPath: ini, databaseUrl: testServerUrl(), python: testPython(), where: 'server' });
    const runner = new AlembicRunner({ python: testPython(), iniPath: ini, databaseUrl: db.url });
    const ok = async (c: cmd.AlembicCommand): Promise<void> => {
      const o = interpretRun(await runner.run(c), {});
      assert.ok(o.ok, o.message);
    };
    let changing = 0;
    for (const rev of revisions) {
      const up = await aroundRun({ databaseUrl: db.url }, () => ok(cmd.upgrade({ target: rev.revision })));
      const upReport = changeReport({ title: `Upgrade to ${rev.revision}`, command: `alembic upgrade ${rev.revision}`, before: up.before!, after: up.after! });
      if (upReport.diffs.length > 0) changing++;
      assert.deepEqual(upReport.diffs, diffSnapshots(up.before!.snapshot, up.after!.snapshot));
      // Down this revision only (other branches stay), as the round trip does.
      const down = await aroundRun({ databaseUrl: db.url }, () => ok(cmd.downgrade({ target: `${rev.revision}@${rev.parents[0] ?? 'base'}` })));
      const downReport = changeReport({ title: `Downgrade from ${rev.revision}`, command: 'alembic downgrade', before: down.before!, after: down.after! });
      assert.deepEqual(downReport.diffs.map(keyOf).sort(), inverted(upReport.diffs), `${rev.revision}: the downgrade undoes exactly the upgrade`);
      const verify = verified.revisions.find((r) => r.revision === rev.revision);
      assert.ok(verify, `${rev.revision} verified`);
      assert.deepEqual(diffSnapshots(up.before!.snapshot, down.after!.snapshot), verify.downgradeDiff, `${rev.revision}: as verify says`);
      assert.deepEqual(downReport.leftBehind, []);
      await ok(cmd.upgrade({ target: rev.revision }));
    }
    assert.ok(verified.ok, 'amani passes verify');
    // Every revision but the merge (which holds no operations) changes the schema.
    assert.equal(changing, revisions.length - 1);
  });

  it('a downgrade that leaves its upgrade\'s table behind is called out in the report', async () => {
    const p = runnerProject('runner-linear');
    dir = p.dir;
    const file = path.join(p.versionsDir, 'c3d4e5f6a7b8_create_gadgets.py');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace("    op.drop_table('gadgets')", '    pass'));
    const runner = new AlembicRunner({ python: testPython(), iniPath: p.ini, databaseUrl: db.url });
    const up = await aroundRun({ databaseUrl: db.url }, () => runner.run(cmd.upgrade({ target: 'head' })));
    const upReport = changeReport({ title: 'Upgrade to head', command: 'alembic upgrade head', before: up.before!, after: up.after! });
    assert.equal(upReport.summary, '+2 tables');
    const down = await aroundRun({ databaseUrl: db.url }, () => runner.run(cmd.downgrade({ target: '-1' })));
    const report = changeReport({
      title: 'Downgrade to b2c3d4e5f6a7', command: 'alembic downgrade -1', before: down.before!, after: down.after!,
      creations: [{ revision: 'c3d4e5f6a7b8', kind: 'table', name: 'gadgets' }],
    });
    assert.equal(report.summary, 'no schema change');
    assert.deepEqual(report.leftBehind, [{ revision: 'c3d4e5f6a7b8', kind: 'table', name: 'gadgets' }]);
    const md = changeReportMarkdown(report);
    assert.match(md, /## Left behind by the downgrade/);
    assert.match(md, /- table `gadgets` \(created by `c3d4e5f6a7b8`\)/);
    const colourDown = await aroundRun({ databaseUrl: db.url }, () => runner.run(cmd.downgrade({ target: '-1' })));
    assert.equal(summarizeChange(diffSnapshots(colourDown.before!.snapshot, colourDown.after!.snapshot)), '\u22121 column');
  });
});
