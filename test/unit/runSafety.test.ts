// The pure parts of running safely: which logged steps a cancelled run committed (from the version
// table before and after), the lock holder's application_name, and reading /proc's socket tables.
// The integration tier runs all of it against the real Alembic and PostgreSQL.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { committedSteps, parseSteps, type RevisionStep } from '../../runtime/alembic/results';
import { canonicalAddress, decodeProcAddress, tcpConnectionsOfGroup } from '../../runtime/alembic/processSockets';
import { lockApplicationName } from '../../runtime/db/runLock';

const log = (...lines: string[]): RevisionStep[] => parseSteps(lines.map((l) => `INFO  [alembic.runtime.migration] Running ${l}`).join('\n'));

describe('after a cancel: which steps were committed', () => {
  const up = log('upgrade  -> a1, create a', 'upgrade a1 -> b2, add b', 'upgrade b2 -> c3, add c');
  const down = log('downgrade c3 -> b2, add c', 'downgrade b2 -> a1, add b', 'downgrade a1 -> , create a');

  it('an upgrade: every step up to the last one whose revision the table holds', () => {
    assert.deepEqual(committedSteps(up, [], []).committed, []);
    assert.equal(committedSteps(up, [], []).notCommitted.length, 3, 'nothing committed: every step that ran was undone');
    const two = committedSteps(up, [], ['b2']);
    assert.deepEqual(two.committed.map((s) => s.to), [['a1'], ['b2']]);
    assert.deepEqual(two.notCommitted.map((s) => s.to), [['c3']]);
    assert.equal(two.unattributed, false);
  });

  it('a downgrade, down to base too', () => {
    assert.deepEqual(committedSteps(down, ['c3'], ['b2']).committed.map((s) => s.from), [['c3']]);
    assert.deepEqual(committedSteps(down, ['c3'], []).committed.length, 3);
    assert.deepEqual(committedSteps(down, ['c3'], ['c3']).committed, []);
  });

  it('branches: one branch committed, the other not', () => {
    const heads = log('upgrade a1 -> l1, left', 'upgrade a1 -> r1, right');
    assert.deepEqual(committedSteps(heads, ['a1'], ['l1']).committed.map((s) => s.to), [['l1']]);
    assert.deepEqual(committedSteps(heads, ['a1'], ['l1', 'r1']).committed.length, 2);
  });

  it('says so when the table changed in a way the steps do not show', () => {
    const r = committedSteps(log('downgrade l1 -> a1, left'), ['l1', 'r1'], ['r1']);
    assert.equal(r.unattributed, true);
    assert.deepEqual(r.committed, []);
    assert.deepEqual([r.before, r.after], [['l1', 'r1'], ['r1']]);
    // Both branches down to base, cancelled after the left one went: the step to base must not count.
    const both = log('downgrade l1 -> a1, left', 'downgrade r1 -> a1, right', 'downgrade a1 -> , base');
    assert.equal(committedSteps(both, ['l1', 'r1'], ['r1']).unattributed, true);
    assert.equal(committedSteps(both, ['l1', 'r1'], ['a1']).committed.length, 2);
    assert.equal(committedSteps(both, ['l1', 'r1'], []).committed.length, 3);
    // A branch the run never touched stays in the table.
    assert.equal(committedSteps(log('downgrade b2 -> a1, b', 'downgrade a1 -> , a'), ['b2', 'x9'], ['x9']).committed.length, 2);
  });
});

describe('the migration lock holder', () => {
  it('is named in the 63 printable ASCII bytes application_name keeps', () => {
    assert.equal(lockApplicationName('alice@laptop pid 42', 'alembic upgrade head'), 'alembic-migrations: alice@laptop pid 42 upgrade head');
    const long = lockApplicationName('jörg@a-very-long-host-name.example.internal pid 123456', 'alembic downgrade 3f2a91c0d7b1@base');
    assert.equal(long.length, 63);
    assert.match(long, /^alembic-migrations: j\?rg@a-very-long-host/);
  });
});

describe("a run's TCP connections from /proc", () => {
  it('decodes IPv4 and IPv6 table entries, IPv4-mapped ones as IPv4', () => {
    assert.deepEqual(decodeProcAddress('0100007F:1F90'), { address: '127.0.0.1', port: 8080 });
    assert.deepEqual(decodeProcAddress('00000000000000000000000001000000:0016'), { address: '::1', port: 22 });
    assert.deepEqual(decodeProcAddress('0000000000000000FFFF00000100007F:D431'), { address: '127.0.0.1', port: 54321 });
    assert.equal(canonicalAddress('::ffff:10.0.0.7'), '10.0.0.7');
    assert.equal(canonicalAddress('fe80:0:0:0:0:0:0:1'), 'fe80::1');
    assert.equal(canonicalAddress('192.168.1.9/32'), '192.168.1.9');
  });

  it("finds the group's established connections by their socket inodes", function () {
    if (process.platform !== 'linux') {
      console.log('      (not Linux: the /proc layout is Linux only; the function answers undefined there)');
      this.skip();
    }
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'proc-'));
    try {
      const proc = (pid: number, pgrp: number, inodes: string[]): void => {
        fs.mkdirSync(path.join(root, String(pid), 'fd'), { recursive: true });
        fs.writeFileSync(path.join(root, String(pid), 'stat'), `${pid} (py thon) S 1 ${pgrp} ${pgrp} 0 -1\n`);
        inodes.forEach((inode, i) => fs.symlinkSync(`socket:[${inode}]`, path.join(root, String(pid), 'fd', String(10 + i))));
      };
      proc(100, 100, ['111']);
      proc(101, 100, ['222', '333']);
      proc(200, 200, ['444']);
      fs.mkdirSync(path.join(root, '100', 'net'));
      const header = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
      const row = (local: string, remote: string, st: string, inode: string): string =>
        `   0: ${local} ${remote} ${st} 00000000:00000000 00:00000000 00000000     0        0 ${inode} 1 0000000000000000 20 4 30 10 -1\n`;
      fs.writeFileSync(path.join(root, '100', 'net', 'tcp'), header +
        row('0100007F:C350', '0100007F:1538', '01', '111') + row('0100007F:C351', '0100007F:1538', '06', '222') +
        row('0100007F:C352', '0100007F:1538', '01', '444'));
      fs.writeFileSync(path.join(root, '100', 'net', 'tcp6'), header +
        row('0000000000000000FFFF00000100007F:C353', '0000000000000000FFFF00000100007F:1538', '01', '333'));
      assert.deepEqual(tcpConnectionsOfGroup(100, root)?.map((c) => `${c.local.address}:${c.local.port}`), ['127.0.0.1:50000', '127.0.0.1:50003']);
      assert.equal(tcpConnectionsOfGroup(999, root), undefined, 'a group that is gone');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
