// Which database a migration's code runs on. Two questions, one module:
//   the project's dialect (ProjectConfig.dialect: a setting, `[tool.alembic-lint] dialect`,
//   `sqlalchemy.url`, a URL literal in env.py), and
//   whether a call's branch runs on a dialect (`if bind.dialect.name == "mysql":`, `else:`,
//   `if dialect != "postgresql": return`, `in (...)`), read from the guards the parser records.
// A condition we cannot read is unknown, and an unknown condition keeps the call: only a branch known
// not to run on the dialect is left out.
import type { BranchGuard, LocalAssignment, MigrationFunction, ParsedCall } from '../types';

/** SQLAlchemy's dialect names (`dialect.name`), with the spellings URLs and code also use. */
const DIALECT_ALIASES: Readonly<Record<string, string>> = {
  postgresql: 'postgresql', postgres: 'postgresql', psycopg2: 'postgresql', pg: 'postgresql',
  mysql: 'mysql', mariadb: 'mariadb', sqlite: 'sqlite', mssql: 'mssql', oracle: 'oracle',
};

/** `postgres` and `postgresql` are one dialect; an unknown name is kept as written (lower case). */
export function normalizeDialect(name: string): string {
  const n = name.trim().toLowerCase();
  return DIALECT_ALIASES[n] ?? n;
}

/** The dialect of a database URL (`postgresql+psycopg2://...`); undefined for templates like `driver://`. */
export function dialectOfUrl(url: string): string | undefined {
  const m = /^\s*([A-Za-z][\w]*)(?:\+[\w]+)?:\/\//.exec(url);
  const scheme = m?.[1]?.toLowerCase();
  return scheme !== undefined && scheme in DIALECT_ALIASES ? DIALECT_ALIASES[scheme] : undefined;
}

/** The one dialect of the URL literals in env.py (`create_engine("sqlite:///...")`); undefined when none or several. */
export function dialectOfEnvPy(text: string): string | undefined {
  const found = new Set<string>();
  const re = /["']([A-Za-z]\w*(?:\+\w+)?:\/\/)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const d = dialectOfUrl(m[1] ?? '');
    if (d) found.add(d);
  }
  return found.size === 1 ? [...found][0] : undefined;
}

/** True when PostgreSQL's rules apply to the project: its dialect is PostgreSQL or unknown. */
export function mayBePostgres(dialect: string | undefined): boolean {
  return dialect === undefined || dialect === 'postgresql';
}

/** Whether `call` of `fn` runs on `dialect`: false only when one of its guards is known to fail there. */
export function runsOn(call: ParsedCall, fn: Pick<MigrationFunction, 'dialectAssignments'>, dialect: string): boolean {
  return call.guards === undefined || guardsMayHold(call.guards, fn, dialect);
}

export function guardsMayHold(guards: readonly BranchGuard[], fn: Pick<MigrationFunction, 'dialectAssignments'>, dialect: string): boolean {
  for (const g of guards) {
    const v = evaluateCondition(g.condition, dialect, fn.dialectAssignments ?? []);
    if (v !== undefined && v !== g.holds) return false;
  }
  return true;
}

// ---- a small evaluator for the conditions migrations write about their dialect ----

type Value =
  | { kind: 'dialect' }
  | { kind: 'string'; value: string }
  | { kind: 'strings'; values: string[] }
  | { kind: 'bool'; value: boolean }
  | { kind: 'unknown' };

const UNKNOWN: Value = { kind: 'unknown' };
const TOKEN = /\s*(?:("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(==|!=|[()[\]{},])|([A-Za-z_]\w*(?:\(\))?(?:\.[A-Za-z_]\w*(?:\(\))?)*)|(\S))/y;
/** Expressions that are the dialect's name: `bind.dialect.name`, `op.get_context().dialect.name`, `bind.engine.name`. */
const DIALECT_NAME = /(?:^|\.)(?:dialect|engine)\.(?:name|url)$|^dialect_name$/;
/** Expressions that are the dialect (or engine) object, whose `.name` is the dialect's name. */
const DIALECT_OBJECT = /(?:^|\.)(?:dialect|engine)$/;

/** `true`/`false` when the condition's value on `dialect` is known, undefined otherwise. */
export function evaluateCondition(condition: string, dialect: string, assignments: readonly LocalAssignment[], depth = 0): boolean | undefined {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(condition); m; m = TOKEN.exec(condition)) {
    if (m[4] !== undefined) return undefined;
    tokens.push(m[1] ?? m[2] ?? m[3] ?? '');
    if (TOKEN.lastIndex >= condition.length) break;
  }
  const parser = new ConditionParser(tokens, dialect, assignments, depth);
  const v = parser.parse();
  return v.kind === 'bool' ? v.value : undefined;
}

class ConditionParser {
  private i = 0;
  constructor(private readonly tokens: string[], private readonly dialect: string, private readonly assignments: readonly LocalAssignment[], private readonly depth: number) {}

  parse(): Value {
    const v = this.or();
    return this.i === this.tokens.length ? v : UNKNOWN;
  }

  private peek(): string | undefined { return this.tokens[this.i]; }

  private or(): Value {
    let v = this.and();
    while (this.peek() === 'or') {
      this.i++;
      const w = this.and();
      v = logic(v, w, true);
    }
    return v;
  }

  private and(): Value {
    let v = this.not();
    while (this.peek() === 'and') {
      this.i++;
      const w = this.not();
      v = logic(v, w, false);
    }
    return v;
  }

  private not(): Value {
    if (this.peek() === 'not') {
      this.i++;
      const v = truth(this.not());
      return v === undefined ? UNKNOWN : { kind: 'bool', value: !v };
    }
    return this.comparison();
  }

  private comparison(): Value {
    const left = this.operand();
    const t = this.peek();
    let op: string | undefined;
    if (t === '==' || t === '!=' || t === 'in') op = t;
    else if (t === 'not' && this.tokens[this.i + 1] === 'in') op = 'not in';
    else if (t === 'is') op = this.tokens[this.i + 1] === 'not' ? 'is not' : 'is';
    if (!op) return left;
    this.i += op.includes(' ') ? 2 : 1;
    const right = this.operand();
    const d = this.dialect;
    const compare = (): boolean | undefined => {
      if (op === '==' || op === '!=' || op === 'is' || op === 'is not') {
        const eq = left.kind === 'dialect' && right.kind === 'string' ? normalizeDialect(right.value) === d
          : right.kind === 'dialect' && left.kind === 'string' ? normalizeDialect(left.value) === d
            : undefined;
        if (eq === undefined) return undefined;
        return op === '==' || op === 'is' ? eq : !eq;
      }
      let inside: boolean | undefined;
      if (left.kind === 'dialect' && right.kind === 'strings') inside = right.values.some((s) => normalizeDialect(s) === d);
      // `"postgres" in bind.dialect.name`: a substring of the name.
      else if (left.kind === 'string' && right.kind === 'dialect') inside = d.includes(left.value.toLowerCase());
      if (inside === undefined) return undefined;
      return op === 'in' ? inside : !inside;
    };
    const v = compare();
    return v === undefined ? UNKNOWN : { kind: 'bool', value: v };
  }

  private operand(): Value {
    const t = this.tokens[this.i++];
    if (t === undefined) return UNKNOWN;
    if (t === '(') {
      // A parenthesised expression, or a tuple of strings.
      const start = this.i;
      const strings = this.stringsUntil(')');
      if (strings) return strings;
      this.i = start;
      const v = this.or();
      if (this.tokens[this.i++] !== ')') return UNKNOWN;
      return v;
    }
    if (t === '[' || t === '{') return this.stringsUntil(t === '[' ? ']' : '}') ?? UNKNOWN;
    if (t.startsWith('"') || t.startsWith("'")) return { kind: 'string', value: t.slice(1, -1) };
    if (t === 'True' || t === 'False') return { kind: 'bool', value: t === 'True' };
    if (t.endsWith('.startswith') && this.tokens[this.i] === '(') return this.startswith(t.slice(0, -'.startswith'.length));
    if (t === 'str' && this.tokens[this.i] === '(') {
      // `str(bind.engine.url)`: the URL as text.
      this.i++;
      const inner = this.operand();
      return this.tokens[this.i++] === ')' ? inner : UNKNOWN;
    }
    return this.name(t);
  }

  /**
   * `<dialect name or URL>.startswith("mysql")`: a URL starts with its dialect's name
   * (`postgresql+psycopg2://`). A prefix longer than the dialect's name names a driver: unknown.
   */
  private startswith(subject: string): Value {
    this.i++;
    const arg = this.tokens[this.i++];
    if (this.tokens[this.i++] !== ')' || arg === undefined || !(arg.startsWith('"') || arg.startsWith("'"))) return UNKNOWN;
    const s = subject === '' ? UNKNOWN : this.name(subject);
    if (s.kind !== 'dialect') return UNKNOWN;
    const prefix = arg.slice(1, -1).toLowerCase();
    if (this.dialect.startsWith(prefix)) return { kind: 'bool', value: true };
    if (prefix.startsWith(this.dialect)) return UNKNOWN;
    return { kind: 'bool', value: false };
  }

  /** `a, b, ...<close>` of string literals (the opening bracket already read), or undefined. */
  private stringsUntil(close: string): Value | undefined {
    const values: string[] = [];
    for (;;) {
      const t = this.tokens[this.i];
      if (t === close) {
        this.i++;
        return values.length > 0 || close !== ')' ? { kind: 'strings', values } : undefined;
      }
      if (t === undefined || !(t.startsWith('"') || t.startsWith("'"))) return undefined;
      values.push(t.slice(1, -1));
      this.i++;
      if (this.tokens[this.i] === ',') this.i++;
      else if (this.tokens[this.i] !== close) return undefined;
    }
  }

  private name(name: string): Value {
    if (DIALECT_NAME.test(name)) {
      // `x.dialect.name` is the dialect unless `x.dialect` was bound to something else: good enough.
      return { kind: 'dialect' };
    }
    const dot = name.indexOf('.');
    const head = dot < 0 ? name : name.slice(0, dot);
    const local = this.lastAssignment(head);
    if (!local || this.depth >= 3) return UNKNOWN;
    const expr = local.expression.trim();
    if (dot < 0) {
      // `url = str(bind.engine.url)` counts as the dialect's name for startswith().
      const unwrapped = /^str\((.*)\)$/.exec(expr)?.[1]?.trim() ?? expr;
      if (DIALECT_NAME.test(unwrapped)) return { kind: 'dialect' };
      const v = evaluateCondition(expr, this.dialect, this.assignments, this.depth + 1);
      return v === undefined ? UNKNOWN : { kind: 'bool', value: v };
    }
    // `dialect = bind.dialect` ... `dialect.name`
    if (name.slice(dot) === '.name' && DIALECT_OBJECT.test(expr)) return { kind: 'dialect' };
    return UNKNOWN;
  }

  private lastAssignment(name: string): LocalAssignment | undefined {
    const all = this.assignments.filter((a) => a.name === name);
    // Assigned more than once: which value holds at the `if` is not something we follow.
    return all.length === 1 ? all[0] : undefined;
  }
}

function truth(v: Value): boolean | undefined {
  return v.kind === 'bool' ? v.value : undefined;
}

/** Three-valued `or` (any) / `and` (all). */
function logic(a: Value, b: Value, any: boolean): Value {
  const x = truth(a);
  const y = truth(b);
  if (x === any || y === any) return { kind: 'bool', value: any };
  if (x === undefined || y === undefined) return UNKNOWN;
  return { kind: 'bool', value: !any };
}
