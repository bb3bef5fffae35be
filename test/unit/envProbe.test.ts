// The env.py probe's verdict from its report lines: it fails closed. Only a finished report in which
// every migration context and every connection is the scratch database holding exactly the made-up
// revision lets verification go on. The integration tier runs the probe on real env.py files.
import assert from 'node:assert/strict';
import { parseProbeReport, probeProblems } from '../../runtime/verify/envProbe';

const PREFIX = '@@alembic-migrations-probe@@ ';
const SCRATCH = 'shop_verify_0a1b2c3d';
const SENTINEL = 'verifyprobe0123456789abcdef';

function lines(...records: unknown[]): string {
  return records.map((r) => `${PREFIX}${JSON.stringify(r)}`).join('\n');
}

const scratchContext = { kind: 'context', heads: [SENTINEL], database: SCRATCH, url: `postgresql://app:***@db/${SCRATCH}`, versionTable: 'alembic_version', versionTableSchema: null };

describe('env.py probe: the verdict', () => {
  it('accepts one context and its connection on the scratch database with exactly the sentinel', () => {
    const report = parseProbeReport(lines({ kind: 'connection', database: SCRATCH }, scratchContext, { kind: 'done' }));
    assert.equal(report.finished, true);
    assert.deepEqual(probeProblems(report, SCRATCH, SENTINEL), []);
  });

  it('ignores what env.py prints itself, and lines that only look like reports', () => {
    const stdout = `hello from env.py\n${PREFIX}not json\n${lines(scratchContext, { kind: 'done' })}\n`;
    const report = parseProbeReport(stdout);
    assert.equal(report.contexts.length, 1);
    assert.deepEqual(probeProblems(report, SCRATCH, SENTINEL), []);
  });

  it('blames the second engine of a multi-database env.py, whatever the order', () => {
    const elsewhere = { kind: 'context', heads: ['c1000000mdb1'], database: 'reports', url: 'postgresql://app:***@db/reports' };
    for (const order of [[scratchContext, elsewhere], [elsewhere, scratchContext]]) {
      const problems = probeProblems(parseProbeReport(lines(...order, { kind: 'done' })), SCRATCH, SENTINEL);
      assert.equal(problems.length, 1, problems.join('\n'));
      assert.match(problems[0] ?? '', /\(postgresql:\/\/app:\*\*\*@db\/reports\) is connected to database reports, not the scratch database/);
    }
  });

  it('refuses a context on the scratch database that reads another version table, or sees more than the sentinel', () => {
    const other = { ...scratchContext, heads: [], versionTable: 'reports_version', versionTableSchema: 'audit' };
    assert.match(probeProblems(parseProbeReport(lines(other, { kind: 'done' })), SCRATCH, SENTINEL)[0] ?? '',
      /reads audit\.reports_version, which holds nothing instead of the made-up revision/);
    const extra = { ...scratchContext, heads: [SENTINEL, 'abc123'] };
    assert.match(probeProblems(parseProbeReport(lines(extra, { kind: 'done' })), SCRATCH, SENTINEL)[0] ?? '', /holds verifyprobe\w+, abc123/);
  });

  it('refuses a connection env.py opens outside any migration context', () => {
    const report = parseProbeReport(lines({ kind: 'connection', database: 'analytics' }, { kind: 'connection', database: SCRATCH }, scratchContext, { kind: 'done' }));
    assert.deepEqual(probeProblems(report, SCRATCH, SENTINEL), ['connection 1 is to database analytics, not the scratch database']);
  });

  it('refuses when nothing can be told: no context, an unidentified connection, an error', () => {
    assert.match(probeProblems(parseProbeReport(lines({ kind: 'done' })), SCRATCH, SENTINEL)[0] ?? '', /no migration context/);
    const sqlite = lines({ kind: 'connection', error: 'OperationalError: no such function: current_database' }, scratchContext, { kind: 'done' });
    assert.match(probeProblems(parseProbeReport(sqlite), SCRATCH, SENTINEL)[0] ?? '', /connection 1 could not be identified: OperationalError/);
    const failed = lines({ ...scratchContext, database: undefined, error: 'ProgrammingError: boom' }, { kind: 'done' });
    assert.match(probeProblems(parseProbeReport(failed), SCRATCH, SENTINEL)[0] ?? '', /migration context 1 .*: ProgrammingError: boom/);
  });

  it('reports an unfinished run as not finished, so the caller refuses it', () => {
    assert.equal(parseProbeReport(lines(scratchContext)).finished, false);
  });
});
