// The schema-change report of a run on hand-built snapshots: the notification's one-line summary, the
// Markdown report, and what a downgrade left behind of what its upgrade created.
import assert from 'node:assert/strict';
import { changeReport, changeReportMarkdown, leftBehind, summarizeChange, type ChangeSnapshot } from '../../runtime/db/schemaChange';
import { diffSnapshots } from '../../runtime/db/schemaDiff';
import type { SchemaSnapshot } from '../../runtime/db/snapshot';

function schema(): SchemaSnapshot {
  return {
    schemas: ['public'], extensions: [], enums: [], sequences: [], views: [], functions: [], triggers: [],
    tables: [{ schema: 'public', name: 'users', partitioned: false, unlogged: false, columns: [
      { name: 'id', type: 'integer', notNull: true }, { name: 'email', type: 'text', notNull: true }] }],
    indexes: [{ schema: 'public', table: 'users', name: 'ix_users_email', definition: 'CREATE INDEX ix_users_email ON public.users USING btree (email)' }],
    constraints: [],
  };
}

const snap = (snapshot: SchemaSnapshot, ms = 10): ChangeSnapshot => ({ snapshot, scoped: false, tableCount: snapshot.tables.length, ms });

describe('schema change report', () => {
  it('summarises added, removed and changed objects per kind', () => {
    const before = schema();
    const after = schema();
    after.tables.push({ schema: 'public', name: 'a', partitioned: false, unlogged: false, columns: [] },
      { schema: 'public', name: 'b', partitioned: false, unlogged: false, columns: [] });
    after.tables[0]!.columns.pop();
    after.indexes[0]!.definition = 'CREATE INDEX ix_users_email ON public.users USING btree (lower(email))';
    assert.equal(summarizeChange(diffSnapshots(before, after)), '+2 tables, \u22121 column, 1 index changed');
    assert.equal(summarizeChange([]), 'no schema change');
  });

  it('calls out what the undone upgrades created and the schema still has', () => {
    const after = schema();
    const behind = leftBehind(after, [
      { revision: 'r1', kind: 'table', name: 'users' }, { revision: 'r1', kind: 'column', name: 'users.email' },
      { revision: 'r1', kind: 'column', name: 'users.phone' }, { revision: 'r2', kind: 'index', name: 'ix_users_email' },
      { revision: 'r2', kind: 'enum', name: 'status' }, { revision: 'r2', kind: 'column', name: 'email' },
    ]);
    assert.deepEqual(behind.map((c) => c.name), ['users', 'users.email', 'ix_users_email']);
  });

  it('writes the report as Markdown, grouped, with the left-behind section first', () => {
    const before = schema();
    const after = schema();
    after.indexes = [];
    const report = changeReport({ title: 'Downgrading to base', command: 'alembic downgrade base', before: snap(before), after: snap(after, 15),
      creations: [{ revision: 'r1', kind: 'table', name: 'users' }] });
    assert.equal(report.summary, '\u22121 index');
    assert.equal(report.snapshotMs, 25);
    const md = changeReportMarkdown(report);
    assert.match(md, /^# Schema change: Downgrading to base\n\n`alembic downgrade base`: \*\*\u22121 index\*\*\./);
    assert.match(md, /## Left behind by the downgrade\n\n.*\n\n- table `users` \(created by `r1`\)/);
    assert.match(md, /## Indexes\n\n- removed: index `ix_users_email` on `users`/);
    assert.ok(md.indexOf('Left behind') < md.indexOf('## Indexes'));
  });
});
