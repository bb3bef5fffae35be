// docstring-mismatch: the docstring header ("Revision ID:", "Revises:") disagrees with the revision
// variables. Alembic ignores the header, so this is only a hint: people read it, and stale headers
// mislead reviewers. Kept quiet on purpose (hint severity, order of ids ignored).
import { docstringHeaderFix } from '../fixes/graph';
import type { StringAt } from '../types';
import { defineFileRule, type RuleFinding } from './rule';

/** The header field that disagrees, and what the variables say it should be. */
export type DocstringMismatchData =
  | { field: 'revisionId'; expected: string }
  | { field: 'revises'; expected: string[] };

/** What the Revises: line of a first revision may say instead of an id. */
const NO_PARENT = /^(?:none|\(none\)|<base>|-)$/i;

export const docstringMismatch = defineFileRule<DocstringMismatchData>({
  id: 'docstring-mismatch',
  defaultSeverity: 'hint',
  description: "The docstring's Revision ID / Revises header disagrees with the revision variables.",
  unnecessary: true,
  check({ migration }) {
    const out: RuleFinding<DocstringMismatchData>[] = [];
    const header = migration.docstring;
    if (!header) return out;
    const rev = migration.revision?.value;
    if (header.revisionId && rev?.kind === 'string' && header.revisionId.value !== rev.value) {
      out.push({
        range: header.revisionId.range,
        message: `The docstring says Revision ID ${header.revisionId.value}, but revision = '${rev.value}'.`,
        data: { field: 'revisionId', expected: rev.value },
      });
    }
    const down = migration.downRevision?.value;
    if (header.revises && down && down.kind !== 'unresolved') {
      const actual = down.kind === 'string' ? (down.value ? [down.value] : []) : down.kind === 'sequence' ? down.items.map((i) => i.value) : [];
      // "Revises: None" (older templates), "(none)", "<base>": the first revision, which revises nothing.
      const only = header.revises.length === 1 ? header.revises[0]?.value : undefined;
      const revises = only !== undefined && NO_PARENT.test(only) ? [] : header.revises;
      // One parent on each side (nearly every file): no copies to compare.
      const same = actual.length === revises.length &&
        (actual.length === 1 ? actual[0] === revises[0]?.value : [...actual].sort().join('\u0000') === revises.map((r: StringAt) => r.value).sort().join('\u0000'));
      if (!same) {
        const written = header.revises.map((r: StringAt) => r.value);
        const range = header.revises[0]?.range ?? header.revisionId?.range ?? header.range;
        out.push({
          range: header.revises.length > 0 ? spanOf(header.revises) : range,
          message: `The docstring says Revises: ${written.join(', ') || '(nothing)'}, but down_revision is ${actual.length === 0 ? 'None' : actual.join(', ')}.`,
          data: { field: 'revises', expected: actual },
        });
      }
    }
    return out;
  },
  fix({ data }, { src, migration }) {
    return docstringHeaderFix(src, migration, data.field);
  },
});

function spanOf(items: StringAt[]): StringAt['range'] {
  const first = items[0];
  const last = items[items.length - 1];
  return first && last ? { start: first.range.start, end: last.range.end } : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
}
