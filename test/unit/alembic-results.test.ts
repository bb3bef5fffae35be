// The output samples below were printed by the real Alembic 1.8.1 / SQLAlchemy 1.4 / Python 3.11 on
// the runner fixtures (shortened where marked); the integration tier checks the same parsing on live runs.
import assert from 'node:assert/strict';
import { adviceFor, innermostFrameIn, interpretRun, parseSteps, parseTraceback } from '../../runtime/alembic/results';
import * as cmd from '../../runtime/alembic/commandArguments';
import type { RunResult } from '../../runtime/alembic/runner';

const UPGRADE_LOG = `INFO  [alembic.runtime.migration] Context impl PostgresqlImpl.
INFO  [alembic.runtime.migration] Will assume transactional DDL.
INFO  [alembic.runtime.migration] Running upgrade  -> a1b2c3d4e5f6, create widgets
INFO  [alembic.runtime.migration] Running upgrade a1b2c3d4e5f6 -> b2c3d4e5f6a7, add widget colour
INFO  [alembic.runtime.migration] Running upgrade b2c3d4e5f6a7 -> c3d4e5f6a7b8, create gadgets, with a comma -> and arrow
`;

const MERGE_DOWN_LOG = `INFO  [alembic.runtime.migration] Running downgrade 444400000004 -> 222200000002, 333300000003, merge left and right
INFO  [alembic.runtime.migration] Running downgrade 222200000002 -> 111100000001, left
INFO  [alembic.runtime.migration] Running downgrade a1b2c3d4e5f6 -> , create widgets
INFO  [alembic.runtime.migration] Running upgrade 222200000002, 333300000003 -> 444400000004, merge left and right
INFO  [alembic.runtime.migration] Running stamp_revision  -> c3d4e5f6a7b8
`;

// Shortened: frames inside SQLAlchemy cut out.
const TRACEBACK = `INFO  [alembic.runtime.migration] Running upgrade  -> 0f0f00000001, create accounts
INFO  [alembic.runtime.migration] Running upgrade 0f0f00000001 -> 0f0f00000002, create ledger then fail
Traceback (most recent call last):
  File "/usr/lib/python3/dist-packages/sqlalchemy/engine/default.py", line 736, in do_execute
    cursor.execute(statement, parameters)
psycopg2.errors.UndefinedTable: relation "no_such_table" does not exist
LINE 1: UPDATE no_such_table SET x = 1
               ^


The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "<frozen runpy>", line 198, in _run_module_as_main
  File "/proj/migrations/env.py", line 37, in <module>
    run_migrations_online()
  File "/usr/lib/python3/dist-packages/alembic/runtime/migration.py", line 623, in run_migrations
    step.migration_fn(**kw)
  File "migrations/versions/0f0f00000002_create_ledger_then_fail.py", line 21, in upgrade
    op.execute('UPDATE no_such_table SET x = 1')
  File "<string>", line 8, in execute
  File "/usr/lib/python3/dist-packages/alembic/operations/ops.py", line 2414, in execute
    return operations.invoke(op)
           ^^^^^^^^^^^^^^^^^^^^^
  File "/usr/lib/python3/dist-packages/sqlalchemy/engine/default.py", line 736, in do_execute
    cursor.execute(statement, parameters)
sqlalchemy.exc.ProgrammingError: (psycopg2.errors.UndefinedTable) relation "no_such_table" does not exist
LINE 1: UPDATE no_such_table SET x = 1
               ^

[SQL: UPDATE no_such_table SET x = 1]
(Background on this error at: https://sqlalche.me/e/14/f405)
`;

function run(partial: Partial<RunResult>): RunResult {
  return {
    command: cmd.upgrade({ target: 'head' }), display: 'alembic upgrade head', python: '/usr/bin/python3', cwd: '/proj',
    started: true, exitCode: 0, signal: null, cancelled: false, stdout: '', stderr: '', startedAt: new Date(0),
    durationMs: 12, applicationName: 'alembic-vscode-test', ...partial,
  };
}

describe('alembic results', () => {
  it('parses upgrade steps, from base, with commas and arrows in the message', () => {
    const steps = parseSteps(UPGRADE_LOG);
    assert.deepEqual(steps.map((s) => [s.direction, s.from, s.to, s.message]), [
      ['upgrade', [], ['a1b2c3d4e5f6'], 'create widgets'],
      ['upgrade', ['a1b2c3d4e5f6'], ['b2c3d4e5f6a7'], 'add widget colour'],
      ['upgrade', ['b2c3d4e5f6a7'], ['c3d4e5f6a7b8'], 'create gadgets, with a comma -> and arrow'],
    ]);
  });

  it('splits a downgrade to a merge point\'s parents when the revisions are known', () => {
    const known = new Set(['111100000001', '222200000002', '333300000003', '444400000004', 'a1b2c3d4e5f6', 'c3d4e5f6a7b8']);
    const steps = parseSteps(MERGE_DOWN_LOG, known);
    assert.deepEqual(steps[0]?.to, ['222200000002', '333300000003']);
    assert.equal(steps[0]?.message, 'merge left and right');
    assert.deepEqual(steps[2]?.to, []);
    assert.deepEqual(steps[3]?.from, ['222200000002', '333300000003']);
    assert.deepEqual([steps[4]?.direction, steps[4]?.to, steps[4]?.message], ['stamp', ['c3d4e5f6a7b8'], undefined]);
    // Without the ids, only the first one is taken as a revision.
    assert.deepEqual(parseSteps(MERGE_DOWN_LOG)[0]?.to, ['222200000002']);
  });

  it('finds the last exception and the innermost migration frame (relative paths resolved)', () => {
    const tb = parseTraceback(TRACEBACK);
    assert.ok(tb);
    assert.equal(tb.exceptionType, 'sqlalchemy.exc.ProgrammingError');
    assert.match(tb.exceptionLine, /relation "no_such_table" does not exist$/);
    assert.match(tb.detail, /^LINE 1: UPDATE/);
    assert.match(tb.detail, /\[SQL: UPDATE no_such_table SET x = 1\]/);
    assert.equal(tb.causeFrames.length, 1);
    const loc = innermostFrameIn(tb.frames, ['/proj/migrations/versions'], '/proj');
    assert.deepEqual(loc, { file: '/proj/migrations/versions/0f0f00000002_create_ledger_then_fail.py', line: 21, function: 'upgrade' });
    assert.equal(innermostFrameIn(tb.frames, ['/elsewhere'], '/proj'), undefined);
  });

  it('interprets exit 1 with location, failed step and project frame', () => {
    const o = interpretRun(run({ exitCode: 1, stderr: TRACEBACK }), { versionDirs: ['/proj/migrations/versions'] });
    assert.equal(o.status, 'pythonError');
    assert.equal(o.location?.line, 21);
    assert.equal(o.projectLocation?.file, '/proj/migrations/env.py');
    assert.deepEqual(o.failedStep?.to, ['0f0f00000002']);
    assert.equal(o.advice, undefined);
  });

  it('interprets exit 255, exit 2, success summaries and cancellation', () => {
    const multi = interpretRun(run({
      exitCode: 255,
      stdout: "FAILED: Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads\n",
    }));
    assert.equal(multi.status, 'alembicError');
    assert.match(multi.message, /^Multiple head revisions/);
    assert.equal(multi.advice?.kind, 'multipleHeads');
    assert.deepEqual(multi.advice?.actions, ['mergeHeads', 'chooseHead']);

    const usage = interpretRun(run({ exitCode: 2, stderr: "usage: alembic [-h]\nalembic: error: argument {branches,current}: invalid choice: 'foo'\n" }));
    assert.equal(usage.status, 'usageError');
    assert.match(usage.message, /invalid choice: 'foo'/);

    assert.equal(interpretRun(run({ stderr: UPGRADE_LOG })).message,
      'Upgraded 3 revisions: a1b2c3d4e5f6 → b2c3d4e5f6a7 → c3d4e5f6a7b8');
    assert.equal(interpretRun(run({ command: cmd.downgrade({ target: '-1' }), stderr: MERGE_DOWN_LOG.split('\n')[1] ?? '' })).message,
      'Downgraded 1 revision: 222200000002');
    assert.equal(interpretRun(run({ command: cmd.upgrade({ target: 'head', sql: true }), stderr: UPGRADE_LOG })).message,
      'Generated upgrade SQL for 3 revisions');
    // Logging on but nothing run, versus an env.py that logs nothing at all.
    const noop = interpretRun(run({ stderr: UPGRADE_LOG.split('\n').slice(0, 2).join('\n') }));
    assert.equal(noop.message, 'Nothing to upgrade: the database is already at the target');
    assert.equal(noop.stepsKnown, true);
    const silent = interpretRun(run({ stderr: '' }));
    assert.equal(silent.stepsKnown, false);
    assert.match(silent.message, /finished \(env\.py does not log/);
    const cancelled = interpretRun(run({ cancelled: true, exitCode: null, signal: 'SIGTERM', sessionsEnded: 1 }));
    assert.equal(cancelled.status, 'cancelled');
    assert.match(cancelled.message, /ended 1 database session/);
  });

  it('gives advice for the driver wordings seen in practice', () => {
    const cases: [string, string][] = [
      ['Ambiguous walk', 'ambiguousWalk'],
      ["Can't locate revision identified by 'zzz'", 'unknownRevision'],
      ['Target database is not up to date.', 'notUpToDate'],
      ['downgrade with --sql requires <fromrev>:<torev>', 'offlineDowngradeNeedsRange'],
      ['sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) connection to server at "127.0.0.1", port 1 failed: Connection refused', 'connectionRefused'],
      ["ConnectionRefusedError: [Errno 111] Connect call failed ('127.0.0.1', 1)", 'connectionRefused'],
      ['sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) connection to server at "127.0.0.1", port 5432 failed: FATAL:  password authentication failed for user "postgres"', 'authenticationFailed'],
      ['asyncpg.exceptions.InvalidPasswordError: password authentication failed for user "postgres"', 'authenticationFailed'],
      ['asyncpg.exceptions.InvalidCatalogNameError: database "nodb" does not exist', 'databaseMissing'],
      ["KeyError: 'DATABASE_URL'", 'databaseUrlMissing'],
      ["ModuleNotFoundError: No module named 'psycopg2'", 'missingModule'],
    ];
    for (const [text, kind] of cases) assert.equal(adviceFor(text)?.kind, kind, text);
    assert.equal(adviceFor("Can't locate revision identified by 'x y'")?.revision, 'x y');
    assert.equal(adviceFor("KeyError: 'APP_DB_URL'", { databaseUrlEnvVar: 'APP_DB_URL' })?.kind, 'databaseUrlMissing');
    assert.equal(adviceFor('relation "x" does not exist'), undefined);
  });
});
