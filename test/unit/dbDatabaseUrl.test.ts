import assert from 'node:assert/strict';
import {
  ALEMBIC_PLACEHOLDER_URL, chooseDatabaseUrl, hasPassword, interpolateIniValue, mergePassword, splitPassword, withEncodedPassword,
  type ChosenUrl,
} from '../../runtime/db/databaseUrl';
import { parseDatabaseUrl } from '../../runtime/db/sqlalchemyUrl';

function chosen(result: ChosenUrl): Extract<ChosenUrl, { ok: true }> {
  assert.ok(result.ok, `expected a URL: ${JSON.stringify(result)}`);
  if (!result.ok) throw new Error('unreachable');
  return result;
}

const ini = { path: '/w/proj/alembic.ini', url: 'postgresql://ini@h/d' };
const dotenv = { path: '/w/.env', text: '# comment\nDATABASE_URL="postgresql://dotenv@h/d"\nOTHER_URL=postgresql://other@h/d\n' };

describe('db/databaseUrl: choosing the URL (first match wins)', () => {
  it('prefers the setting over everything else and says so', () => {
    const r = chosen(chooseDatabaseUrl({ settingUrl: 'postgresql://setting@h/d', env: { DATABASE_URL: 'postgresql://env@h/d' }, dotenv, ini }));
    assert.equal(r.url, 'postgresql://setting@h/d');
    assert.deepEqual(r.source, { kind: 'setting', label: 'setting alembic.databaseUrl' });
  });

  it('ignores a blank setting', () => {
    const r = chosen(chooseDatabaseUrl({ settingUrl: '   ', env: { DATABASE_URL: 'postgresql://env@h/d' } }));
    assert.equal(r.source.kind, 'environment');
  });

  it("then the editor's environment variable", () => {
    const r = chosen(chooseDatabaseUrl({ env: { DATABASE_URL: 'postgresql://env@h/d' }, dotenv, ini }));
    assert.equal(r.url, 'postgresql://env@h/d');
    assert.deepEqual(r.source, { kind: 'environment', label: 'environment variable DATABASE_URL', variable: 'DATABASE_URL' });
  });

  it('then the same variable in the workspace .env file (parsed by dotenv: quotes, comments)', () => {
    const r = chosen(chooseDatabaseUrl({ env: {}, dotenv, ini }));
    assert.equal(r.url, 'postgresql://dotenv@h/d');
    assert.deepEqual(r.source, { kind: 'dotenv', label: 'DATABASE_URL in /w/.env', file: '/w/.env', variable: 'DATABASE_URL' });
  });

  it('uses the variable named by alembic.databaseUrlEnvVar, in the environment and in .env', () => {
    assert.equal(chosen(chooseDatabaseUrl({ envVarName: 'OTHER_URL', env: { OTHER_URL: 'postgresql://e2@h/d', DATABASE_URL: 'x://' } })).url, 'postgresql://e2@h/d');
    const r = chosen(chooseDatabaseUrl({ envVarName: 'OTHER_URL', env: { DATABASE_URL: 'postgresql://env@h/d' }, dotenv }));
    assert.equal(r.url, 'postgresql://other@h/d');
    assert.equal(r.source.variable, 'OTHER_URL');
  });

  it('notes ${VAR} references in .env, which are not expanded', () => {
    const r = chosen(chooseDatabaseUrl({ dotenv: { path: '/w/.env', text: 'DATABASE_URL=postgresql://${DB_USER}@h/d\n' } }));
    assert.match(r.notes.join(), /refers to other variables/);
  });

  it('then sqlalchemy.url in alembic.ini, with %% and %(here)s interpolated as configparser does', () => {
    const r = chosen(chooseDatabaseUrl({ ini: { path: '/w/proj/alembic.ini', url: 'postgresql://u:p%%40ss@h/%(here)s' } }));
    assert.equal(r.url, 'postgresql://u:p%40ss@h//w/proj');
    assert.deepEqual(r.source, { kind: 'alembicIni', label: 'sqlalchemy.url in /w/proj/alembic.ini', file: '/w/proj/alembic.ini' });
    assert.equal(r.passwordFrom, 'url');
    const split = parseDatabaseUrl(r.url);
    assert.equal(split.kind === 'postgres' ? split.target.password : undefined, 'p@ss');
  });

  it("ignores Alembic's placeholder URL and says why", () => {
    const r = chooseDatabaseUrl({ ini: { path: '/w/alembic.ini', url: ALEMBIC_PLACEHOLDER_URL } });
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.kind, 'none');
    assert.match(r.notes.join(), /still Alembic's placeholder/);
  });

  it('reports a single % in alembic.ini, which breaks Alembic too, with the fix', () => {
    const r = chooseDatabaseUrl({ ini: { path: '/w/alembic.ini', url: 'postgresql://u:p%40ss@h/d' } });
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.kind, 'invalid');
    assert.match(r.message, /sqlalchemy\.url in \/w\/alembic\.ini: a single "%" at position 17 .* write "%%"/);
    assert.doesNotMatch(r.message, /p%40ss/);
  });

  it('says where a URL can come from when there is none', () => {
    const r = chooseDatabaseUrl({ envVarName: 'MY_DB', env: {} });
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.kind, 'none');
    assert.match(r.message, /alembic\.databaseUrl .* MY_DB .* \.env .* sqlalchemy\.url in alembic\.ini/);
  });

  it('merges the SecretStorage password into a password-less setting URL, encoded', () => {
    const r = chosen(chooseDatabaseUrl({ settingUrl: 'postgresql+asyncpg://app@h:5432/d?ssl=require', secretPassword: 'p@ss:w/rd%' }));
    assert.equal(r.passwordFrom, 'secretStorage');
    const parsed = parseDatabaseUrl(r.url);
    assert.ok(parsed.kind === 'postgres');
    assert.equal(parsed.target.password, 'p@ss:w/rd%');
    assert.equal(parsed.target.user, 'app');
    assert.equal(parsed.target.sslMode, 'require');
  });

  it('keeps a password already in the setting URL, and does not apply the secret to other sources', () => {
    const own = chosen(chooseDatabaseUrl({ settingUrl: 'postgresql://app:own@h/d', secretPassword: 'secret' }));
    assert.equal(own.url, 'postgresql://app:own@h/d');
    assert.equal(own.passwordFrom, 'url');
    assert.match(own.notes.join(), /has its own password/);
    const env = chosen(chooseDatabaseUrl({ env: { DATABASE_URL: 'postgresql://app@h/d' }, secretPassword: 'secret' }));
    assert.equal(env.url, 'postgresql://app@h/d');
    assert.equal(env.passwordFrom, 'none');
  });
});

describe('db/databaseUrl: password handling', () => {
  it('splits the password out of every URL form, decoded', () => {
    const cases: [string, string, string | undefined][] = [
      ['postgresql://app:s3cret@h:5432/d', 'postgresql://app@h:5432/d', 's3cret'],
      ['postgresql+asyncpg://app:p%40ss%3Aw@h/d?ssl=require', 'postgresql+asyncpg://app@h/d?ssl=require', 'p@ss:w'],
      ['postgresql://:pw@h/d', 'postgresql://h/d', 'pw'],
      ['postgresql://app@h/d?password=pw&sslmode=require', 'postgresql://app@h/d?sslmode=require', 'pw'],
      ['postgresql://app@h/d?password=pw', 'postgresql://app@h/d', 'pw'],
      ['postgresql://app@[::1]:5432/d', 'postgresql://app@[::1]:5432/d', undefined],
      ['postgresql://app:@h/d', 'postgresql://app:@h/d', undefined],
      ['postgresql:///d?host=/run/pg', 'postgresql:///d?host=/run/pg', undefined],
      ['not a url', 'not a url', undefined],
      // A raw `@` in the password: the user part ends at the last `@` before the host, not the first.
      ['postgresql://app:p@ssw0rd@db/app', 'postgresql://app@db/app', 'p@ssw0rd'],
      ['postgresql://app:a/b@c@h:5432/d?x=1', 'postgresql://app@h:5432/d?x=1', 'a/b@c'],
      // ... but a `@` in the database name stays there, as in SQLAlchemy.
      ['postgresql://u:p@h/db@x', 'postgresql://u@h/db@x', 'p'],
      // Azure's user@server user name, and a password with a space.
      ['postgresql://app@srv:pw@srv.example.com/d', 'postgresql://app@srv@srv.example.com/d', 'pw'],
      ['postgresql://app:my pass@h/d', 'postgresql://app@h/d', 'my pass'],
      // No `@host`: nothing is taken for a password here (the masking still hides it).
      ['postgresql://app:s3cret/app', 'postgresql://app:s3cret/app', undefined],
    ];
    for (const [url, without, password] of cases) {
      const s = splitPassword(url);
      assert.equal(s.urlWithoutPassword, without, url);
      assert.equal(s.password, password, url);
      assert.equal(hasPassword(url), password !== undefined, url);
    }
  });

  it('round-trips: merge(split(url)) connects with the same password', () => {
    for (const url of ['postgresql://app:p%2Fw%25d@h/d', 'postgresql+psycopg://u:x@/d?host=/tmp', 'postgresql://:only@h/d']) {
      const s = splitPassword(url);
      const merged = mergePassword(s.urlWithoutPassword, s.password ?? '');
      const a = parseDatabaseUrl(url);
      const b = parseDatabaseUrl(merged);
      assert.ok(a.kind === 'postgres' && b.kind === 'postgres');
      assert.deepEqual({ ...b.target, notes: [] }, { ...a.target, notes: [] }, url);
    }
  });

  it('stores a password typed with a raw "@" so that SQLAlchemy reads it back whole', () => {
    const typed = 'postgresql://app:p@ssw0rd@db/app';
    const s = splitPassword(typed);
    assert.deepEqual(s, { urlWithoutPassword: 'postgresql://app@db/app', password: 'p@ssw0rd', passwordAsWritten: 'p@ssw0rd' });
    const merged = mergePassword(s.urlWithoutPassword, s.password ?? '');
    assert.equal(merged, 'postgresql://app:p%40ssw0rd@db/app');
    assert.equal(withEncodedPassword(typed), merged);
    const parsed = parseDatabaseUrl(merged);
    assert.ok(parsed.kind === 'postgres');
    assert.deepEqual([parsed.target.user, parsed.target.password, parsed.target.host, parsed.target.database], ['app', 'p@ssw0rd', 'db', 'app']);
    assert.equal(parseDatabaseUrl(typed).kind, 'invalid', 'as typed, SQLAlchemy would look up the host "ssw0rd@db"');
    assert.equal(withEncodedPassword('postgresql://app@h/d'), 'postgresql://app@h/d');
    assert.equal(splitPassword('postgresql+asyncpg://app:p%40ss@h/d').passwordAsWritten, 'p%40ss');
  });

  it('merges into a URL without a user part', () => {
    assert.equal(mergePassword('postgresql://h/d', 'x y'), 'postgresql://:x%20y@h/d');
    assert.equal(mergePassword('postgresql://app@h/d', 'pw'), 'postgresql://app:pw@h/d');
    assert.equal(mergePassword('postgresql://app:own@h/d', 'pw'), 'postgresql://app:own@h/d');
  });

  it('interpolates ini values like configparser', () => {
    assert.deepEqual(interpolateIniValue('a%%b%(HERE)s', { here: '/x' }), { ok: true, value: 'a%b/x' });
    assert.equal(interpolateIniValue('%(other)s', { here: '/x' }).ok, false);
    assert.equal(interpolateIniValue('50%', {}).ok, false);
  });
});
