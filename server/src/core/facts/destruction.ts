// What destroys data. One classification for the lint (destructive-upgrade, destructive-sql) and the
// downgrade confirmation (core/operations.ts), so that the dialog and the diagnostics say the same
// about the same migration. Rows are lost by dropping a table, a column or a schema, by TRUNCATE,
// and by DELETE without WHERE (a DELETE with WHERE picks rows: a data change, not a loss). A table
// or column the same function created earlier holds nothing yet, so dropping it loses nothing.
import type { Migration, MigrationFunction } from '../types';
import { functionOps, functionPairs, type OpInContext, opsInContext } from './functions';
import { sqlStatements } from './sql';
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

/**
 * Tables a migration tool keeps for itself, no application's data: sqlalchemy-migrate's version table,
 * which Nova, Cinder and CKAN drop once they moved to Alembic.
 */
const TOOL_TABLES: ReadonlySet<string> = new Set(['migrate_version']);

/** Every table `op` drops is a migration tool's own (a schema prefix aside). */
function dropsToolTablesOnly(op: SchemaOp): boolean {
  const names = op.sql ? op.sql.names : op.table !== undefined ? [op.table] : [];
  return names.length > 0 && names.every((n) => TOOL_TABLES.has(n.slice(n.lastIndexOf('.') + 1)));
}

/** The data `op` destroys where it runs; undefined when it destroys none. */
export function dataLoss({ op, newTable, newColumn }: OpInContext): DataLoss | undefined {
  if (op.kind === 'drop_table') return newTable || dropsToolTablesOnly(op) ? undefined : { kind: 'drop_table', object: lostObject(op), op };
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

/** A Core statement that writes rows: `t.update()...`, `t.insert()...`, `sa.insert(t)`, `sa.update(t)`. */
const CORE_WRITE = /(?:^|\.)(?:update|insert)(?:\(\)|$)/;
const SQL_WRITE = /^\s*(?:UPDATE|INSERT)\b/i;

/** A Core write built to be executed later (`update = t.update().where(...).values(...)`); not `dict.update(...)`. */
const CORE_WRITE_BUILT = /\.(?:update|insert)\(\)\.(?:where|values)\b/;

/** The function writes rows: op.bulk_insert, UPDATE or INSERT in SQL, or a Core update()/insert() executed. */
function writesRows(m: Migration, fn: MigrationFunction): boolean {
  if (fn.calls.some((c) => CORE_WRITE_BUILT.test(c.callee))) return true;
  return functionOps(m, fn).some((op) => {
    if (op.call.callee === 'op.bulk_insert') return true;
    if (op.kind !== 'execute') return false;
    const executed = m.executedSql.find((e) => e.call === op.call);
    if (executed) return sqlStatements(executed.sql).some((st) => SQL_WRITE.test(st));
    const arg = op.call.args[0];
    return arg?.kind === 'call' && CORE_WRITE.test(arg.call.callee);
  });
}

/**
 * What the downgrade of the upgrade holding `op` puts back with rows: the tables it creates and the
 * columns it adds, when it also writes rows (manila and OpenStack move a column's values to another
 * table in the upgrade and copy them back in the downgrade). The values come back only if the upgrade
 * kept them somewhere, which is not visible here; but the downgrade does not leave them empty.
 */
export function refilledByDowngrade(m: Migration): (loss: DataLoss) => boolean {
  const refilled = new Map<MigrationFunction, Set<string>>();
  for (const { upgrade, downgrade } of functionPairs(m)) {
    if (!downgrade || !writesRows(m, downgrade)) continue;
    const back = new Set<string>();
    for (const op of functionOps(m, downgrade)) {
      if (op.kind === 'create_table' && op.table !== undefined) back.add(op.table);
      else if (op.kind === 'add_column' && op.table !== undefined && op.name !== undefined) back.add(`${op.table}.${op.name}`);
    }
    if (back.size > 0) refilled.set(upgrade, back);
  }
  if (refilled.size === 0) return () => false;
  return (loss) => {
    const { op } = loss;
    const call = op.via?.call ?? op.call;
    for (const [upgrade, back] of refilled) {
      if (!upgrade.calls.includes(call)) continue;
      if (op.table === undefined) return false;
      return loss.kind === 'drop_table' ? back.has(op.table) : op.name !== undefined && back.has(`${op.table}.${op.name}`);
    }
    return false;
  };
}
