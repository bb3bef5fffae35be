// The static schema model (server/src/core/schema): the history replayed along the graph, what it
// knows and what it leaves unknown, how it re-replays after an edit, and the rules that ask it
// (enum-without-checkfirst, change-column-type) next to a fresh model after edits.
import assert from 'node:assert/strict';
import { loadConfigFile, memoryFileSystem, type ProjectConfig } from '../../server/src/core/project';
import { ProjectModel } from '../../server/src/core/project/model';
import { columnType, constraintPresence, enumPresence, indexPresence, tableOrigin } from '../../server/src/core/schema/model';
import { isExistingTable, RecordedSchemaAt, type SchemaAt } from '../../server/src/core/schema';
import { PMap } from '../../server/src/core/schema/pmap';
import type { Finding } from '../../server/src/core/types';
import { seededRandom } from '../support/random';

const DIR = '/p/migrations/versions';
const INI = '[alembic]\nscript_location = %(here)s/migrations\n';

async function configOf(): Promise<ProjectConfig> {
  const config = await loadConfigFile(memoryFileSystem({ '/p/alembic.ini': INI, '/p/migrations/env.py': '' }), '/p/alembic.ini');
  assert.ok(config);
  return config;
}

/** A migration with the given upgrade body (indented by the caller's lines) and an empty downgrade. */
/** A model holding these texts (path → text), set one by one as an editor would. */
function modelOfTexts(config: ProjectConfig, texts: ReadonlyMap<string, string>): ProjectModel {
  const model = new ProjectModel(config);
  for (const [p, t] of texts) model.setFile(p, t);
  return model;
}

function rev(id: string, down: string | string[] | null, up: string, downBody = 'pass'): string {
  const d = down === null ? 'None' : typeof down === 'string' ? JSON.stringify(down) : `(${down.map((x) => JSON.stringify(x)).join(', ')})`;
  return `from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from myapp.models import Thing

revision = ${JSON.stringify(id)}
down_revision = ${d}
branch_labels = None
depends_on = None


def upgrade():
${up.split('\n').map((l) => `    ${l}`).join('\n')}


def downgrade():
    ${downBody}
`;
}

async function modelOf(revs: [string, string | string[] | null, string, string?][]): Promise<ProjectModel> {
  const model = new ProjectModel(await configOf());
  for (const [id, down, up, downBody] of revs) model.setFile(`${DIR}/${id}.py`, rev(id, down, up, downBody));
  return model;
}

const ofRule = (fs: readonly Finding[], rule: string): Finding[] => fs.filter((f) => f.rule === rule);
const fileOf = (model: ProjectModel, id: string): readonly Finding[] => model.findingsByPath().get(`${DIR}/${id}.py`) ?? [];

describe('schema model: persistent map', () => {
  it('sets, deletes and merges like a Map, sharing what did not change', () => {
    const rnd = seededRandom(7);
    let m = PMap.empty<number>();
    const ref = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const k = `k${Math.floor(rnd() * 800)}`;
      if (rnd() < 0.2) {
        m = m.delete(k);
        ref.delete(k);
      } else {
        m = m.set(k, i);
        ref.set(k, i);
      }
    }
    for (const [k, v] of ref) assert.equal(m.get(k), v, k);
    assert.equal([...m.entries()].length, ref.size);
    const a = m.set('only-a', 1).set('both', 2);
    const b = m.set('only-b', 3).set('both', 4);
    const seen: string[] = [];
    const merged = a.merge(b, (k, x, y) => {
      seen.push(k);
      return k === 'both' ? -1 : x ?? y;
    });
    assert.deepEqual(seen.sort(), ['both'], 'only the keys both hold with different values are resolved');
    assert.equal(merged.get('only-a'), 1, 'a key only one side holds keeps its value');
    assert.equal(merged.get('only-b'), 3);
    assert.equal(merged.get('both'), -1);
    assert.equal(m.merge(m, () => 0), m);
  });

  it('merges two maps grown apart from one ancestor like a key-by-key merge (deep and shallow differences, removals)', () => {
    const rnd = seededRandom(11);
    for (let round = 0; round < 20; round++) {
      let base = PMap.empty<number>();
      const size = [5, 40, 600, 3000][round % 4] ?? 5;
      for (let i = 0; i < size; i++) base = base.set(`k${i}`, i);
      const grow = (m: PMap<number>, changes: number): PMap<number> => {
        const t = m.transient();
        for (let i = 0; i < changes; i++) t.set(`k${Math.floor(rnd() * size * 1.5)}`, Math.floor(rnd() * 1000));
        return t.done();
      };
      const a = grow(base, Math.floor(rnd() * size));
      const b = grow(base, Math.floor(rnd() * size));
      // Even sums win, odd ones remove the key: resolve's answer is used as it is.
      const resolve = (_k: string, x: number, y: number): number | undefined => ((x + y) % 2 === 0 ? x + y : undefined);
      const merged = a.merge(b, resolve);
      const ref = new Map(a.entries());
      for (const [k, y] of b.entries()) {
        const x = ref.get(k);
        if (x === undefined) ref.set(k, y);
        else if (x !== y) {
          const v = resolve(k, x, y);
          if (v === undefined) ref.delete(k);
          else ref.set(k, v);
        }
      }
      assert.deepEqual(new Map([...merged.entries()].sort()), new Map([...ref].sort()), `round ${round}`);
      for (const [k, v] of ref) assert.equal(merged.get(k), v, k);
    }
  });

  it('a transient refuses sets after done() (its nodes belong to the map it gave)', () => {
    const t = PMap.empty<number>().transient();
    t.set('a', 1);
    const m = t.done();
    assert.throws(() => t.set('b', 2), /after done/);
    assert.equal(m.get('b'), undefined);
  });
});

describe('schema model: replay', () => {
  it('knows tables, column types, enums, indexes and constraints by their default names along a linear history', async () => {
    const model = await modelOf([
      ['r1', null, `op.create_table('users', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('name', sa.String(64)), sa.Column('state', sa.Enum('a', 'b', name='user_state')), sa.Column('org_id', sa.Integer(), sa.ForeignKey('orgs.id'), index=True))`],
      ['r2', 'r1', `op.add_column('users', sa.Column('email', sa.String(length=128)))\nop.create_foreign_key(None, 'users', 'orgs', ['email'], ['id'])\nop.create_index(op.f('ix_users_email'), 'users', ['email'])`],
      ['r3', 'r2', `op.alter_column('users', 'name', type_=sa.Text())\nop.drop_table('legacy')\nop.execute('DROP TYPE user_state')`],
    ]);
    const r = model.schema;
    assert.equal(columnType(r.before('r1'), 'users', 'name'), undefined, 'nothing before the first revision');
    assert.deepEqual(columnType(r.after('r1'), 'users', 'name'), { family: 'varchar', base: 'String', length: 64, argsKnown: true });
    assert.equal(columnType(r.after('r2'), 'users', 'email')?.length, 128);
    assert.equal(columnType(r.after('r3'), 'users', 'name')?.family, 'text');
    assert.equal(enumPresence(r.before('r1'), 'user_state'), 'no');
    assert.equal(enumPresence(r.after('r1'), 'user_state'), 'yes', 'create_table creates the enum type of its column');
    assert.equal(enumPresence(r.after('r3'), 'user_state'), 'no');
    assert.equal(constraintPresence(r.after('r1'), 'users', 'users_pkey'), 'yes');
    assert.equal(constraintPresence(r.after('r1'), 'users', 'users_org_id_fkey'), 'yes');
    assert.equal(indexPresence(r.after('r1'), 'ix_users_org_id'), 'yes');
    assert.equal(constraintPresence(r.after('r2'), 'users', 'users_email_fkey'), 'yes', 'create_foreign_key(None, ...) gets <table>_<col>_fkey');
    assert.equal(indexPresence(r.after('r2'), 'ix_users_email'), 'yes');
    assert.equal(tableOrigin(r.before('r2'), 'users', 'r2', undefined), 'existing', 'without releases an earlier revision made an existing table');
    assert.equal(tableOrigin(r.before('r2'), 'orgs', 'r2', undefined), 'existing', 'a table from before the history');
    assert.equal(tableOrigin(r.after('r3'), 'legacy', 'r4', undefined), 'unknown', 'dropped');
    // Released r1: r2 and r3 are one deploy, so users (created by r1) is existing; a table r2 creates is not for r3.
    const isNew = (id: string): boolean => id !== 'r1';
    assert.equal(tableOrigin(r.before('r2'), 'users', 'r2', isNew), 'existing');
    assert.equal(tableOrigin(r.before('r2'), 'users', 'r2', () => true), 'this-deploy');
  });

  it('joins branches at a merge: each branch\'s changes, and unknown where both changed one thing differently', async () => {
    const model = await modelOf([
      ['base', null, `op.create_table('t', sa.Column('a', sa.String(10)), sa.Column('b', sa.String(10)), sa.Column('c', sa.String(10)))`],
      ['left', 'base', `op.alter_column('t', 'a', type_=sa.String(20))\nop.alter_column('t', 'c', type_=sa.String(30))`],
      ['right', 'base', `op.alter_column('t', 'b', type_=sa.String(40))\nop.alter_column('t', 'c', type_=sa.String(50))\nsa.Enum('x', name='mood').create(op.get_bind())`],
      ['merge', ['left', 'right'], 'pass'],
    ]);
    const s = model.schema.before('merge');
    assert.equal(columnType(s, 't', 'a')?.length, 20);
    assert.equal(columnType(s, 't', 'b')?.length, 40);
    assert.equal(columnType(s, 't', 'c'), undefined, 'both branches changed it: which ran last is not known');
    assert.equal(enumPresence(s, 'mood'), 'yes');
    assert.equal(enumPresence(model.schema.before('left'), 'mood'), 'no');
  });

  it('joins a merge once for all the questions before it, and again once a branch is edited', async () => {
    const model = await modelOf([
      ['base', null, `op.create_table('t', sa.Column('a', sa.String(10)))`],
      ['left', 'base', `op.alter_column('t', 'a', type_=sa.String(20))`],
      ['right', 'base', `op.create_table('u', sa.Column('b', sa.String(10)))`],
      ['merge', ['left', 'right'], 'pass'],
    ]);
    const first = model.schema.before('merge');
    assert.equal(model.schema.before('merge'), first, 'the second question finds the join made for the first');
    assert.equal(columnType(first, 't', 'a')?.length, 20);
    model.setFile(`${DIR}/left.py`, rev('left', 'base', `op.alter_column('t', 'a', type_=sa.String(25))`));
    const again = model.schema.before('merge');
    assert.notEqual(again, first);
    assert.equal(columnType(again, 't', 'a')?.length, 25, 'the edited branch is joined anew');
    assert.equal(columnType(again, 'u', 'b')?.length, 10);
  });

  it('leaves unknown what the code does not say: unknown conditions, SQL it cannot read, unnamed tables, outside helpers', async () => {
    const model = await modelOf([
      ['u1', null, `op.create_table('t', sa.Column('a', sa.String(10)), sa.Column('b', sa.String(10)))\nsa.Enum('x', name='kind').create(op.get_bind())`],
      ['u2', 'u1', `if not has_column('t', 'a'):\n    op.alter_column('t', 'a', type_=sa.String(5))\nif op.get_bind().dialect.name == 'mysql':\n    op.alter_column('t', 'b', type_=sa.String(1))\nop.execute('CREATE TRIGGER trg BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION f()')`],
      ['u3', 'u2', `op.execute(some_sql)`],
      ['u4', 'u3', `Thing.__table__.create(op.get_bind())`],
    ]);
    const r = model.schema;
    assert.equal(columnType(r.after('u1'), 't', 'a')?.length, 10);
    assert.equal(columnType(r.after('u2'), 't', 'a'), undefined, 'SQL naming t makes its columns unknown');
    assert.equal(tableOrigin(r.after('u2'), 't', 'u3', undefined), 'existing', 'but not its existence');
    assert.equal(enumPresence(r.after('u2'), 'kind'), 'yes');
    assert.equal(enumPresence(r.after('u2'), 'other'), 'no');
    assert.equal(enumPresence(r.after('u3'), 'other'), 'unknown', 'op.execute of a variable may create anything');
    assert.equal(enumPresence(r.after('u3'), 'kind'), 'yes', 'what is known stays known');
    assert.equal(tableOrigin(r.after('u4'), 'never_seen', 'u5', () => true), 'unknown', 'a new revision created some table');
    assert.equal(tableOrigin(r.after('u4'), 'never_seen', 'u5', (id) => id === 'u5'), 'existing', 'a released one did: existing either way');

    const guarded = await modelOf([
      ['g1', null, `op.create_table('t', sa.Column('a', sa.String(10)))`],
      ['g2', 'g1', `if not has_column('t', 'a'):\n    op.alter_column('t', 'a', type_=sa.String(5))\nif op.get_bind().dialect.name == 'mysql':\n    op.create_table('mysql_only')`],
    ]);
    assert.equal(columnType(guarded.schema.after('g2'), 't', 'a'), undefined, 'a condition we cannot read');
    assert.equal(tableOrigin(guarded.schema.after('g2'), 'mysql_only', 'g3', undefined), 'existing', 'a branch that never runs on PostgreSQL: never created');
  });

  it('re-replays only from the edited revision on', async () => {
    const revs: [string, string | null, string][] = [];
    for (let i = 0; i < 200; i++) revs.push([`n${i}`, i === 0 ? null : `n${i - 1}`, i === 0 ? `op.create_table('t', sa.Column('a', sa.String(10)))` : `op.add_column('t', sa.Column('c${i}', sa.Integer()))`]);
    const model = await modelOf(revs);
    model.schema.after('n199');
    assert.equal(model.schema.replayed, 200);
    model.setFile(`${DIR}/n190.py`, rev('n190', 'n189', `op.add_column('t', sa.Column('c190', sa.String(3)))`));
    assert.equal(columnType(model.schema.after('n199'), 't', 'c190')?.length, 3);
    assert.equal(columnType(model.schema.after('n199'), 't', 'c189')?.family, 'other');
    // From the last kept state before the edit (every 128th: n128), not from the start.
    assert.equal(model.schema.replayed - 200, 71, 'n129 to n199 again');
    assert.ok(model.schema.cachedStates < 20, `${model.schema.cachedStates} states kept of 200`);
  });
});

describe('schema model: rules that ask it', () => {
  it('enum-without-checkfirst: a warning for a type an earlier revision created, information for a brand-new one or an unknown one', async () => {
    const model = await modelOf([
      ['e1', null, `op.create_table('a', sa.Column('s', sa.Enum('x', 'y', name='status')))`],
      ['e2', 'e1', `sa.Enum('x', 'y', name='status').create(op.get_bind())\nsa.Enum('p', name='fresh').create(op.get_bind())`],
      ['e3', 'e2', `op.create_table('b', sa.Column('s', sa.Enum('x', 'y', name='status')))\nop.create_table('c', sa.Column('s', postgresql.ENUM('x', 'y', name='status', create_type=False)))`],
      ['e4', 'e3', `op.execute(unknown_sql)`],
      ['e5', 'e4', `sa.Enum('q', name='maybe').create(op.get_bind())`],
    ]);
    const e2 = ofRule(fileOf(model, 'e2'), 'enum-without-checkfirst');
    assert.deepEqual(e2.map((f) => f.severity), ['warning', 'information']);
    assert.match(e2[0]?.message ?? '', /revision e1 created it already/);
    const e3 = ofRule(fileOf(model, 'e3'), 'enum-without-checkfirst');
    assert.equal(e3.length, 1, 'the create_type=False column is fine');
    assert.equal(e3[0]?.severity, 'warning');
    assert.match(e3[0]?.message ?? '', /create_table creates enum type 'status'.*already exists/);
    assert.equal(e3[0]?.range.start.line, 12);
    assert.deepEqual(ofRule(fileOf(model, 'e5'), 'enum-without-checkfirst').map((f) => f.severity), ['information'], 'unknown never warns');
  });

  it('enum-without-checkfirst: a drop of a type an earlier revision dropped already', async () => {
    const model = await modelOf([
      ['d1', null, `sa.Enum('x', name='gone').create(op.get_bind())`],
      ['d2', 'd1', `sa.Enum(name='gone').drop(op.get_bind())`],
      ['d3', 'd2', `op.execute('DROP TYPE gone')\nop.execute('DROP TYPE from_before_history')`],
    ]);
    const d3 = ofRule(fileOf(model, 'd3'), 'enum-without-checkfirst');
    assert.deepEqual(d3.map((f) => [f.severity, f.range.start.line]), [['warning', 12], ['information', 13]]);
    assert.match(d3[0]?.message ?? '', /revision d2 dropped it already/);
  });

  it('change-column-type: the type an earlier revision gave the column decides, when the call does not say it', async () => {
    const model = await modelOf([
      ['c1', null, `op.create_table('t', sa.Column('code', sa.String(64)), sa.Column('n', sa.Numeric(10, 2)), sa.Column('x', sa.Integer()))`],
      ['c2', 'c1', `op.alter_column('t', 'code', type_=sa.String(256))`],
      ['c3', 'c2', `op.alter_column('t', 'code', type_=sa.String(32))`],
      ['c4', 'c3', `op.alter_column('t', 'x', type_=sa.BigInteger())\nop.alter_column('t', 'n', type_=sa.Numeric(12, 2))\nop.alter_column('other', 'y', type_=sa.String(10))`],
    ]);
    assert.deepEqual(ofRule(fileOf(model, 'c2'), 'change-column-type'), [], 'VARCHAR(64) to VARCHAR(256): no rewrite');
    assert.deepEqual(ofRule(fileOf(model, 'c3'), 'change-column-type').map((f) => f.severity), ['warning'], 'shrinking rewrites (and checks) every row');
    assert.deepEqual(ofRule(fileOf(model, 'c4'), 'change-column-type').map((f) => [f.range.start.line, f.severity]), [[12, 'warning'], [14, 'information']],
      'a type change is a rewrite; NUMERIC(10,2) to (12,2) is not; a column the model does not know stays information');
  });

  it('isExistingTable: existing for tables from released or earlier revisions, not for a table of the same deploy, unknown when unknown', async () => {
    const asked: Record<string, boolean | undefined> = {};
    const model = await modelOf([
      ['x1', null, `op.create_table('old', sa.Column('a', sa.Integer()))`],
      ['x2', 'x1', `op.create_table('fresh', sa.Column('a', sa.Integer()))\nThing.__table__.create(op.get_bind())`],
      ['x3', 'x2', `op.add_column('fresh', sa.Column('b', sa.Integer()))`],
    ]);
    model.setRelease({ scope: 'all', since: 'x1' });
    const isNew = (id: string): boolean => id !== 'x1';
    const at: SchemaAt = new RecordedSchemaAt('x3', model.schema, isNew);
    for (const t of ['old', 'fresh', 'from_before', 'gone']) asked[t] = isExistingTable({ schema: at }, t);
    assert.deepEqual(asked, { old: true, fresh: false, from_before: undefined, gone: undefined });
    assert.equal(isExistingTable({}, 'fresh'), true, 'without a model: every table the revision does not create');
  });

  it('a body edit that changes no effect replays nothing after it; one that does replays from the edit on', async () => {
    const revs: [string, string | null, string][] = Array.from({ length: 300 }, (_, k) => [
      `z${k}`, k === 0 ? null : `z${k - 1}`, k === 0 ? `op.create_table('t', sa.Column('a', sa.Integer()))` : `op.add_column('t', sa.Column('c${k}', sa.Integer()))`,
    ]);
    const model = await modelOf(revs);
    model.findingsByPath();
    const replayed = model.schema.replayed;
    assert.ok(replayed >= 299, `the first check replays the states before each revision (${replayed})`);
    // A comment and a data statement: the same effects.
    model.setFile(`${DIR}/z5.py`, rev('z5', 'z4', `# backfill later\nop.add_column('t', sa.Column('c5', sa.Integer()))\nop.execute("UPDATE t SET a = 1")`));
    model.findingsByPath();
    // The edited file's own rules replay from the nearest kept state (one in 128) up to it; nothing after it.
    const again = model.schema.replayed - replayed;
    assert.ok(again < 128, `only the states up to the edit are computed again (${again})`);
    model.setFile(`${DIR}/z5.py`, rev('z5', 'z4', `op.add_column('t', sa.Column('c5', sa.String(10)))`));
    model.findingsByPath();
    assert.ok(model.schema.replayed - replayed - again >= 250, `a changed column type replays the states after it (${model.schema.replayed - replayed - again})`);
  });

  it('the lock rules stay quiet on a table a new revision of the same deploy created, and speak on a released one', async () => {
    const volatile = `op.add_column('fresh', sa.Column('token', sa.String(), server_default=sa.text('gen_random_uuid()')))`;
    const revs: [string, string | null, string][] = [
      ['y1', null, `op.create_table('base', sa.Column('a', sa.Integer()))`],
      ['y2', 'y1', `op.create_table('fresh', sa.Column('a', sa.Integer()))`],
      ['y3', 'y2', volatile],
    ];
    const deployed = await modelOf(revs);
    deployed.setRelease({ scope: 'all', since: 'y2' });
    assert.equal(ofRule(fileOf(deployed, 'y3'), 'add-column-with-volatile-default').length, 1, 'fresh ran in production with y2: its rows are rewritten');
    const sameDeploy = await modelOf(revs);
    sameDeploy.setRelease({ scope: 'all', since: 'y1' });
    assert.deepEqual(ofRule(fileOf(sameDeploy, 'y3'), 'add-column-with-volatile-default'), [], 'fresh is created in the same deploy: empty, nobody waits');
  });

  it('lock-timeout-missing: a constraint added in op.execute SQL locks as op.create_check_constraint does, on the table its SQL names', async () => {
    const revs: [string, string | null, string][] = [
      ['w1', null, `op.create_table('fresh', sa.Column('a', sa.Integer()))`],
      ['w2', 'w1', `op.execute("ALTER TABLE fresh ADD CONSTRAINT fresh_a_positive CHECK (a > 0) NOT VALID")`],
    ];
    const deployed = await modelOf(revs);
    deployed.setRelease({ scope: 'all', since: 'w1' });
    const found = ofRule(fileOf(deployed, 'w2'), 'lock-timeout-missing');
    assert.equal(found.length, 1, 'fresh ran in production with w1: the ALTER waits for ACCESS EXCLUSIVE');
    assert.match(found[0]?.message ?? '', /ACCESS EXCLUSIVE/);
    const sameDeploy = await modelOf(revs);
    sameDeploy.setRelease({ scope: 'all' });
    assert.deepEqual(ofRule(fileOf(sameDeploy, 'w2'), 'lock-timeout-missing'), [], 'fresh is created in the same deploy: nobody waits for it');
  });

  it('an edit of an earlier revision changes the later revision\'s findings as a fresh model finds them', async () => {
    const config = await configOf();
    const texts = new Map<string, string>();
    const put = (id: string, down: string | null, up: string): void => void texts.set(`${DIR}/${id}.py`, rev(id, down, up));
    put('s1', null, `op.create_table('t', sa.Column('code', sa.String(64)), sa.Column('s', sa.Enum('a', name='st')))`);
    put('s2', 's1', 'op.add_column("t", sa.Column("z", sa.Integer()))');
    put('s3', 's2', `op.alter_column('t', 'code', type_=sa.String(100))\nsa.Enum('a', name='st').create(op.get_bind())`);
    const model = modelOfTexts(config, texts);
    const fresh = (): Map<string, readonly Finding[]> => new Map(modelOfTexts(config, texts).findingsByPath());
    assert.deepEqual(new Map(model.findingsByPath()), fresh());
    const rnd = seededRandom(3);
    const bodies = [
      `op.create_table('t', sa.Column('code', sa.String(64)), sa.Column('s', sa.Enum('a', name='st')))`,
      `op.create_table('t', sa.Column('code', sa.String(200)), sa.Column('s', postgresql.ENUM('a', name='st', create_type=False)))`,
      `op.create_table('t', sa.Column('code', sa.Text()))`,
      `op.execute(sql)`,
    ];
    for (let step = 0; step < 20; step++) {
      const which = rnd() < 0.7 ? 's1' : 's2';
      const body = which === 's1' ? bodies[Math.floor(rnd() * bodies.length)] ?? '' : rnd() < 0.5 ? `op.alter_column('t', 'code', type_=sa.String(${Math.floor(rnd() * 300)}))` : 'op.drop_table("t")';
      put(which, which === 's1' ? null : 's1', body);
      model.setFile(`${DIR}/${which}.py`, texts.get(`${DIR}/${which}.py`) ?? '');
      assert.deepEqual(new Map(model.findingsByPath()), fresh(), `step ${step}: ${which} = ${body}`);
    }
  });

  it('new down_revisions keep the findings equal to a fresh model\'s (only the moved revision and what follows it replay)', async () => {
    const config = await configOf();
    const texts = new Map<string, string>();
    const put = (id: string, down: string | null, up: string): void => void texts.set(`${DIR}/${id}.py`, rev(id, down, up));
    const bodies = [
      `op.create_table('t', sa.Column('code', sa.String(64)), sa.Column('s', sa.Enum('a', name='st')))`,
      `sa.Enum('a', name='st').create(op.get_bind())`,
      `op.alter_column('t', 'code', type_=sa.String(100))`,
      `op.alter_column('t', 'code', type_=sa.String(20))`,
      'op.drop_table("t")',
      `op.add_column('t', sa.Column('n', sa.Integer()))`,
    ];
    const rnd = seededRandom(11);
    const pick = (): string => bodies[Math.floor(rnd() * bodies.length)] ?? '';
    for (let k = 0; k < 12; k++) put(`q${k}`, k === 0 ? null : `q${k - 1}`, pick());
    const model = modelOfTexts(config, texts);
    const fresh = (): Map<string, readonly Finding[]> => new Map(modelOfTexts(config, texts).findingsByPath());
    assert.deepEqual(new Map(model.findingsByPath()), fresh());
    for (let step = 0; step < 30; step++) {
      const k = 1 + Math.floor(rnd() * 11);
      const down = `q${Math.floor(rnd() * k)}`;
      put(`q${k}`, down, pick());
      model.setFile(`${DIR}/q${k}.py`, texts.get(`${DIR}/q${k}.py`) ?? '');
      assert.deepEqual(new Map(model.findingsByPath()), fresh(), `step ${step}: q${k} now on ${down}`);
    }
  });

  it('a new down_revision near the head replays the moved revision and what follows it, not the whole history', async () => {
    const revs: [string, string | null, string][] = Array.from({ length: 300 }, (_, k) => [
      `w${k}`, k === 0 ? null : `w${k - 1}`, k === 0 ? `op.create_table('t', sa.Column('a', sa.Integer()))` : `op.add_column('t', sa.Column('c${k}', sa.Integer()))`,
    ]);
    const model = await modelOf(revs);
    model.findingsByPath();
    const replayed = model.schema.replayed;
    model.setFile(`${DIR}/w299.py`, rev('w299', 'w297', `op.add_column('t', sa.Column('c299', sa.Integer()))`));
    model.findingsByPath();
    const again = model.schema.replayed - replayed;
    assert.ok(again < 128, `states computed again (${again}): only up to the moved revision`);
  });
});
