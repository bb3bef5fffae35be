// Suppression comments, read from the parser's comments (so text inside strings never counts):
//   # alembic-lint: disable=rule-id[,rule-id]            this line
//   # alembic-lint: disable-next-line=rule-id[,rule-id]  the line below
//   # alembic-lint: disable-file=rule-id[,rule-id]       the whole file
// `all` stands for every rule.
import type { Comment } from '../types';

export interface Suppressions {
  /** 0-based line → rule ids silenced there. */
  lines: Map<number, Set<string>>;
  file: Set<string>;
}

const DIRECTIVE_RE = /alembic-lint:\s*(disable|disable-next-line|disable-file)\s*=\s*([\w-]+(?:\s*,\s*[\w-]+)*)/g;

export function parseSuppressions(comments: readonly Comment[]): Suppressions {
  const result: Suppressions = { lines: new Map(), file: new Set() };
  for (const c of comments) {
    DIRECTIVE_RE.lastIndex = 0;
    for (let m = DIRECTIVE_RE.exec(c.text); m; m = DIRECTIVE_RE.exec(c.text)) {
      const ids = (m[2] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      if (m[1] === 'disable-file') {
        for (const id of ids) result.file.add(id);
        continue;
      }
      const line = m[1] === 'disable' ? c.range.start.line : c.range.start.line + 1;
      const set = result.lines.get(line) ?? new Set<string>();
      result.lines.set(line, set);
      for (const id of ids) set.add(id);
    }
  }
  return result;
}

export function isSuppressed(s: Suppressions, rule: string, line: number): boolean {
  if (s.file.has(rule) || s.file.has('all')) return true;
  const set = s.lines.get(line);
  return !!set && (set.has(rule) || set.has('all'));
}
