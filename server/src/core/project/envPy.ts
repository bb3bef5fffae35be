// The version table env.py configures: literal `version_table=` / `version_table_schema=` keyword
// arguments of `context.configure(...)`. A light scan (comments and strings skipped while matching
// brackets); anything that is not a plain string literal is left unknown rather than guessed.
//
// One pass over the text: every character is looked at once or twice (a call's arguments are read
// where the call is, and the scan goes on after its closing bracket). env.py comes from the
// workspace, and a scan that went back to the start at each `configure(` took minutes on 50,000 of them.

export interface EnvPyFacts {
  versionTable?: string;
  versionTableSchema?: string;
}

type Keyword = 'version_table' | 'version_table_schema';

export function scanEnvPy(text: string): EnvPyFacts {
  const facts: EnvPyFacts = {};
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    const skipped = skipCommentOrString(text, i);
    if (skipped >= 0) {
      i = skipped;
    } else if (isWordChar(c)) {
      const start = i;
      while (i < text.length && isWordChar(text.charCodeAt(i))) i++;
      if (i - start === 9 && text.startsWith('configure', start)) {
        const open = skipSpace(text, i);
        if (text.charCodeAt(open) === OPEN_PAREN) {
          const call = readCall(text, open);
          if (facts.versionTable === undefined && typeof call.version_table === 'string') facts.versionTable = call.version_table;
          if (facts.versionTableSchema === undefined && typeof call.version_table_schema === 'string') facts.versionTableSchema = call.version_table_schema;
          i = call.end;
        }
      }
    } else {
      i++;
    }
  }
  return facts;
}

/**
 * The call whose `(` is at `open`: the literal values of its top-level keywords (`null` when the
 * keyword is there but not a plain string literal; the first one written counts) and the index after
 * its closing `)` (the text's end when it is never closed).
 */
function readCall(text: string, open: number): { end: number } & Partial<Record<Keyword, string | null>> {
  const call: { end: number } & Partial<Record<Keyword, string | null>> = { end: text.length };
  let depth = 0;
  // Whether the next token starts an argument of the call itself (after its `(` or a top-level `,`).
  let argumentStart = false;
  let i = open;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    const skipped = skipCommentOrString(text, i);
    if (skipped >= 0) {
      // A comment leaves the argument's start where it was; a string is (part of) an argument.
      if (c !== HASH) argumentStart = false;
      i = skipped;
    } else if (c === OPEN_PAREN || c === 91 /* [ */ || c === 123 /* { */) {
      depth++;
      i++;
      argumentStart = depth === 1;
    } else if (c === CLOSE_PAREN || c === 93 /* ] */ || c === 125 /* } */) {
      depth--;
      i++;
      argumentStart = false;
      if (depth === 0) {
        call.end = i;
        return call;
      }
    } else if (c === COMMA) {
      i++;
      argumentStart = depth === 1;
    } else if (isSpace(c)) {
      i++;
    } else if (argumentStart && isWordChar(c)) {
      const start = i;
      while (i < text.length && isWordChar(text.charCodeAt(i))) i++;
      argumentStart = false;
      const name = text.slice(start, i);
      if (name !== 'version_table' && name !== 'version_table_schema') continue;
      const eq = skipSpace(text, i);
      if (text.charCodeAt(eq) !== EQUALS || text.charCodeAt(eq + 1) === EQUALS) continue;
      const literal = readLiteral(text, skipSpace(text, eq + 1));
      if (!(name in call)) call[name] = literal.value;
      i = literal.end;
    } else {
      argumentStart = false;
      i++;
    }
  }
  return call;
}

/** A plain string literal at `start` that is the whole argument (`null` otherwise), and where it ends. */
function readLiteral(text: string, start: number): { value: string | null; end: number } {
  let q = start;
  const prefix = text[q] ?? '';
  const raw = prefix === 'r' || prefix === 'R';
  if (raw || prefix === 'u' || prefix === 'U') q++;
  const quote = text[q] ?? '';
  if (quote !== '"' && quote !== "'") return { value: null, end: start };
  const delimiter = text.startsWith(quote.repeat(3), q) ? 3 : 1;
  const end = skipString(text, q);
  const closed = end - delimiter >= q + delimiter && text.startsWith(quote.repeat(delimiter), end - delimiter);
  if (!closed) return { value: null, end };
  const value = text.slice(q + delimiter, end - delimiter);
  // A following `+`, `%` or `.format` makes it an expression, not a literal.
  const after = text.charCodeAt(skipSpace(text, end));
  const ends = Number.isNaN(after) || after === COMMA || after === CLOSE_PAREN || after === HASH;
  if (!ends || (!raw && value.includes('\\'))) return { value: null, end };
  return { value, end };
}

/** Index after the comment or string literal that starts at `i`, or -1 when none does. */
function skipCommentOrString(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === HASH) return lineEnd(text, i);
  if (c === QUOTE || c === APOSTROPHE) return skipString(text, i);
  return -1;
}

/** Index just after the string literal starting at `i` (at the newline of an unclosed one-line string). */
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

function lineEnd(text: string, i: number): number {
  const nl = text.indexOf('\n', i);
  return nl < 0 ? text.length : nl;
}

/** Index of the first character at or after `i` that is not a space, tab or line break. */
function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

const HASH = 35;
const QUOTE = 34;
const APOSTROPHE = 39;
const OPEN_PAREN = 40;
const CLOSE_PAREN = 41;
const COMMA = 44;
const EQUALS = 61;

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c > 127;
}

/**
 * env.py passes `render_as_batch=True` (outside comments). It only changes what autogenerate writes
 * (batch blocks); hand-written `op.alter_column(...)` still runs as a plain ALTER.
 */
export function rendersAsBatch(text: string): boolean {
  return text.split(/\r?\n/).some((line) => /\brender_as_batch\s*=\s*True\b/.test(line.replace(/#.*$/, '')));
}

/**
 * env.py is Flask-Migrate's (`current_app.extensions["migrate"]`): `flask db ...` runs it inside the
 * Flask app, after setting `script_location` to the migrations folder itself, so its alembic.ini has
 * none, and Alembic's own command line cannot run it (no app context).
 */
export function isFlaskMigrateEnv(text: string): boolean {
  return /\bcurrent_app\.extensions\s*\[\s*["']migrate["']\s*\]/.test(text);
}
