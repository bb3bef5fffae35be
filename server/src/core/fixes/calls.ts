// Edits on one call: add or set a keyword argument, wrap the statement in a `with` block; and the
// file's own style (indent unit, quote character) so inserted code looks like the code around it.
import type { Migration, MigrationFunction, ParsedCall, Position, Range } from '../types';
import { isBefore as before } from '../positions';
import { samePosition, type SourceText, type TextEdit } from './source';

/**
 * The statement-level call of any migration function, or of a helper they call, that starts at
 * `start` (where findings on calls start).
 */
export function callAt(m: Migration, start: Position): ParsedCall | undefined {
  for (const fn of m.functions) for (const c of fn.calls) if (samePosition(c.range.start, start)) return c;
  for (const fn of m.helpers?.values() ?? []) for (const c of fn.calls) if (samePosition(c.range.start, start)) return c;
  return undefined;
}

/** Offset just after the call's own `(` (the one after its callee). */
function openParenOffset(src: SourceText, call: ParsedCall): number | undefined {
  const from = src.offset(call.calleeRange.end);
  const to = src.offset(call.range.end);
  const i = src.text.indexOf('(', from);
  return i >= 0 && i < to ? i + 1 : undefined;
}

/** The last argument written in the call (positional or keyword), if any. */
function lastArg(call: ParsedCall): Range | undefined {
  let last: Range | undefined;
  for (const r of [...call.args.map((a) => a.range), ...call.kwargs.map((k) => ({ start: k.nameRange.start, end: k.value.range.end }))]) {
    if (!last || before(last.end, r.end)) last = r;
  }
  return last;
}

/**
 * `name=value` on a call: replaces the value when the keyword is there, else adds it after the last
 * argument — on a line of its own when the call puts one argument per line. Undefined when the call
 * takes `*args`/`**kwargs` (the keyword may already be in them).
 */
export function setKeyword(src: SourceText, call: ParsedCall, name: string, value: string): TextEdit[] | undefined {
  const existing = call.kwargs.find((k) => k.name === name);
  if (existing) return [{ range: existing.value.range, newText: value }];
  if (call.hasStarArgs) return undefined;
  const last = lastArg(call);
  if (!last) {
    const open = openParenOffset(src, call);
    if (open === undefined) return undefined;
    const at = src.position(open);
    return [{ range: { start: at, end: at }, newText: `${name}=${value}` }];
  }
  const line = src.line(last.start.line);
  const ownLine = last.start.line > call.range.start.line && line.slice(0, last.start.character).trim() === '' && last.end.line < call.range.end.line;
  if (!ownLine) return [{ range: { start: last.end, end: last.end }, newText: `, ${name}=${value}` }];
  // One argument per line: a new line after the last one (after its comment, if any).
  const rest = src.line(last.end.line).slice(last.end.character);
  const comma = /^\s*,/.test(rest);
  const eolAt = src.lineEnd(last.end.line);
  const added = { range: { start: eolAt, end: eolAt }, newText: `${src.eol}${src.indentOf(last.start.line)}${name}=${value},` };
  return comma ? [added] : [{ range: { start: last.end, end: last.end }, newText: ',' }, added];
}

/** The lines of a call that is a statement of its own: nothing before it on its first line, only a comment after it. */
export function statementLines(src: SourceText, call: ParsedCall): { first: number; last: number } | undefined {
  const first = call.range.start.line;
  const last = call.range.end.line;
  if (src.line(first).slice(0, call.range.start.character).trim() !== '') return undefined;
  const after = src.line(last).slice(call.range.end.character).trim();
  if (after !== '' && !after.startsWith('#')) return undefined;
  return { first, last };
}

/**
 * One edit replacing a statement's whole lines: `inner` edits (inside the statement) applied, then
 * the result wrapped in `with <header>:` one indent unit deeper (when `header` is given).
 */
export function rewriteStatement(src: SourceText, call: ParsedCall, inner: TextEdit[], header: string | undefined, unit: string): TextEdit | undefined {
  const lines = statementLines(src, call);
  if (!lines) return undefined;
  const start = { line: lines.first, character: 0 };
  const end = src.lineEnd(lines.last);
  const base = src.offset(start);
  let text = src.text.slice(base, src.offset(end));
  const sorted = inner.map((e) => ({ s: src.offset(e.range.start) - base, e: src.offset(e.range.end) - base, t: e.newText })).sort((a, b) => b.s - a.s);
  for (const e of sorted) text = text.slice(0, e.s) + e.t + text.slice(e.e);
  if (header !== undefined) {
    const indent = src.indentOf(lines.first);
    const body = text.split(/\r?\n/).map((l) => (l.trim() === '' ? l : unit + l)).join(src.eol);
    text = `${indent}${header}${src.eol}${body}`;
  }
  return { range: { start, end }, newText: text };
}

/** The file's indent unit: how much a function body is indented relative to its `def`. */
export function indentUnit(src: SourceText, m: Migration): string {
  for (const fn of m.functions) {
    const body = fn.bodyRange;
    if (!body || body.start.line === fn.defLineRange.start.line) continue;
    const defIndent = src.indentOf(fn.defLineRange.start.line);
    const bodyIndent = src.indentOf(body.start.line);
    if (bodyIndent.length > defIndent.length && bodyIndent.startsWith(defIndent)) return bodyIndent.slice(defIndent.length);
  }
  return '    ';
}

/** The quote character the file's migration calls use most. */
export function quoteStyle(src: SourceText, m: Migration): "'" | '"' {
  let single = 0;
  let double = 0;
  const count = (r: Range): void => {
    const c = src.text[src.offset(r.start)];
    if (c === "'") single++;
    else if (c === '"') double++;
  };
  for (const fn of m.functions) {
    for (const call of fn.calls) for (const a of call.args) if (a.kind === 'string') count(a.range);
  }
  return double > single ? '"' : "'";
}

/** Leading blanks of a function's body lines; undefined when the body sits on the `def` line. */
export function bodyIndent(src: SourceText, fn: MigrationFunction): string | undefined {
  const body = fn.bodyRange;
  if (!body || body.start.line === fn.defLineRange.start.line) return undefined;
  return src.indentOf(body.start.line);
}

/**
 * The `def` header of a function, from `def` to its `:` (parameters and annotations as written,
 * possibly over several lines), with the name replaced.
 */
export function renamedHeader(src: SourceText, fn: MigrationFunction, name: string): string | undefined {
  const defStart = src.offset(fn.defLineRange.start);
  const nameStart = src.offset(fn.nameRange.start);
  const nameEnd = src.offset(fn.nameRange.end);
  const t = src.text;
  let depth = 0;
  for (let i = nameEnd; i < t.length; i++) {
    const c = t[i];
    if (c === '#') {
      const nl = t.indexOf('\n', i);
      if (nl < 0) return undefined;
      i = nl;
    } else if (c === '"' || c === "'") {
      const close = t.indexOf(c, i + 1);
      if (close < 0) return undefined;
      i = close;
    } else if (c === '(' || c === '[' || c === '{') {
      depth++;
    } else if (c === ')' || c === ']' || c === '}') {
      depth--;
    } else if (c === ':' && depth === 0) {
      return t.slice(defStart, nameStart) + name + t.slice(nameEnd, i + 1);
    }
  }
  return undefined;
}
