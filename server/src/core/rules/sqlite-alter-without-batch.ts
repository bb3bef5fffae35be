// sqlite-alter-without-batch: on a SQLite project, an `op.*` operation SQLite's ALTER TABLE cannot do,
// outside `with op.batch_alter_table(...)`. SQLite's ALTER TABLE only renames and adds (and, from 3.35,
// drops) columns: Alembic raises "No support for ALTER of constraints in SQLite dialect" for every
// constraint operation, and an `alter_column` that changes a type, nullability, default or comment
// becomes `ALTER TABLE ... ALTER COLUMN`, a syntax error in SQLite. Batch mode recreates the table
// (copy, drop, rename) instead. Upgrades and downgrades alike; branches for other dialects are left out.
// `render_as_batch=True` in env.py does not help: it only makes autogenerate write batch blocks.
// docs/rules/sqlite-alter-without-batch.md is the long form;
// test/fixtures/rules/sqlite-alter-without-batch/ holds the examples the tests check it on
// (test/integration/sqliteBatch.test.ts runs them with the real Alembic on a real SQLite file).
import { sqliteOlderThan } from '../config/sqliteVersion';
import { kwarg, methodOf, receiverOf } from '../facts/args';
import { migrationFunctions, schemaOpsOn } from '../facts/functions';
import type { SchemaOp } from '../facts/schema';
import { callAt, indentUnit, rewriteStatement } from '../fixes/calls';
import type { ProjectConfig } from '../project/discover';
import type { ArgValue, ParsedCall, Range } from '../types';
import { samePosition, type TextEdit } from '../fixes/source';
import { defineFileRule, type RuleFinding } from './rule';

/** On findings the fix can wrap: an `op.*` statement with its table written as an argument. */
export type SqliteAlterWithoutBatchData = { fix: 'batch' };

const CONSTRAINTS = 'Alembic raises "No support for ALTER of constraints in SQLite dialect"';

/** alter_column keywords that change nothing by themselves (what the column was, where it is). */
const ALTER_CONTEXT = /^(existing_\w+|schema|new_column_name|info)$/;
/** alter_column keywords whose "no change" value Alembic takes as the default. */
const NO_CHANGE: Readonly<Record<string, (v: ArgValue) => boolean>> = {
  nullable: (v) => v.kind === 'none', type_: (v) => v.kind === 'none', autoincrement: (v) => v.kind === 'none',
  server_default: (v) => v.kind === 'bool' && !v.value, comment: (v) => v.kind === 'bool' && !v.value,
};

/** What alter_column changes besides the name: the keywords (or positional arguments) that SQLite cannot ALTER. */
function alterations(call: ParsedCall): string[] {
  const out = call.args.length > 2 ? ['nullable'] : [];
  for (const k of call.kwargs) {
    if (ALTER_CONTEXT.test(k.name)) continue;
    if (NO_CHANGE[k.name]?.(k.value)) continue;
    out.push(k.name);
  }
  return out;
}

/** Why `op` fails on this project's SQLite, or undefined when SQLite can do it. */
function failure(op: SchemaOp, project: ProjectConfig): string | undefined {
  const call = op.call;
  const method = methodOf(call.callee);
  switch (op.kind) {
    case 'create_constraint':
    case 'drop_constraint':
      return `op.${method}() fails on SQLite: ${CONSTRAINTS}; SQLite's ALTER TABLE cannot add or drop constraints.`;
    case 'alter_column': {
      // `**kwargs`: what it changes is not written here.
      if (call.hasStarArgs) return undefined;
      const changed = alterations(call);
      if (changed.length > 0) {
        return `op.alter_column() fails on SQLite: changing ${changed.map((k) => `${k}=`).join(', ')} becomes ALTER TABLE ... ALTER COLUMN, which SQLite does not have (a syntax error).`;
      }
      if (op.newNameArg && sqliteOlderThan(project.sqliteVersion, 3, 25)) {
        return `op.alter_column(new_column_name=...) fails on SQLite ${project.sqliteVersion ?? ''}: RENAME COLUMN came in SQLite 3.25.`;
      }
      return undefined;
    }
    case 'drop_column':
      return sqliteOlderThan(project.sqliteVersion, 3, 35)
        ? `op.drop_column() fails on SQLite ${project.sqliteVersion ?? ''}: DROP COLUMN came in SQLite 3.35 ([tool.alembic-lint] sqlite-version).`
        : undefined;
    default:
      return undefined;
  }
}

export const sqliteAlterWithoutBatch = defineFileRule<SqliteAlterWithoutBatchData>({
  id: 'sqlite-alter-without-batch',
  defaultSeverity: 'error',
  description: 'On SQLite, an ALTER SQLite cannot do (constraints, alter_column) outside op.batch_alter_table(): the migration fails.',
  check({ migration, project }) {
    if (!project || project.dialect !== 'sqlite') return [];
    const out: RuleFinding<SqliteAlterWithoutBatchData>[] = [];
    const seen = new Set<unknown>();
    for (const fn of migrationFunctions(migration)) {
      for (const op of schemaOpsOn(migration, fn, 'sqlite')) {
        // batch_op.* is what batch mode is for; raw SQL is the author's own (the fix is not a batch block).
        if (op.sql || receiverOf(op.call.callee) !== 'op' || seen.has(op.call)) continue;
        const why = failure(op, project);
        if (!why) continue;
        seen.add(op.call);
        const asBatch = project.renderAsBatch ? ' (render_as_batch=True in env.py only makes autogenerate write batch blocks; it does not change this call)' : '';
        const finding: RuleFinding<SqliteAlterWithoutBatchData> = {
          range: op.range,
          message: `${why} Run it in 'with op.batch_alter_table(...) as batch_op:', which recreates the table${asBatch}.`,
        };
        if (!op.batch && tableArgument(op.call)) finding.data = { fix: 'batch' };
        out.push(finding);
      }
    }
    return out;
  },
  fix({ range }, { src, migration }) {
    const call = callAt(migration, range.start);
    if (!call || call.hasStarArgs) return undefined;
    const table = tableArgument(call);
    if (!table) return undefined;
    const schema = kwarg(call, 'schema');
    const header = `with op.batch_alter_table(${src.slice(table.value)}${schema ? `, schema=${src.slice(schema.range)}` : ''}) as batch_op:`;
    const inner: TextEdit[] = [{ range: call.calleeRange, newText: `batch_op.${methodOf(call.callee)}` }];
    inner.push(...deleteArguments(call, [table.range, ...(schema ? [kwargRange(call, 'schema')] : [])]));
    const edit = rewriteStatement(src, call, inner, header, indentUnit(src, migration));
    return edit ? { title: "Run it in 'op.batch_alter_table()'", edits: [edit], isPreferred: true } : undefined;
  },
});

/** Which argument names the table: the first for most operations, the second for constraints. */
const TABLE_PARAMETER: Readonly<Record<string, [number, string]>> = {
  alter_column: [0, 'table_name'], drop_column: [0, 'table_name'],
  create_foreign_key: [1, 'source_table'], create_unique_constraint: [1, 'table_name'], create_check_constraint: [1, 'table_name'],
  create_primary_key: [1, 'table_name'], create_exclude_constraint: [1, 'table_name'], drop_constraint: [1, 'table_name'],
};

/** The table argument of an `op.*` call (positional or keyword): its value, and the range batch_op drops. */
function tableArgument(call: ParsedCall): { range: Range; value: Range } | undefined {
  const p = TABLE_PARAMETER[methodOf(call.callee)];
  if (!p) return undefined;
  const [index, name] = p;
  const positional = call.args[index];
  if (positional) return { range: positional.range, value: positional.range };
  const k = call.kwargs.find((x) => x.name === name);
  return k ? { range: kwargRange(call, name), value: k.value.range } : undefined;
}

function kwargRange(call: ParsedCall, name: string): Range {
  const k = call.kwargs.find((x) => x.name === name);
  return k ? { start: k.nameRange.start, end: k.value.range.end } : call.range;
}

function before(a: Range['start'], b: Range['start']): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

/**
 * Edits removing arguments (given by their ranges) from a call with their commas. Each run of adjacent
 * removed arguments goes up to the start of the argument after it, or, at the end of the call, from the
 * end of the argument before it: the runs are apart, so the edits never overlap.
 */
function deleteArguments(call: ParsedCall, ranges: Range[]): TextEdit[] {
  const all = [...call.args.map((a) => a.range), ...call.kwargs.map((k) => ({ start: k.nameRange.start, end: k.value.range.end }))]
    .sort((a, b) => (before(a.start, b.start) ? -1 : 1));
  const dropped = all.map((r) => ranges.some((x) => samePosition(x.start, r.start)));
  const edits: TextEdit[] = [];
  for (let i = 0; i < all.length; i++) {
    if (!dropped[i]) continue;
    let j = i;
    while (dropped[j + 1]) j++;
    const first = all[i];
    const last = all[j];
    const next = all[j + 1];
    const prev = all[i - 1];
    if (first && last) {
      if (next) edits.push({ range: { start: first.start, end: next.start }, newText: '' });
      else edits.push({ range: { start: prev ? prev.end : first.start, end: last.end }, newText: '' });
    }
    i = j;
  }
  return edits;
}
