// enum-without-checkfirst: a PostgreSQL enum type created or dropped without checking whether it is
// there: `.create(bind)` / `.drop(bind)` on `sa.Enum(...)`, `postgresql.ENUM(...)`, `ENUM(...)` (inline,
// or through a variable) without `checkfirst=True`, and `DROP TYPE x` without `IF EXISTS` in
// `op.execute`. These fail with `type "x" already exists` / `does not exist` whenever the database is
// not exactly where the author's was: a re-run after a half-applied migration, a type another
// branch created, a downgrade after a manual fix.
import { migrationFunctions } from './facts/functions';
import { schemaOps, type SchemaOp } from './facts/schema';
import { defineFileRule, type RuleFinding } from './rule';

function typeName(op: SchemaOp): string {
  return op.name ?? op.enumType?.moduleVariable ?? op.enumType?.localVariable ?? '(unnamed)';
}

export const enumWithoutCheckfirst = defineFileRule({
  id: 'enum-without-checkfirst',
  defaultSeverity: 'warning',
  description: 'An enum type is created or dropped without checkfirst=True (or DROP TYPE without IF EXISTS).',
  check({ migration }) {
    const out: RuleFinding[] = [];
    for (const fn of migrationFunctions(migration)) {
      const sqlDrops = new Map<SchemaOp['call'], string[]>();
      for (const op of schemaOps(migration, fn)) {
        if (op.kind !== 'enum_create' && op.kind !== 'enum_drop') continue;
        if (op.sql) {
          if (op.checkfirst === false) sqlDrops.set(op.call, [...(sqlDrops.get(op.call) ?? []), typeName(op)]);
          continue;
        }
        // A checkfirst given as a variable is the author's decision; only absent or literal False count.
        if (op.checkfirst === true || (op.checkfirstGiven && op.checkfirst === undefined)) continue;
        const creating = op.kind === 'enum_create';
        const name = typeName(op);
        const how = op.checkfirstGiven ? 'with checkfirst=False' : 'without checkfirst=True';
        out.push({
          range: op.call.range,
          message: creating
            ? `Enum type '${name}' is created ${how}: the migration fails with 'type "${name}" already exists' if the type is there (a re-run after a partial failure, another branch). Pass checkfirst=True.`
            : `Enum type '${name}' is dropped ${how}: the migration fails with 'type "${name}" does not exist' if it is already gone. Pass checkfirst=True.`,
          data: { fix: 'checkfirst' },
        });
      }
      for (const [call, names] of sqlDrops) {
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
});
