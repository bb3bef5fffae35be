// enum-value-rewrite: an upgrade changes an enum's values by recreating the type: alembic-postgresql-
// enum's `op.sync_enum_values(...)`, or by hand (rename the old type, create the new one, change every
// column to it with `ALTER COLUMN ... TYPE ... USING`, drop the old). Changing a column's type makes
// PostgreSQL rewrite its whole table under an ACCESS EXCLUSIVE lock, for every table that uses the
// enum. When the change only adds values, `ALTER TYPE ... ADD VALUE` changes the catalog and no table
// (before PostgreSQL 12 it cannot run inside a transaction: then in an autocommit block).
import { argAt, kwarg, literalName } from '../facts/args';
import { enumRecreations, RENAME } from '../facts/enumRecreation';
import { mayBePostgres } from '../facts/dialect';
import { callNames, functionPairs, schemaOpsOn } from '../facts/functions';
import { addValueRunsInTransaction, postgresVersionOf } from '../facts/postgresVersion';
import type { ArgValue, Migration, MigrationFunction, ParsedCall } from '../types';
import { defineFileRule, type RuleFinding } from './rule';

function strings(v: ArgValue | undefined): string[] | undefined {
  if (v?.kind !== 'sequence' || !v.items.every((i) => i.kind === 'string')) return undefined;
  return v.items.map((i) => (i.kind === 'string' ? i.value : ''));
}

/** `sync_enum_values(schema, name, new_values, affected_columns, ...)` as written. */
interface SyncCall {
  call: ParsedCall;
  name?: string;
  values?: string[];
  tables: string[];
}

function syncCalls(m: Migration, fn: MigrationFunction): SyncCall[] {
  const out: SyncCall[] = [];
  // Most functions call no such method: one look at their call names instead of a test per call.
  if (!callNames(m, fn).syncEnumValues) return out;
  for (const call of fn.calls) {
    if (!/(^|\.)sync_enum_values$/.test(call.callee)) continue;
    // alembic-autogenerate-enums has an op of the same name, (schema, name, old_values, new_values),
    // that runs ALTER TYPE ... ADD VALUE: no rewrite.
    if (kwarg(call, 'old_values') || strings(call.args[3]) !== undefined) continue;
    const s: SyncCall = { call, tables: [] };
    const name = literalName(argAt(call, 1, 'enum_name'));
    if (name !== undefined) s.name = name.toLowerCase();
    const values = strings(argAt(call, 2, 'new_values'));
    if (values) s.values = values;
    const affected = argAt(call, 3, 'affected_columns');
    for (const item of affected?.kind === 'sequence' ? affected.items : []) {
      // TableReference(table_schema=..., table_name=..., column_name=...), or an old-style ('table', 'column') tuple.
      const t = item.kind === 'call' ? literalName(kwarg(item.call, 'table_name') ?? item.call.args[1]) : item.kind === 'sequence' ? literalName(item.items[0]) : undefined;
      if (t !== undefined && !s.tables.includes(t)) s.tables.push(t);
    }
    out.push(s);
  }
  return out;
}

/** What the change does to the values, when both lists are known: only adds (ADD VALUE does it), or more. */
function onlyAdds(before: string[] | undefined, after: string[] | undefined): boolean | undefined {
  if (!before || !after) return undefined;
  const kept = after.filter((v) => before.includes(v));
  return before.every((v) => after.includes(v)) && kept.every((v, i) => v === before[i]) && after.length > before.length;
}

/** `ALTER TYPE t ADD VALUE 'v' [BEFORE 'w']` for each value `after` has and `before` lacks, in place. */
function addValueStatements(type: string, before: string[], after: string[]): string[] {
  const q = (v: string): string => `'${v.replace(/'/g, "''")}'`;
  return after.flatMap((v, i) => {
    if (before.includes(v)) return [];
    const next = after.slice(i + 1).find((w) => before.includes(w));
    return [`ALTER TYPE ${type} ADD VALUE ${q(v)}${next === undefined ? '' : ` BEFORE ${q(next)}`}`];
  });
}

function addValueAdvice(version: number, type: string, statements: string[] | undefined): string {
  const sql = statements && statements.length > 0 ? statements.join('; ') : `ALTER TYPE ${type} ADD VALUE '...'`;
  const txn = addValueRunsInTransaction(version)
    ? ''
    : ` On PostgreSQL ${version} ADD VALUE cannot run inside a transaction block: run it in 'with op.get_context().autocommit_block():' (PostgreSQL 12+ allows it in the migration's transaction).`;
  return `${sql} changes no table.${txn}`;
}

export const enumValueRewrite = defineFileRule({
  id: 'enum-value-rewrite',
  defaultSeverity: 'warning',
  description: "An enum's values change by recreating the type: every table using it is rewritten under an exclusive lock.",
  check({ migration, project }) {
    if (!mayBePostgres(project?.dialect)) return [];
    const version = postgresVersionOf(project);
    const out: RuleFinding[] = [];
    // A recreated type needs a type renamed by SQL, which needs the word in the SQL text (most files have none).
    const renames = migration.executedSql.some((e) => RENAME.test(e.sql));
    for (const { upgrade, downgrade } of functionPairs(migration)) {
      const ups = syncCalls(migration, upgrade);
      const before = new Map<string, string[]>();
      for (const s of downgrade && ups.length > 0 ? syncCalls(migration, downgrade) : []) if (s.name !== undefined && s.values) before.set(s.name, s.values);
      for (const s of ups) {
        const type = s.name ?? 'the enum';
        const old = s.name !== undefined ? before.get(s.name) : undefined;
        const adds = onlyAdds(old, s.values);
        const tables = s.tables.length > 0 ? `table${s.tables.length > 1 ? 's' : ''} ${s.tables.map((t) => `'${t}'`).join(', ')}` : 'every table using it';
        const advice = adds === true
          ? `This change only adds values: ${addValueAdvice(version, type, addValueStatements(type, old ?? [], s.values ?? []))} (alembic-postgresql-enum's op.add_enum_values does the same.)`
          : adds === false
            ? 'It also removes, renames or reorders values, which only a new type can do: on a large table, do it in steps (a new column, backfill, switch over).'
            : `If the change only adds values, ${addValueAdvice(version, type, undefined)}`;
        out.push({
          range: s.call.range,
          message: `sync_enum_values recreates type ${type} and changes the columns using it to the new type (ALTER COLUMN ... TYPE ... USING): PostgreSQL rewrites ${tables} under an ACCESS EXCLUSIVE lock. ${advice}`,
        });
      }
      if (renames) out.push(...recreatedEnums(migration, upgrade, version));
    }
    return out;
  },
});

/** One finding per recreated type, on its creation, naming the tables rewritten. */
function recreatedEnums(m: Migration, fn: MigrationFunction, version: number): RuleFinding[] {
  return enumRecreations(m, fn).map(({ type, call, tables }) => ({
    range: call.range,
    message: `Type ${type} is recreated and the columns using it are changed to the new type: PostgreSQL rewrites ${tables.size > 1 ? 'tables' : 'table'} ${[...tables].map((t) => `'${t}'`).join(', ')} under an ACCESS EXCLUSIVE lock. If the change only adds values, ${addValueAdvice(version, type, undefined)}`,
  }));
}

