// Whether an edit to a released migration matters to a database that already ran it: the revision
// identifiers and the code of upgrade()/downgrade() count; docstrings, comments, quoting and layout do
// not (they change nothing Alembic runs). Compared on tokens, so re-wrapping a call is no change.
import { readRevisionFile } from '../graph/build';
import type { RevisionFile } from '../graph/types';
import { parseMigration } from '../parse';
import { tokenize, tokenViews } from '../parse/tokenizer';
import type { Migration } from '../types';

/** What changed that a database would notice, in words; undefined when nothing did. */
export function significantChange(releasedText: string, currentText: string, path: string): string | undefined {
  const before = parseMigration(releasedText);
  const after = parseMigration(currentText);
  const ids = identifierChange(readRevisionFile({ path, migration: before }), readRevisionFile({ path, migration: after }));
  if (ids) return ids;
  const changed = functionNames(before, after).filter((name) => functionTokens(releasedText, before, name) !== functionTokens(currentText, after, name));
  return changed.length > 0 ? `the body of ${changed.map((n) => `${n}()`).join(' and ')}` : undefined;
}

function identifierChange(a: RevisionFile, b: RevisionFile): string | undefined {
  if (a.revision !== b.revision) return `its revision id (${a.revision ?? 'none'} → ${b.revision ?? 'none'})`;
  const values = (refs: { value: string }[]): string => refs.map((r) => r.value).join(', ');
  if (values(a.downRevisions) !== values(b.downRevisions)) return `its down_revision (${values(a.downRevisions) || 'None'} → ${values(b.downRevisions) || 'None'})`;
  if (values(a.dependsOn) !== values(b.dependsOn)) return 'its depends_on';
  if (values(a.branchLabels) !== values(b.branchLabels)) return 'its branch_labels';
  return undefined;
}

function functionNames(a: Migration, b: Migration): string[] {
  const names = new Set<string>();
  for (const m of [a, b]) for (const f of m.functions) names.add(f.name);
  return [...names];
}

/**
 * The function's code as one string of tokens: no comments (the tokenizer keeps them apart), strings
 * by their contents (quote style is layout), and a bare string statement (a docstring) left out.
 */
function functionTokens(text: string, m: Migration, name: string): string {
  const f = m.functions.find((x) => x.name === name);
  if (!f) return '';
  const lines = text.split('\n').slice(f.range.start.line, f.range.end.line + 1).join('\n');
  const tokens = tokenViews(tokenize(lines));
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!t) continue;
    const prev = tokens[i - 1]?.kind;
    const next = tokens[i + 1]?.kind;
    if (t.kind === 'STRING' && (prev === 'INDENT' || prev === 'NEWLINE') && (next === 'NEWLINE' || next === 'DEDENT' || next === 'END')) {
      // The statement's NEWLINE goes with it.
      if (next === 'NEWLINE') i++;
      continue;
    }
    out.push(t.kind === 'STRING' ? `S:${stringContents(t.text)}` : `${t.kind}:${t.text}`);
  }
  return out.join('\u0000');
}

function stringContents(token: string): string {
  const m = /^([a-zA-Z]*)('''|"""|'|")([\s\S]*)\2$/.exec(token);
  return m ? `${m[1]?.toLowerCase() ?? ''}:${m[3] ?? ''}` : token;
}
