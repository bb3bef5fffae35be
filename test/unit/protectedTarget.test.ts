// The protected-database check compares the database the connection will reach: the URL with libpq's
// defaults (PGHOST, PGPORT, PGDATABASE, the user name) filled in by the same function connect() uses.
import assert from 'node:assert/strict';
import { databaseIdentity, isProtected } from '../../runtime/db/protectedDatabases';

const noSocket = (): boolean => false;

describe('protected databases: the target as the connection resolves it', () => {
  it('takes PGHOST and PGDATABASE when the URL leaves them out, so prod is matched', () => {
    const env = { PGHOST: 'prod-db.internal', PGDATABASE: 'app_production' };
    const id = databaseIdentity('postgresql://app@/', env, noSocket);
    assert.deepEqual(id, { host: 'prod-db.internal', database: 'app_production' });
    assert.ok(id && isProtected(['*prod*'], id));
  });

  it('defaults the database to the user name, as libpq does', () => {
    assert.deepEqual(databaseIdentity('postgresql+asyncpg://app_production@db.internal', {}, noSocket), { host: 'db.internal', database: 'app_production' });
    assert.deepEqual(databaseIdentity('postgresql://@/', { PGUSER: 'prod_owner' }, noSocket), { host: 'localhost', database: 'prod_owner' });
  });

  it('lets what the URL says win over the environment, and the query\'s host over the URL\'s', () => {
    assert.deepEqual(databaseIdentity('postgresql://app@stage/app_stage', { PGHOST: 'prod', PGDATABASE: 'app_production' }, noSocket), { host: 'stage', database: 'app_stage' });
    assert.equal(databaseIdentity('postgresql://app@stage/app?host=prod-db', {}, noSocket)?.host, 'prod-db');
  });

  it('finds the local socket folder libpq would use', () => {
    const id = databaseIdentity('postgresql://app@/app', {}, (f) => f === '/var/run/postgresql/.s.PGSQL.5432');
    assert.equal(id?.host, '/var/run/postgresql');
  });

  it('a SQLite file is matched by its path and by its name, a relative path from the folder Alembic runs in', () => {
    const id = databaseIdentity('sqlite:///data/prod.db', {}, noSocket, '/srv/app');
    assert.deepEqual(id, { host: 'localhost', database: 'prod.db', kind: 'sqlite', file: '/srv/app/data/prod.db' });
    assert.ok(id && isProtected(['prod.db'], id));
    assert.ok(id && isProtected(['/srv/*'], id));
    assert.ok(id && !isProtected(['*staging*'], id));
    assert.equal(databaseIdentity('sqlite:////var/lib/app/app.db', {}, noSocket)?.file, '/var/lib/app/app.db');
    assert.equal(databaseIdentity('sqlite://', {}, noSocket), undefined, 'an in-memory database is nobody\'s production');
  });

  it('MySQL and MariaDB: host/database as PostgreSQL\'s', () => {
    const id = databaseIdentity('mysql+pymysql://u:p@db.prod/app_production', {}, noSocket);
    assert.deepEqual(id, { host: 'db.prod', database: 'app_production', kind: 'mysql' });
    assert.ok(id && isProtected(['db.prod/*'], id));
    assert.equal(databaseIdentity('mariadb+mysqldb://u@localhost/app?unix_socket=/run/my.sock', {}, noSocket)?.host, '/run/my.sock');
  });

  it('says nothing for URLs of other dialects or no URL at all', () => {
    assert.equal(databaseIdentity('mssql+pyodbc://u@h/d', {}, noSocket), undefined);
    assert.equal(databaseIdentity('not a url', {}, noSocket), undefined);
  });
});
