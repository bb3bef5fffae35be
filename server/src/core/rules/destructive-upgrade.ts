// destructive-upgrade: `drop_table` / `drop_column` in an upgrade. The data is gone (a downgrade can
// recreate the table or column, not its contents), and application code still running the previous
// release breaks on the missing column the moment the migration commits. Often intended: say so
// with a suppression comment, which is exactly the review trail this rule asks for.
import { dataLoss, refilledByDowngrade } from '../facts/destruction';
import { upgradeOps } from '../facts/functions';
import { columnPhrase, tablePhrase } from '../facts/schema';
import { defineFileRule, type RuleFinding } from './rule';

export const destructiveUpgrade = defineFileRule({
  id: 'destructive-upgrade',
  defaultSeverity: 'warning',
  description: 'upgrade() drops a table or a column: its data is lost.',
  check({ migration }) {
    const out: RuleFinding[] = [];
    let refilled: ReturnType<typeof refilledByDowngrade> | undefined;
    for (const x of upgradeOps(migration)) {
      const loss = dataLoss(x);
      // The same loss written as SQL is destructive-sql's.
      if (!loss || loss.op.sql) continue;
      // The downgrade recreates it and writes rows (a move it undoes, or a lossy reconstruction such as
      // Prefect's type from capabilities): not "recreated empty", but what comes back is what the
      // downgrade computes, which nothing here can compare with what was dropped.
      if ((refilled ??= refilledByDowngrade(migration))(loss)) {
        const what = loss.kind === 'drop_table' ? tablePhrase(loss.op.table) : columnPhrase(loss.op);
        out.push({
          range: loss.op.range,
          message: `upgrade() drops ${what} and its data; the downgrade recreates it and writes rows back, which restores the data only if the upgrade kept every value elsewhere: make sure it does. Code still using it breaks the moment this commits: deploy code that no longer uses it first.`,
        });
      } else if (loss.kind === 'drop_table') {
        out.push({
          range: loss.op.range,
          message: `upgrade() drops ${tablePhrase(loss.op.table)} and every row in it; a downgrade cannot bring the data back, and code still using the table breaks. Back it up or archive it first, and deploy code that no longer uses it before this runs.`,
        });
      } else if (loss.kind === 'drop_column') {
        out.push({
          range: loss.op.range,
          message: `upgrade() drops ${columnPhrase(loss.op)} and its data; a downgrade can add the column back but not its values, and code still reading it breaks. Deploy code that no longer uses it first.`,
        });
      }
    }
    return out;
  },
});
