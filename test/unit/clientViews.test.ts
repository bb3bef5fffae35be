// Pure pieces of the client: the tree's lane graph, short ids, protected-database patterns.
import assert from 'node:assert/strict';
import { isProtected, matchesGlob, protectedVerifyServer } from '../../runtime/db/protectedDatabases';
import { shortRevision } from '../../client/src/views/format';
import { laneGraph } from '../../client/src/views/lanes';

describe('lane graph', () => {
  it('draws a straight line for a linear history', () => {
    assert.deepEqual(laneGraph([
      { revision: 'c', parents: ['b'] }, { revision: 'b', parents: ['a'] }, { revision: 'a', parents: [] },
    ]), ['●', '●', '●']);
  });

  it('forks at a merge and joins at the branch point', () => {
    // m merges x and y, both children of base
    const rows = laneGraph([
      { revision: 'm', parents: ['x', 'y'] },
      { revision: 'y', parents: ['base'] },
      { revision: 'x', parents: ['base'] },
      { revision: 'base', parents: [] },
    ]);
    assert.equal(rows[0], '●');
    assert.equal(rows[1], '│ ●', 'y sits in the second lane beside x\'s lane');
    assert.equal(rows[2], '● │');
    assert.equal(rows[3], '● ┘', 'the second lane joins at the branch point');
  });

  it('gives two heads two lanes', () => {
    const rows = laneGraph([
      { revision: 'h1', parents: ['a'] }, { revision: 'h2', parents: ['a'] }, { revision: 'a', parents: [] },
    ]);
    assert.deepEqual(rows, ['●', '│ ●', '● ┘']);
  });
});

describe('short revision ids', () => {
  it('shortens generated hex ids and keeps hand-written ones', () => {
    assert.equal(shortRevision('3f2a91c0d7b1'), '3f2a91c0');
    assert.equal(shortRevision('001_initial_schema'), '001_initial_schema');
    assert.equal(shortRevision('abc'), 'abc');
  });
});

describe('protected databases', () => {
  it('matches globs over host/database and the database name', () => {
    assert.ok(matchesGlob('*prod*', 'db.example.com/app_production'));
    assert.ok(!matchesGlob('*prod*', 'localhost/app_dev'));
    assert.ok(matchesGlob('db.example.com/*', 'DB.example.com/anything'));
    assert.ok(matchesGlob('app_?', 'app_1'));
    assert.ok(!matchesGlob('app.1', 'appx1'), 'a dot is literal');
    assert.ok(isProtected(['*prod*'], { host: 'localhost', database: 'shop_prod' }));
    assert.ok(!isProtected(['*prod*', 'staging.internal/*'], { host: 'localhost', database: 'shop_dev' }));
    assert.ok(isProtected(['staging.internal/*'], { host: 'staging.internal', database: 'shop' }));
  });

  it("finds verify's server protected by the URL's host/database, unless only a local PostgreSQL is used", () => {
    const patterns = ['*prod*', 'staging.internal/*'];
    assert.deepEqual(protectedVerifyServer({ databaseUrl: 'postgresql+asyncpg://app:pw@db.internal/shop_prod', patterns }),
      { identity: { host: 'db.internal', database: 'shop_prod' }, pattern: '*prod*' });
    assert.equal(protectedVerifyServer({ databaseUrl: 'postgresql://app@staging.internal/shop', patterns })?.pattern, 'staging.internal/*');
    assert.equal(protectedVerifyServer({ databaseUrl: 'postgresql://app@staging.internal/shop', patterns, where: 'local' }), undefined);
    assert.equal(protectedVerifyServer({ databaseUrl: 'postgresql://app@localhost/shop_dev', patterns }), undefined);
    assert.equal(protectedVerifyServer({ databaseUrl: undefined, patterns }), undefined);
    assert.equal(protectedVerifyServer({ databaseUrl: 'sqlite:///prod.db', patterns }), undefined, 'no server to protect');
  });
});
