// The URL splitter against the real SQLAlchemy: for each URL, make_url's parts must equal ours.
import assert from 'node:assert/strict';
import { splitSqlalchemyUrl } from '../../runtime/db/sqlalchemyUrl';
import { runPython } from '../support/python';

const URLS = [
  'postgresql://app:s3cret@db.example.com:6543/shop',
  'postgresql+asyncpg://app:p%40ss%3Aw%2Fo%25rd@h/d?ssl=require&prepared_statement_cache_size=0',
  'postgresql+psycopg2://u@/db?host=/var/run/postgresql&port=5433',
  'postgresql+psycopg://u:a/b@h/d',
  'postgresql+pg8000://u:@h/d',
  'postgresql://u:p@[::1]:5433/d',
  'postgresql://u:p@[2001:db8::7]/d?sslmode=verify-full&sslrootcert=/ca.pem',
  'postgresql:///mydb',
  'postgresql://',
  'postgresql://h/my%2Ddb?options=-csearch_path%3Dapp&application_name=my+app&empty=',
  'postgresql://u@/d?host=h1:5001&host=h2:5002',
  'postgresql://us%40er@h:5432/d?a=1&a=2&b',
  'postgres://u:100%zz@h/d',
  'sqlite:///relative/app.db',
  'sqlite:////abs/app.db',
  'mysql+pymysql://root:pw@127.0.0.1:3306/app?charset=utf8mb4',
  // Passwords as users type them: SQLAlchemy ends the password at the first `@` (1.4.16 and later).
  'postgresql://app:p@ssw0rd@db/app',
  'postgresql://app:my pass@h/d',
  'postgresql://app@srv:pw@srv.example.com/d',
  'postgresql://u:p@h/db@x',
];
// URLs make_url refuses (ValueError): ours must refuse them too.
const REFUSED = ['postgresql://app:s3cret/app', 'postgresql://u:p@h:abc/d'];

// Python side: make_url's parts as JSON (query values as lists, as ours are), or the error it raised.
const SCRIPT = `
import json, sys
from sqlalchemy.engine import make_url
out = []
for text in sys.argv[1:]:
    try:
        u = make_url(text)
    except ValueError as e:
        out.append({"error": type(e).__name__})
        continue
    out.append({
        "drivername": u.drivername, "username": u.username, "password": u.password,
        "host": u.host, "port": u.port, "database": u.database,
        "query": {k: (list(v) if isinstance(v, tuple) else [v]) for k, v in u.query.items()},
    })
print(json.dumps(out))
`;

describe('db: URL splitting matches SQLAlchemy make_url', function () {
  this.timeout(30_000);

  it(`refuses the ${REFUSED.length} URLs make_url refuses`, () => {
    const r = runPython(SCRIPT, REFUSED);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), REFUSED.map(() => ({ error: 'ValueError' })));
    for (const url of REFUSED) assert.equal(splitSqlalchemyUrl(url).ok, false, url);
  });

  it(`agrees on ${URLS.length} URLs`, () => {
    const r = runPython(SCRIPT, URLS);
    assert.equal(r.status, 0, r.stderr);
    const theirs = JSON.parse(r.stdout) as Record<string, unknown>[];
    URLS.forEach((url, i) => {
      const split = splitSqlalchemyUrl(url);
      assert.ok(split.ok, url);
      if (!split.ok) return;
      const p = split.parts;
      const ours = {
        drivername: p.drivername, username: p.username ?? null, password: p.password ?? null, host: p.host ?? null,
        port: p.port ?? null, database: p.database ?? null, query: Object.fromEntries(p.query),
      };
      assert.deepEqual(ours, theirs[i], url);
    });
  });
});
