// Proof of the lock table (server/src/core/locks/table.ts) on the real server: every case's code
// (and its batch form) is rendered by the real Alembic (`alembic upgrade --sql`), and its SQL runs
// on the throwaway PostgreSQL against test/fixtures/locks/schema.sql. What the server does is read
// from the server itself:
//   the lock mode   pg_locks of the migrating session, the strongest mode per table;
//   a rewrite       pg_relation_filenode before and after;
//   a scan          the session's scan counter of the table (pg_stat_get_xact_numscans);
//   what it blocks  a second session's LOCK TABLE ... NOWAIT in ACCESS SHARE (reads) and ROW
//                   EXCLUSIVE (writes) mode while the lock is held.
// A case that must run outside a transaction (CONCURRENTLY) is held in its wait for an older writer,
// and read from a third session meanwhile. The claims are the ones for the server's own version.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { callLocks, type LockItem } from '../../server/src/core/locks/classify';
import { describeItem } from '../../server/src/core/locks/describe';
import { LOCK_CASES, LOCK_MODES, type LockClaim, type LockMode, pgLockName } from '../../server/src/core/locks/table';
import { parseMigration } from '../../server/src/core/parse';
import { caseMigrations, type CaseMigration, migrationText } from '../support/lockCases';
import { copyFixture, fixturePath } from '../support/paths';
import { createScratchDatabase, type ScratchDatabase } from '../support/pg';
import { runAlembic } from '../support/python';

const FIXTURE_TABLES = ['users', 'orgs', 'teams', 'tags'];
const MODE_BY_PG_NAME = new Map<string, LockMode>(LOCK_MODES.map((m) => [pgLockName(m), m]));

/** The SQL Alembic renders for each revision, split at its `-- Running upgrade a -> b` comments. */
function renderedSql(output: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const chunk of output.split(/;\s*\n/)) {
    const lines = chunk.split('\n');
    const statement: string[] = [];
    for (const line of lines) {
      const running = /^-- Running upgrade .*-> (\w+)/.exec(line);
      if (running?.[1]) {
        current = [];
        out.set(running[1], current);
      } else if (!line.startsWith('--') && line.trim() !== '') {
        statement.push(line);
      }
    }
    const s = statement.join('\n').trim();
    // Alembic's own bookkeeping and transaction control are not the case's statements.
    if (!s || /^(BEGIN|COMMIT)$/i.test(s) || /alembic_version/i.test(s)) continue;
    current?.push(s);
  }
  return out;
}

interface Measured {
  /** Strongest mode held per table name. */
  modes: Map<string, LockMode>;
  rewritten: boolean;
  /** Scans of the operation's table by the session; undefined when they cannot be counted. */
  scans: number | undefined;
  /** From a second session while the lock was held, on the operation's table. */
  readsBlocked: boolean;
  writesBlocked: boolean;
}

async function connect(url: string): Promise<Client> {
  const c = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await c.connect();
  return c;
}

async function oidOf(c: Client, name: string): Promise<number | undefined> {
  const r = await c.query<{ oid: string | null }>('SELECT to_regclass($1)::oid AS oid', [name]);
  const oid = r.rows[0]?.oid;
  return oid === null || oid === undefined ? undefined : Number(oid);
}

async function heldModes(observer: Client, pid: number, oids: Map<string, number>): Promise<Map<string, LockMode>> {
  const r = await observer.query<{ relation: string; mode: string }>(
    "SELECT relation::oid::int8 AS relation, mode FROM pg_locks WHERE pid = $1 AND locktype = 'relation' AND granted AND relation = ANY($2::oid[])",
    [pid, [...oids.values()]]);
  const out = new Map<string, LockMode>();
  for (const row of r.rows) {
    const name = [...oids].find(([, oid]) => oid === Number(row.relation))?.[0];
    const mode = MODE_BY_PG_NAME.get(row.mode);
    if (name === undefined || mode === undefined) continue;
    const before = out.get(name);
    if (before === undefined || LOCK_MODES.indexOf(mode) > LOCK_MODES.indexOf(before)) out.set(name, mode);
  }
  return out;
}

/** Whether another session can take the lock a read (ACCESS SHARE) or a write (ROW EXCLUSIVE) takes, now. */
async function blocks(other: Client, table: string, mode: 'ACCESS SHARE' | 'ROW EXCLUSIVE'): Promise<boolean> {
  await other.query('BEGIN');
  try {
    await other.query(`LOCK TABLE ${table} IN ${mode} MODE NOWAIT`);
    return false;
  } catch (err) {
    if ((err as { code?: string }).code === '55P03') return true;
    throw err;
  } finally {
    await other.query('ROLLBACK');
  }
}

/** The tables the statements' foreign keys reference, read from the catalog before they run. */
async function referencedTables(c: Client, item: LockItem, statements: string[]): Promise<string[]> {
  if (item.referenced !== undefined) return [item.referenced];
  const names = new Set<string>();
  for (const s of statements) {
    const named = /\b(?:DROP|VALIDATE) CONSTRAINT (\w+)/i.exec(s)?.[1];
    const r = named !== undefined
      ? await c.query<{ t: string }>("SELECT confrelid::regclass::text AS t FROM pg_constraint WHERE conname = $1 AND contype = 'f'", [named])
      : /^DROP TABLE/i.test(s) && item.table !== undefined
        ? await c.query<{ t: string }>("SELECT confrelid::regclass::text AS t FROM pg_constraint WHERE conrelid = to_regclass($1) AND contype = 'f'", [item.table])
        : { rows: [] };
    for (const row of r.rows) names.add(row.t);
  }
  return [...names];
}

describe('locks on the real PostgreSQL', function () {
  this.timeout(120_000);
  const migrations = caseMigrations(LOCK_CASES);
  let db: ScratchDatabase;
  let sqlOf: Map<string, string[]>;
  let version: number;
  const schema = fs.readFileSync(fixturePath('locks', 'schema.sql'), 'utf8');
  const revisionOf = (i: number): string => `c${String(i + 1).padStart(3, '0')}`;

  before(async () => {
    const project = copyFixture('locks');
    migrations.forEach((m, i) => {
      fs.writeFileSync(path.join(project, 'migrations', 'versions', `${revisionOf(i)}.py`), migrationText(m, revisionOf(i), i === 0 ? null : revisionOf(i - 1)));
    });
    const r = runAlembic(path.join(project, 'lockproof.ini'), ['upgrade', 'head', '--sql']);
    assert.equal(r.status, 0, `alembic upgrade head --sql:\n${r.stderr}`);
    sqlOf = renderedSql(r.stdout);
    db = await createScratchDatabase('locks');
    const c = await connect(db.url);
    try {
      version = Math.floor(Number((await c.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0]?.v) / 10000);
      await c.query(schema);
    } finally {
      await c.end();
    }
  });
  /** What the server did, printed after the cases: the lock table as measured. */
  const measuredRows: string[] = [];
  after(async () => {
    await db?.drop();
    if (measuredRows.length > 0) console.log(`      measured on PostgreSQL ${version}:\n${measuredRows.map((r) => `        ${r}`).join('\n')}`);
  });

  /** The fixture schema again, after a case that committed (CONCURRENTLY cannot be rolled back). */
  async function resetSchema(c: Client): Promise<void> {
    await c.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public; DROP TYPE IF EXISTS mood;');
    await c.query(schema);
  }

  /** Runs the statements in one transaction, measures, rolls back. */
  async function inTransaction(statements: string[], table: string | undefined, tables: string[], autocommit = false): Promise<Measured> {
    const [a, other] = [await connect(db.url), await connect(db.url)];
    try {
      const before = new Map<string, number>();
      for (const t of tables) {
        const oid = await oidOf(a, t);
        if (oid !== undefined) before.set(t, oid);
      }
      const tableOid = table === undefined ? undefined : before.get(table);
      if (!autocommit) await a.query('BEGIN');
      const filenode = tableOid === undefined ? undefined : (await a.query<{ f: string }>('SELECT pg_relation_filenode($1::oid) AS f', [tableOid])).rows[0]?.f;
      const scans0 = tableOid === undefined ? 0 : Number((await a.query<{ n: string }>('SELECT pg_stat_get_xact_numscans($1::oid) AS n', [tableOid])).rows[0]?.n);
      for (const s of statements) await a.query(s);
      // A table the statements created is looked up after them.
      const oids = new Map(before);
      for (const t of tables) if (!oids.has(t)) { const oid = await oidOf(a, t); if (oid !== undefined) oids.set(t, oid); }
      const pid = Number((await a.query<{ p: number }>('SELECT pg_backend_pid() AS p')).rows[0]?.p);
      const modes = await heldModes(a, pid, oids);
      const after = tableOid === undefined ? undefined : (await a.query<{ f: string | null }>('SELECT pg_relation_filenode($1::oid) AS f', [tableOid])).rows[0]?.f;
      const scans = tableOid === undefined ? undefined : Number((await a.query<{ n: string }>('SELECT pg_stat_get_xact_numscans($1::oid) AS n', [tableOid])).rows[0]?.n) - scans0;
      const visible = table !== undefined && tableOid !== undefined;
      const measured: Measured = {
        modes, rewritten: filenode !== undefined && after !== null && after !== undefined && after !== filenode, scans,
        readsBlocked: visible ? await blocks(other, table, 'ACCESS SHARE') : false,
        writesBlocked: visible ? await blocks(other, table, 'ROW EXCLUSIVE') : false,
      };
      if (autocommit) await resetSchema(a);
      else await a.query('ROLLBACK');
      return measured;
    } finally {
      await a.end();
      await other.end();
    }
  }

  /**
   * Runs statements that refuse a transaction block while an older transaction writes the table, so
   * they stop in their wait for it holding their lock; reads that lock from a third session.
   */
  async function outsideTransaction(statements: string[], table: string, tables: string[]): Promise<Measured> {
    const [a, writer, observer] = [await connect(db.url), await connect(db.url), await connect(db.url)];
    try {
      const oids = new Map<string, number>();
      for (const t of tables) { const oid = await oidOf(a, t); if (oid !== undefined) oids.set(t, oid); }
      const tableOid = oids.get(table);
      assert.ok(tableOid !== undefined, `${table} exists before the case`);
      const filenode = (await a.query<{ f: string }>('SELECT pg_relation_filenode($1::oid) AS f', [tableOid])).rows[0]?.f;
      // Another session's scans show only once flushed, which can be forced since PostgreSQL 15.
      const countScans = async (): Promise<number | undefined> => {
        if (version < 15) return undefined;
        await a.query('SELECT pg_stat_force_next_flush()');
        await a.query('SELECT 1');
        await observer.query('SELECT pg_stat_clear_snapshot()');
        return Number((await observer.query<{ n: string }>('SELECT pg_stat_get_numscans($1::oid) AS n', [tableOid])).rows[0]?.n);
      };
      if (version < 15) console.log(`      (PostgreSQL ${version}: the scans of a statement outside a transaction are not counted before 15)`);
      const scans0 = await countScans();
      const pid = Number((await a.query<{ p: number }>('SELECT pg_backend_pid() AS p')).rows[0]?.p);
      await writer.query('BEGIN');
      await writer.query(`LOCK TABLE ${table} IN ROW EXCLUSIVE MODE`);
      let done = false;
      const running = (async () => {
        for (const s of statements) await a.query(s);
        done = true;
      })();
      let modes = new Map<string, LockMode>();
      for (let i = 0; i < 200 && !done; i++) {
        const waiting = (await observer.query<{ w: string | null }>('SELECT wait_event_type AS w FROM pg_stat_activity WHERE pid = $1', [pid])).rows[0]?.w === 'Lock';
        modes = await heldModes(observer, pid, oids);
        if (waiting && modes.size > 0) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      assert.ok(modes.size > 0, 'the statement held a lock while it waited for the older writer');
      const readsBlocked = await blocks(observer, table, 'ACCESS SHARE');
      const writesBlocked = await blocks(observer, table, 'ROW EXCLUSIVE');
      await writer.query('ROLLBACK');
      await running;
      const after = (await a.query<{ f: string | null }>('SELECT pg_relation_filenode($1::oid) AS f', [tableOid])).rows[0]?.f;
      const scans1 = await countScans();
      const scans = scans0 === undefined || scans1 === undefined ? undefined : scans1 - scans0;
      await resetSchema(a);
      return { modes, rewritten: after !== filenode, scans, readsBlocked, writesBlocked };
    } finally {
      await a.end();
      await writer.end();
      await observer.end();
    }
  }

  function check(label: string, claim: LockClaim, item: LockItem, referenced: string[], m: Measured): void {
    const expected = new Map<string, LockMode>();
    for (const lock of claim.locks) {
      const names = lock.on === 'table' ? [item.table ?? ''] : referenced;
      assert.ok(names.length > 0 && names.every(Boolean), `${label}: the fixture names the table of ${lock.on}`);
      for (const n of names) expected.set(n, lock.mode);
    }
    for (const [t, mode] of expected) assert.equal(m.modes.get(t), mode, `${label}: lock on ${t} (held: ${JSON.stringify([...m.modes])})`);
    // No fixture table is locked more than the claim says (an unclaimed table at most ACCESS SHARE).
    for (const [t, mode] of m.modes) {
      if (!expected.has(t)) assert.equal(mode, 'ACCESS SHARE', `${label}: ${t} is locked ${mode}, which the claim does not say`);
    }
    assert.equal(m.rewritten, claim.effect === 'rewrite', `${label}: rewrites the table`);
    if (m.scans !== undefined && claim.effect !== 'rewrite') {
      assert.equal(m.scans > 0, claim.effect === 'scan', `${label}: scans the table (${m.scans} scans)`);
    }
    const main = claim.locks.find((l) => l.on === 'table');
    if (main && item.table !== undefined && !label.startsWith('create_table')) {
      const b = main.mode === 'ACCESS EXCLUSIVE' ? { reads: true, writes: true } : ['SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE'].includes(main.mode) ? { reads: false, writes: true } : { reads: false, writes: false };
      assert.equal(m.readsBlocked, b.reads, `${label}: blocks reads`);
      assert.equal(m.writesBlocked, b.writes, `${label}: blocks writes`);
    }
  }

  for (const [i, migration] of migrations.entries()) {
    it(`${migration.label}: locks, rewrites and scans as docs/locks.md says`, async () => {
      await runCase(migration, revisionOf(i));
    });
  }

  async function runCase(migration: CaseMigration, revision: string): Promise<void> {
    const statements = sqlOf.get(revision);
    assert.ok(statements && statements.length > 0, `${migration.label}: Alembic rendered SQL for ${revision}`);
    const locks = callLocks(parseMigration(migrationText(migration, revision, null)));
    const item = locks[0]?.items[0];
    assert.ok(item, `${migration.label}: classified`);
    const described = describeItem(item, version);
    assert.ok(described, `${migration.label}: has a claim`);
    const claim = described.claim;
    const probe = await connect(db.url);
    let referenced: string[];
    try {
      referenced = await referencedTables(probe, item, statements);
    } finally {
      await probe.end();
    }
    const tables = [...new Set([...FIXTURE_TABLES, ...(item.table ? [item.table] : []), ...referenced])];
    // A statement that refuses a transaction but takes no table lock (ADD VALUE before 12) has nothing to wait in.
    const measured = claim.outsideTransaction && claim.locks.length > 0
      ? await outsideTransaction(statements, item.table ?? 'users', tables)
      : await inTransaction(statements, item.table, tables, claim.outsideTransaction);
    measuredRows.push(`${migration.label}: ${[...measured.modes].filter(([, m]) => m !== 'ACCESS SHARE').map(([t, m]) => `${m} on ${t}`).join(', ') || 'no lock'}` +
      `${measured.rewritten ? ', rewrite' : ''}${measured.scans ? `, ${measured.scans} scan(s)` : ''}` +
      `${measured.readsBlocked ? ', reads blocked' : ''}${measured.writesBlocked ? ', writes blocked' : ''}`);
    check(`${migration.label} on PostgreSQL ${version} (${statements.join('; ')})`, claim, item, referenced, measured);
  }
});
