// What destroys data. One classification for the lint (destructive-upgrade, destructive-sql) and the
// downgrade confirmation (core/operations.ts), so that the dialog and the diagnostics say the same
// about the same migration. Rows are lost by dropping a table, a column or a schema, by TRUNCATE,
// and by DELETE without WHERE (a DELETE with WHERE picks rows: a data change, not a loss). A table
// or column the same function created earlier holds nothing yet, so dropping it loses nothing.
import type { Migration, MigrationFunction } from '../types';
import { type OpInContext, opsInContext } from './functions';
import { columnLabel, type SchemaOp } from './schema';

/** drop_table and drop_column come from Alembic operations or SQL; the others from SQL only. */
export type DataLossKind = 'drop_table' | 'drop_column' | 'drop_schema' | 'truncate' | 'delete_all';

export interface DataLoss {
  kind: DataLossKind;
  /**
   * What loses its rows, in the facts' lower case: `table`, `table.column`, a schema, or every name
   * of the SQL statement (`DROP TABLE a, b` is `a, b`); `?` for a part that is not a literal.
   */
  object: string;
  op: SchemaOp;
}

type SqlOnlyLoss = Exclude<DataLossKind, 'drop_table' | 'drop_column'>;

function isSqlOnlyLoss(kind: string | undefined): kind is SqlOnlyLoss {
  return kind === 'drop_schema' || kind === 'truncate' || kind === 'delete_all';
}

/** The data `op` destroys where it runs; undefined when it destroys none. */
export function dataLoss({ op, newTable, newColumn }: OpInContext): DataLoss | undefined {
  if (op.kind === 'drop_table') return newTable ? undefined : { kind: 'drop_table', object: lostObject(op), op };
  if (op.kind === 'drop_column') return newColumn ? undefined : { kind: 'drop_column', object: lostObject(op), op };
  const sqlKind = op.sql?.kind;
  return isSqlOnlyLoss(sqlKind) ? { kind: sqlKind, object: lostObject(op), op } : undefined;
}

/** Every loss of data in one function, in source order. */
export function dataLossIn(m: Migration, fn: MigrationFunction): DataLoss[] {
  return opsInContext(m, fn).flatMap((x) => dataLoss(x) ?? []);
}

function lostObject(op: SchemaOp): string {
  if (op.kind === 'drop_column') return columnLabel(op);
  // A statement names its objects itself (a TRUNCATE or DROP TABLE may list several).
  if (op.sql) return op.sql.names.join(', ') || op.table || '?';
  return op.table ?? '?';
}
