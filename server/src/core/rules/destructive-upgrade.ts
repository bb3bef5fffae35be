// destructive-upgrade: `drop_table` / `drop_column` in an upgrade. The data is gone (a downgrade can
// recreate the table or column, not its contents), and application code still running the previous
// release breaks on the missing column the moment the migration commits. Often intended: say so
// with a suppression comment, which is exactly the review trail this rule asks for.
import { upgradeOps } from '../facts/functions';
import { defineFileRule, type RuleFinding } from './rule';

export const destructiveUpgrade = defineFileRule({
  id: 'destructive-upgrade',
  defaultSeverity: 'warning',
  description: 'upgrade() drops a table or a column: its data is lost.',
  check({ migration }) {
    const out: RuleFinding[] = [];
    for (const { op, newTable, newColumn } of upgradeOps(migration)) {
      if (op.sql) continue;
      if (op.kind === 'drop_table' && !newTable) {
        out.push({
          range: op.range,
          message: `upgrade() drops table '${op.table ?? '?'}' and every row in it; a downgrade cannot bring the data back, and code still using the table breaks. Back it up or archive it first, and deploy code that no longer uses it before this runs.`,
        });
      } else if (op.kind === 'drop_column' && !newColumn) {
        out.push({
          range: op.range,
          message: `upgrade() drops column ${op.table ?? '?'}.${op.name ?? '?'} and its data; a downgrade recreates it empty, and code still reading it breaks. Deploy code that no longer uses it first.`,
        });
      }
    }
    return out;
  },
});
