// Placeholders of the migration templates: `{{name}}` in the template text. The double braces
// never occur in the Python our templates hold, and a leftover one is easy to find.
// Each placeholder has a kind that decides how an answer is checked and how it is written.
import { PYTHON_KEYWORDS, pyDoubleQuoted } from './python';

export type PlaceholderKind =
  /** A SQL name that is also a Python identifier (table, column, index, enum type, constraint). */
  | 'identifier' | 'table' | 'column' | 'index' | 'enum'
  /** Comma-separated enum labels, written as Python string literals: `"a", "b"`. */
  | 'enumValues'
  /** One enum label, written as it is (inside quotes the template provides). */
  | 'enumValue'
  /** One line of free text (the revision message). */
  | 'text'
  /** A SQLAlchemy type expression such as `sa.String(255)` or `postgresql.JSONB()`. */
  | 'sqlType'
  /** A SQL expression written inside `sa.text("...")`, such as `'unknown'` or `now()`. */
  | 'sqlExpression'
  /** A positive whole number. */
  | 'integer';

export const PLACEHOLDER_KINDS: readonly PlaceholderKind[] = [
  'identifier', 'table', 'column', 'index', 'enum', 'enumValues', 'enumValue', 'text', 'sqlType',
  'sqlExpression', 'integer',
];

export interface PlaceholderSpec {
  /** The name inside the braces: lower-case letters, digits and `_`. */
  name: string;
  kind: PlaceholderKind;
  /** The question shown to the user. */
  prompt: string;
  /** A suggested answer; may itself hold placeholders answered earlier (`ix_{{table}}_{{column}}`). */
  default?: string;
  /** A sample answer: shown as a hint, and used by the tests that render every template. */
  example: string;
}

/**
 * Placeholders the command fills in itself: never asked. `down_revision` is a Python literal
 * (`None`, `"abc"`, `("a", "b")`), `revises` the docstring form (`a, b`), `cursor` marks where the
 * editor's cursor goes and renders as nothing.
 */
export const SYSTEM_PLACEHOLDERS = ['revision', 'down_revision', 'revises', 'create_date', 'cursor'] as const;
export type SystemPlaceholder = (typeof SYSTEM_PLACEHOLDERS)[number];

export function isSystemPlaceholder(name: string): name is SystemPlaceholder {
  return (SYSTEM_PLACEHOLDERS as readonly string[]).includes(name);
}

/** `{{ name }}` with optional spaces; a name is lower-case letters, digits and `_`. */
export const PLACEHOLDER_PATTERN = /\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}/g;

/** Every placeholder name in a text, in order of first appearance. */
export function listPlaceholders(text: string): string[] {
  const seen = new Set<string>();
  for (const m of text.matchAll(PLACEHOLDER_PATTERN)) seen.add(m[1] ?? '');
  return [...seen];
}

/** PostgreSQL truncates names longer than NAMEDATALEN - 1 bytes (63): quietly, which breaks downgrades. */
export const MAX_IDENTIFIER_BYTES = 63;

const utf8Length = (text: string): number => new TextEncoder().encode(text).length;

/** An answer as the UI collects it: text, or for `enumValues` optionally a list. */
export type Answer = string | readonly string[];

/** Why this answer is not acceptable, or undefined when it is. Suitable for an input box's validation. */
export function validateAnswer(kind: PlaceholderKind, answer: Answer): string | undefined {
  if (kind === 'enumValues') return validateEnumValues(splitEnumValues(answer));
  if (typeof answer !== 'string') return 'expected a single value, not a list';
  switch (kind) {
    case 'identifier':
    case 'table':
    case 'column':
    case 'index':
    case 'enum':
      return validateIdentifier(answer, kind);
    case 'enumValue':
      return validateEnumValue(answer);
    case 'text':
      return validateText(answer);
    case 'sqlType':
      return validateSqlType(answer);
    case 'sqlExpression':
      return validateSqlExpression(answer);
    case 'integer':
      return /^[1-9][0-9]{0,8}$/.test(answer.trim()) ? undefined : 'a positive whole number, such as 1000';
  }
}

function validateIdentifier(value: string, kind: PlaceholderKind): string | undefined {
  const what = kind === 'identifier' ? 'name' : `${kind} name`;
  if (value.length === 0) return `the ${what} is empty`;
  if (/^[0-9]/.test(value)) return `a ${what} cannot start with a digit`;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) {
    return `a ${what} may hold only letters a-z, A-Z, digits and _ (no spaces, dashes, dots or quotes)`;
  }
  if (utf8Length(value) > MAX_IDENTIFIER_BYTES) {
    return `${value.length} characters: PostgreSQL cuts names at ${MAX_IDENTIFIER_BYTES}, so the downgrade would not find it`;
  }
  // Templates also use these names as Python names (`<enum>_enum`, keyword arguments): a keyword is
  // fine there only with a suffix, so refuse the bare keywords everywhere to keep one rule.
  if (PYTHON_KEYWORDS.has(value)) return `'${value}' is a Python keyword`;
  return undefined;
}

/** Splits `a, b, c` (or takes a list) into trimmed labels; empty input gives an empty list. */
export function splitEnumValues(answer: Answer): string[] {
  const items = typeof answer === 'string' ? (answer.trim() === '' ? [] : answer.split(',')) : [...answer];
  return items.map((v) => v.trim());
}

function validateEnumValues(values: string[]): string | undefined {
  if (values.length === 0) return 'give at least one value, separated by commas: active, disabled';
  const seen = new Set<string>();
  for (const value of values) {
    const problem = validateEnumValue(value);
    if (problem) return value === '' ? 'an empty value (two commas in a row, or a trailing comma?)' : `'${value}': ${problem}`;
    if (seen.has(value)) return `'${value}' is listed twice`;
    seen.add(value);
  }
  return undefined;
}

// Labels go into Python string literals and into SQL literals inside `op.execute(...)`, where `:name`
// would be read as a bind parameter: keep to characters that need no escaping in either.
function validateEnumValue(value: string): string | undefined {
  if (value.length === 0) return 'the value is empty';
  if (value !== value.trim()) return 'the value starts or ends with a space';
  if (/['"\\:%]/.test(value)) return "a value cannot hold ' \" \\ : or %";
  if (/[\p{Cc}\p{Cf}]/u.test(value)) return 'a value cannot hold control characters';
  if (utf8Length(value) > MAX_IDENTIFIER_BYTES) return `longer than PostgreSQL's ${MAX_IDENTIFIER_BYTES}-byte limit for enum labels`;
  return undefined;
}

function validateText(value: string): string | undefined {
  if (value.trim() === '') return 'the text is empty';
  if (/[\r\n]/.test(value)) return 'one line only';
  if (value.includes('"""')) return 'the text cannot hold """ (it goes into the file\'s docstring)';
  if (value.includes('\\')) return 'the text cannot hold a backslash (it goes into the file\'s docstring)';
  if (/[\p{Cc}]/u.test(value)) return 'the text cannot hold control characters';
  return undefined;
}

// A dotted name with an optional balanced argument list on one line: `sa.String(255)`,
// `sa.Numeric(precision=10, scale=2)`, `postgresql.JSONB()`, `sa.Text`.
function validateSqlType(value: string): string | undefined {
  const text = value.trim();
  const m = /^([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)(\(.*\))?$/.exec(text);
  if (!m) return 'a SQLAlchemy type such as sa.String(255), sa.Integer() or postgresql.JSONB()';
  if (!/^(sa|postgresql)\./.test(text)) return 'start with sa. or postgresql. (the template imports those two)';
  if (m[2] !== undefined && !balanced(m[2])) return 'unbalanced parentheses, brackets or quotes';
  return undefined;
}

function validateSqlExpression(value: string): string | undefined {
  const text = value.trim();
  if (text === '') return 'the expression is empty';
  if (/[\r\n]/.test(text)) return 'one line only';
  if (/["\\]/.test(text)) return 'the expression cannot hold " or \\ (it goes inside sa.text("..."))';
  if (/(^|[^:\w]):\w/.test(text)) return 'the expression cannot hold :name (sa.text() reads it as a bind parameter)';
  if (!balanced(text)) return 'unbalanced parentheses or quotes';
  return undefined;
}

function balanced(text: string): boolean {
  const closing: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  const stack: string[] = [];
  let quote: string | undefined;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '(' || ch === '[' || ch === '{') stack.push(ch);
    else if (ch in closing) {
      if (stack.pop() !== closing[ch]) return false;
    }
  }
  return quote === undefined && stack.length === 0;
}

/** How a valid answer is written into the template. */
export function renderAnswer(kind: PlaceholderKind, answer: Answer): string {
  if (kind === 'enumValues') return splitEnumValues(answer).map(pyDoubleQuoted).join(', ');
  const text = typeof answer === 'string' ? answer : answer.join(', ');
  return text.trim();
}
