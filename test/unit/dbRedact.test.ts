import assert from 'node:assert/strict';
import { redactSecrets, redactUrl } from '../../runtime/db/redact';

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
    ];
    for (const [input, expected] of cases) assert.equal(redactUrl(input), expected, input);
  });

  it('leaves text without passwords alone', () => {
    for (const text of ['postgresql://app@h/d', 'postgresql://h:5432/d', 'see https://example.com/a:b', 'sqlite:///x.db', 'a: b @ c']) {
      assert.equal(redactUrl(text), text);
    }
  });

  it('masks URLs inside free text, in quotes', () => {
    assert.equal(
      redactUrl(`connecting to "postgresql://u:pw@h/d" and 'mysql://r:x@m/db' now`),
      `connecting to "postgresql://u:***@h/d" and 'mysql://r:***@m/db' now`,
    );
  });

  it('masks literal secrets raw, URL-encoded (either case) and %-doubled as in alembic.ini', () => {
    const secret = 'p@ss/wörd';
    const text = `raw ${secret} enc ${encodeURIComponent(secret)} lower ${encodeURIComponent(secret).toLowerCase()} ini ${encodeURIComponent(secret).replace(/%/g, '%%')}`;
    const out = redactSecrets(text, [secret, undefined]);
    assert.equal(out, 'raw *** enc *** lower *** ini ***');
  });
});
