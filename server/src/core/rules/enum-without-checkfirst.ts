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
import { migrationFunctions, schemaOpsOn } from '../facts/functions';
import { schemaOps, type SchemaOp } from '../facts/schema';
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

export const enumWithoutCheckfirst = defineFileRule<EnumWithoutCheckfirstData>({
  id: 'enum-without-checkfirst',
  defaultSeverity: 'warning',
  description: 'An enum type is created or dropped without checkfirst=True (or DROP TYPE without IF EXISTS).',
  check({ migration, project }) {
    // PostgreSQL only: nothing to say about a project on another database, or a branch for one.
    if (!mayBePostgres(project?.dialect)) return [];
    const out: RuleFinding<EnumWithoutCheckfirstData>[] = [];
    for (const fn of migrationFunctions(migration)) {
      let sqlDrops: Map<SchemaOp['call'], string[]> | undefined;
      for (const op of schemaOpsOn(migration, fn, 'postgresql')) {
        if (op.kind !== 'enum_create' && op.kind !== 'enum_drop') continue;
        if (op.sql) {
          sqlDrops ??= new Map();
          if (op.checkfirst === false) sqlDrops.set(op.call, [...(sqlDrops.get(op.call) ?? []), typeName(op)]);
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
        out.push({
          range: op.call.range,
          message: creating
            ? `Enum type '${name}' is created ${how}: the migration fails with 'type "${name}" already exists' if the type is there (a re-run after a partial failure, another branch). Pass checkfirst=True.`
            : `Enum type '${name}' is dropped ${how}: the migration fails with 'type "${name}" does not exist' if it is already gone. Pass checkfirst=True.`,
          data: { fix: 'checkfirst' },
        });
      }
      for (const [call, names] of sqlDrops ?? []) {
        const list = names.map((n) => `'${n}'`).join(', ');
        out.push({
          range: call.range,
          message: `DROP TYPE ${list} without IF EXISTS fails with 'type does not exist' when the type is already gone. Write DROP TYPE IF EXISTS.`,
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
