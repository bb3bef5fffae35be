// What each kind of operation locks on PostgreSQL, and whether it rewrites or scans the table, by the
// server's major version. One table answers the hover and the inlay hint (core/locks/describe.ts),
// generates docs/locks.md (scripts/locks-doc.mjs), and is measured on a real server by the
// integration tier (test/integration/locks.test.ts), which runs every case's `python` through Alembic
// and reads pg_locks, pg_relation_filenode and the scan counters: a claim here that the server does
// not bear out fails that test.
//
// Every case's code runs against the fixture schema test/fixtures/locks/schema.sql (tables users,
// orgs, teams and tags, an enum mood): its names are the ones the cases' code uses.

import { addValueRunsInTransaction, constantDefaultIsInstant, setNotNullUsesCheck } from '../facts/postgresVersion';

/** PostgreSQL's table lock modes, weakest first (the order of the conflict table in the manual). */
export const LOCK_MODES = [
  'ACCESS SHARE', 'ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE',
] as const;
export type LockMode = typeof LOCK_MODES[number];

/** `pg_locks.mode` of each mode. */
export function pgLockName(mode: LockMode): string {
  return `${mode.toLowerCase().replace(/(^|\s)(\w)/g, (_, _s: string, c: string) => c.toUpperCase())}Lock`;
}

/** What a lock mode keeps others from doing while it is held (PostgreSQL's conflict table). */
export function blockedBy(mode: LockMode): { reads: boolean; writes: boolean; text: string } {
  switch (mode) {
    case 'ACCESS EXCLUSIVE': return { reads: true, writes: true, text: 'blocks reads and writes' };
    case 'EXCLUSIVE': return { reads: false, writes: true, text: 'blocks writes; reads go on' };
    case 'SHARE ROW EXCLUSIVE': return { reads: false, writes: true, text: 'blocks writes; reads go on' };
    case 'SHARE': return { reads: false, writes: true, text: 'blocks writes; reads go on' };
    case 'SHARE UPDATE EXCLUSIVE': return { reads: false, writes: false, text: 'reads and writes go on; blocks other schema changes and VACUUM' };
    case 'ROW EXCLUSIVE': return { reads: false, writes: false, text: 'reads and writes go on; blocks CREATE INDEX and stronger locks' };
    case 'ROW SHARE': return { reads: false, writes: false, text: 'reads and writes go on; blocks only EXCLUSIVE and ACCESS EXCLUSIVE' };
    case 'ACCESS SHARE': return { reads: false, writes: false, text: 'blocks only ACCESS EXCLUSIVE' };
  }
}

/** What the operation does to the table's data. */
export type TableEffect = 'rewrite' | 'scan' | 'none';

export interface TableLock {
  /** `table`: the table the operation names; `referenced`: the table a foreign key points at. */
  on: 'table' | 'referenced';
  /** The strongest mode the operation holds on it until the transaction ends. */
  mode: LockMode;
  /**
   * When the lock is taken only in some cases, what the text says instead of a table name
   * (`the tables its foreign keys reference`); the measured fixture is such a case.
   */
  which?: string;
}

export interface LockClaim {
  /** Empty: no lock on any table (an enum value, say). */
  locks: TableLock[];
  effect: TableEffect;
  /** PostgreSQL refuses to run it inside a transaction block. */
  outsideTransaction: boolean;
  /** What the short text cannot say: the version a behaviour changed in, a way to avoid the lock. */
  note?: string;
}

export interface LockCase {
  /** Stable: `<operation>` or `<operation>.<variant>`. */
  id: string;
  /** The operation as the docs' row names it. */
  title: string;
  /**
   * A body of `upgrade()` that is this case, against the fixture schema above. The integration test
   * renders it with `alembic upgrade --sql` and measures it; the unit tier checks it classifies as
   * this case. Lines are Python statements, `op` and `sa` imported.
   */
  python: string;
  /** The same through `with op.batch_alter_table("users") as batch_op:` (PostgreSQL alters in place). */
  batchPython?: string;
  /** The claim for a server of this major version. */
  claim(version: number): LockClaim;
}

// The version assumed when neither a setting nor a connected server says: one constant for the rules and the locks.
export { DEFAULT_POSTGRES_VERSION } from '../facts/postgresVersion';

const AE: LockMode = 'ACCESS EXCLUSIVE';
const on = (mode: LockMode): TableLock[] => [{ on: 'table', mode }];
const fixed = (claim: LockClaim): ((version: number) => LockClaim) => () => claim;

export const LOCK_CASES: readonly LockCase[] = [
  {
    id: 'create_table', title: 'op.create_table',
    python: 'op.create_table("projects", sa.Column("id", sa.Integer(), primary_key=True))',
    claim: fixed({ locks: on(AE), effect: 'none', outsideTransaction: false, note: 'The new table is locked, but nobody can use it before the migration commits.' }),
  },
  {
    id: 'create_table.foreign_key', title: 'op.create_table with a foreign key',
    python: 'op.create_table("projects", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("org_id", sa.Integer(), sa.ForeignKey("orgs.id")))',
    claim: fixed({ locks: [{ on: 'table', mode: AE }, { on: 'referenced', mode: 'SHARE ROW EXCLUSIVE' }], effect: 'none', outsideTransaction: false,
      note: 'The referenced table is locked against writes until the migration commits.' }),
  },
  {
    id: 'drop_table', title: 'op.drop_table',
    python: 'op.drop_table("users")',
    claim: fixed({ locks: [{ on: 'table', mode: AE }, { on: 'referenced', mode: AE, which: 'the tables its foreign keys reference' }], effect: 'none', outsideTransaction: false,
      note: 'The tables its foreign keys reference are locked too (their triggers are dropped).' }),
  },
  {
    id: 'rename_table', title: 'op.rename_table',
    python: 'op.rename_table("users", "members")',
    claim: fixed({ locks: on(AE), effect: 'none', outsideTransaction: false }),
  },
  {
    id: 'add_column', title: 'op.add_column, nullable, no default',
    python: 'op.add_column("users", sa.Column("nickname", sa.Text(), nullable=True))',
    batchPython: 'batch_op.add_column(sa.Column("nickname", sa.Text(), nullable=True))',
    claim: fixed({ locks: on(AE), effect: 'none', outsideTransaction: false }),
  },
  {
    id: 'add_column.constant_default', title: 'op.add_column with a constant server_default (or now())',
    python: 'op.add_column("users", sa.Column("level", sa.Integer(), nullable=False, server_default="0"))',
    claim: (v) => ({ locks: on(AE), effect: constantDefaultIsInstant(v) ? 'none' : 'rewrite', outsideTransaction: false,
      note: constantDefaultIsInstant(v) ? 'Since PostgreSQL 11 a non-volatile default is stored once, not written to every row.'
        : 'Before PostgreSQL 11 every row is rewritten with the default; from 11 on it is instant.' }),
  },
  {
    id: 'add_column.volatile_default', title: 'op.add_column with a volatile server_default (gen_random_uuid(), random(), clock_timestamp(), an identity or serial)',
    python: 'op.add_column("users", sa.Column("token", sa.Float(), server_default=sa.text("random()")))',
    claim: fixed({ locks: on(AE), effect: 'rewrite', outsideTransaction: false,
      note: 'Each row gets its own value, so every row is written. Add the column without a default, then fill it in batches.' }),
  },
  {
    id: 'add_column.not_null', title: 'op.add_column, NOT NULL without a default',
    python: 'op.add_column("tags", sa.Column("label", sa.Text(), nullable=False))',
    claim: fixed({ locks: on(AE), effect: 'scan', outsideTransaction: false,
      note: 'Every row is checked, and the statement fails on a table with rows.' }),
  },
  {
    id: 'drop_column', title: 'op.drop_column',
    python: 'op.drop_column("users", "score")',
    batchPython: 'batch_op.drop_column("score")',
    claim: fixed({ locks: on(AE), effect: 'none', outsideTransaction: false, note: 'The column is only marked dropped; its space is reclaimed by later writes.' }),
  },
  {
    id: 'alter_column.type', title: 'op.alter_column type_ (a new storage format: int → bigint, text → int)',
    python: 'op.alter_column("users", "score", type_=sa.BigInteger(), existing_type=sa.Integer())',
    batchPython: 'batch_op.alter_column("score", type_=sa.BigInteger(), existing_type=sa.Integer())',
    claim: fixed({ locks: on(AE), effect: 'rewrite', outsideTransaction: false,
      note: 'The table and its indexes are rewritten, unless the new type is binary-compatible (varchar → text, a longer varchar).' }),
  },
  {
    id: 'alter_column.type_widen', title: 'op.alter_column type_ varchar → a longer varchar or text',
    python: 'op.alter_column("users", "email", type_=sa.String(100), existing_type=sa.String(50))',
    claim: fixed({ locks: on(AE), effect: 'none', outsideTransaction: false, note: 'Binary-compatible: no row is rewritten, though the lock is still ACCESS EXCLUSIVE.' }),
  },
  {
    id: 'alter_column.set_not_null', title: 'op.alter_column nullable=False',
    python: 'op.alter_column("users", "email", nullable=False, existing_type=sa.String(50))',
    batchPython: 'batch_op.alter_column("email", nullable=False, existing_type=sa.String(50))',
    claim: (v) => ({ locks: on(AE), effect: 'scan', outsideTransaction: false,
      note: setNotNullUsesCheck(v) ? 'Every row is checked under the lock; since PostgreSQL 12 a valid CHECK (col IS NOT NULL) constraint, added NOT VALID and validated earlier, skips the scan.'
        : 'Every row is checked under the lock (from PostgreSQL 12 on, a valid CHECK (col IS NOT NULL) constraint skips the scan).' }),
  },
  {
    id: 'alter_column.drop_not_null', title: 'op.alter_column nullable=True',
    python: 'op.alter_column("users", "name", nullable=True, existing_type=sa.String(50))',
    claim: fixed({ locks: on(AE), effect: 'none', outsideTransaction: false }),
  },
  {
    id: 'alter_column.server_default', title: 'op.alter_column server_default',
    python: 'op.alter_column("users", "score", server_default="0", existing_type=sa.Integer())',
    claim: fixed({ locks: on(AE), effect: 'none', outsideTransaction: false, note: 'Only new rows get the default; existing rows are not touched.' }),
  },
  {
    id: 'alter_column.rename', title: 'op.alter_column new_column_name',
    python: 'op.alter_column("users", "score", new_column_name="points")',
    claim: fixed({ locks: on(AE), effect: 'none', outsideTransaction: false }),
  },
  {
    id: 'alter_column.comment', title: 'op.alter_column comment',
    python: 'op.alter_column("users", "name", comment="Shown to other users", existing_type=sa.String(50))',
    claim: fixed({ locks: on('SHARE UPDATE EXCLUSIVE'), effect: 'none', outsideTransaction: false, note: 'Alembic writes COMMENT ON COLUMN, which waits only for other schema changes and VACUUM.' }),
  },
  {
    id: 'create_index', title: 'op.create_index',
    python: 'op.create_index("ix_users_score", "users", ["score"])',
    batchPython: 'batch_op.create_index("ix_users_score", ["score"])',
    claim: fixed({ locks: on('SHARE'), effect: 'scan', outsideTransaction: false, note: 'Writes wait while the index is built: use postgresql_concurrently=True in an autocommit block.' }),
  },
  {
    id: 'create_index.unique', title: 'op.create_index unique=True',
    python: 'op.create_index("ix_users_score", "users", ["score"], unique=True)',
    claim: fixed({ locks: on('SHARE'), effect: 'scan', outsideTransaction: false }),
  },
  {
    id: 'create_index.concurrently', title: 'op.create_index postgresql_concurrently=True',
    python: 'with op.get_context().autocommit_block():\n    op.create_index("ix_users_score", "users", ["score"], postgresql_concurrently=True)',
    claim: fixed({ locks: on('SHARE UPDATE EXCLUSIVE'), effect: 'scan', outsideTransaction: true,
      note: 'The table is scanned twice while reads and writes go on; it waits for running transactions that write the table.' }),
  },
  {
    id: 'drop_index', title: 'op.drop_index',
    python: 'op.drop_index("ix_users_name", table_name="users")',
    batchPython: 'batch_op.drop_index("ix_users_name")',
    claim: fixed({ locks: on(AE), effect: 'none', outsideTransaction: false, note: 'The table is locked, not only the index: use postgresql_concurrently=True in an autocommit block.' }),
  },
  {
    id: 'drop_index.concurrently', title: 'op.drop_index postgresql_concurrently=True',
    python: 'with op.get_context().autocommit_block():\n    op.drop_index("ix_users_name", table_name="users", postgresql_concurrently=True)',
    claim: fixed({ locks: on('SHARE UPDATE EXCLUSIVE'), effect: 'none', outsideTransaction: true }),
  },
  {
    id: 'create_foreign_key', title: 'op.create_foreign_key',
    python: 'op.create_foreign_key("fk_users_org2", "users", "orgs", ["org_id"], ["id"])',
    batchPython: 'batch_op.create_foreign_key("fk_users_org2", "orgs", ["org_id"], ["id"])',
    claim: fixed({ locks: [{ on: 'table', mode: 'SHARE ROW EXCLUSIVE' }, { on: 'referenced', mode: 'SHARE ROW EXCLUSIVE' }], effect: 'scan', outsideTransaction: false,
      note: 'Both tables are locked against writes while every row is checked: add it with postgresql_not_valid=True and VALIDATE CONSTRAINT later.' }),
  },
  {
    id: 'create_foreign_key.not_valid', title: 'op.create_foreign_key postgresql_not_valid=True',
    python: 'op.create_foreign_key("fk_users_org2", "users", "orgs", ["org_id"], ["id"], postgresql_not_valid=True)',
    claim: fixed({ locks: [{ on: 'table', mode: 'SHARE ROW EXCLUSIVE' }, { on: 'referenced', mode: 'SHARE ROW EXCLUSIVE' }], effect: 'none', outsideTransaction: false,
      note: 'Existing rows are not checked; VALIDATE CONSTRAINT later takes only SHARE UPDATE EXCLUSIVE.' }),
  },
  {
    id: 'validate_constraint', title: 'op.execute("ALTER TABLE ... VALIDATE CONSTRAINT ...") (a foreign key)',
    python: 'op.execute("ALTER TABLE users VALIDATE CONSTRAINT fk_users_team")',
    claim: fixed({ locks: [{ on: 'table', mode: 'SHARE UPDATE EXCLUSIVE' }, { on: 'referenced', mode: 'ROW SHARE', which: 'the referenced table, for a foreign key' }], effect: 'scan', outsideTransaction: false,
      note: 'Rows are checked while reads and writes go on.' }),
  },
  {
    id: 'create_unique_constraint', title: 'op.create_unique_constraint',
    python: 'op.create_unique_constraint("uq_users_score", "users", ["score"])',
    batchPython: 'batch_op.create_unique_constraint("uq_users_score", ["score"])',
    claim: fixed({ locks: on(AE), effect: 'scan', outsideTransaction: false,
      note: 'The unique index is built under the lock: build it with CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... UNIQUE USING INDEX.' }),
  },
  {
    id: 'create_check_constraint', title: 'op.create_check_constraint',
    python: 'op.create_check_constraint("ck_users_score2", "users", "score >= 0")',
    batchPython: 'batch_op.create_check_constraint("ck_users_score2", "score >= 0")',
    claim: fixed({ locks: on(AE), effect: 'scan', outsideTransaction: false, note: 'Every row is checked under the lock: add it NOT VALID and validate it in a later migration.' }),
  },
  {
    id: 'create_check_constraint.not_valid', title: 'op.create_check_constraint postgresql_not_valid=True',
    python: 'op.create_check_constraint("ck_users_score2", "users", "score >= 0", postgresql_not_valid=True)',
    claim: fixed({ locks: on(AE), effect: 'none', outsideTransaction: false, note: 'Only new rows are checked; the lock is short.' }),
  },
  {
    id: 'create_primary_key', title: 'op.create_primary_key',
    python: 'op.create_primary_key("pk_tags", "tags", ["id"])',
    claim: fixed({ locks: on(AE), effect: 'scan', outsideTransaction: false, note: 'The unique index is built (and the columns checked for NULL) under the lock.' }),
  },
  {
    id: 'drop_constraint', title: 'op.drop_constraint (unique, check, primary key)',
    python: 'op.drop_constraint("ck_users_score", "users", type_="check")',
    batchPython: 'batch_op.drop_constraint("ck_users_score", type_="check")',
    claim: fixed({ locks: on(AE), effect: 'none', outsideTransaction: false, note: 'A foreign key (type_="foreignkey") locks the table it references as well.' }),
  },
  {
    id: 'drop_constraint.foreign_key', title: 'op.drop_constraint type_="foreignkey"',
    python: 'op.drop_constraint("fk_users_org", "users", type_="foreignkey")',
    claim: fixed({ locks: [{ on: 'table', mode: AE }, { on: 'referenced', mode: AE }], effect: 'none', outsideTransaction: false,
      note: 'The referenced table is locked too, against reads as well: its triggers are dropped.' }),
  },
  {
    id: 'enum_add_value', title: 'op.execute("ALTER TYPE ... ADD VALUE ...")',
    python: 'op.execute("ALTER TYPE mood ADD VALUE \'sad\'")',
    claim: (v) => ({ locks: [], effect: 'none', outsideTransaction: !addValueRunsInTransaction(v),
      note: !addValueRunsInTransaction(v) ? 'Before PostgreSQL 12 it cannot run inside a transaction: put it in an autocommit block.'
        : 'Since PostgreSQL 12 it runs inside a transaction, but the new value cannot be used before the transaction commits.' }),
  },
  {
    id: 'truncate', title: 'op.execute("TRUNCATE ...")',
    python: 'op.execute("TRUNCATE users CASCADE")',
    claim: fixed({ locks: on(AE), effect: 'rewrite', outsideTransaction: false, note: 'The table gets a new, empty file.' }),
  },
  {
    id: 'delete_all', title: 'op.execute("DELETE FROM ...") without WHERE',
    python: 'op.execute("DELETE FROM tags")',
    claim: fixed({ locks: on('ROW EXCLUSIVE'), effect: 'scan', outsideTransaction: false, note: 'Every row is deleted, row by row.' }),
  },
  {
    id: 'reindex_concurrently', title: 'op.execute("REINDEX ... CONCURRENTLY ...")',
    python: 'with op.get_context().autocommit_block():\n    op.execute("REINDEX TABLE CONCURRENTLY users")',
    claim: fixed({ locks: on('SHARE UPDATE EXCLUSIVE'), effect: 'scan', outsideTransaction: true,
      note: 'Since PostgreSQL 12 (before, REINDEX takes a lock that blocks writes, and reads of the index).' }),
  },
];

const byId = new Map(LOCK_CASES.map((c) => [c.id, c]));

export function lockCase(id: string): LockCase | undefined {
  return byId.get(id);
}

const EFFECT_ORDER: readonly TableEffect[] = ['none', 'scan', 'rewrite'];

/** Several cases in one operation (`alter_column` with a type and nullable=False): the strongest of each. */
export function combineClaims(claims: readonly LockClaim[]): LockClaim {
  const locks = new Map<string, TableLock>();
  for (const c of claims) {
    for (const l of c.locks) {
      const key = `${l.on}${l.which ?? ''}`;
      const before = locks.get(key);
      if (!before || LOCK_MODES.indexOf(l.mode) > LOCK_MODES.indexOf(before.mode)) locks.set(key, l);
    }
  }
  const effect = claims.reduce<TableEffect>((e, c) => (EFFECT_ORDER.indexOf(c.effect) > EFFECT_ORDER.indexOf(e) ? c.effect : e), 'none');
  const notes = claims.flatMap((c) => (c.note ? [c.note] : []));
  return {
    locks: [...locks.values()], effect, outsideTransaction: claims.some((c) => c.outsideTransaction),
    ...(notes.length > 0 ? { note: notes.join(' ') } : {}),
  };
}
