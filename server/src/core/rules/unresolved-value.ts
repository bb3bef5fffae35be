// unresolved-value: a revision variable whose value is not a literal (a name, a call, an f-string ...).
// Alembic evaluates the module and sees the real value; alembic-lint does not guess, so the graph it
// shows may differ from Alembic's for this file.
import type { RevisionAssignment, RevisionVariable } from '../types';
import { defineFileRule, type RuleFinding } from './rule';

/** The revision variable whose value is not a literal. */
export type UnresolvedValueData = { variable: RevisionVariable };

export const unresolvedValue = defineFileRule<UnresolvedValueData>({
  id: 'unresolved-value',
  defaultSeverity: 'information',
  description: 'A revision variable is not a literal, so alembic-lint cannot know its value.',
  check({ migration }) {
    const out: RuleFinding<UnresolvedValueData>[] = [];
    const vars: (RevisionAssignment | undefined)[] = [migration.revision, migration.downRevision, migration.branchLabels, migration.dependsOn];
    for (const v of vars) {
      if (v?.value.kind !== 'unresolved') continue;
      const text = v.value.text.length > 60 ? `${v.value.text.slice(0, 57)}...` : v.value.text;
      out.push({
        range: v.value.range,
        message: `'${v.name}' is not a literal (${text}); alembic-lint cannot follow it, so this file's place in the revision graph may differ from Alembic's. Write the value as a string, None, or a tuple of strings.`,
        data: { variable: v.name },
      });
    }
    return out;
  },
});
