// Names as the migration writes them. SchemaOps carry names in lower case, which is how the rules
// compare them (PostgreSQL folds unquoted names); a dialog or a report shows what the author typed,
// so `op.drop_table(op.f("Users"))` reads `Users` there. Each answer is defined exactly when the
// SchemaOp's lower-case name is, and differs from it in case only. Names from SQL stay as the SQL
// facts give them: a statement has no argument to read them from.
import { literalName } from './args';
import type { EnumFacts, SchemaOp } from './schema';

/** The table: the argument (`op.f`/`conv` unwrapped), or the table of the batch block. */
export function writtenTable(op: SchemaOp): string | undefined {
  if (op.table === undefined || op.sql) return op.table;
  return (op.tableArg ? literalName(op.tableArg) : op.batch?.table) ?? op.table;
}

/** The index, constraint, column or enum type name. */
export function writtenName(op: SchemaOp): string | undefined {
  if (op.name === undefined || op.sql) return op.name;
  return literalName(op.nameArg ?? op.enumType?.nameArg) ?? op.name;
}

/** `table.column`, or the column alone when the table is not a literal; undefined without a column name. */
export function writtenColumn(op: SchemaOp): string | undefined {
  const column = writtenName(op);
  const table = writtenTable(op);
  return column === undefined || table === undefined ? column : `${table}.${column}`;
}

/** An enum type's `name=` as written. */
export function writtenEnumName(e: EnumFacts): string | undefined {
  return literalName(e.nameArg);
}
