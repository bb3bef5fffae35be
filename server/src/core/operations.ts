// What the `alembic/operations` request answers: the data a migration's upgrade or downgrade
// destroys, for the downgrade confirmation ("drop_table users", "drop_column projects.title",
// "drop enum userrole", "execute TRUNCATE audit_log"), and the objects it creates, for links from
// the round-trip report. Read from the facts like everything else: data loss is `dataLoss()`, the
// classification destructive-upgrade and destructive-sql report with, so the dialog and the lint
// agree about every migration.
import { type DataLoss, dataLoss } from './facts/destruction';
import { migrationFunctions, opsInContext } from './facts/functions';
import { implicitEnumRange, implicitEnums, type SchemaOp, type SchemaOpKind, schemaOps } from './facts/schema';
import { writtenColumn, writtenEnumName, writtenName, writtenTable } from './facts/written';
import type { Migration, MigrationFunction, MigrationFunctionKind, Range } from './types';

export interface DestructiveOperation {
  /** `drop_table`, `drop_column`, `drop enum`, or `execute` for a SQL statement. */
  operation: 'drop_table' | 'drop_column' | 'drop enum' | 'execute';
  /** As written: table, `table.column`, enum name, or the SQL statement; absent when not a literal. */
  target?: string;
  range: Range;
  /** The data it destroys (one SQL statement may destroy several objects); none for an enum type drop. */
  losses: DataLoss[];
}

/** Long statements are cut for the dialog. */
const SQL_TARGET_LENGTH = 120;

function functionsOf(migration: Migration, kind: MigrationFunctionKind): MigrationFunction[] {
  return migrationFunctions(migration).filter((fn) => fn.kind === kind);
}

/**
 * The data the `kind` functions destroy, in source order, plus the enum types they drop: a type
 * holds no rows (PostgreSQL refuses to drop one a column still uses), but the dialog names the enums
 * a downgrade removes along with the tables and columns.
 */
export function destructiveOperations(migration: Migration, kind: MigrationFunctionKind): DestructiveOperation[] {
  const out: DestructiveOperation[] = [];
  for (const fn of functionsOf(migration, kind)) {
    // A SQL statement is one line of the dialog, however many objects it destroys.
    const statements = new Map<string, DestructiveOperation>();
    for (const x of opsInContext(migration, fn)) {
      const { op } = x;
      const loss = dataLoss(x);
      if (!loss && op.kind !== 'enum_drop') continue;
      const losses = loss ? [loss] : [];
      if (op.sql) {
        const key = `${op.index}\n${op.sql.statement}`;
        const seen = statements.get(key);
        if (seen) {
          seen.losses.push(...losses);
          continue;
        }
        const line: DestructiveOperation = { operation: 'execute', target: op.sql.statement.slice(0, SQL_TARGET_LENGTH), range: op.range, losses };
        statements.set(key, line);
        out.push(line);
        continue;
      }
      out.push({ ...dropOf(op), range: op.range, losses });
    }
  }
  return out;
}

/** An Alembic drop as the dialog names it: drop_table, drop_column, or an enum type's `.drop()`. */
function dropOf(op: SchemaOp): Pick<DestructiveOperation, 'operation' | 'target'> {
  const line = (operation: DestructiveOperation['operation'], target: string | undefined): Pick<DestructiveOperation, 'operation' | 'target'> =>
    (target === undefined ? { operation } : { operation, target });
  switch (op.kind) {
    case 'drop_table': return line('drop_table', writtenTable(op));
    case 'drop_column': return line('drop_column', writtenColumn(op));
    default: return line('drop enum', writtenName(op));
  }
}

export interface CreatedObject {
  /** `table`, `column` (`table.column`), `index`, `constraint`, `enum`. */
  kind: 'table' | 'column' | 'index' | 'constraint' | 'enum';
  name: string;
  range: Range;
}

const CREATED_KIND: Partial<Record<SchemaOpKind, CreatedObject['kind']>> = {
  create_table: 'table', add_column: 'column', create_index: 'index', create_constraint: 'constraint', enum_create: 'enum',
};

/**
 * Objects the `kind` functions create through Alembic operations, by literal name as written, to
 * point a round-trip report at the responsible line. Enum types a create_table creates for its
 * columns point at the column's type. Objects created by SQL are left out: their names are folded
 * to lower case, and a report would link the wrong object where the SQL quotes a mixed-case name.
 */
export function createdObjects(migration: Migration, kind: MigrationFunctionKind = 'upgrade'): CreatedObject[] {
  const out: CreatedObject[] = [];
  const push = (k: CreatedObject['kind'], name: string | undefined, range: Range): void => {
    if (name !== undefined) out.push({ kind: k, name, range });
  };
  for (const fn of functionsOf(migration, kind)) {
    for (const op of schemaOps(migration, fn)) {
      const created = CREATED_KIND[op.kind];
      if (op.sql || !created) continue;
      if (op.kind === 'create_table') {
        push('table', writtenTable(op), op.range);
        for (const e of implicitEnums(op)) push('enum', writtenEnumName(e), implicitEnumRange(op, e));
      } else {
        push(created, created === 'column' ? writtenColumn(op) : writtenName(op), op.range);
      }
    }
  }
  return out;
}
