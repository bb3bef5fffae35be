// An .ini reader with the semantics of Python's `configparser.ConfigParser` as Alembic uses it
// (`ConfigParser({'here': ...})`: `=`/`:` delimiters, `#`/`;` full-line comments, no inline comments,
// indented continuation lines, lower-cased option names, strict duplicates, `%(name)s` interpolation).
// Alembic reads alembic.ini this way, so the values we see are the values Alembic sees.
import { redactUrl } from '../../../../common/redact';

export interface IniProblem {
  /** 1-based line, as configparser reports it. */
  line: number;
  message: string;
}

export interface IniOption {
  /** Raw (not interpolated) value; continuation lines joined with `\n`. */
  raw: string;
  /** 0-based line of the option's key. */
  line: number;
}

export interface IniFile {
  /** Section name (case-sensitive) → option name (lower-cased) → option. `DEFAULT` is kept apart. */
  sections: Map<string, Map<string, IniOption>>;
  defaults: Map<string, IniOption>;
  /**
   * Parse problems. configparser raises on the first fatal one (missing section header, duplicate
   * section or option) and after the whole file for malformed lines: when this is non-empty, Alembic
   * would fail to read the file at all.
   */
  problems: IniProblem[];
}

const MAX_INTERPOLATION_DEPTH = 10;
/**
 * How much one value may expand to (characters produced plus `%(name)s` references followed).
 * configparser has no such limit: a few hundred bytes whose options each repeat the previous one
 * eight times expand to gigabytes, and Python (like Node) runs out of memory building them. No real
 * value comes near this; a value that does is reported instead of built.
 */
export const MAX_INTERPOLATED_LENGTH = 100_000;

/**
 * Parses `text` like `ConfigParser(defaults).read_string(text)`. `defaults` go into `DEFAULT` first
 * (Alembic passes `here`), and the file's own `[DEFAULT]` section may override them.
 */
export function parseIni(text: string, defaults: Record<string, string> = {}): IniFile {
  const sections = new Map<string, Map<string, IniOption>>();
  const defaultsMap = new Map<string, IniOption>();
  for (const [k, v] of Object.entries(defaults)) defaultsMap.set(k.toLowerCase(), { raw: v, line: -1 });
  const problems: IniProblem[] = [];
  // Values are collected as line lists and joined at the end, like configparser does.
  const pending = new Map<IniOption, string[]>();
  const added = new Set<string>();
  let current: Map<string, IniOption> | undefined;
  let sectionName: string | undefined;
  let option: IniOption | undefined;
  let indentLevel = 0;
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const stripped = pyStrip(line);
    const isComment = stripped.startsWith('#') || stripped.startsWith(';');
    const value = isComment ? '' : stripped;
    if (!value) {
      // empty_lines_in_values=True: a blank (not comment) line may belong to a multi-line value.
      if (!isComment && current && option) pending.get(option)?.push('');
      continue;
    }
    const curIndent = leadingSpace(line);
    if (current && option && curIndent > indentLevel) {
      pending.get(option)?.push(value);
      continue;
    }
    indentLevel = curIndent;
    // configparser's SECTCRE `\[(?P<header>.+)\]` matched at the start: from `[` to the last `]`.
    const close = value.startsWith('[') ? value.lastIndexOf(']') : -1;
    if (close > 1) {
      const name = value.slice(1, close);
      if (name === 'DEFAULT') {
        current = defaultsMap;
      } else if (sections.has(name)) {
        if (added.has(`s:${name}`)) {
          problems.push({ line: i + 1, message: `section '${name}' already exists (configparser DuplicateSectionError)` });
          return finish();
        }
        current = sections.get(name);
      } else {
        current = new Map();
        sections.set(name, current);
      }
      added.add(`s:${name}`);
      sectionName = name;
      option = undefined;
      continue;
    }
    if (!current) {
      problems.push({ line: i + 1, message: `File contains no section headers: ${quoteLine(line)} (configparser MissingSectionHeaderError)` });
      return finish();
    }
    // configparser's OPTCRE `(?P<option>.*?)\s*(?P<vi>[=:])\s*(?P<value>.*)$`: the option ends at the first
    // delimiter. Found with indexOf: as a regular expression it backtracks over every run of spaces,
    // and one line of 80,000 spaces took 11 seconds.
    const delimiter = firstDelimiter(value);
    if (delimiter <= 0) {
      problems.push({ line: i + 1, message: `cannot parse line ${quoteLine(line)} (configparser ParsingError)` });
      if (delimiter === 0) option = undefined;
      continue;
    }
    const name = pyRstrip(value.slice(0, delimiter)).toLowerCase();
    const key = `o:${sectionName ?? 'DEFAULT'}\u0000${name}`;
    if (added.has(key)) {
      problems.push({ line: i + 1, message: `option '${name}' in section '${sectionName ?? 'DEFAULT'}' already exists (configparser DuplicateOptionError)` });
      return finish();
    }
    added.add(key);
    option = { raw: '', line: i };
    current.set(name, option);
    pending.set(option, [pyStrip(value.slice(delimiter + 1))]);
  }
  return finish();

  function finish(): IniFile {
    for (const [opt, parts] of pending) opt.raw = pyRstrip(parts.join('\n'));
    return { sections, defaults: defaultsMap, problems };
  }
}

export type IniGet = { ok: true; value: string } | { ok: false; message: string };

/**
 * `config.get(section, option)` with BasicInterpolation; `undefined` when the option is absent.
 * Messages name options and positions but never quote values: a value may hold a password
 * (`sqlalchemy.url`, or an option it refers to), and configparser's own messages print the rest of it.
 */
export function iniGet(ini: IniFile, section: string, name: string): IniGet | undefined {
  const sect = ini.sections.get(section);
  if (!sect && section !== 'DEFAULT') return undefined;
  const key = name.toLowerCase();
  const raw = sect?.get(key)?.raw ?? ini.defaults.get(key)?.raw;
  if (raw === undefined) return undefined;
  const lookup = (v: string): string | undefined => sect?.get(v)?.raw ?? ini.defaults.get(v)?.raw;
  const out: string[] = [];
  const state: Interpolation = { lookup, out, budget: MAX_INTERPOLATED_LENGTH, option: key, section };
  const err = interpolate(state, raw, key, 1);
  return err ? { ok: false, message: err } : { ok: true, value: out.join('') };
}

/** Whether the section exists (configparser's `has_section`; `DEFAULT` is not a section). */
export function iniHasSection(ini: IniFile, section: string): boolean {
  return ini.sections.has(section);
}

interface Interpolation {
  lookup: (name: string) => string | undefined;
  out: string[];
  /** Characters and references left before the value counts as too large. */
  budget: number;
  /** The option asked for, and its section. */
  option: string;
  section: string;
}

/** configparser's `_interpolate_some` over `raw`, the value of option `valueOf`; an error message or undefined. */
function interpolate(state: Interpolation, raw: string, valueOf: string, depth: number): string | undefined {
  const where = (offset: number): string => {
    const asked = `option '${state.option}' in section '${state.section}'`;
    const at = `character ${offset + 1} of`;
    return valueOf === state.option ? `${at} ${asked}` : `${at} option '${valueOf}', reached from ${asked}`;
  };
  if (depth > MAX_INTERPOLATION_DEPTH) {
    return `Recursion limit exceeded in value substitution: option '${state.option}' in section '${state.section}'`;
  }
  const emit = (text: string): string | undefined => {
    state.budget -= text.length;
    if (state.budget < 0) {
      return `option '${state.option}' in section '${state.section}' expands to more than ${MAX_INTERPOLATED_LENGTH} ` +
        'characters through %(name)s references (configparser would try to build it and run out of memory)';
    }
    state.out.push(text);
    return undefined;
  };
  let rest = raw;
  while (rest) {
    const p = rest.indexOf('%');
    if (p < 0) return emit(rest);
    if (p > 0) {
      const err = emit(rest.slice(0, p));
      if (err) return err;
      rest = rest.slice(p);
    }
    const c = rest.slice(1, 2);
    if (c === '%') {
      const err = emit('%');
      if (err) return err;
      rest = rest.slice(2);
    } else if (c === '(') {
      const m = /^%\(([^)]+)\)s/.exec(rest);
      if (!m) return `bad interpolation variable reference at ${where(raw.length - rest.length)}: expected %(name)s`;
      const name = (m[1] ?? '').toLowerCase();
      const v = state.lookup(name);
      rest = rest.slice(m[0].length);
      if (v === undefined) {
        return `Bad value substitution: option '${state.option}' in section '${state.section}' contains an interpolation key '${name}' which is not a valid option name`;
      }
      // A reference costs something even when it expands to nothing: otherwise nested empty values
      // could make the same work without ever producing a character.
      state.budget--;
      const err = v.includes('%') ? interpolate(state, v, name, depth + 1) : emit(v);
      if (err) return err;
    } else {
      return `'%' must be followed by '%' or '(' at ${where(raw.length - rest.length)} (write a literal '%' as '%%')`;
    }
  }
  return undefined;
}

/** Python's `str.isspace()` for one UTF-16 code unit (what `str.strip()` and `\s` in `re` strip). */
function isPySpace(c: number): boolean {
  return (c >= 9 && c <= 13) || (c >= 28 && c <= 32) || c === 0x85 || c === 0xa0 || c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

// The strips and searches below scan once; `/^\s+|\s+$/` takes quadratic time on a line with a long
// run of spaces in the middle (each start in the run scans the run again).

/** Python's `str.strip()` with no argument. */
function pyStrip(s: string): string {
  let start = 0;
  while (start < s.length && isPySpace(s.charCodeAt(start))) start++;
  return pyRstrip(start === 0 ? s : s.slice(start));
}

/** Python's `str.rstrip()` with no argument. */
function pyRstrip(s: string): string {
  let end = s.length;
  while (end > 0 && isPySpace(s.charCodeAt(end - 1))) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** Index of the first non-space character (configparser's NONSPACECRE), 0 for a blank line. */
function leadingSpace(line: string): number {
  for (let i = 0; i < line.length; i++) if (!isPySpace(line.charCodeAt(i))) return i;
  return 0;
}

/** Index of the first `=` or `:`, -1 when there is none. */
function firstDelimiter(value: string): number {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 61 /* = */ || c === 58 /* : */) return i;
  }
  return -1;
}

/**
 * A line quoted for a message: passwords masked (it may be `sqlalchemy.url = ...` above any section),
 * and cut short, since a hostile line may be megabytes long.
 */
function quoteLine(line: string): string {
  const MAX = 120;
  const shown = redactUrl(line.length > MAX * 4 ? line.slice(0, MAX * 4) : line);
  return JSON.stringify(shown.length > MAX ? `${shown.slice(0, MAX)}…` : shown) + (line.length > MAX ? ` (${line.length} characters)` : '');
}
