// check-constraint-without-not-valid: `create_check_constraint` on a table the migration did not
// create, without `postgresql_not_valid=True`. PostgreSQL checks every existing row while it holds an
// ACCESS EXCLUSIVE lock on the table (no reads, no writes) for the whole scan. With NOT VALID the
// constraint is added instantly and new rows are checked; `VALIDATE CONSTRAINT` in a later migration
// checks the old rows under a lock that lets reads and writes go on.
import { mayBePostgres } from '../facts/dialect';
import { upgradeOpsOn } from '../facts/functions';
import { onExistingTable } from '../facts/lockTimeout';
import { callAt } from '../fixes/calls';
import { notValidFix } from '../fixes/postgres';
import { defineFileRule, type RuleFinding } from './rule';

/** The call takes `postgresql_not_valid=True` (SQLAlchemy 1.4.32+ passes it to CheckConstraint). */
export type CheckConstraintWithoutNotValidData = { fix: 'not-valid' };

export const checkConstraintWithoutNotValid = defineFileRule<CheckConstraintWithoutNotValidData>({
  id: 'check-constraint-without-not-valid',
  defaultSeverity: 'information',
  description: 'A check constraint is added to an existing table without NOT VALID: every row is checked under an exclusive lock.',
  check(ctx) {
    const { migration, project } = ctx;
    // PostgreSQL's locks: nothing to say about a project on another database, or a branch for one.
    if (!mayBePostgres(project?.dialect)) return [];
    const out: RuleFinding<CheckConstraintWithoutNotValidData>[] = [];
    for (const o of upgradeOpsOn(migration, 'postgresql')) {
      const { op } = o;
      if (op.kind !== 'create_constraint' || op.constraintType !== 'check' || op.notValid || !onExistingTable(o, ctx)) continue;
      const name = op.name ? `'${op.name}' ` : '';
      out.push({
        range: op.range,
        message: `Adding check constraint ${name}to existing table '${op.table ?? '?'}' scans every row under an ACCESS EXCLUSIVE lock (no reads or writes meanwhile). Pass postgresql_not_valid=True, then run 'ALTER TABLE ... VALIDATE CONSTRAINT' in a later migration (it lets reads and writes go on).`,
        // A batch operation on PostgreSQL is an ALTER TABLE too; the keyword goes on the call either way.
        data: { fix: 'not-valid' },
      });
    }
    return out;
  },
  fix({ range }, { src, migration }) {
    const call = callAt(migration, range.start);
    return call && notValidFix(src, call);
  },
});
