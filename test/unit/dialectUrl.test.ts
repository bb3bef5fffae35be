// Which database a URL reaches for the direct readers: a SQLite file as SQLAlchemy's pysqlite dialect opens
// it (relative to the folder Alembic runs in), a MySQL server as its driver reaches it, anything else to Alembic.
import assert from 'node:assert/strict';
import { parseDialectUrl } from '../../runtime/db/dialectUrl';
import { runGuardsFor } from '../../runtime/db/runGuards';

describe('dialect URLs: what the direct readers connect to', () => {
  it('SQLite: sqlite:///relative is relative to the folder Alembic runs in, sqlite:////abs is absolute', () => {
    const rel = parseDialectUrl('sqlite:///data/app.db', { baseDir: '/srv/project' });
    assert.equal(rel.dialect, 'sqlite');
    if (rel.dialect === 'sqlite') {
      assert.equal(rel.target.file, '/srv/project/data/app.db');
      assert.deepEqual(rel.target.notes, ['The SQLite path "data/app.db" is relative: it is the file /srv/project/data/app.db, in the folder Alembic runs in.']);
    }
    const abs = parseDialectUrl('sqlite+aiosqlite:////var/lib/app.db', { baseDir: '/srv/project' });
    assert.ok(abs.dialect === 'sqlite' && abs.target.file === '/var/lib/app.db' && abs.target.driver === 'aiosqlite' && abs.target.notes.length === 0);
  });

  it('SQLite: in-memory forms, and the URI form (uri=true)', () => {
    for (const url of ['sqlite://', 'sqlite:///:memory:', 'sqlite:///file:mem1?mode=memory&uri=true']) {
      const t = parseDialectUrl(url);
      assert.ok(t.dialect === 'sqlite' && t.target.memory && t.target.file === undefined, url);
    }
    const uri = parseDialectUrl('sqlite:///file:data/app.db?mode=ro&uri=true', { baseDir: '/p' });
    assert.ok(uri.dialect === 'sqlite' && uri.target.file === '/p/data/app.db');
  });

  it('SQLCipher, SQL Server, Oracle: read by asking Alembic', () => {
    assert.deepEqual(parseDialectUrl('sqlite+pysqlcipher://:key@/app.db'), { dialect: 'other', label: 'SQLCipher', name: 'sqlite', driver: 'pysqlcipher' });
    assert.deepEqual(parseDialectUrl('mssql+pyodbc://u:p@dsn'), { dialect: 'other', label: 'Microsoft SQL Server', name: 'mssql', driver: 'pyodbc' });
    assert.equal(parseDialectUrl('oracle+oracledb://u:p@h/svc').dialect, 'other');
  });

  it('MySQL and MariaDB: host, port, user, password and database as SQLAlchemy decodes them', () => {
    const t = parseDialectUrl('mysql+pymysql://app:p%40ss@db.internal:3307/shop?charset=utf8mb4&ssl_ca=/ca.pem');
    assert.equal(t.dialect, 'mysql');
    if (t.dialect !== 'mysql') return;
    assert.equal(t.label, 'MySQL');
    assert.deepEqual({ ...t.target }, {
      dialect: 'mysql', driver: 'pymysql', host: 'db.internal', port: 3307, user: 'app', password: 'p@ss', database: 'shop',
      ignoredParameters: ['ssl_ca'], notes: [],
    });
    const m = parseDialectUrl('mariadb+aiomysql://u@h/d');
    assert.ok(m.dialect === 'mysql' && m.label === 'MariaDB' && m.target.port === 3306 && m.target.socketPath === undefined);
  });

  it('MySQL: libmysqlclient (the default driver) takes localhost for the local socket; unix_socket= wins', () => {
    const sock = parseDialectUrl('mysql://u@localhost/d', { exists: (f) => f === '/run/mysqld/mysqld.sock' });
    assert.ok(sock.dialect === 'mysql' && sock.target.socketPath === '/run/mysqld/mysqld.sock');
    const none = parseDialectUrl('mysql+mysqldb://u@localhost/d', { exists: () => false });
    assert.ok(none.dialect === 'mysql' && none.target.socketPath === undefined && /trying TCP port 3306/.test(none.target.notes.join()));
    const tcp = parseDialectUrl('mysql+pymysql://u@localhost/d', { exists: () => true });
    assert.ok(tcp.dialect === 'mysql' && tcp.target.socketPath === undefined, 'PyMySQL uses TCP for localhost');
    const given = parseDialectUrl('mysql+pymysql://u@localhost/d?unix_socket=/tmp/my.sock');
    assert.ok(given.dialect === 'mysql' && given.target.socketPath === '/tmp/my.sock');
  });

  it('a raw "@" in a MySQL password is refused as for PostgreSQL, without the password in the message', () => {
    const t = parseDialectUrl('mysql+pymysql://app:se@cret@db/shop');
    assert.equal(t.dialect, 'invalid');
    assert.ok(t.dialect === 'invalid' && !t.message.includes('cret'));
  });

  it('the run guards say what protects a run where PostgreSQL\'s lock and reaper do not apply', () => {
    assert.match(runGuardsFor('sqlite:///app.db').missing ?? '', /^SQLite: no migration lock across windows \(SQLite locks the file itself/);
    assert.match(runGuardsFor('mariadb+pymysql://u:p@h/d').missing ?? '', /^MariaDB: no migration lock across windows/);
    assert.match(runGuardsFor('mssql+pyodbc://u:p@dsn').missing ?? '', /^Microsoft SQL Server: no migration lock across windows and no session clean-up after a cancel \(both need PostgreSQL\)/);
    assert.equal(runGuardsFor('sqlite:///app.db').runLock, undefined);
  });
});
