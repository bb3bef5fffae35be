// foreign-key-without-not-valid: a foreign key added to an existing table without NOT VALID
// (`postgresql_not_valid=True`, SQLAlchemy 1.4.32+). PostgreSQL checks every existing row while
// holding a SHARE ROW EXCLUSIVE lock on both tables: writes to both wait for the whole scan. With
// NOT VALID the constraint is added instantly (new rows are checked) and a later
// `ALTER TABLE ... VALIDATE CONSTRAINT` checks the old rows without blocking writes.
import { mayBePostgres } from '../facts/dialect';
import { upgradeOpsOn } from '../facts/functions';
import { callAt } from '../fixes/calls';
import { notValidFix } from '../fixes/postgres';
import { defineFileRule, type RuleFinding } from './rule';

/** On findings the fix can rewrite (calls, not SQL): `postgresql_not_valid=True`. */
export type ForeignKeyWithoutNotValidData = { fix: 'not-valid' };

export const foreignKeyWithoutNotValid = defineFileRule<ForeignKeyWithoutNotValidData>({
  id: 'foreign-key-without-not-valid',
  defaultSeverity: 'information',
  description: 'A foreign key is added to an existing table without NOT VALID: both tables are write-locked while every row is checked.',
  check({ migration, project }) {
    // PostgreSQL's locks: nothing to say about a project on another database, or a branch for one.
    if (!mayBePostgres(project?.dialect)) return [];
    const out: RuleFinding<ForeignKeyWithoutNotValidData>[] = [];
    for (const { op, newTable } of upgradeOpsOn(migration, 'postgresql')) {
      if (op.kind !== 'create_constraint' || op.constraintType !== 'foreignkey' || op.notValid || newTable) continue;
      const name = op.name ? `'${op.name}' ` : '';
      const how = op.sql ? 'add NOT VALID' : 'pass postgresql_not_valid=True';
      const finding: RuleFinding<ForeignKeyWithoutNotValidData> = {
        range: op.range,
        message: `Adding foreign key ${name}to existing table '${op.table ?? '?'}' checks every row while writes to it and to the referenced table are blocked. ${how[0]?.toUpperCase()}${how.slice(1)}, then run 'ALTER TABLE ... VALIDATE CONSTRAINT' in a later migration.`,
      };
      if (!op.sql) finding.data = { fix: 'not-valid' };
      out.push(finding);
    }
    return out;
  },
  fix({ range }, { src, migration }) {
    const call = callAt(migration, range.start);
    return call && notValidFix(src, call);
  },
});
