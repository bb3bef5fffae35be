import assert from 'node:assert/strict';
import {
  describeEndpoint, parseDatabaseUrl, parseQuery, pyUnquote, splitSqlalchemyUrl, tlsOptions, toPgConfig,
  type PostgresTarget,
} from '../../runtime/db/sqlalchemyUrl';

function target(url: string, env: Record<string, string> = {}): PostgresTarget {
  const parsed = parseDatabaseUrl(url, { env });
  assert.equal(parsed.kind, 'postgres', `expected a PostgreSQL target for ${url}: ${JSON.stringify(parsed)}`);
  if (parsed.kind !== 'postgres') throw new Error('unreachable');
  return parsed.target;
}

describe('db/sqlalchemyUrl: parsing SQLAlchemy URLs', () => {
  it('reads every part of a plain postgresql:// URL', () => {
    const t = target('postgresql://app:s3cret@db.example.com:6543/shop');
    assert.deepEqual(
      { driver: t.driver, user: t.user, password: t.password, host: t.host, port: t.port, database: t.database, sslMode: t.sslMode, sslModeSource: t.sslModeSource },
      { driver: 'psycopg2', user: 'app', password: 's3cret', host: 'db.example.com', port: 6543, database: 'shop', sslMode: 'prefer', sslModeSource: 'default' },
    );
    assert.deepEqual(t.notes, []);
  });

  for (const driver of ['asyncpg', 'psycopg2', 'psycopg', 'pg8000']) {
    it(`accepts postgresql+${driver}://`, () => {
      const t = target(`postgresql+${driver}://u:p@h/d`);
      assert.equal(t.driver, driver);
      assert.equal(t.host, 'h');
      assert.equal(t.database, 'd');
      assert.deepEqual(t.notes, []);
    });
  }

  it('accepts postgres:// but notes that SQLAlchemy 1.4+ rejects it', () => {
    const t = target('postgres://u:p@h:5433/d');
    assert.equal(t.port, 5433);
    assert.match(t.notes.join('\n'), /SQLAlchemy 1\.4 and later reject the "postgres:\/\/" scheme/);
  });

  it('notes an unknown driver but still connects as libpq would', () => {
    assert.match(target('postgresql+mydriver://h/d').notes.join(), /Unknown PostgreSQL driver "mydriver"/);
  });

  it('URL-decodes user and password, not the database name (as SQLAlchemy 1.4 does)', () => {
    const t = target('postgresql://us%40er:p%40ss%3Aw%2Fo%25rd%20x@h/my%2Ddb');
    assert.equal(t.user, 'us@er');
    assert.equal(t.password, 'p@ss:w/o%rd x');
    assert.equal(t.database, 'my%2Ddb');
  });

  it('keeps a raw "/" in the password, like SQLAlchemy\'s [^@]* group', () => {
    const t = target('postgresql://u:a/b@h/d');
    assert.equal(t.password, 'a/b');
    assert.equal(t.host, 'h');
  });

  it('leaves an invalid %-escape as written instead of throwing', () => {
    assert.equal(pyUnquote('100%zz'), '100%zz');
    assert.equal(target('postgresql://u:100%zz@h/d').password, '100%zz');
  });

  it('treats an empty password as no password', () => {
    assert.equal(target('postgresql://u:@h/d').password, undefined);
  });

  it('parses a URL without host (local socket) and without anything', () => {
    const t = target('postgresql:///mydb');
    assert.equal(t.host, undefined);
    assert.equal(t.database, 'mydb');
    const bare = target('postgresql://');
    assert.equal(bare.host, undefined);
    assert.equal(bare.database, undefined);
  });

  it('takes host=/socket/dir from the query over the URL', () => {
    const t = target('postgresql+psycopg2://u@/db?host=/var/run/postgresql');
    assert.equal(t.host, '/var/run/postgresql');
    assert.equal(describeEndpoint({ ...t, port: 5432 }), '/var/run/postgresql/.s.PGSQL.5432');
  });

  it('takes port, user, password and dbname from the query (SQLAlchemy passes them over the URL parts)', () => {
    const t = target('postgresql://a@h:1/x?port=6000&user=b&password=pw&dbname=y');
    assert.deepEqual([t.port, t.user, t.password, t.database], [6000, 'b', 'pw', 'y']);
  });

  it('uses the first of several hosts, with a note, and reads host:port pairs', () => {
    const t = target('postgresql://u@/d?host=h1:5001&host=h2:5002');
    assert.equal(t.host, 'h1');
    assert.equal(t.port, 5001);
    assert.match(t.notes.join(), /"host" is given 2 times/);
    const c = target('postgresql://u@/d?host=a,b');
    assert.equal(c.host, 'a');
    assert.match(c.notes.join(), /Several hosts/);
  });

  it('reads IPv6 hosts in brackets', () => {
    const t = target('postgresql://u:p@[::1]:5433/d');
    assert.equal(t.host, '::1');
    assert.equal(t.port, 5433);
    assert.equal(describeEndpoint(t), '[::1]:5433');
    assert.equal(target('postgresql://u:p@[2001:db8::7]/d').host, '2001:db8::7');
  });

  it('rejects a port that is not a number', () => {
    const parsed = parseDatabaseUrl('postgresql://u:p@h:abc/d');
    assert.equal(parsed.kind, 'invalid');
    assert.match(parsed.kind === 'invalid' ? parsed.message : '', /port "abc" is not a number/);
  });

  it('never puts a password into the message of a URL that cannot be used', () => {
    // The host is missing: SQLAlchemy takes app for the host and the password for its port.
    const noHost = parseDatabaseUrl('postgresql://app:s3cret/app');
    assert.deepEqual(noHost, { kind: 'invalid', message: 'what follows "app:" is not a port number; if it is a user name and password, the URL lacks "@host"' });
    // A raw `@` in the password: SQLAlchemy (1.4.16+) ends the password at the first `@` ...
    const split = splitSqlalchemyUrl('postgresql://app:p@ssw0rd@db/app');
    assert.ok(split.ok);
    assert.deepEqual([split.parts.username, split.parts.password, split.parts.host, split.parts.database], ['app', 'p', 'ssw0rd@db', 'app']);
    // ... so connecting would look up a host named after the password's tail: refused, saying how to write it.
    const raw = parseDatabaseUrl('postgresql://app:p@ssw0rd@db/app');
    assert.equal(raw.kind, 'invalid');
    const message = raw.kind === 'invalid' ? raw.message : '';
    assert.match(message, /more than one "@" before the host.*%40/);
    assert.doesNotMatch(message, /ssw0rd/);
  });

  for (const mode of ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const) {
    it(`reads sslmode=${mode}`, () => {
      const t = target(`postgresql://u:p@h/d?sslmode=${mode}`);
      assert.equal(t.sslMode, mode);
      assert.equal(t.sslModeSource, 'sslmode');
    });
  }

  it("reads asyncpg's ssl= (modes and booleans) and notes what asyncpg itself rejects", () => {
    const cases: [string, string, RegExp | undefined][] = [
      ['require', 'require', undefined],
      ['disable', 'disable', undefined],
      ['verify-full', 'verify-full', undefined],
      ['true', 'verify-full', /asyncpg rejects ssl=true/],
      ['false', 'disable', /asyncpg rejects ssl=false/],
    ];
    for (const [value, mode, note] of cases) {
      const t = target(`postgresql+asyncpg://u:p@h/d?ssl=${value}`);
      assert.equal(t.sslMode, mode, value);
      assert.equal(t.sslModeSource, 'ssl');
      if (note) assert.match(t.notes.join(), note);
      else assert.deepEqual(t.notes, [], value);
    }
  });

  it('notes sslmode= with asyncpg and ssl= with psycopg2 (each driver rejects the other\'s option)', () => {
    assert.match(target('postgresql+asyncpg://h/d?sslmode=require').notes.join(), /asyncpg does not accept "sslmode="/);
    assert.match(target('postgresql+psycopg2://h/d?ssl=require').notes.join(), /"ssl=" is asyncpg's option/);
  });

  it('rejects an SSL mode that does not exist', () => {
    const parsed = parseDatabaseUrl('postgresql://h/d?sslmode=sometimes');
    assert.equal(parsed.kind, 'invalid');
    assert.match(parsed.kind === 'invalid' ? parsed.message : '', /sslmode=sometimes is not an SSL mode/);
  });

  it('falls back to PGSSLMODE, then prefer, when the URL says nothing', () => {
    assert.equal(target('postgresql://h/d', { PGSSLMODE: 'disable' }).sslMode, 'disable');
    assert.equal(target('postgresql://h/d', { PGSSLMODE: 'disable' }).sslModeSource, 'PGSSLMODE');
    assert.equal(target('postgresql://h/d?sslmode=require', { PGSSLMODE: 'disable' }).sslMode, 'require');
    assert.equal(target('postgresql://h/d').sslMode, 'prefer');
  });

  it('notes that sslmode has no effect on a Unix socket', () => {
    assert.match(target('postgresql://u@/d?host=/tmp&sslmode=require').notes.join(), /no effect on a Unix socket/);
  });

  it('reads options, application_name, connect_timeout, certificate paths; keeps other parameters as ignored', () => {
    const t = target('postgresql://h/d?options=-csearch_path%3Dapp&application_name=my+app&connect_timeout=3' +
      '&sslrootcert=/ca.pem&sslcert=/c.pem&sslkey=/k.pem&client_encoding=utf8&prepared_statement_cache_size=0');
    assert.equal(t.options, '-csearch_path=app');
    assert.equal(t.applicationName, 'my app');
    assert.equal(t.connectTimeoutSeconds, 3);
    assert.deepEqual([t.sslRootCert, t.sslCert, t.sslKey], ['/ca.pem', '/c.pem', '/k.pem']);
    assert.deepEqual(t.ignoredParameters, ['client_encoding', 'prepared_statement_cache_size']);
  });

  it('drops blank query values and pairs without "=" like parse_qsl', () => {
    const q = parseQuery('a=&b&c=1&c=2&d=x+y%26z');
    assert.deepEqual([...q.entries()], [['c', ['1', '2']], ['d', ['x y&z']]]);
  });

  for (const [url, name] of [
    ['sqlite:///app.db', 'SQLite'], ['sqlite://', 'SQLite'], ['mysql+pymysql://u:p@h/d', 'MySQL'],
    ['mariadb://u:p@h/d', 'MariaDB'], ['mssql+pyodbc://u:p@dsn', 'Microsoft SQL Server'], ['oracle+cx_oracle://u:p@h/d', 'Oracle'],
  ] as const) {
    it(`says ${url} is not a PostgreSQL URL`, () => {
      const parsed = parseDatabaseUrl(url);
      assert.equal(parsed.kind, 'unsupportedDialect');
      if (parsed.kind !== 'unsupportedDialect') return;
      assert.equal(parsed.message, `the URL is a ${name} URL, not PostgreSQL`);
      assert.doesNotMatch(parsed.message, /:p@/);
    });
  }

  it('says an unparseable string is not a SQLAlchemy URL', () => {
    for (const text of ['', 'localhost:5432', 'host=h dbname=d']) {
      const parsed = parseDatabaseUrl(text);
      assert.equal(parsed.kind, 'invalid', text);
    }
  });

  it('splits like make_url: drivername, dialect, driver and all query values', () => {
    const split = splitSqlalchemyUrl('postgresql+asyncpg://u:p@h:1/d?a=1&a=2');
    assert.ok(split.ok);
    if (!split.ok) return;
    assert.equal(split.parts.drivername, 'postgresql+asyncpg');
    assert.equal(split.parts.dialect, 'postgresql');
    assert.equal(split.parts.driver, 'asyncpg');
    assert.deepEqual(split.parts.query.get('a'), ['1', '2']);
  });
});

describe('db/sqlalchemyUrl: pg configuration', () => {
  it('builds a ClientConfig object (never a connection string) with a timeout', () => {
    const t = target('postgresql+asyncpg://app:pw@h:6000/shop?options=-cstatement_timeout%3D5&application_name=x');
    const c = toPgConfig(t, { timeoutMs: 2500, ssl: false });
    assert.equal(c.connectionString, undefined);
    assert.deepEqual(
      { host: c.host, port: c.port, user: c.user, password: c.password, database: c.database, ssl: c.ssl, options: c.options, application_name: c.application_name, connectionTimeoutMillis: c.connectionTimeoutMillis },
      { host: 'h', port: 6000, user: 'app', password: 'pw', database: 'shop', ssl: false, options: '-cstatement_timeout=5', application_name: 'x', connectionTimeoutMillis: 2500 },
    );
  });

  it("lets the URL's connect_timeout shorten the timeout, never lengthen it", () => {
    assert.equal(toPgConfig(target('postgresql://h/d?connect_timeout=1'), { timeoutMs: 5000, ssl: false }).connectionTimeoutMillis, 1000);
    assert.equal(toPgConfig(target('postgresql://h/d?connect_timeout=60'), { timeoutMs: 5000, ssl: false }).connectionTimeoutMillis, 5000);
  });

  it('uses the default host only when the URL has none', () => {
    assert.equal(toPgConfig(target('postgresql:///d'), { timeoutMs: 1, ssl: false, defaultHost: '/tmp' }).host, '/tmp');
    assert.equal(toPgConfig(target('postgresql://h/d'), { timeoutMs: 1, ssl: false, defaultHost: '/tmp' }).host, 'h');
  });

  it('maps SSL modes to TLS options like libpq', () => {
    assert.equal(tlsOptions(target('postgresql://h/d?sslmode=require')).rejectUnauthorized, false);
    assert.equal(tlsOptions(target('postgresql://h/d?sslmode=prefer')).rejectUnauthorized, false);
    const full = tlsOptions(target('postgresql://h/d?sslmode=verify-full'));
    assert.equal(full.rejectUnauthorized, true);
    assert.equal(full.checkServerIdentity, undefined);
    const ca = tlsOptions(target('postgresql://h/d?sslmode=verify-ca'), { ca: 'PEM' });
    assert.equal(ca.rejectUnauthorized, true);
    assert.equal(ca.ca, 'PEM');
    assert.equal(typeof ca.checkServerIdentity, 'function');
    // libpq: `require` with a root certificate verifies the chain (verify-ca).
    assert.equal(tlsOptions(target('postgresql://h/d?sslmode=require'), { ca: 'PEM' }).rejectUnauthorized, true);
  });

  it('describes endpoints without the password', () => {
    const t = target('postgresql://u:topsecret@db:5433/d');
    assert.equal(describeEndpoint(t), 'db:5433');
    assert.equal(describeEndpoint({ host: undefined, port: undefined }), 'the default local socket (port 5432)');
  });
});
