import assert from 'node:assert/strict';
import { redactSecrets, redactUrl } from '../../common/redact';

describe('db/redact: masking passwords', () => {
  it('masks the password of every URL form', () => {
    const cases: [string, string][] = [
      ['postgresql://app:s3cret@h:5432/d', 'postgresql://app:***@h:5432/d'],
      ['postgresql+asyncpg://app:p%40ss@h/d?ssl=require', 'postgresql+asyncpg://app:***@h/d?ssl=require'],
      ['postgresql://app:p@ss@h/d', 'postgresql://app:***@h/d'],
      ['postgresql://app:a/b@h/d', 'postgresql://app:***@h/d'],
      ['postgresql://app:pa?ss@h/d', 'postgresql://app:***@h/d'],
      ['postgresql://app:p@h/d?options=a@b', 'postgresql://app:***@h/d?options=a@b'],
      ['postgresql://:pw@h/d', 'postgresql://:***@h/d'],
      ['postgresql://app@h/d?password=pw&sslmode=require', 'postgresql://app@h/d?password=***&sslmode=require'],
      ['host=h password=pw dbname=d', 'host=h password=*** dbname=d'],
      // A raw `@` in the password: SQLAlchemy would split at the first one; the mask runs to the last.
      ['postgresql://app:p@ssw0rd@db/app', 'postgresql://app:***@db/app'],
      // Spaces, quotes, backticks and `<` belong to the password (SQLAlchemy's [^@]*).
      ['postgresql://app:my pass@h/d', 'postgresql://app:***@h/d'],
      ['postgresql://app:it\'s"q`b<c>@h/d', 'postgresql://app:***@h/d'],
      // Azure's user@server user name holds an `@` before the password.
      ['postgresql://app@srv:pw@srv.example.com/d', 'postgresql://app@srv:***@srv.example.com/d'],
      // The host is missing: what follows `user:` is no port, so it is the password.
      ['postgresql://app:s3cret/app', 'postgresql://app:***/app'],
      ['postgresql://app:s3cret', 'postgresql://app:***'],
      // libpq keyword/value strings: quoted (with \' inside), spaces around `=`, any case.
      ["host=h password='my secret' dbname=d", "host=h password='***' dbname=d"],
      ["password='it\\'s' user=u", "password='***' user=u"],
      ['host=h password = s3cret dbname=d', 'host=h password = *** dbname=d'],
      ['PASSWORD="x y";Host=h', 'PASSWORD="***";Host=h'],
      ['PGPASSWORD=s3cret psql -h h', 'PGPASSWORD=*** psql -h h'],
    ];
    for (const [input, expected] of cases) assert.equal(redactUrl(input), expected, input);
  });

  it('leaves text without passwords alone', () => {
    for (const text of [
      'postgresql://app@h/d', 'postgresql://h:5432/d', 'see https://example.com/a:b', 'sqlite:///x.db', 'a: b @ c',
      'Database URL set to postgresql://app@h:5432/d (password in secret storage: yes)', 'password:', 'password=',
    ]) {
      assert.equal(redactUrl(text), text);
    }
  });

  it('masks URLs inside free text, in quotes', () => {
    assert.equal(
      redactUrl(`connecting to "postgresql://u:pw@h/d" and 'mysql://r:x@m/db' now`),
      `connecting to "postgresql://u:***@h/d" and 'mysql://r:***@m/db' now`,
    );
  });

  it('masks URLs whose password holds spaces inside free text, and no further than the line', () => {
    assert.equal(
      redactUrl('connecting to postgresql://app:my pass@h/d failed\nnext line mentions admin@example.com'),
      'connecting to postgresql://app:***@h/d failed\nnext line mentions admin@example.com',
    );
    assert.equal(redactUrl('a postgresql://h:5432/d then mysql://r:x@m/db'), 'a postgresql://h:5432/d then mysql://r:***@m/db',
      'the `@` of a later URL does not end the first one\'s password');
  });

  it('takes linear time on text built to make it backtrack', () => {
    const started = performance.now();
    redactUrl(`${'a://b:'.repeat(50_000)}@`);
    redactUrl(`${'postgresql://u:p '.repeat(50_000)}`);
    redactUrl(`${' password = '.repeat(50_000)}x`);
    redactSecrets(`x://${'@'.repeat(100_000)}`);
    assert.ok(performance.now() - started < 500, `took ${Math.round(performance.now() - started)} ms`);
  });

  it('masks literal secrets raw, URL-encoded (either case) and %-doubled as in alembic.ini', () => {
    const secret = 'p@ss/wörd';
    const text = `raw ${secret} enc ${encodeURIComponent(secret)} lower ${encodeURIComponent(secret).toLowerCase()} ini ${encodeURIComponent(secret).replace(/%/g, '%%')}`;
    const out = redactSecrets(text, [secret, undefined]);
    assert.equal(out, 'raw *** enc *** lower *** ini ***');
  });
});
