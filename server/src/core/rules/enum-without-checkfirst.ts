// enum-without-checkfirst: a PostgreSQL enum type created or dropped without checking whether it is
// there: `.create(bind)` / `.drop(bind)` on `sa.Enum(...)`, `postgresql.ENUM(...)`, `ENUM(...)` (inline,
// or through a variable) without `checkfirst=True`, and `DROP TYPE x` without `IF EXISTS` in
// `op.execute`. These fail with `type "x" already exists` / `does not exist` whenever the database is
// not exactly where the author's was: a re-run after a half-applied migration, a type another
// branch created, a downgrade after a manual fix.
// SQLAlchemy's PostgreSQL `ENUM.create()/.drop()` default to checkfirst=True (1.4 and 2.0), while
// `sa.Enum(...).create()` passes checkfirst=False: only an omitted checkfirst on the dialect ENUM is
// safe, and it is reported as a hint (write it out: the line is one copy-paste from sa.Enum).
import { mayBePostgres } from '../facts/dialect';
import { functionPairs, implicitEnumsOf, migrationFunctions, schemaOpsOn } from '../facts/functions';
import { implicitEnumRange, type SchemaOp } from '../facts/schema';
import type { SchemaAt } from '../schema';
import type { Migration, MigrationFunction, ParsedCall } from '../types';
import { callAt } from '../fixes/calls';
import { checkfirstFix, dropTypeIfExistsFix } from '../fixes/enum';
import { defineFileRule, type RuleFinding } from './rule';

/** Which fix applies: `checkfirst=True` on the call, or `IF EXISTS` in its DROP TYPE statements (of `types`). */
export type EnumWithoutCheckfirstData = { fix: 'checkfirst' } | { fix: 'drop-type-if-exists'; types: string[] };

function typeName(op: SchemaOp): string {
  return op.name ?? op.enumType?.moduleVariable ?? op.enumType?.localVariable ?? '(unnamed)';
}

/** `postgresql.ENUM` / `ENUM`: the dialect type, whose create() and drop() check first by default. */
function isDialectEnum(op: SchemaOp): boolean {
  const callee = op.enumType?.definition?.callee ?? '';
  return callee === 'ENUM' || callee.endsWith('.ENUM');
}

/**
 * What the file says about whether a type may already exist (for a create) or be gone (for a drop).
 * A brand-new type created once in a transactional migration cannot exist yet: a failed run rolls the
 * CREATE TYPE back. The evidence that it may: the function creates or drops it twice, drops it before
 * creating it again, runs it in an autocommit block (no transaction to roll back), or, for a drop in
 * a downgrade, the paired upgrade did not create it (a type another revision owns, maybe shared).
 * Without evidence the finding is information.
 */
class TypeEvidence {
  private readonly created = new Map<string, number>();
  private readonly dropped = new Map<string, number>();
  /** For a downgrade: the types its upgrade creates or changes, which exist when the downgrade runs. */
  private readonly knownAfterUpgrade: Set<string> | undefined;
  /** Types a create_table of this function creates implicitly, with the first such call's index. */
  private readonly implicit = new Map<string, number>();
  /**
   * Types this function made (a create, or `ALTER TYPE a RENAME TO b`) and has not dropped since, as
   * the operations are seen: a drop of one cannot find it gone (the enum swap's `DROP TYPE x_old`).
   */
  private readonly made = new Set<string>();
  /** Types this function dropped and has not created since: a create of one cannot find it there (the enum swap's re-create). */
  private readonly gone = new Set<string>();

  constructor(migration: Migration, fn: MigrationFunction) {
    if (fn.kind === 'downgrade') {
      const pair = functionPairs(migration).find((p) => p.downgrade === fn);
      if (pair) {
        const created = new Set<string>();
        // SQL the upgrade runs that cannot be read (an f-string, a variable) may create any type: then
        // whether the upgrade created it is unknown, and unknown is no evidence (rucio builds its
        // CREATE TYPE ... AS ENUM with an f-string).
        let unreadable = false;
        for (const op of schemaOpsOn(migration, pair.upgrade, 'postgresql')) {
          if (op.kind === 'enum_create' && op.name !== undefined) created.add(op.name);
          // `ALTER TYPE x ADD VALUE` in the upgrade: x exists when it ends, so the downgrade's drop
          // finds it (Faraday's downgrades swap the type back without the value).
          if (op.sql?.kind === 'add_enum_value' && op.sql.names[0] !== undefined) created.add(op.sql.names[0]);
          const renamedTo = op.sql?.kind === 'rename_type' ? op.sql.names[1] : undefined;
          if (renamedTo !== undefined) created.add(renamedTo);
          for (const e of implicitEnumsOf(migration, op)) if (e.name !== undefined) created.add(e.name);
          if (op.kind === 'execute' && !op.sql && !migration.executedSql.some((e) => e.call === op.call)) unreadable = true;
        }
        if (!unreadable) this.knownAfterUpgrade = created;
      }
    }
    for (const op of schemaOpsOn(migration, fn, 'postgresql')) {
      for (const e of implicitEnumsOf(migration, op)) if (e.name !== undefined && !this.implicit.has(e.name)) this.implicit.set(e.name, op.index);
    }
  }

  /** Records `ALTER TYPE a RENAME TO b`: a is gone, b is made here. */
  renamed(from: string, to: string): void {
    this.made.delete(from);
    this.made.add(to);
  }

  /**
   * Whether, before this operation, the function had made the type (and not dropped it since) or
   * dropped it (and not created it since); the operation is then recorded. Every enum operation of
   * the function passes here, in order.
   */
  before(op: SchemaOp): { made: boolean; gone: boolean } {
    const name = op.name;
    if (name === undefined) return { made: false, gone: false };
    const was = { made: this.made.has(name), gone: this.gone.has(name) };
    const creating = op.kind === 'enum_create';
    if (creating) this.made.add(name);
    else this.made.delete(name);
    if (creating) this.gone.delete(name);
    else this.gone.add(name);
    return was;
  }

  /** Records the operation; the reason it may fail, or undefined when nothing says it may. */
  see(op: SchemaOp): string | undefined {
    const name = op.name;
    if (name === undefined) return undefined;
    if (op.kind === 'enum_create') {
      const before = this.created.get(name) ?? 0;
      this.created.set(name, before + 1);
      if (before > 0) return 'this function creates it more than once';
      const implicitAt = this.implicit.get(name);
      if (implicitAt !== undefined && implicitAt < op.index) return 'create_table created it earlier in this function';
      if (op.inAutocommitBlock) return 'in an autocommit block, a failed run leaves it behind';
      return undefined;
    }
    const before = this.dropped.get(name) ?? 0;
    this.dropped.set(name, before + 1);
    if (before > 0) return 'this function drops it more than once';
    if (op.inAutocommitBlock) return 'in an autocommit block, a failed run may have dropped it';
    if (this.knownAfterUpgrade && !this.knownAfterUpgrade.has(name)) return 'the upgrade did not create it: another revision owns it';
    return undefined;
  }

  /** The reason for a DROP TYPE of `name` in `call`, already recorded by see(). */
  sqlDropReason(call: ParsedCall, name: string): string | undefined {
    if ((this.dropped.get(name) ?? 0) > 1) return 'this function drops it more than once';
    if (call.inAutocommitBlock) return 'in an autocommit block, a failed run may have dropped it';
    if (this.knownAfterUpgrade && !this.knownAfterUpgrade.has(name)) return 'the upgrade did not create it: another revision owns it';
    return undefined;
  }
}

/**
 * What the schema model says (core/schema): a create of a type that exists when the function runs (an
 * earlier revision created it: a shared type), or a drop of a type an earlier revision already dropped.
 * Unknown says nothing; a type the history never created (one from before it) is not "gone".
 */
function modelEvidence(schema: SchemaAt | undefined, fn: MigrationFunction, op: Pick<SchemaOp, 'kind' | 'name'>): string | undefined {
  if (!schema || op.name === undefined) return undefined;
  const presence = fn.kind === 'upgrade' ? schema.enumBefore(op.name) : schema.enumAfter(op.name);
  const by = fn.kind === 'upgrade' ? schema.enumChangedBefore(op.name) : undefined;
  const from = by !== undefined ? `revision ${by}` : 'an earlier revision';
  if (op.kind === 'enum_create' && presence === 'yes') {
    return fn.kind === 'upgrade' ? `${from} created it already` : 'the upgrade leaves it in place, so it exists when the downgrade runs';
  }
  if (op.kind === 'enum_drop' && presence === 'no' && fn.kind === 'upgrade' && by !== undefined) return `${from} dropped it already`;
  return undefined;
}

/**
 * create_table with a column of an enum type that exists already (an earlier revision created it, and
 * the column's Enum lacks create_type=False): Alembic's create_table creates the type without checking,
 * and fails with 'type "x" already exists'.
 */
function sharedTypes(migration: Migration, fn: MigrationFunction, schema: SchemaAt): RuleFinding<EnumWithoutCheckfirstData>[] {
  const out: RuleFinding<EnumWithoutCheckfirstData>[] = [];
  const ops = schemaOpsOn(migration, fn, 'postgresql');
  // Only a create_table creates a type implicitly (many functions have none).
  if (!ops.some((op) => op.kind === 'create_table' && !op.sql)) return out;
  // Types this function created or dropped before the create_table are the file's own evidence.
  const touched = new Set<string>();
  for (const op of ops) {
    if ((op.kind === 'enum_create' || op.kind === 'enum_drop') && op.name !== undefined) touched.add(op.name);
    if (op.kind !== 'create_table' || op.sql) continue;
    for (const e of implicitEnumsOf(migration, op)) {
      if (e.name === undefined || touched.has(e.name)) continue;
      touched.add(e.name);
      if (schema.enumBefore(e.name) !== 'yes') continue;
      const by = schema.enumChangedBefore(e.name);
      out.push({
        range: implicitEnumRange(op, e),
        message: `create_table creates enum type '${e.name}' for this column, but ${by !== undefined ? `revision ${by}` : 'an earlier revision'} created it already: the migration fails with 'type "${e.name}" already exists'. Use postgresql.ENUM(..., name='${e.name}', create_type=False) for a type that exists.`,
      });
    }
  }
  return out;
}

export const enumWithoutCheckfirst = defineFileRule<EnumWithoutCheckfirstData>({
  id: 'enum-without-checkfirst',
  defaultSeverity: 'warning',
  description: 'An enum type is created or dropped without checkfirst=True (or DROP TYPE without IF EXISTS).',
  check({ migration, project, schema }) {
    // PostgreSQL only: nothing to say about a project on another database, or a branch for one.
    if (!mayBePostgres(project?.dialect)) return [];
    const out: RuleFinding<EnumWithoutCheckfirstData>[] = [];
    for (const fn of migrationFunctions(migration)) {
      let sqlDrops: Map<SchemaOp['call'], string[]> | undefined;
      // Made at the function's first enum operation (most have none).
      let evidence: TypeEvidence | undefined;
      for (const op of schemaOpsOn(migration, fn, 'postgresql')) {
        if (op.sql?.kind === 'rename_type') {
          const [from, to] = op.sql.names;
          if (from !== undefined && to !== undefined) (evidence ??= new TypeEvidence(migration, fn)).renamed(from, to);
          continue;
        }
        if (op.kind !== 'enum_create' && op.kind !== 'enum_drop') continue;
        // A drop of a type this function made (created, or renamed to: the enum swap's DROP TYPE x_old) cannot find it gone.
        const was = (evidence ??= new TypeEvidence(migration, fn)).before(op);
        const madeHere = was.made && op.kind === 'enum_drop';
        // A create of a type this function dropped cannot find it there: the swap's old type dropped
        // and the new one created under its name (Faraday's user_roles, import_source_enum).
        const droppedHere = was.gone && op.kind === 'enum_create';
        if (op.sql) {
          // A SQL create (CREATE TYPE) is recorded, not judged.
          if (op.kind === 'enum_drop' && op.checkfirst === false && !madeHere) {
            sqlDrops ??= new Map();
            sqlDrops.set(op.call, [...(sqlDrops.get(op.call) ?? []), typeName(op)]);
          }
          evidence.see(op);
          continue;
        }
        if (madeHere || droppedHere) {
          evidence.see(op);
          continue;
        }
        // A checkfirst given as a variable is the author's decision; only absent or literal False count.
        if (op.checkfirst === true || (op.checkfirstGiven && op.checkfirst === undefined)) continue;
        const creating = op.kind === 'enum_create';
        const name = typeName(op);
        if (!op.checkfirstGiven && isDialectEnum(op)) {
          out.push({
            range: op.call.range,
            severity: 'hint',
            message: `Enum type '${name}' is ${creating ? 'created' : 'dropped'} without checkfirst: PostgreSQL's ENUM defaults to checkfirst=True, but sa.Enum does not. Write checkfirst=True so the call stays safe when copied or changed.`,
            data: { fix: 'checkfirst' },
          });
          continue;
        }
        const how = op.checkfirstGiven ? 'with checkfirst=False' : 'without checkfirst=True';
        const why = (evidence ??= new TypeEvidence(migration, fn)).see(op) ?? modelEvidence(schema, fn, op);
        out.push({
          range: op.call.range,
          ...(why ? {} : { severity: 'information' as const }),
          message: creating
            ? `Enum type '${name}' is created ${how}: the migration fails with 'type "${name}" already exists' if the type is there${why ? ` (${why})` : ' (a re-run after a partial failure outside a transaction, another branch)'}. Pass checkfirst=True.`
            : `Enum type '${name}' is dropped ${how}: the migration fails with 'type "${name}" does not exist' if it is already gone${why ? ` (${why})` : ''}. Pass checkfirst=True.`,
          data: { fix: 'checkfirst' },
        });
      }
      if (schema && fn.kind === 'upgrade') out.push(...sharedTypes(migration, fn, schema));
      for (const [call, names] of sqlDrops ?? []) {
        const seen = (evidence ??= new TypeEvidence(migration, fn));
        const list = names.map((n) => `'${n}'`).join(', ');
        const why = names.map((n) => seen.sqlDropReason(call, n) ?? modelEvidence(schema, fn, { kind: 'enum_drop', name: n })).find((r) => r !== undefined);
        out.push({
          range: call.range,
          ...(why ? {} : { severity: 'information' as const }),
          message: `DROP TYPE ${list} without IF EXISTS fails with 'type does not exist' when the type is already gone${why ? ` (${why})` : ''}. Write DROP TYPE IF EXISTS.`,
          data: { fix: 'drop-type-if-exists', types: names },
        });
      }
    }
    return out;
  },
  fix({ range, data }, { src, migration }) {
    const call = callAt(migration, range.start);
    if (!call) return undefined;
    return data.fix === 'drop-type-if-exists' ? dropTypeIfExistsFix(src, call) : checkfirstFix(src, call);
  },
});
