// AlembicRunner against the real Alembic and a throwaway PostgreSQL: what each command does to the
// database, a migration failing midway, SQL previews, arguments that look like shell, password masking.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as cmd from '../../runtime/alembic/commandArguments';
import { interpretRun } from '../../runtime/alembic/results';
import { createScratchDatabase, testServerUrl, withClient, type ScratchDatabase } from '../support/pg';
import { runAlembic } from '../support/python';
import { capture, columns, lineOf, project, psql, runnerFor, tables, versions, type Project } from './runner-support';

const A = 'a1b2c3d4e5f6';
const B = 'b2c3d4e5f6a7';
const C = 'c3d4e5f6a7b8';

describe('AlembicRunner: commands against PostgreSQL', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;
  let p: Project;
  beforeEach(async () => {
    db = await createScratchDatabase('runner');
    p = project('runner-linear');
  });
  afterEach(async () => {
    await db.drop();
    p.remove();
  });

  it('upgrade, downgrade, stamp, current, heads, history: each with its effect on alembic_version', async () => {
    const out = capture();
    const r = runnerFor(p, db.url, { sink: out.sink });
    const ctx = { versionDirs: [p.versionsDir] };

    const up = await r.run(cmd.upgrade({ target: 'head' }));
    const upOutcome = interpretRun(up, ctx);
    assert.equal(upOutcome.status, 'success', upOutcome.message);
    assert.equal(upOutcome.message, `Upgraded 3 revisions: ${A} → ${B} → ${C}`);
    assert.deepEqual(await versions(db.url), [C]);
    assert.deepEqual(await tables(db.url), ['gadgets', 'widgets']);
    assert.ok(up.durationMs > 0);
    assert.ok(out.lines.some((l) => l.stream === 'stderr' && l.text.includes(`Running upgrade ${B} -> ${C}, create gadgets`)), out.text());

    const down = interpretRun(await r.run(cmd.downgrade({ target: '-1' })), ctx);
    assert.equal(down.message, `Downgraded 1 revision: ${C}`);
    assert.deepEqual(await versions(db.url), [B]);
    assert.deepEqual(await tables(db.url), ['widgets']);

    assert.equal(interpretRun(await r.run(cmd.downgrade({ target: 'base' })), ctx).message, `Downgraded 2 revisions: ${B} → ${A}`);
    assert.deepEqual(await versions(db.url), []);
    assert.deepEqual(await tables(db.url), []);

    assert.equal(interpretRun(await r.run(cmd.upgrade({ target: '+1' })), ctx).message, `Upgraded 1 revision: ${A}`);
    assert.deepEqual(await versions(db.url), [A]);
    assert.equal(interpretRun(await r.run(cmd.upgrade({ target: B.slice(0, 6) })), ctx).status, 'success');
    assert.deepEqual(await versions(db.url), [B]);
    assert.deepEqual(await columns(db.url, 'widgets'), ['id', 'name', 'colour']);

    const st = interpretRun(await r.run(cmd.stamp({ revisions: ['head'] })), ctx);
    assert.equal(st.status, 'success');
    assert.equal(st.message, 'Stamped the database at head');
    assert.deepEqual(await versions(db.url), [C]);
    // stamp runs no migration: gadgets was never created.
    assert.deepEqual(await tables(db.url), ['widgets']);

    const current = await r.run(cmd.current());
    assert.equal(current.exitCode, 0);
    assert.match(current.stdout, new RegExp(`^${C} \\(head\\)$`, 'm'));
    const heads = await r.run(cmd.heads());
    assert.equal(heads.stdout.trim(), `${C} (head)`);
    const hist = await r.run(cmd.history({ verbose: true, range: `${A}:${B}` }));
    assert.match(hist.stdout, new RegExp(`^Rev: ${B}$`, 'm'));
    assert.match(hist.stdout, new RegExp(`^Rev: ${A}$`, 'm'));
    assert.doesNotMatch(hist.stdout, new RegExp(C));

    await r.run(cmd.stamp({ revisions: ['base'] }));
    assert.deepEqual(await versions(db.url), []);
  });

  it('a migration failing midway leaves version table and schema as they were and points at the failing line', async () => {
    const pf = project('runner-failing');
    try {
      const r = runnerFor(pf, db.url);
      const ctx = { versionDirs: [pf.versionsDir] };
      const failingFile = path.join(pf.versionsDir, '0f0f00000002_create_ledger_then_fail.py');
      const failingLine = lineOf(failingFile, "op.execute('UPDATE no_such_table");

      // From an empty database: nothing at all is left, not even the version table.
      const first = interpretRun(await r.run(cmd.upgrade({ target: 'head' })), ctx);
      assert.equal(first.status, 'pythonError');
      assert.equal(await versions(db.url), undefined);
      assert.deepEqual(await tables(db.url), []);

      assert.equal(interpretRun(await r.run(cmd.upgrade({ target: '0f0f00000001' })), ctx).status, 'success');
      const before = { v: await versions(db.url), t: await tables(db.url), c: await columns(db.url, 'accounts') };
      const run = await r.run(cmd.upgrade({ target: 'head' }));
      const o = interpretRun(run, ctx);
      assert.equal(run.exitCode, 1);
      assert.equal(o.status, 'pythonError');
      assert.match(o.message, /^sqlalchemy\.exc\.ProgrammingError: .*relation "no_such_table" does not exist/);
      assert.match(o.detail ?? '', /\[SQL: UPDATE no_such_table SET x = 1\]/);
      assert.deepEqual(o.location, { file: failingFile, line: failingLine, function: 'upgrade' });
      assert.deepEqual(o.failedStep?.to, ['0f0f00000002']);
      assert.deepEqual({ v: await versions(db.url), t: await tables(db.url), c: await columns(db.url, 'accounts') }, before);
      assert.deepEqual(before, { v: ['0f0f00000001'], t: ['accounts'], c: ['id'] });
    } finally {
      pf.remove();
    }
  });

  it('upgrade --sql prints what the plain CLI prints, and it applies cleanly with psql; so does downgrade from:to', async () => {
    const r = runnerFor(p, undefined);
    const preview = await r.run(cmd.upgrade({ target: 'head', sql: true }));
    const po = interpretRun(preview);
    assert.equal(po.status, 'success', po.message);
    assert.equal(po.message, 'Generated upgrade SQL for 3 revisions');
    const plain = runAlembic(p.ini, ['upgrade', '--sql', 'head']);
    assert.equal(plain.status, 0, plain.stderr);
    assert.equal(preview.stdout, plain.stdout);
    assert.match(preview.stdout, /CREATE TABLE gadgets/);

    const applied = psql(db.url, preview.stdout);
    assert.equal(applied.status, 0, applied.stderr);
    assert.deepEqual(await versions(db.url), [C]);
    assert.deepEqual(await tables(db.url), ['gadgets', 'widgets']);

    // A partial range: what upgrading from A would run.
    const partial = await r.run(cmd.upgrade({ target: 'head', sql: true, from: A }));
    assert.doesNotMatch(partial.stdout, /CREATE TABLE widgets/);
    assert.match(partial.stdout, new RegExp(`UPDATE alembic_version SET version_num='${C}'`));

    const downSql = await r.run(cmd.downgrade({ target: 'base', sql: true, from: C }));
    assert.equal(downSql.exitCode, 0, downSql.stderr);
    const plainDown = runAlembic(p.ini, ['downgrade', '--sql', `${C}:base`]);
    assert.equal(downSql.stdout, plainDown.stdout);
    const undone = psql(db.url, downSql.stdout);
    assert.equal(undone.status, 0, undone.stderr);
    assert.deepEqual(await tables(db.url), []);
    // Offline downgrade to base drops the version table too.
    assert.match(downSql.stdout, /DROP TABLE alembic_version/);
    assert.equal(await versions(db.url), undefined);

    // Alembic's own refusal of `downgrade -1 --sql`, which the builder prevents, and its advice.
    const refused = interpretRun(await r.run({ ...cmd.downgrade({ target: '-1' }), args: ['downgrade', '--sql', '-1'] }));
    assert.equal(refused.status, 'alembicError');
    assert.equal(refused.advice?.kind, 'offlineDowngradeNeedsRange');
  });

  it('messages and ids with quotes, spaces, $() and ; reach Alembic as plain arguments', async () => {
    const marker = path.join(os.tmpdir(), `alembic-runner-marker-${crypto.randomBytes(4).toString('hex')}`);
    const message = `a "b" $(touch ${marker}); c \`touch ${marker}\` 'd'`;
    const r = runnerFor(p, db.url);
    const before = new Set(fs.readdirSync(p.versionsDir));
    const made = await r.run(cmd.revision({ message }));
    assert.equal(made.exitCode, 0, made.stderr + made.stdout);
    const created = fs.readdirSync(p.versionsDir).filter((f) => !before.has(f) && f.endsWith('.py'));
    assert.equal(created.length, 1, created.join(', '));
    const text = fs.readFileSync(path.join(p.versionsDir, created[0] ?? ''), 'utf8');
    assert.equal(text.split('\n')[0], `"""${message}`);
    assert.match(text, new RegExp(`^down_revision = '${C}'$`, 'm'));

    const dash = await r.run(cmd.revision({ message: '-looks like an option', head: 'head' }));
    assert.equal(dash.exitCode, 0, dash.stderr + dash.stdout);

    const weirdId = `x'; $(touch ${marker}) "y"`;
    const missing = interpretRun(await r.run(cmd.upgrade({ target: weirdId })));
    assert.equal(missing.status, 'alembicError');
    assert.equal(missing.advice?.kind, 'unknownRevision');
    assert.equal(missing.advice?.revision, weirdId);
    assert.equal(fs.existsSync(marker), false, 'a shell ran');

    // merge of explicit revisions with such a message, then the graph has one head again.
    const branchFile = (await r.run(cmd.revision({ message: 'side; $(x)', head: B, splice: true }))).exitCode;
    assert.equal(branchFile, 0);
    const headsBefore = (await r.run(cmd.heads())).stdout.trim().split('\n');
    assert.equal(headsBefore.length, 2, headsBefore.join('|'));
    const merged = await r.run(cmd.merge({ revisions: ['heads'], message: `merge "it"; $(touch ${marker})` }));
    assert.equal(merged.exitCode, 0, merged.stderr + merged.stdout);
    assert.equal((await r.run(cmd.heads())).stdout.trim().split('\n').length, 1);
    assert.equal(fs.existsSync(marker), false, 'a shell ran');
  });

  it('never lets the password reach the sink or the result', async () => {
    // No `@`, `:`, `-` or `+` in it: Alembic parses targets (label@rev, ranges, rev-N) and would echo
    // only a fragment.
    const password = `Pw${crypto.randomBytes(6).toString('hex')}/x%y;z`;
    const role = `runner_${crypto.randomBytes(3).toString('hex')}`;
    await withClient(testServerUrl(), async (c) => {
      await c.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
      await c.query(`ALTER DATABASE "${db.name}" OWNER TO ${role}`);
    });
    try {
      const u = new URL(db.url);
      const roleUrl = `postgresql://${role}:${encodeURIComponent(password)}@${u.host}${u.pathname}`;
      const out = capture();
      const r = runnerFor(p, roleUrl, { sink: out.sink });
      const results = [
        await r.run(cmd.upgrade({ target: 'head' })),
        // Alembic echoes an unknown target: in both raw and URL-encoded form it must come out masked.
        await r.run(cmd.upgrade({ target: `x${password}` })),
        await r.run(cmd.revision({ message: `connect with ${roleUrl}` })),
        await r.run(cmd.stamp({ revisions: [encodeURIComponent(password)] })),
      ];
      assert.deepEqual(await versions(db.url), [C]);
      const everything = [out.text(), ...results.map((x) => JSON.stringify(x))].join('\n');
      assert.ok(out.lines.length > 10, 'the sink saw the output');
      assert.match(everything, /Can't locate revision identified by 'x\*\*\*'/);
      for (const form of [password, encodeURIComponent(password), password.slice(0, 12)]) {
        assert.equal(everything.includes(form), false, `password form ${form} leaked`);
      }
    } finally {
      await db.drop();
      await withClient(testServerUrl(), (c) => c.query(`DROP ROLE ${role}`));
      db = await createScratchDatabase('runner');
    }
  });
});
