// destructive-sql: raw SQL in an upgrade that destroys data: DROP TABLE, DROP SCHEMA/DATABASE,
// ALTER TABLE ... DROP COLUMN, TRUNCATE, DELETE without WHERE. The same loss as destructive-upgrade,
// hidden in a string where reviewers look less carefully.
import { type DataLossKind, dataLoss } from '../facts/destruction';
import { upgradeOps } from '../facts/functions';
import type { ParsedCall } from '../types';
import { defineFileRule, type RuleFinding } from './rule';

const WHAT: Record<DataLossKind, string> = {
  drop_table: 'drops a table', drop_schema: 'drops a schema', drop_column: 'drops a column', truncate: 'truncates a table', delete_all: 'deletes every row of a table',
};

export const destructiveSql = defineFileRule({
  id: 'destructive-sql',
  defaultSeverity: 'warning',
  description: 'Raw SQL in upgrade() drops, truncates or deletes data.',
  check({ migration }) {
    // Made with the first loss (most files have none).
    let byCall: Map<ParsedCall, string[]> | undefined;
    for (const x of upgradeOps(migration)) {
      // Alembic operations are destructive-upgrade's.
      if (!x.op.sql) continue;
      const loss = dataLoss(x);
      if (!loss) continue;
      byCall ??= new Map();
      const line = `${WHAT[loss.kind]} (${loss.object})`;
      const list = byCall.get(loss.op.call) ?? [];
      if (!list.includes(line)) list.push(line);
      byCall.set(loss.op.call, list);
    }
    if (!byCall) return [];
    return [...byCall].map(([call, what]): RuleFinding => ({
      range: call.range,
      message: `This SQL ${what.join('; ')}: the data is lost and a downgrade cannot restore it. Make sure that is intended (back up first), and suppress this line to record it.`,
    }));
  },
});
