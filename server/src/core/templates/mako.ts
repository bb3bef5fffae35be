// A small renderer for the subset of Mako that Alembic's script.py.mako files use, so that a new
// empty (or merge) revision follows the project's own template without running Python.
// Supported: `${expr}` and `${expr | filters}` (filters n, str, trim, h and the `comma` function),
// `## comment` lines, `% if/elif/else/endif` control lines, `<%text>`, `<%doc>`, a trailing `\`
// joining lines, `%%` escaping a line-leading `%`, and `<%! import ... %>` blocks (ignored).
// Expressions: names, string literals, None/True/False, repr()/str()/comma() calls,
// `a if b else c`, `not`, `and`, `or`, `is [not] None`, `==`, `!=`. Anything else (`% for`, `<%def>`,
// `config.get_main_option(...)`, attribute access ...) is reported as unsupported, so that the
// caller falls back to our own template and says why.
import { commaFormat, pyRepr, pyStr, pyTruthy, type PyValue } from './python';

/** A value in the template's namespace. `undefined` is Mako's UNDEFINED: falsy, an error when printed. */
export type MakoValue = PyValue | { kind: 'datetime'; text: string } | { kind: 'function'; name: 'comma' } | undefined;

export type MakoResult = { ok: true; text: string } | { ok: false; reason: string };

export class MakoUnsupported extends Error {
  constructor(message: string, readonly line: number) {
    super(`line ${line}: ${message}`);
    this.name = 'MakoUnsupported';
  }
}

/** The namespace Alembic's `generate_revision` gives script.py.mako. */
export interface AlembicScriptVariables {
  message: string;
  up_revision: string;
  down_revision: string | readonly string[] | null;
  branch_labels: readonly string[] | null;
  depends_on: string | readonly string[] | null;
  /** Python's str() of the create date. */
  create_date: string;
  imports?: string;
  upgrades?: string;
  downgrades?: string;
}

export function alembicNamespace(v: AlembicScriptVariables): Record<string, MakoValue> {
  return {
    message: v.message,
    up_revision: v.up_revision,
    down_revision: v.down_revision,
    branch_labels: v.branch_labels,
    depends_on: v.depends_on,
    create_date: { kind: 'datetime', text: v.create_date },
    imports: v.imports,
    upgrades: v.upgrades,
    downgrades: v.downgrades,
    comma: { kind: 'function', name: 'comma' },
  };
}

/** Renders a script.py.mako text; never throws. */
export function renderScriptMako(template: string, namespace: Record<string, MakoValue>): MakoResult {
  try {
    return { ok: true, text: new Renderer(template.replace(/\r\n/g, '\n'), namespace).render() };
  } catch (e) {
    if (e instanceof MakoUnsupported) return { ok: false, reason: e.message };
    throw e;
  }
}

interface ControlFrame {
  /** This branch is being output. */
  active: boolean;
  /** Some branch of this if/elif chain was taken. */
  taken: boolean;
  /** The whole block sits inside an inactive branch. */
  parentActive: boolean;
}

class Renderer {
  private pos = 0;
  private out = '';
  private readonly stack: ControlFrame[] = [];

  constructor(private readonly text: string, private readonly ns: Record<string, MakoValue>) {}

  render(): string {
    const t = this.text;
    while (this.pos < t.length) {
      if (this.atLineStart() && this.controlLine()) continue;
      if (t.startsWith('${', this.pos)) { this.expression(); continue; }
      if (t.startsWith('<%doc>', this.pos)) { this.skipPast('</%doc>', '<%doc>'); continue; }
      if (t.startsWith('<%text>', this.pos)) {
        const start = this.pos + '<%text>'.length;
        const end = t.indexOf('</%text>', start);
        if (end < 0) throw this.unsupported('<%text> is not closed');
        this.emit(t.slice(start, end));
        this.pos = end + '</%text>'.length;
        continue;
      }
      if (t.startsWith('<%!', this.pos)) { this.moduleBlock(); continue; }
      if (t.startsWith('<%', this.pos) || t.startsWith('</%', this.pos) || t.startsWith('<&', this.pos) || t.startsWith('</&', this.pos)) {
        const tag = /^<\/?[%&]([\w.:]*)/.exec(t.slice(this.pos))?.[1] ?? '';
        throw this.unsupported(tag ? `the <%${tag}> tag` : 'a Python block (<% ... %>)');
      }
      this.plainText();
    }
    if (this.stack.length > 0) throw this.unsupported('a % if without % endif');
    return this.out;
  }

  private atLineStart(): boolean {
    return this.pos === 0 || this.text[this.pos - 1] === '\n';
  }

  private lineNumber(at = this.pos): number {
    return this.text.slice(0, at).split('\n').length;
  }

  private unsupported(what: string): MakoUnsupported {
    return new MakoUnsupported(`${what} is not supported`, this.lineNumber());
  }

  private active(): boolean {
    const top = this.stack[this.stack.length - 1];
    return top === undefined || top.active;
  }

  private emit(text: string): void {
    if (this.active()) this.out += text;
  }

  /** Text up to the next `${`, tag, escaped newline or control line. */
  private plainText(): void {
    const t = this.text;
    if (this.atLineStart()) {
      const escaped = /^([ \t]*)%%/.exec(t.slice(this.pos));
      // Mako turns a line-leading `%%` into `%`, but mangles an indented one (it drops a space
      // and keeps both percents): refuse that rather than copy the quirk.
      if (escaped?.[1]) throw this.unsupported('an indented %% line');
      if (escaped) {
        this.emit('%');
        this.pos += escaped[0].length;
      }
    }
    const rest = t.slice(this.pos);
    const stop = /\$\{|<\/?[%&]|\\\n|\n(?=[ \t]*(%|##))/.exec(rest);
    if (!stop) {
      this.emit(rest);
      this.pos = t.length;
      return;
    }
    if (stop[0] === '\\\n') {
      this.emit(rest.slice(0, stop.index));
      this.pos += stop.index + 2;
      return;
    }
    const end = stop[0] === '\n' ? stop.index + 1 : stop.index;
    if (end === 0) {
      // A `<` or `$` that starts no construct: plain text.
      this.emit(rest.slice(0, 1));
      this.pos += 1;
      return;
    }
    this.emit(rest.slice(0, end));
    this.pos += end;
  }

  private controlLine(): boolean {
    const m = /^[\t ]*(%(?!%)|##)[\t ]*((?:\\\n|[^\n])*)(?:\n|$)/.exec(this.text.slice(this.pos));
    if (!m) return false;
    const line = this.lineNumber();
    this.pos += m[0].length;
    if (m[1] === '##') return true;
    const body = (m[2] ?? '').replace(/\\\n/g, ' ').trim();
    // `body` is trimmed: no `\s*$` after a lazy group, which backtracks over every run of spaces.
    const kw = /^(end)?(\w+)\s*(.*)$/.exec(body);
    if (!kw) throw new MakoUnsupported(`the control line '% ${body}' is not supported`, line);
    const [, end, keyword = '', rest = ''] = kw;
    if (end) {
      if (keyword !== 'if') throw new MakoUnsupported(`'% end${keyword}' is not supported`, line);
      if (!this.stack.pop()) throw new MakoUnsupported('% endif without % if', line);
      return true;
    }
    const condition = (): boolean => {
      if (!rest.endsWith(':')) throw new MakoUnsupported(`'% ${body}' must end with ':'`, line);
      return pyTruthy(toPy(new Expression(rest.slice(0, -1), this.ns, line).evaluate(), line));
    };
    switch (keyword) {
      case 'if': {
        const parentActive = this.active();
        const taken = parentActive && condition();
        this.stack.push({ active: taken, taken, parentActive });
        return true;
      }
      case 'elif':
      case 'else': {
        const top = this.stack[this.stack.length - 1];
        if (!top) throw new MakoUnsupported(`% ${keyword} without % if`, line);
        if (keyword === 'else' && rest !== ':') throw new MakoUnsupported(`'% ${body}' is not supported`, line);
        const now = top.parentActive && !top.taken && (keyword === 'else' || condition());
        top.active = now;
        top.taken = top.taken || now;
        return true;
      }
      default:
        throw new MakoUnsupported(`the control line '% ${keyword} ...' is not supported`, line);
    }
  }

  private expression(): void {
    const line = this.lineNumber();
    const start = this.pos + 2;
    const { end, filterAt } = scanExpression(this.text, start, line);
    const code = this.text.slice(start, filterAt ?? end);
    const filters = filterAt === undefined ? [] : this.text.slice(filterAt + 1, end).split(',').map((f) => f.trim()).filter(Boolean);
    this.pos = end + 1;
    if (!this.active()) return;
    let value: MakoValue = new Expression(code, this.ns, line).evaluate();
    const chain = filters.includes('n') ? filters.filter((f) => f !== 'n') : ['str', ...filters];
    for (const filter of chain) value = applyFilter(filter, value, line);
    if (value === undefined) throw new MakoUnsupported(`'${code.trim()}' is undefined (Mako raises NameError)`, line);
    this.emit(typeof value === 'string' ? value : pyStr(toPy(value, line)));
  }

  private moduleBlock(): void {
    const end = this.text.indexOf('%>', this.pos + 3);
    if (end < 0) throw this.unsupported('an unclosed <%! block');
    const body = this.text.slice(this.pos + 3, end);
    const onlyImports = body.split('\n').every(isImportLine);
    if (!onlyImports) throw this.unsupported('a <%! ... %> block with code other than imports');
    this.pos = end + 2;
  }

  private skipPast(close: string, open: string): void {
    const end = this.text.indexOf(close, this.pos);
    if (end < 0) throw this.unsupported(`${open} is not closed`);
    this.pos = end + close.length;
  }
}

/** Finds the `}` closing an expression that starts at `start`, and the `|` before its filters. */
function scanExpression(text: string, start: number, line: number): { end: number; filterAt?: number } {
  let depth = 0;
  let filterAt: number | undefined;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"' || ch === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== ch) j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) break;
      i = j;
    } else if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if ((ch === ')' || ch === ']') && depth > 0) depth--;
    else if (ch === '}') {
      if (depth === 0) return filterAt === undefined ? { end: i } : { end: i, filterAt };
      depth--;
    } else if (ch === '|' && depth === 0 && filterAt === undefined) filterAt = i;
  }
  throw new MakoUnsupported('an expression ${...} is not closed', line);
}

function applyFilter(name: string, value: MakoValue, line: number): MakoValue {
  switch (name) {
    case 'str':
    case 'unicode':
      if (value === undefined) return undefined;
      return typeof value === 'object' && value !== null && 'kind' in value && value.kind === 'datetime' ? value.text : pyStr(toPy(value, line));
    case 'trim':
      return asText(value, line).trim();
    case 'h':
      return asText(value, line).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
        .replace(/"/g, '&#34;').replace(/'/g, '&#39;');
    case 'comma':
      return commaFormat(toPy(value, line));
    default:
      throw new MakoUnsupported(`the filter '${name}'`, line);
  }
}

function asText(value: MakoValue, line: number): string {
  const v = applyFilter('str', value, line);
  if (typeof v !== 'string') throw new MakoUnsupported('printing an undefined name', line);
  return v;
}

function toPy(value: MakoValue, line: number): PyValue {
  if (value === undefined) return null;
  if (typeof value === 'object' && value !== null && 'kind' in value) {
    if (value.kind === 'datetime') return value.text;
    throw new MakoUnsupported(`using the function ${value.name} as a value`, line);
  }
  return value;
}

type Token = { type: 'name' | 'string' | 'op' | 'number'; text: string; value?: string };

/** A recursive-descent evaluator for the Python subset described at the top of the file. */
class Expression {
  private readonly tokens: Token[];
  private i = 0;

  constructor(private readonly code: string, private readonly ns: Record<string, MakoValue>, private readonly line: number) {
    this.tokens = this.tokenize(code);
  }

  evaluate(): MakoValue {
    const value = this.conditional();
    if (this.i < this.tokens.length) this.fail(`'${this.tokens[this.i]?.text}'`);
    return value;
  }

  private fail(what: string): never {
    throw new MakoUnsupported(`${what} in the expression '${this.code.trim()}'`, this.line);
  }

  private tokenize(code: string): Token[] {
    const tokens: Token[] = [];
    const re = /\s*(?:([A-Za-z_]\w*)|(\d+)|('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(==|!=|[()\[\].,:+*%<>-]))/y;
    let at = 0;
    while (at < code.length) {
      if (/^\s*$/.test(code.slice(at))) break;
      re.lastIndex = at;
      const m = re.exec(code);
      if (!m) this.fail(`the text '${code.slice(at).trim()}'`);
      at = re.lastIndex;
      if (m[1] !== undefined) tokens.push({ type: 'name', text: m[1] });
      else if (m[2] !== undefined) tokens.push({ type: 'number', text: m[2] });
      else if (m[3] !== undefined) tokens.push({ type: 'string', text: m[3], value: unquote(m[3]) });
      else tokens.push({ type: 'op', text: m[4] ?? '' });
    }
    return tokens;
  }

  private peek(text: string): boolean {
    const t = this.tokens[this.i];
    return t !== undefined && (t.type === 'name' || t.type === 'op') && t.text === text;
  }

  private eat(text: string): boolean {
    if (!this.peek(text)) return false;
    this.i++;
    return true;
  }

  private conditional(): MakoValue {
    const then = this.or();
    if (!this.eat('if')) return then;
    const test = this.or();
    if (!this.eat('else')) this.fail("'if' without 'else'");
    const otherwise = this.conditional();
    return pyTruthy(toPy(test, this.line)) ? then : otherwise;
  }

  private or(): MakoValue {
    let value = this.and();
    while (this.eat('or')) {
      const right = this.and();
      if (!pyTruthy(toPy(value, this.line))) value = right;
    }
    return value;
  }

  private and(): MakoValue {
    let value = this.not();
    while (this.eat('and')) {
      const right = this.not();
      if (pyTruthy(toPy(value, this.line))) value = right;
    }
    return value;
  }

  private not(): MakoValue {
    if (this.eat('not')) return !pyTruthy(toPy(this.not(), this.line));
    return this.comparison();
  }

  private comparison(): MakoValue {
    const left = this.primary();
    if (this.eat('is')) {
      const negate = this.eat('not');
      if (!this.eat('None')) this.fail("'is' with anything but None");
      // Mako's UNDEFINED is an object, not None.
      const isNone = left === null;
      return negate ? !isNone : isNone;
    }
    if (this.peek('==') || this.peek('!=')) {
      const op = this.tokens[this.i++]?.text;
      const right = this.primary();
      const same = pyRepr(toPy(left, this.line)) === pyRepr(toPy(right, this.line));
      return op === '==' ? same : !same;
    }
    return left;
  }

  private primary(): MakoValue {
    const t = this.tokens[this.i++];
    if (!t) this.fail('a missing value');
    if (t.type === 'string') return t.value ?? '';
    if (t.type === 'number') return Number(t.text);
    if (t.type === 'op') {
      if (t.text === '(') {
        const v = this.conditional();
        if (!this.eat(')')) this.fail("a missing ')'");
        return v;
      }
      this.fail(`'${t.text}'`);
    }
    if (t.text === 'None') return null;
    if (t.text === 'True') return true;
    if (t.text === 'False') return false;
    if (this.peek('.')) this.fail(`attribute access on '${t.text}'`);
    if (this.eat('(')) {
      const arg = this.conditional();
      if (!this.eat(')')) this.fail(`a call to ${t.text}() with more than one argument`);
      return this.call(t.text, arg);
    }
    if (this.peek('[')) this.fail(`indexing '${t.text}'`);
    if (!(t.text in this.ns)) this.fail(`the name '${t.text}' (not one Alembic provides without Python)`);
    return this.ns[t.text];
  }

  private call(name: string, arg: MakoValue): MakoValue {
    if (name === 'repr') {
      if (typeof arg === 'object' && arg !== null && 'kind' in arg) this.fail(`repr() of ${arg.kind === 'datetime' ? 'the create date' : 'a function'}`);
      if (arg === undefined) this.fail('repr() of an undefined name');
      return pyRepr(arg);
    }
    if (name === 'str') return applyFilter('str', arg, this.line);
    const fn = this.ns[name];
    if (typeof fn === 'object' && fn !== null && 'kind' in fn && fn.kind === 'function') return commaFormat(toPy(arg, this.line));
    this.fail(`the call ${name}()`);
  }
}

function unquote(literal: string): string {
  const body = literal.slice(1, -1);
  const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };
  return body.replace(/\\(.)/g, (_m, c: string) => escapes[c] ?? `\\${c}`);
}

/**
 * A line of a `<%! ... %>` block that only imports (or is blank, or a comment). The comment and the
 * ends are cut first, so that the pattern has one run of spaces to match: nested optional runs of
 * spaces made a template from the workspace take seconds per line.
 */
function isImportLine(line: string): boolean {
  const hash = line.indexOf('#');
  const code = (hash < 0 ? line : line.slice(0, hash)).trim();
  return code === '' || /^(?:import|from)\s[\w.,\s]*$/.test(code);
}
