// Python values as Alembic's templates see them, and how Python prints them. Alembic writes
// `repr(down_revision)` into new files and formats file names with `%`; matching Python exactly is
// what makes a file we write indistinguishable from one `alembic revision` writes.

/** The values a revision template handles: a string, None, a bool, an int, or a tuple of strings. */
export type PyValue = string | null | boolean | number | readonly string[];

/** Python's `repr()` of a str: single quotes unless the text holds a `'` and no `"`. */
export function pyRepr(value: PyValue): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return String(Math.trunc(value));
  if (typeof value !== 'string') {
    const items = value.map((v) => pyRepr(v));
    return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
  }
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
  return quote + escapeBody(value, quote) + quote;
}

/** Python's `str()`: strings as they are, everything else as `repr()`. */
export function pyStr(value: PyValue): string {
  return typeof value === 'string' ? value : pyRepr(value);
}

/**
 * A double-quoted Python string literal (the style our templates use; Python reads it back as the
 * same text as `pyRepr` would).
 */
export function pyDoubleQuoted(value: string): string {
  return `"${escapeBody(value, '"')}"`;
}

/** A Python literal for a `down_revision` value in our templates' double-quote style. */
export function pyRevisionLiteral(value: string | readonly string[] | null): string {
  if (value === null) return 'None';
  if (typeof value === 'string') return pyDoubleQuoted(value);
  const items = value.map(pyDoubleQuoted);
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
}

/** Alembic's `format_as_comma`: None is empty, a tuple is joined with `, `. */
export function commaFormat(value: PyValue): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean' || typeof value === 'number') {
    throw new Error(`comma(): don't know how to comma-format ${pyRepr(value)}`);
  }
  return value.join(', ');
}

/** Python truthiness of the values above. */
export function pyTruthy(value: PyValue): boolean {
  if (value === null) return false;
  if (typeof value === 'string') return value.length > 0;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  return value.length > 0;
}

function escapeBody(text: string, quote: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += '\\' + quote;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (!isPrintable(cp)) out += hexEscape(cp);
    else out += ch;
  }
  return out;
}

// Python's str.isprintable() excludes control, format, surrogate, unassigned, private-use and
// separator characters other than the ASCII space; repr() escapes those.
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}]|(?! )\p{Zs}/u;

function isPrintable(cp: number): boolean {
  return !NON_PRINTABLE.test(String.fromCodePoint(cp));
}

function hexEscape(cp: number): string {
  if (cp <= 0xff) return '\\x' + cp.toString(16).padStart(2, '0');
  if (cp <= 0xffff) return '\\u' + cp.toString(16).padStart(4, '0');
  return '\\U' + cp.toString(16).padStart(8, '0');
}

/** Python keywords: never usable as a variable name (placeholders that become Python names check this). */
export const PYTHON_KEYWORDS: ReadonlySet<string> = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue',
  'def', 'del', 'elif', 'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in',
  'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try', 'while', 'with', 'yield',
]);
