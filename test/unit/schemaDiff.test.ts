// The schema diff on hand-built snapshots: names, wording, grouping, and what is folded into a table.
import assert from 'node:assert/strict';
import {
  describeDifference, diffSnapshots, groupDifferences, snapshotsEqual,
} from '../../runtime/db/schemaDiff';
import type { SchemaSnapshot, TableSnapshot } from '../../runtime/db/snapshot';

function empty(): SchemaSnapshot {
  return {
    schemas: ['public'], extensions: [], tables: [], indexes: [], constraints: [], enums: [], sequences: [],
    views: [], functions: [], triggers: [],
  };
}

function users(): TableSnapshot {
  return {
    schema: 'public', name: 'users', partitioned: false, unlogged: false,
    columns: [
      { name: 'id', type: 'integer', notNull: true, identity: 'by default' },
      { name: 'nickname', type: 'text', notNull: false, default: "'anon'::text" },
    ],
  };
}

function base(): SchemaSnapshot {
  const s = empty();
  s.tables.push(users());
  s.constraints.push({ schema: 'public', table: 'users', name: 'users_pkey', type: 'primary key', definition: 'PRIMARY KEY (id)' });
  s.enums.push({ schema: 'public', name: 'projectstatus', labels: ['draft', 'active'] });
  return s;
}

describe('schemaDiff', () => {
  it('finds nothing between equal snapshots', () => {
    assert.deepEqual(diffSnapshots(base(), base()), []);
    assert.ok(snapshotsEqual(base(), base()));
  });

  it('names what only the second snapshot has (what a downgrade left behind)', () => {
    const after = base();
    after.enums.push({ schema: 'public', name: 'userrole', labels: ['admin'] });
    after.indexes.push({ schema: 'public', table: 'users', name: 'ix_users_nickname', definition: 'CREATE INDEX ix_users_nickname ON public.users USING btree (nickname)' });
    after.constraints.push({ schema: 'audit', table: 'users', name: 'ck_x', type: 'check', definition: 'CHECK (true)' });
    const diffs = diffSnapshots(base(), after);
    assert.deepEqual(diffs.map((d) => [d.kind, d.change, d.label, d.name, d.table]), [
      ['enum', 'added', 'enum userrole', 'userrole', undefined],
      ['constraint', 'added', 'check constraint ck_x on audit.users', 'ck_x', 'users'],
      ['index', 'added', 'index ix_users_nickname on users', 'ix_users_nickname', 'users'],
    ]);
    assert.ok(!snapshotsEqual(base(), after));
  });

  it('words a changed column default, type and nullability', () => {
    const after = base();
    const nickname = after.tables[0]?.columns[1];
    assert.ok(nickname);
    nickname.default = undefined;
    delete nickname.default;
    nickname.type = 'character varying(40)';
    nickname.notNull = true;
    const [d, ...rest] = diffSnapshots(base(), after);
    assert.deepEqual(rest, []);
    assert.ok(d);
    assert.equal(d.kind, 'column');
    assert.equal(d.label, 'column users.nickname');
    assert.equal(describeDifference(d),
      "column users.nickname type changed from text to character varying(40); nullability changed from NULL to " +
      "NOT NULL; default changed from 'anon'::text to none");
  });

  it('words enum label changes: gained, lost, reordered', () => {
    const gained = base();
    gained.enums[0]!.labels = ['draft', 'active', 'archived'];
    assert.deepEqual(diffSnapshots(base(), gained).map(describeDifference), ["enum projectstatus gained labels 'archived'"]);
    const lost = base();
    lost.enums[0]!.labels = ['draft'];
    assert.deepEqual(diffSnapshots(base(), lost).map(describeDifference), ["enum projectstatus lost labels 'active'"]);
    const reordered = base();
    reordered.enums[0]!.labels = ['active', 'draft'];
    assert.deepEqual(diffSnapshots(base(), reordered).map(describeDifference),
      ["enum projectstatus label order changed from ('draft', 'active') to ('active', 'draft')"]);
  });

  it('folds the columns, indexes, constraints and owned sequences of a whole table into the table', () => {
    const after = base();
    after.tables.push({ schema: 'public', name: 'projects', partitioned: false, unlogged: false, columns: [{ name: 'id', type: 'integer', notNull: true }] });
    after.constraints.push({ schema: 'public', table: 'projects', name: 'projects_pkey', type: 'primary key', definition: 'PRIMARY KEY (id)' });
    after.indexes.push({ schema: 'public', table: 'projects', name: 'ix_p', definition: 'CREATE INDEX ix_p ON public.projects USING btree (id)' });
    after.sequences.push({ schema: 'public', name: 'projects_id_seq', type: 'integer', start: '1', increment: '1', min: '1', max: '2147483647', cache: '1', cycle: false, ownedBy: 'public.projects.id' });
    after.sequences.push({ schema: 'public', name: 'free_seq', type: 'bigint', start: '1', increment: '1', min: '1', max: '9', cache: '1', cycle: false });
    assert.deepEqual(diffSnapshots(base(), after).map((d) => `${d.change} ${d.label}`), [
      'added table projects',
      'added sequence free_seq',
    ]);
    // The other direction: the table was dropped and not restored.
    assert.deepEqual(diffSnapshots(after, base()).map((d) => `${d.change} ${d.label}`), [
      'removed table projects',
      'removed sequence free_seq',
    ]);
  });

  it('reports a changed definition with both versions', () => {
    const a = base();
    const b = base();
    b.constraints[0]!.definition = 'PRIMARY KEY (id, nickname)';
    assert.deepEqual(diffSnapshots(a, b).map(describeDifference),
      ['primary key constraint users_pkey on users definition changed from PRIMARY KEY (id) to PRIMARY KEY (id, nickname)']);
  });

  it('groups by kind in a fixed order and sorts inside a group', () => {
    const after = base();
    after.indexes.push({ schema: 'public', table: 'users', name: 'ix_b', definition: 'x' });
    after.indexes.push({ schema: 'public', table: 'users', name: 'ix_a', definition: 'y' });
    after.enums.push({ schema: 'public', name: 'zeta', labels: [] });
    after.schemas.push('audit');
    const groups = groupDifferences(diffSnapshots(base(), after));
    assert.deepEqual(groups.map((g) => [g.kind, g.items.map((d) => d.name)]), [
      ['schema', ['audit']],
      ['enum', ['zeta']],
      ['index', ['ix_a', 'ix_b']],
    ]);
  });
});
