// The version table env.py configures: literal `version_table=` / `version_table_schema=` keyword
// arguments of `context.configure(...)`. A light scan (comments and strings skipped while matching
// brackets); anything that is not a plain string literal is left unknown rather than guessed.

export interface EnvPyFacts {
  versionTable?: string;
  versionTableSchema?: string;
}

export function scanEnvPy(text: string): EnvPyFacts {
  const facts: EnvPyFacts = {};
  const re = /\bconfigure\s*\(/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (isInCommentOrString(text, m.index)) continue;
    const end = matchingParen(text, m.index + m[0].length - 1);
    const args = text.slice(m.index + m[0].length, end);
    const table = literalKwarg(args, 'version_table');
    const schema = literalKwarg(args, 'version_table_schema');
    if (table !== undefined && facts.versionTable === undefined) facts.versionTable = table;
    if (schema !== undefined && facts.versionTableSchema === undefined) facts.versionTableSchema = schema;
  }
  return facts;
}

function literalKwarg(args: string, name: string): string | undefined {
  const re = new RegExp(`(?:^|[,(\\s])${name}\\s*=\\s*([rRuU]?)('''|"""|'|")`, 'g');
  for (let m = re.exec(args); m; m = re.exec(args)) {
    if (isInCommentOrString(args, m.index + 1)) continue;
    const quote = m[2] ?? '"';
    const start = m.index + m[0].length;
    const close = args.indexOf(quote, start);
    if (close < 0) return undefined;
    const value = args.slice(start, close);
    // A following `+`, `%` or `.format` makes it an expression, not a literal.
    const after = args.slice(close + quote.length).trimStart();
    if (after && !after.startsWith(',') && !after.startsWith(')') && !after.startsWith('#')) return undefined;
    if ((m[1] ?? '') === '' && value.includes('\\')) return undefined;
    return value;
  }
  return undefined;
}

/** Index of the `)` closing the `(` at `open` (or the text's end), skipping strings and comments. */
function matchingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '#') {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl;
    } else if (c === '"' || c === "'") {
      i = skipString(text, i) - 1;
    } else if (c === '(' || c === '[' || c === '{') {
      depth++;
    } else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return text.length;
}

/** Index just after the string literal starting at `i`. */
function skipString(text: string, i: number): number {
  const q = text[i] ?? '"';
  const triple = text.startsWith(q.repeat(3), i);
  const delim = triple ? q.repeat(3) : q;
  let j = i + delim.length;
  while (j < text.length) {
    if (text[j] === '\\') {
      j += 2;
      continue;
    }
    if (text.startsWith(delim, j)) return j + delim.length;
    if (!triple && text[j] === '\n') return j;
    j++;
  }
  return text.length;
}

function isInCommentOrString(text: string, pos: number): boolean {
  let i = 0;
  while (i < pos) {
    const c = text[i];
    if (c === '#') {
      const nl = text.indexOf('\n', i);
      if (nl < 0 || nl >= pos) return true;
      i = nl + 1;
    } else if (c === '"' || c === "'") {
      const end = skipString(text, i);
      if (end > pos) return true;
      i = end;
    } else {
      i++;
    }
  }
  return false;
}
