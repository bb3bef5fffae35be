// rename-column-or-table: `rename_table`, `alter_column(new_column_name=...)` (or the same in raw
// SQL) on an existing table. PostgreSQL renames instantly, but the application release that is
// still running keeps using the old name and fails until the new code is deployed: a rename is
// never backward compatible. Information by default: often planned, and deploy order fixes it.
import { upgradeOpsOn } from '../facts/functions';
import { defineFileRule, type RuleFinding } from './rule';
import { columnPhrase, tablePhrase } from '../facts/schema';

/** The new name in a message: quoted, or in words when it is not a literal. */
const newNamePhrase = (name: string | undefined): string => (name === undefined ? 'a name that is not a literal' : `'${name}'`);

export const renameColumnOrTable = defineFileRule({
  id: 'rename-column-or-table',
  defaultSeverity: 'information',
  description: 'A column or table is renamed: code still using the old name breaks.',
  check({ migration, project }) {
    const out: RuleFinding[] = [];
    for (const { op, newTable, newColumn } of upgradeOpsOn(migration, project?.dialect)) {
      if (newTable) continue;
      if (op.kind === 'rename_table') {
        out.push({
          range: op.range,
          message: `Renaming ${tablePhrase(op.table)} to ${newNamePhrase(op.newName)} breaks every running query that uses the old name until the new code is deployed. Consider a view with the old name, or deploy code that handles both first.`,
        });
      } else if (op.kind === 'alter_column' && (op.newNameArg || op.sql?.kind === 'rename_column') && !newColumn) {
        out.push({
          range: op.range,
          message: `Renaming ${columnPhrase(op)} to ${newNamePhrase(op.newName)} breaks code still using the old name until the new code is deployed. Safer: add the new column, write both, backfill, switch reads, then drop the old one.`,
        });
      }
    }
    return out;
  },
});
