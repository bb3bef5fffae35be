// unique-constraint-on-existing-table: `create_unique_constraint` on a table the migration did not
// create. PostgreSQL builds the constraint's unique index while it holds an ACCESS EXCLUSIVE lock on the
// table: nothing reads or writes it until the index is built. The safe form builds the index first,
// concurrently (writes go on), then attaches it: `ALTER TABLE ... ADD CONSTRAINT ... UNIQUE USING
// INDEX ...` takes the lock only for a moment.
import { argAt } from '../facts/args';
import { mayBePostgres } from '../facts/dialect';
import { upgradeOpsOn } from '../facts/functions';
import { onExistingTable } from '../facts/lockTimeout';
import type { SchemaOp } from '../facts/schema';
import { callAt, indentUnit, quoteStyle, statementLines } from '../fixes/calls';
import { pyString, type QuickFix } from '../fixes/source';
import { defineFileRule, type RuleFinding } from './rule';

/** Literal name, table and columns: the fix can write the two-step form. */
export type UniqueConstraintOnExistingTableData = { name: string; table: string; columns: string[] };

export const uniqueConstraintOnExistingTable = defineFileRule<UniqueConstraintOnExistingTableData>({
  id: 'unique-constraint-on-existing-table',
  defaultSeverity: 'information',
  description: 'A unique constraint is added to an existing table: its index is built under a lock that blocks reads and writes.',
  check(ctx) {
    const { migration, project } = ctx;
    // PostgreSQL's locks: nothing to say about a project on another database, or a branch for one.
    if (!mayBePostgres(project?.dialect)) return [];
    const out: RuleFinding<UniqueConstraintOnExistingTableData>[] = [];
    for (const o of upgradeOpsOn(migration, 'postgresql')) {
      const { op } = o;
      if (op.kind !== 'create_constraint' || op.constraintType !== 'unique' || !onExistingTable(o, ctx)) continue;
      const name = op.name ?? 'uq_name';
      const finding: RuleFinding<UniqueConstraintOnExistingTableData> = {
        range: op.range,
        message: `Adding unique constraint ${op.name ? `'${op.name}' ` : ''}to existing table '${op.table ?? '?'}' builds its index under an ACCESS EXCLUSIVE lock (no reads or writes until it is built). Build the index first with CREATE UNIQUE INDEX CONCURRENTLY (op.create_index(..., unique=True, postgresql_concurrently=True) in an autocommit block), then attach it: ALTER TABLE ${op.table ?? 't'} ADD CONSTRAINT ${name} UNIQUE USING INDEX ${name}.`,
      };
      const data = fixData(op);
      if (data) finding.data = data;
      out.push(finding);
    }
    return out;
  },
  fix({ range, data }, { src, migration }) {
    const call = callAt(migration, range.start);
    const lines = call && statementLines(src, call);
    if (!call || !lines || call.inAutocommitBlock) return undefined;
    const indent = src.indentOf(lines.first);
    const unit = indentUnit(src, migration);
    const q = quoteStyle(src, migration);
    const cols = data.columns.map((c) => pyString(c, q)).join(', ');
    const text = [
      `${indent}with op.get_context().autocommit_block():`,
      `${indent}${unit}op.create_index(${pyString(data.name, q)}, ${pyString(data.table, q)}, [${cols}], unique=True, postgresql_concurrently=True)`,
      `${indent}op.execute(${pyString(`ALTER TABLE ${quoteIdent(data.table)} ADD CONSTRAINT ${quoteIdent(data.name)} UNIQUE USING INDEX ${quoteIdent(data.name)}`, q)})`,
    ].join(src.eol);
    const fix: QuickFix = {
      title: 'Build the unique index concurrently, then add the constraint USING INDEX',
      edits: [{ range: { start: { line: lines.first, character: 0 }, end: src.lineEnd(lines.last) }, newText: text }],
    };
    return fix;
  },
});

/** What the two-step form needs: a plain `op.create_unique_constraint` with literal name, table and columns, no schema. */
function fixData(op: SchemaOp): UniqueConstraintOnExistingTableData | undefined {
  if (op.sql || op.batch || op.via || op.schemaArg || op.call.hasStarArgs || op.call.callee !== 'op.create_unique_constraint') return undefined;
  const colsArg = argAt(op.call, 2, 'columns');
  const columns = colsArg?.kind === 'sequence' && colsArg.items.every((c) => c.kind === 'string') ? colsArg.items.map((c) => (c.kind === 'string' ? c.value : '')) : undefined;
  if (!columns || columns.length === 0) return undefined;
  // Other keywords (deferrable=, initially=) would be lost in the rewrite.
  if (op.call.kwargs.some((k) => !['constraint_name', 'table_name', 'columns'].includes(k.name))) return undefined;
  const raw = (v: typeof op.nameArg): string | undefined => (v?.kind === 'string' ? v.value : v?.kind === 'call' && v.call.args[0]?.kind === 'string' ? v.call.args[0].value : undefined);
  const name = raw(op.nameArg);
  const table = raw(op.tableArg);
  if (name === undefined || table === undefined) return undefined;
  return { name, table, columns };
}

/** A SQL identifier as PostgreSQL would read the Python name: quoted unless plain lower case. */
function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}
