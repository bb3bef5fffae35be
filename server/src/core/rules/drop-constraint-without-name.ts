// drop-constraint-without-name: `op.drop_constraint(None, "t")` (or `batch_op.drop_constraint(None)`).
// Alembic cannot emit DROP CONSTRAINT without a name: the call raises when the migration runs, so the
// downgrade (where it usually sits, mirroring an unnamed create) fails halfway. The constraint's name
// is what PostgreSQL gave it (`t_col_fkey`) or what a naming convention made; when the paired function
// of the same file creates exactly one such constraint, the quick fix writes its name in.
import { functionPairs, migrationFunctions, schemaOpsOn } from '../facts/functions';
import { postgresDefaultName, type SchemaOp } from '../facts/schema';
import { callAt, quoteStyle } from '../fixes/calls';
import type { Migration, MigrationFunction } from '../types';
import { defineFileRule, type RuleFinding } from './rule';

/** The name to write, when the paired function tells it. */
export type DropConstraintWithoutNameData = { name: string };

/** The function of the same pair: the upgrade for a downgrade and back. */
function pairedFunction(migration: Migration, fn: MigrationFunction): MigrationFunction | undefined {
  const pair = functionPairs(migration).find((p) => p.upgrade === fn || p.downgrade === fn);
  return pair ? (pair.upgrade === fn ? pair.downgrade : pair.upgrade) : undefined;
}

/** The name of the one constraint of the drop's table (and type, when given) the paired function creates. */
function nameFromPair(migration: Migration, fn: MigrationFunction, drop: SchemaOp): string | undefined {
  const other = pairedFunction(migration, fn);
  if (!other || drop.table === undefined) return undefined;
  const candidates = schemaOpsOn(migration, other, undefined).filter((op) => op.kind === 'create_constraint' && op.table === drop.table &&
    (drop.constraintType === undefined || op.constraintType === drop.constraintType));
  const only = candidates.length === 1 ? candidates[0] : undefined;
  return only ? (only.name ?? postgresDefaultName(only)) : undefined;
}

export const dropConstraintWithoutName = defineFileRule<DropConstraintWithoutNameData>({
  id: 'drop-constraint-without-name',
  defaultSeverity: 'error',
  description: 'drop_constraint(None, ...) always raises: a constraint can only be dropped by name.',
  check({ migration }) {
    const out: RuleFinding<DropConstraintWithoutNameData>[] = [];
    for (const fn of migrationFunctions(migration)) {
      for (const op of schemaOpsOn(migration, fn, undefined)) {
        if (op.kind !== 'drop_constraint' || op.sql || op.nameArg?.kind !== 'none') continue;
        const name = nameFromPair(migration, fn, op);
        const finding: RuleFinding<DropConstraintWithoutNameData> = {
          range: op.range,
          message: `drop_constraint() without a name raises when ${fn.name}() runs: Alembic emits DROP CONSTRAINT only by name. ${name
            ? `The constraint is '${name}' (what ${pairedFunction(migration, fn)?.name ?? 'the paired function'}() creates); write that name.`
            : `Write the constraint's name: the one PostgreSQL gave it (\`<table>_<column>_fkey\`, \`_key\`, \`_pkey\`) or your naming convention's.`}`,
        };
        if (name) finding.data = { name };
        out.push(finding);
      }
    }
    return out;
  },
  fix({ range, data }, { src, migration }) {
    const call = callAt(migration, range.start);
    const arg = call?.args[0] ?? call?.kwargs.find((k) => k.name === 'constraint_name')?.value;
    if (!arg || arg.kind !== 'none') return undefined;
    const quote = quoteStyle(src, migration);
    return { title: `Drop constraint '${data.name}' by name`, edits: [{ range: arg.range, newText: `${quote}${data.name}${quote}` }] };
  },
});
