// An .ini reader with the semantics of Python's `configparser.ConfigParser` as Alembic uses it
// (`ConfigParser({'here': ...})`: `=`/`:` delimiters, `#`/`;` full-line comments, no inline comments,
// indented continuation lines, lower-cased option names, strict duplicates, `%(name)s` interpolation).
// Alembic reads alembic.ini this way, so the values we see are the values Alembic sees.

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

const SECTION_RE = /^\[(.+)\]/;
const OPTION_RE = /^(.*?)\s*([=:])\s*(.*)$/;
const MAX_INTERPOLATION_DEPTH = 10;

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
    const indent = line.search(/\S/);
    const curIndent = indent < 0 ? 0 : indent;
    if (current && option && curIndent > indentLevel) {
      pending.get(option)?.push(value);
      continue;
    }
    indentLevel = curIndent;
    const sect = SECTION_RE.exec(value);
    if (sect) {
      const name = sect[1] ?? '';
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
      problems.push({ line: i + 1, message: `File contains no section headers: ${JSON.stringify(line)} (configparser MissingSectionHeaderError)` });
      return finish();
    }
    const opt = OPTION_RE.exec(value);
    if (!opt || !opt[1]) {
      problems.push({ line: i + 1, message: `cannot parse line ${JSON.stringify(line)} (configparser ParsingError)` });
      if (opt) option = undefined;
      continue;
    }
    const name = pyRstrip(opt[1]).toLowerCase();
    const key = `o:${sectionName ?? 'DEFAULT'}\u0000${name}`;
    if (added.has(key)) {
      problems.push({ line: i + 1, message: `option '${name}' in section '${sectionName ?? 'DEFAULT'}' already exists (configparser DuplicateOptionError)` });
      return finish();
    }
    added.add(key);
    option = { raw: '', line: i };
    current.set(name, option);
    pending.set(option, [pyStrip(opt[3] ?? '')]);
  }
  return finish();

  function finish(): IniFile {
    for (const [opt, parts] of pending) opt.raw = pyRstrip(parts.join('\n'));
    return { sections, defaults: defaultsMap, problems };
  }
}

export type IniGet = { ok: true; value: string } | { ok: false; message: string };

/** `config.get(section, option)` with BasicInterpolation; `undefined` when the option is absent. */
export function iniGet(ini: IniFile, section: string, name: string): IniGet | undefined {
  const sect = ini.sections.get(section);
  if (!sect && section !== 'DEFAULT') return undefined;
  const key = name.toLowerCase();
  const raw = sect?.get(key)?.raw ?? ini.defaults.get(key)?.raw;
  if (raw === undefined) return undefined;
  const lookup = (v: string): string | undefined => sect?.get(v)?.raw ?? ini.defaults.get(v)?.raw;
  const out: string[] = [];
  const err = interpolate(raw, lookup, out, 1, key, section);
  return err ? { ok: false, message: err } : { ok: true, value: out.join('') };
}

/** Whether the section exists (configparser's `has_section`; `DEFAULT` is not a section). */
export function iniHasSection(ini: IniFile, section: string): boolean {
  return ini.sections.has(section);
}

function interpolate(
  rest: string, lookup: (name: string) => string | undefined, out: string[], depth: number,
  option: string, section: string,
): string | undefined {
  if (depth > MAX_INTERPOLATION_DEPTH) {
    return `Recursion limit exceeded in value substitution: option '${option}' in section '${section}'`;
  }
  while (rest) {
    const p = rest.indexOf('%');
    if (p < 0) {
      out.push(rest);
      return undefined;
    }
    if (p > 0) {
      out.push(rest.slice(0, p));
      rest = rest.slice(p);
    }
    const c = rest.slice(1, 2);
    if (c === '%') {
      out.push('%');
      rest = rest.slice(2);
    } else if (c === '(') {
      const m = /^%\(([^)]+)\)s/.exec(rest);
      if (!m) return `bad interpolation variable reference ${pyRepr(rest)} (option '${option}' in section '${section}')`;
      const v = lookup((m[1] ?? '').toLowerCase());
      rest = rest.slice(m[0].length);
      if (v === undefined) {
        return `Bad value substitution: option '${option}' in section '${section}' contains an interpolation key '${(m[1] ?? '').toLowerCase()}' which is not a valid option name`;
      }
      if (v.includes('%')) {
        const err = interpolate(v, lookup, out, depth + 1, option, section);
        if (err) return err;
      } else {
        out.push(v);
      }
    } else {
      return `'%' must be followed by '%' or '(', found: ${pyRepr(rest)} (option '${option}' in section '${section}')`;
    }
  }
  return undefined;
}

// Python's str.strip() with no argument strips Unicode whitespace; \s in JS is close enough here
// (it also covers \u00a0 and the other Unicode spaces Python strips).
function pyStrip(s: string): string {
  return s.replace(/^\s+|\s+$/g, '');
}

function pyRstrip(s: string): string {
  return s.replace(/\s+$/, '');
}

function pyRepr(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
