// Fixes for enum-without-checkfirst: `checkfirst=True` on `.create()` / `.drop()`, and
// `DROP TYPE x` -> `DROP TYPE IF EXISTS x` inside the SQL string.
import type { ParsedCall } from '../types';
import { setKeyword } from './calls';
import type { QuickFix, SourceText, TextEdit } from './source';

export function checkfirstFix(src: SourceText, call: ParsedCall): QuickFix | undefined {
  // `.create(bind, False)`: checkfirst is the second positional parameter.
  const positional = call.args[1];
  const edits: TextEdit[] | undefined = positional && !call.kwargs.some((k) => k.name === 'checkfirst')
    ? [{ range: positional.range, newText: 'True' }]
    : setKeyword(src, call, 'checkfirst', 'True');
  return edits ? { title: 'Pass checkfirst=True', edits, isPreferred: true } : undefined;
}

/**
 * Every `DROP TYPE` without `IF EXISTS` in the call's SQL string literals, edited in the source text
 * of the literals (so quotes, prefixes and line breaks stay as they are). The keyword's letter case
 * follows the statement's.
 */
export function dropTypeIfExistsFix(src: SourceText, call: ParsedCall): QuickFix | undefined {
  const edits: TextEdit[] = [];
  const visit = (c: ParsedCall): void => {
    for (const a of [...c.args, ...c.kwargs.map((k) => k.value)]) {
      if (a.kind === 'call') visit(a.call);
      if (a.kind !== 'string') continue;
      const base = src.offset(a.range.start);
      const raw = src.slice(a.range);
      const re = /\b(DROP)(\s+)(TYPE)(\s+)(?!IF\s+EXISTS\b)/gi;
      for (let m = re.exec(raw); m; m = re.exec(raw)) {
        const at = src.position(base + m.index + m[0].length);
        const upper = (m[3] ?? '') === (m[3] ?? '').toUpperCase();
        edits.push({ range: { start: at, end: at }, newText: upper ? 'IF EXISTS ' : 'if exists ' });
      }
    }
    if (c.receiver) visit(c.receiver);
  };
  visit(call);
  return edits.length > 0 ? { title: 'Use DROP TYPE IF EXISTS', edits, isPreferred: true } : undefined;
}
