import assert from 'node:assert/strict';
import * as cmd from '../../runtime/alembic/commandArguments';

describe('alembic command builders', () => {
  it('upgrade: head, relative, revision, and offline ranges', () => {
    assert.deepEqual(cmd.upgrade({ target: 'head' }).args, ['upgrade', 'head']);
    assert.deepEqual(cmd.upgrade({ target: '+1' }).args, ['upgrade', '+1']);
    assert.deepEqual(cmd.upgrade({ target: 'ae10' }).args, ['upgrade', 'ae10']);
    const sql = cmd.upgrade({ target: 'head', sql: true, from: 'ae10' });
    assert.deepEqual(sql.args, ['upgrade', '--sql', 'ae10:head']);
    assert.equal(sql.offline, true);
    assert.equal(sql.connects, false);
    assert.equal(sql.changesDatabase, false);
    const online = cmd.upgrade({ target: 'head' });
    assert.equal(online.connects, true);
    assert.equal(online.changesDatabase, true);
    assert.throws(() => cmd.upgrade({ target: 'head', from: 'ae10' }), /only allowed with --sql/);
  });

  it('downgrade: -1, base, and offline needs from:to', () => {
    assert.deepEqual(cmd.downgrade({ target: '-1' }).args, ['downgrade', '-1']);
    assert.deepEqual(cmd.downgrade({ target: 'base' }).args, ['downgrade', 'base']);
    assert.deepEqual(cmd.downgrade({ target: 'base', sql: true, from: 'c3' }).args, ['downgrade', '--sql', 'c3:base']);
    assert.throws(() => cmd.downgrade({ target: '-1', sql: true }), /<from>:<to>/);
    assert.throws(() => cmd.downgrade({ target: '-1', sql: true, from: 'c3' }), /absolute target/);
  });

  it('stamp, current, heads, history, show', () => {
    assert.deepEqual(cmd.stamp({ revisions: ['head'] }).args, ['stamp', 'head']);
    assert.deepEqual(cmd.stamp({ revisions: ['a', 'b'], purge: true }).args, ['stamp', '--purge', 'a', 'b']);
    assert.throws(() => cmd.stamp({ revisions: [] }), /no revision/);
    assert.deepEqual(cmd.current({ verbose: true }).args, ['current', '--verbose']);
    assert.deepEqual(cmd.heads().args, ['heads']);
    assert.deepEqual(cmd.history({ verbose: true, range: '-3:current' }).args, ['history', '--verbose', '--rev-range=-3:current']);
    assert.equal(cmd.history({ indicateCurrent: true }).connects, true);
    assert.equal(cmd.history().connects, false);
    assert.deepEqual(cmd.show('head').args, ['show', 'head']);
  });

  it('revision and merge attach option values with = so any text stays one value', () => {
    const message = `a "b" $(touch /tmp/x); c`;
    const r = cmd.revision({ message, autogenerate: true, head: 'x@head', splice: true, branchLabel: 'lbl', revId: 'r 1' });
    assert.deepEqual(r.args, ['revision', `--message=${message}`, '--autogenerate', '--head=x@head', '--splice', '--branch-label=lbl', '--rev-id=r 1']);
    assert.equal(r.connects, true);
    assert.equal(r.writesFiles, true);
    assert.deepEqual(cmd.revision({ message: '-starts with dash' }).args, ['revision', '--message=-starts with dash']);
    assert.deepEqual(cmd.merge({ revisions: ['a1', 'b2'], message: "merge 'x'" }).args, ['merge', "--message=merge 'x'", 'a1', 'b2']);
    assert.throws(() => cmd.merge({ revisions: [] }), /no revisions/);
  });

  it('refuses positional values argparse would read as options, keeps shell-looking ones verbatim', () => {
    assert.throws(() => cmd.upgrade({ target: '--sql' }), /starts with "-"/);
    assert.throws(() => cmd.merge({ revisions: ['a', '-x'] }), /starts with "-"/);
    assert.throws(() => cmd.upgrade({ target: '' }), /empty/);
    const weird = `x'; $(touch /tmp/y) "z"`;
    assert.deepEqual(cmd.upgrade({ target: weird }).args, ['upgrade', weird]);
  });

  it('displayCommand quotes only what needs quoting', () => {
    assert.equal(cmd.displayCommand(['upgrade', 'head']), 'alembic upgrade head');
    assert.equal(cmd.displayCommand(['revision', "--message=it's"]), `alembic revision '--message=it'\\''s'`);
  });
});
