// alembic.lockTimeout / alembic.statementTimeout: what reaches the migration's session for each driver,
// and a lock timeout that fired recognised in the result with the table it waited for.
import assert from 'node:assert/strict';
import { adviceFor, statementTable } from '../../runtime/alembic/results';
import { AlembicRunner } from '../../runtime/alembic/runner';
import { sessionOptions, validTimeout } from '../../runtime/alembic/sessionSettings';

describe('session timeouts for the runs we start', () => {
  it('puts lock_timeout and statement_timeout in PGOPTIONS for libpq drivers, after what was inherited', () => {
    const o = sessionOptions({ lockTimeout: '5s', statementTimeout: '1min' }, { driver: 'psycopg2' });
    assert.deepEqual(o.env, { PGOPTIONS: '-c lock_timeout=5s -c statement_timeout=1min' });
    assert.deepEqual(o.applied, ['lock_timeout=5s', 'statement_timeout=1min']);
    assert.deepEqual(o.notes, []);
    assert.equal(sessionOptions({ lockTimeout: '500ms' }, { driver: 'psycopg', inheritedPgOptions: '-c search_path=app' }).env.PGOPTIONS,
      '-c search_path=app -c lock_timeout=500ms');
    assert.deepEqual(sessionOptions({}, { driver: 'psycopg2' }), { env: {}, notes: [], applied: [] });
    assert.deepEqual(sessionOptions({ lockTimeout: ' ' }, { driver: 'psycopg2' }).env, {});
  });

  it('tells asyncpg projects the two env.py lines instead, since asyncpg ignores PGOPTIONS', () => {
    const o = sessionOptions({ lockTimeout: '5s' }, { driver: 'asyncpg' });
    assert.deepEqual(o.env, {});
    assert.equal(o.notes.length, 1);
    assert.match(o.notes[0] ?? '', /asyncpg does not read PGOPTIONS/);
    assert.match(o.notes[0] ?? '', /connect_args = \{"server_settings": \{"lock_timeout": "5s"\}\}\n {4}connectable = async_engine_from_config\(.*connect_args=connect_args\)/);
  });

  it('refuses values PostgreSQL would not take, and says when the URL\'s options= hides PGOPTIONS', () => {
    assert.ok(validTimeout('5s') && validTimeout('250') && validTimeout('1.5min') && !validTimeout('5 seconds') && !validTimeout('-1s'));
    const bad = sessionOptions({ lockTimeout: 'soon' }, { driver: 'psycopg2' });
    assert.deepEqual(bad.env, {});
    assert.match(bad.notes[0] ?? '', /alembic\.lockTimeout: "soon" is not a PostgreSQL time/);
    const hidden = sessionOptions({ lockTimeout: '5s' }, { driver: 'psycopg2', urlOptions: '-c search_path=app' });
    assert.deepEqual(hidden.env, {});
    assert.match(hidden.notes[0] ?? '', /libpq uses instead of PGOPTIONS/);
  });

  it('the runner reads the driver from the URL', () => {
    const libpq = new AlembicRunner({ python: 'python3', iniPath: '/p/alembic.ini', databaseUrl: 'postgresql://u:p@h/db', timeouts: { lockTimeout: '2s' }, env: {} });
    assert.deepEqual(libpq.session.env, { PGOPTIONS: '-c lock_timeout=2s' });
    const asyncpg = new AlembicRunner({ python: 'python3', iniPath: '/p/alembic.ini', databaseUrl: 'postgresql+asyncpg://u:p@h/db', timeouts: { lockTimeout: '2s' }, env: {} });
    assert.deepEqual(asyncpg.session.env, {});
    assert.equal(asyncpg.session.notes.length, 1);
  });

  it('recognises a lock timeout and names the table from the statement', () => {
    const text = 'sqlalchemy.exc.OperationalError: (psycopg2.errors.LockNotAvailable) canceling statement due to lock timeout\n\n' +
      '[SQL: ALTER TABLE widgets DROP COLUMN colour]\n(Background on this error at: https://sqlalche.me/e/20/e3q8)';
    const advice = adviceFor(text);
    assert.equal(advice?.kind, 'lockTimeout');
    assert.equal(advice?.table, 'widgets');
    assert.match(advice?.text ?? '', /lock on widgets .* nothing of the failed migration was kept\. Retry when the table is quiet, or raise alembic\.lockTimeout/);
    assert.equal(adviceFor('(psycopg.errors.QueryCanceled) canceling statement due to statement timeout\n[SQL: UPDATE big SET x = 1]')?.kind, 'statementTimeout');
    assert.equal(statementTable('[SQL: CREATE INDEX ix_a ON "Audit".events (at)]\n'), '"Audit".events');
    assert.equal(statementTable('[SQL: \nCREATE TABLE gadgets (id INTEGER, FOREIGN KEY(widget_id) REFERENCES widgets (id))\n\n]\n'), 'widgets');
    assert.equal(statementTable('no statement'), undefined);
  });
});
