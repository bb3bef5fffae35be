// How long a schema snapshot takes on a 500-table schema (each table with columns, a primary key, an
// index, a foreign key, a check), the figure the schema-change report before and after every run from
// the editor depends on; and the snapshot of only the tables the migrations touch, used above
// SCOPED_SNAPSHOT_TABLES, is as fast as it should be and holds the same for those tables.
import assert from 'node:assert/strict';
import { takeSnapshot } from '../../runtime/db/snapshot';
import { SCOPED_SNAPSHOT_TABLES, snapshotForChange } from '../../runtime/db/schemaChange';
import { createScratchDatabase, withClient, type ScratchDatabase } from '../support/pg';

const TABLES = 500;

function schemaScript(n: number): string {
  const parts: string[] = ["CREATE TYPE status AS ENUM ('a', 'b', 'c');"];
  for (let i = 0; i < n; i++) {
    parts.push(`CREATE TABLE t${i} (id serial PRIMARY KEY, name varchar(80) NOT NULL, created timestamptz DEFAULT now(),
      amount numeric(10,2) CHECK (amount >= 0), st status, parent_id integer${i > 0 ? ` REFERENCES t${i - 1} (id)` : ''});
      CREATE INDEX ix_t${i}_name ON t${i} (name);`);
  }
  return parts.join('\n');
}

describe('schema snapshot time on 500 tables', function () {
  this.timeout(180_000);
  let db: ScratchDatabase;
  before(async () => {
    db = await createScratchDatabase('snaptime');
    await withClient(db.url, (c) => c.query(schemaScript(TABLES)));
  });
  after(async () => {
    await db.drop();
  });

  it('measures the whole snapshot and the scoped one', async () => {
    await withClient(db.url, async (c) => {
      const times: number[] = [];
      let tables = 0;
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        const s = await takeSnapshot(c);
        times.push(performance.now() - t0);
        tables = s.tables.length;
      }
      assert.equal(tables, TABLES);
      times.sort((a, b) => a - b);
      const median = times[2] ?? 0;
      const scopedTimes: number[] = [];
      let scoped;
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        scoped = await snapshotForChange(c, { touchedTables: ['t10', 't11'], threshold: 100 });
        scopedTimes.push(performance.now() - t0);
      }
      scopedTimes.sort((a, b) => a - b);
      assert.ok(scoped?.scoped, 'above the threshold the snapshot is scoped');
      assert.deepEqual(scoped.snapshot.tables.map((t) => t.name), ['t10', 't11']);
      const full = await takeSnapshot(c);
      assert.deepEqual(scoped.snapshot.tables, full.tables.filter((t) => t.name === 't10' || t.name === 't11'));
      assert.deepEqual(scoped.snapshot.indexes, full.indexes.filter((x) => x.table === 't10' || x.table === 't11'));
      assert.deepEqual(scoped.snapshot.constraints, full.constraints.filter((x) => x.table === 't10' || x.table === 't11'));
      console.log(`      snapshot of ${TABLES} tables: median ${median.toFixed(0)} ms (min ${times[0]?.toFixed(0)}, max ${times[4]?.toFixed(0)}); ` +
        `scoped to 2 tables: median ${scopedTimes[2]?.toFixed(0)} ms; threshold ${SCOPED_SNAPSHOT_TABLES} tables`);
      const below = await snapshotForChange(c, { touchedTables: ['t10'] });
      assert.equal(below.scoped, TABLES > SCOPED_SNAPSHOT_TABLES);
    });
  });
});
