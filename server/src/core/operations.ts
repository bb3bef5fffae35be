// Destructive operations in a migration's upgrade or downgrade, as a confirmation dialog lists them
// ("drops table users, column projects.title, enum userrole"). Pure: parsed calls in, summaries out.
import type { ArgValue, Migration, ParsedCall, Range } from './types';

export interface DestructiveOperation {
  /** `drop_table`, `drop_column`, `drop_index`, `drop_constraint`, `drop enum`, `execute`. */
  operation: string;
  /** The object as written, when literal: table, `table.column`, index, enum name, or the SQL. */
  target?: string;
  range: Range;
}

function literal(v: ArgValue | undefined): string | undefined {
  if (!v) return undefined;
  if (v.kind === 'string') return v.value;
  // op.f("name") keeps the name as written
  if (v.kind === 'call' && /(^|\.)f$/.test(v.call.callee)) return literal(v.call.args[0]);
  return undefined;
}

function arg(call: ParsedCall, index: number, keyword: string): ArgValue | undefined {
  return call.args[index] ?? call.kwargs.find((k) => k.name === keyword)?.value;
}

function enumName(call: ParsedCall | undefined): string | undefined {
  if (!call) return undefined;
  return literal(call.kwargs.find((k) => k.name === 'name')?.value);
}

const DESTRUCTIVE_SQL = /^\s*(drop\s+(table|type|index|schema|view|materialized\s+view|sequence|column)|truncate|delete\s+from|alter\s+table\s+\S+\s+drop)\b/i;

export function destructiveOperations(migration: Migration, kind: 'upgrade' | 'downgrade'): DestructiveOperation[] {
  const out: DestructiveOperation[] = [];
  const enums = new Map(migration.enumVariables.map((e) => [e.name, e.call]));
  for (const fn of migration.functions) {
    if (fn.kind !== kind) continue;
    for (const call of fn.calls) {
      const method = call.callee.split('.').pop() ?? '';
      const onOp = /^op\./.test(call.callee) || call.batch !== undefined;
      if (onOp && method === 'drop_table') {
        out.push({ operation: 'drop_table', ...opt(literal(arg(call, 0, 'table_name'))), range: call.range });
      } else if (onOp && method === 'drop_column') {
        const table = call.batch ? call.batch.table : literal(arg(call, 0, 'table_name'));
        const column = call.batch ? literal(arg(call, 0, 'column_name')) : literal(arg(call, 1, 'column_name'));
        out.push({ operation: 'drop_column', ...opt(table && column ? `${table}.${column}` : column), range: call.range });
      } else if (onOp && method === 'drop_index') {
        out.push({ operation: 'drop_index', ...opt(literal(arg(call, 0, 'index_name'))), range: call.range });
      } else if (onOp && method === 'drop_constraint') {
        out.push({ operation: 'drop_constraint', ...opt(literal(arg(call, 0, 'constraint_name'))), range: call.range });
      } else if (method === 'drop' && (call.receiver || enums.has(call.callee.slice(0, -'.drop'.length)))) {
        const def = call.receiver ?? enums.get(call.callee.slice(0, -'.drop'.length));
        if (def && /(^|\.)(Enum|ENUM)$/.test(def.callee)) out.push({ operation: 'drop enum', ...opt(enumName(def)), range: call.range });
      }
    }
  }
  for (const sql of migration.executedSql) {
    if (sql.function !== kind && !sql.function.startsWith(`${kind}_`)) continue;
    if (DESTRUCTIVE_SQL.test(sql.sql)) out.push({ operation: 'execute', target: sql.sql.trim().replace(/\s+/g, ' ').slice(0, 120), range: sql.range });
  }
  return out;
}

function opt(target: string | undefined): { target?: string } {
  return target === undefined ? {} : { target };
}

export interface CreatedObject {
  /** `table`, `column` (`table.column`), `index`, `constraint`, `enum`. */
  kind: 'table' | 'column' | 'index' | 'constraint' | 'enum';
  name: string;
  range: Range;
}

/** Objects an upgrade creates, by literal name, to point a round-trip report at the responsible line. */
export function createdObjects(migration: Migration, kind: 'upgrade' | 'downgrade' = 'upgrade'): CreatedObject[] {
  const out: CreatedObject[] = [];
  const enums = new Map(migration.enumVariables.map((e) => [e.name, e.call]));
  const push = (k: CreatedObject['kind'], name: string | undefined, range: Range): void => {
    if (name) out.push({ kind: k, name, range });
  };
  for (const fn of migration.functions) {
    if (fn.kind !== kind) continue;
    for (const call of fn.calls) {
      const method = call.callee.split('.').pop() ?? '';
      const onOp = /^op\./.test(call.callee) || call.batch !== undefined;
      if (onOp && method === 'create_table') {
        push('table', literal(arg(call, 0, 'table_name')), call.range);
        for (const a of call.args.slice(1)) {
          if (a.kind === 'call' && /(^|\.)Enum$|(^|\.)ENUM$/.test(a.call.callee)) push('enum', enumName(a.call), a.range);
        }
      } else if (onOp && method === 'add_column') {
        const table = call.batch ? call.batch.table : literal(arg(call, 0, 'table_name'));
        const column = call.batch ? call.args[0] : call.args[1];
        const colName = column?.kind === 'call' ? literal(column.call.args[0]) : undefined;
        push('column', table && colName ? `${table}.${colName}` : colName, call.range);
      } else if (onOp && method === 'create_index') {
        push('index', literal(arg(call, 0, 'index_name')), call.range);
      } else if (onOp && /^create_(foreign_key|unique_constraint|check_constraint|primary_key|exclude_constraint)$/.test(method)) {
        push('constraint', literal(arg(call, 0, 'constraint_name')), call.range);
      } else if (method === 'create') {
        const def = call.receiver ?? enums.get(call.callee.slice(0, -'.create'.length));
        if (def && /(^|\.)(Enum|ENUM)$/.test(def.callee)) push('enum', enumName(def), call.range);
      }
    }
  }
  return out;
}
