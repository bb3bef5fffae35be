// invalid-revision-id: a revision id Alembic refuses, or a file whose revision variables Alembic cannot
// load. Alembic (Revision.verify_rev_id) refuses '@', '-' and '+' ("Character(s) '-' not allowed in
// revision identifier 'a-b'"); an id with ':' loads but cannot be written in a range (`history -r a:b`),
// and an empty id makes `head` resolve to nothing. A file without `revision` (and without an all-hex
// name) or without `down_revision` stops Alembic from loading the whole directory.
import path from 'node:path';
import type { Range } from '../types';
import { defineFileRule, type RuleFinding } from './rule';

const ILLEGAL = ['@', '-', '+'];
const FILE_START: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** For an id with characters Alembic refuses: the id and those characters. */
export type InvalidRevisionIdData = { revision: string; characters: string[] };

export const invalidRevisionId = defineFileRule<InvalidRevisionIdData>({
  id: 'invalid-revision-id',
  defaultSeverity: 'error',
  description: 'The revision id is one Alembic refuses or cannot address, or the file lacks revision variables.',
  check({ path: file, migration }) {
    const out: RuleFinding<InvalidRevisionIdData>[] = [];
    const rev = migration.revision;
    // Only a file without a revision variable is judged by its name.
    const name = rev ? '' : path.basename(file);
    if (!rev) {
      if (!/^[a-f0-9]+\.py$/.test(name)) {
        out.push({
          range: FILE_START,
          message: `Could not determine revision id from filename ${name}. Be sure the 'revision' variable is declared ` +
            "inside the script: Alembic loads every .py file in the versions folder and stops here.",
        });
      }
    } else if (rev.value.kind === 'none' || rev.value.kind === 'sequence') {
      out.push({ range: rev.value.range, message: `'revision' must be a string; Alembic cannot load a revision whose id is ${rev.value.kind === 'none' ? 'None' : 'a tuple'}.` });
    } else if (rev.value.kind === 'string') {
      const id = rev.value.value;
      const illegal = /[@+-]/.test(id) ? ILLEGAL.filter((c) => id.includes(c)).sort() : [];
      if (illegal.length > 0) {
        out.push({
          range: rev.value.range,
          message: `Character(s) '${illegal.join(', ')}' not allowed in revision identifier '${id}'. Alembic refuses to load the revision history.`,
          data: { revision: id, characters: illegal },
        });
      } else if (id === '') {
        out.push({ range: rev.value.range, message: "Empty revision identifier: Alembic loads it, but no down_revision can name it and 'head' resolves to nothing." });
      } else if (id.includes(':')) {
        out.push({
          range: rev.value.range,
          severity: 'warning',
          message: `Revision identifier '${id}' contains ':'; Alembic loads it, but it cannot be used in a range such as 'alembic history -r ${id}:head' or 'upgrade ${id}:head --sql'.`,
        });
      } else if (/\s/.test(id)) {
        out.push({ range: rev.value.range, severity: 'warning', message: `Revision identifier '${id}' contains white space; it cannot be passed to the alembic command line as one argument reliably.` });
      }
    }
    if ((rev || /^[a-f0-9]+\.py$/.test(name)) && !migration.downRevision) {
      out.push({
        range: rev?.nameRange ?? FILE_START,
        message: "The file has no 'down_revision' variable; Alembic fails loading it (module has no attribute 'down_revision'). Use 'down_revision = None' for a first revision.",
      });
    }
    return out;
  },
});
