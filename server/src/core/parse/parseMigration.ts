// parseMigration(text): every fact the server reads from one migration file. Module-level statements
// give the revision variables, the docstring header and enum variables; the upgrade/downgrade
// functions give their calls. Never throws: a broken spot costs the facts on it, not the file.
import type {
  EnumVariable, ExecutedSql, HelperFunction, Migration, MigrationFunction, ParsedCall, RevisionAssignment, RevisionValue, RevisionVariable,
} from '../types';
import * as docstring from './docstring';
import * as expr from './expressions';
import * as functions from './functions';
import type { DefSite } from './functions';
import { LineIndex } from './lineIndex';
import * as lists from './lists';
import * as tok from './tokenizer';
import { createTokenBuffers } from './tokenizer';
import * as tokens from './tokens';
import type { Tokens } from './tokens';

// Local copies of the token constants and imported functions: in CommonJS transpiled file by file
// (tests, benchmarks) every use of an import is a getter call, which costs noticeably in these loops.
const AUGMENTED_ASSIGN_OPS = tok.AUGMENTED_ASSIGN_OPS, SF_BYTES = tok.SF_BYTES, SF_FORMAT = tok.SF_FORMAT;
const TK_DEDENT = tok.TK_DEDENT, TK_INDENT = tok.TK_INDENT, TK_NAME = tok.TK_NAME, TK_NEWLINE = tok.TK_NEWLINE;
const TK_OP = tok.TK_OP, TK_STRING = tok.TK_STRING, tokenize = tok.tokenize, TokensClass = tokens.Tokens;
const readDocstringHeader = docstring.readDocstringHeader, NO_CONTEXT = expr.NO_CONTEXT, readChain = expr.readChain;
const readRevisionValue = expr.readRevisionValue, resetArgStacks = expr.resetArgStacks, startsPrimary = expr.startsPrimary, exact = lists.exact;
const migrationFunctionName = functions.migrationFunctionName, readFunction = functions.readFunction;

const LPAREN = 40, RPAREN = 41, LBRACKET = 91, RBRACKET = 93, LBRACE = 123;
const STAR = 42, COMMA = 44, COLON = 58, SEMI = 59, EQUALS = 61, AT = 64;

const FIELD_OF: Record<RevisionVariable, 'revision' | 'downRevision' | 'branchLabels' | 'dependsOn'> = {
  revision: 'revision',
  down_revision: 'downRevision',
  branch_labels: 'branchLabels',
  depends_on: 'dependsOn',
};

/**
 * `if`, `elif`, `else`, `for`, `while`, `with`, `try`, `except`, `finally`, `async`: by first letter, then
 * isWord (length first), so that no string is made for the statements that start otherwise.
 */
function isCompoundKeyword(tk: Tokens, i: number): boolean {
  if (tk.kind[i] !== TK_NAME) return false;
  switch (tk.units[tk.start[i] ?? 0]) {
    case 105: return tk.isWord(i, 'if'); // i
    case 101: return tk.isWord(i, 'elif') || tk.isWord(i, 'else') || tk.isWord(i, 'except'); // e
    case 102: return tk.isWord(i, 'for') || tk.isWord(i, 'finally'); // f
    case 119: return tk.isWord(i, 'while') || tk.isWord(i, 'with'); // w
    case 116: return tk.isWord(i, 'try'); // t
    case 97: return tk.isWord(i, 'async'); // a
    default: return false;
  }
}

const SKIP_BODIES = { skipBodies: true };

/** The `=` tokens of the statement ModuleWalker.assignment reads (grown as needed, never shrunk). */
const EQS: number[] = [];

/** Shared by every call: parsing is synchronous and the Migration keeps no reference to tokens. */
const buffers = createTokenBuffers();

export function parseMigration(text: string): Migration {
  return parseSafely(text, false);
}

/**
 * The module-level facts only: the revision variables, the docstring header and the comments, exactly
 * as parseMigration reads them, without reading function bodies into calls (a third of the time, and
 * a tenth of the memory). `functions`, `enumVariables` and `executedSql` are empty and `headerOnly` is
 * set. The revision graph needs no more than this.
 */
export function parseMigrationHeader(text: string): Migration {
  return parseSafely(text, true);
}

/**
 * The module-level facts of a full parse, shaped as parseMigrationHeader's: what a file keeps for its
 * graph once its full parse has served its rules (the calls of every function are most of the memory).
 */
export function headerOf(full: Migration): Migration {
  // Field by field (a rest-and-spread copy took ~4 µs a file); the unit test holds it equal to
  // parseMigrationHeader's result, so a field added to Migration and forgotten here fails there.
  const header: Migration = {
    functions: [], enumVariables: [], executedSql: [], comments: full.comments, lineCount: full.lineCount,
    syntaxProblems: full.syntaxProblems, headerOnly: true,
  };
  if (full.revision) header.revision = full.revision;
  if (full.downRevision) header.downRevision = full.downRevision;
  if (full.branchLabels) header.branchLabels = full.branchLabels;
  if (full.dependsOn) header.dependsOn = full.dependsOn;
  if (full.docstring) header.docstring = full.docstring;
  if (full.definesDowngrade) header.definesDowngrade = true;
  return header;
}

function parseSafely(text: string, headerOnly: boolean): Migration {
  try {
    return parse(text, headerOnly);
  } catch (err) {
    // A safety net only: the fuzz test fails on this message. Whatever happens, the server keeps
    // its index and the user sees where the parser gave up.
    resetArgStacks();
    const lines = new LineIndex(text);
    const message = `internal parser error: ${err instanceof Error ? err.message : String(err)}`;
    return {
      functions: [], enumVariables: [], executedSql: [], comments: [], lineCount: lines.lineCount,
      syntaxProblems: [{ message, range: lines.range(0, 0) }],
    };
  }
}

function parse(text: string, headerOnly: boolean): Migration {
  // The header passes over the bodies of column-0 functions without tokenizing them (the tokenizer
  // gives up skipping at anything it would report, so the problems are the same) and does not read
  // them into calls and arguments, which is most of the time and the memory.
  const tk = new TokensClass(tokenize(text, buffers, headerOnly ? SKIP_BODIES : undefined));
  const m: Migration = {
    functions: [],
    enumVariables: [],
    executedSql: [],
    comments: [],
    lineCount: tk.lines.lineCount,
    syntaxProblems: [],
  };
  if (headerOnly) m.headerOnly = true;
  const walker = new ModuleWalker(tk, m, headerOnly);
  walker.walk();
  separateHelpers(m, walker.helpers);
  for (const fn of m.functions) collectExecutedSql(fn, m.executedSql);
  for (const fn of m.helpers?.values() ?? []) collectExecutedSql(fn, m.executedSql);
  const c = tk.ts.comments;
  for (let k = 0; k + 1 < c.length; k += 2) {
    const s = c[k] ?? 0;
    const e = c[k + 1] ?? s;
    m.comments.push({ text: text.slice(s + 1, e), range: tk.lines.range(s, e) });
  }
  for (const p of tk.ts.problems) m.syntaxProblems.push({ message: p.message, range: tk.lines.range(p.start, p.end) });
  m.functions = exact(m.functions);
  m.enumVariables = exact(m.enumVariables);
  m.executedSql = exact(m.executedSql);
  m.comments = exact(m.comments);
  m.syntaxProblems = exact(m.syntaxProblems);
  return m;
}

function revisionVariable(tk: Tokens, i: number): RevisionVariable | undefined {
  if (tk.kind[i] !== TK_NAME) return undefined;
  const s = tk.start[i] ?? 0;
  const len = (tk.end[i] ?? 0) - s;
  // By length and first letter first: no string is made for the many names that are none of these.
  const c = tk.units[s];
  if (len === 8) return c === 114 /* r */ && tk.isWord(i, 'revision') ? 'revision' : undefined;
  if (len === 13) return c === 100 /* d */ && tk.isWord(i, 'down_revision') ? 'down_revision' : c === 98 /* b */ && tk.isWord(i, 'branch_labels') ? 'branch_labels' : undefined;
  if (len === 10) return c === 100 /* d */ && tk.isWord(i, 'depends_on') ? 'depends_on' : undefined;
  return undefined;
}

function isEnumCallee(callee: string): boolean {
  if (callee.includes('(')) return false;
  const dot = callee.lastIndexOf('.');
  const last = callee.slice(dot + 1);
  if (last !== 'Enum' && last !== 'ENUM') return false;
  // Python's own enum.Enum functional API is not a database type.
  return !callee.startsWith('enum.');
}

class ModuleWalker {
  private first = true;
  /** Module-level functions that are not migration functions (see separateHelpers). */
  readonly helpers: MigrationFunction[] = [];

  constructor(private readonly tk: Tokens, private readonly m: Migration, private readonly headerOnly: boolean) {}

  walk(): void {
    const tk = this.tk;
    const last = tk.ts.count - 1;
    let i = 0;
    while (i < last) {
      const k = tk.kind[i];
      if (k === TK_NEWLINE || k === TK_DEDENT) { i++; continue; }
      if (k === TK_INDENT) {
        // An unexpected indent (Python refuses the file): its assignments are reported, not trusted.
        const end = this.blockEnd(i);
        this.nestedBlock(i + 1, end);
        this.first = false;
        i = end + 1;
        continue;
      }
      if (tk.isOp(i, AT) || tk.isWord(i, 'def') || (tk.isWord(i, 'async') && tk.isWord(i + 1, 'def')) || tk.isWord(i, 'class')) {
        i = this.definition(i);
        this.first = false;
        continue;
      }
      const lineEnd = tk.lineEnd(i);
      const hasBlock = tk.kind[lineEnd + 1] === TK_INDENT;
      if (isCompoundKeyword(tk, i)) {
        const colon = tk.findOp(i, lineEnd, COLON);
        if (colon + 1 < lineEnd) this.statements(colon + 1, lineEnd, true);
      } else {
        this.statements(i, lineEnd, false);
      }
      this.first = false;
      if (hasBlock) {
        const end = this.blockEnd(lineEnd + 1);
        this.nestedBlock(lineEnd + 2, end);
        i = end + 1;
      } else {
        i = lineEnd + 1;
      }
    }
  }

  /** Index of the DEDENT closing the block opened by the INDENT at i (or the END token). */
  private blockEnd(i: number): number {
    const tk = this.tk;
    const last = tk.ts.count - 1;
    let depth = 0;
    for (let j = i; j < last; j++) {
      const k = tk.kind[j];
      if (k === TK_INDENT) depth++;
      else if (k === TK_DEDENT && --depth === 0) return j;
    }
    return last;
  }

  /** Decorators, then `def`/`class`: reads migration functions, skips the rest. Returns the next index. */
  private definition(i: number): number {
    const tk = this.tk;
    const last = tk.ts.count - 1;
    const first = i;
    let j = i;
    while (j < last && tk.isOp(j, AT)) j = tk.lineEnd(j) + 1;
    const isDef = tk.isWord(j, 'def') || (tk.isWord(j, 'async') && tk.isWord(j + 1, 'def'));
    if (!isDef && !tk.isWord(j, 'class')) return j > first ? j : first + 1;
    const headerEnd = tk.lineEnd(j);
    const hasBlock = tk.kind[headerEnd + 1] === TK_INDENT;
    const blockEnd = hasBlock ? this.blockEnd(headerEnd + 1) : -1;
    const next = hasBlock ? blockEnd + 1 : headerEnd + 1;
    if (!isDef) return next;
    const name = tk.isWord(j, 'async') ? j + 2 : j + 1;
    if (name >= headerEnd || tk.kind[name] !== TK_NAME) return next;
    const which = migrationFunctionName(tk.tokText(name));
    if (which?.kind === 'downgrade') this.m.definesDowngrade = true;
    if (this.headerOnly) return next;
    let p = name + 1;
    const parameters = tk.isOp(p, LPAREN) && tk.after(p, headerEnd) > p + 2;
    if (tk.isOp(p, LPAREN)) p = tk.after(p, headerEnd);
    const colon = tk.findOp(p, headerEnd, COLON);
    const site: DefSite = { first, def: j, name, headerEnd, colon, bodyStart: headerEnd, bodyEnd: headerEnd };
    if (colon + 1 < headerEnd) {
      site.bodyStart = colon + 1;
    } else if (hasBlock) {
      // Also when the `:` is missing (half-typed): the indented block is still the body.
      site.bodyStart = headerEnd + 2;
      site.bodyEnd = blockEnd;
    }
    const fn = readFunction(tk, site, which?.kind ?? 'upgrade', which?.engine);
    if (parameters) fn.hasParameters = true;
    if (which) this.m.functions.push(fn);
    else this.helpers.push(fn);
    return next;
  }

  /**
   * A block inside a module-level compound statement (`if`, `try` ...) or an unexpected indent.
   * Python runs it at import time, so assignments to revision variables there do change them, but
   * not to a value we can know: they are reported as unresolved. Nested def/class bodies are skipped.
   */
  private nestedBlock(a: number, b: number): void {
    const tk = this.tk;
    let i = a;
    while (i < b) {
      const k = tk.kind[i];
      if (k === TK_NEWLINE || k === TK_DEDENT || k === TK_INDENT) { i++; continue; }
      const lineEnd = Math.min(tk.lineEnd(i), b);
      const hasBlock = tk.kind[lineEnd + 1] === TK_INDENT && lineEnd + 1 < b;
      if (tk.isOp(i, AT) || tk.isWord(i, 'def') || tk.isWord(i, 'class') || (tk.isWord(i, 'async') && tk.isWord(i + 1, 'def'))) {
        i = hasBlock ? Math.min(this.blockEnd(lineEnd + 1), b) : lineEnd;
        continue;
      }
      if (isCompoundKeyword(tk, i)) {
        const colon = tk.findOp(i, lineEnd, COLON);
        if (colon + 1 < lineEnd) this.statements(colon + 1, lineEnd, true);
      } else {
        this.statements(i, lineEnd, true);
      }
      i = lineEnd;
    }
  }

  /** Simple statements separated by `;` in [a, b). */
  private statements(a: number, b: number, nested: boolean): void {
    const tk = this.tk;
    let s = a;
    while (s < b) {
      const e = tk.findOp(s, b, SEMI);
      if (e > s) {
        if (this.first && !nested && isStringStatement(tk, s, e)) this.m.docstring = readDocstringHeader(tk, s, e);
        this.first = false;
        this.assignment(s, e, nested);
      }
      s = e + 1;
    }
  }

  /** `a = b = value`, `a: T = value`, `a += value`, `a, b = value` over [s, e). */
  private assignment(s: number, e: number, nested: boolean): void {
    const tk = this.tk;
    if (tk.kind[s] !== TK_NAME && !tk.isOp(s, LPAREN) && !tk.isOp(s, LBRACKET)) return;
    // The `=` tokens in a shared list (assignment never runs inside another): no array per statement.
    const eqs = EQS;
    let neq = 0;
    for (let i = s; i < e; i++) {
      if (tk.kind[i] !== TK_OP) {
        // A lambda's default values are not assignments: `x = lambda a=1: a`.
        if (tk.isWord(i, 'lambda')) break;
        continue;
      }
      const f = tk.flags[i];
      if (f === EQUALS) eqs[neq++] = i;
      else if (f === LPAREN || f === LBRACKET || f === LBRACE) i = tk.closeOf(i, e);
    }
    if (neq === 0) {
      const v = revisionVariable(tk, s);
      if (v && tk.kind[s + 1] === TK_OP && AUGMENTED_ASSIGN_OPS.has(tk.flags[s + 1] ?? 0)) {
        this.assign(v, s, this.unresolved(s + 2, e, tk.end[s + 1] ?? 0));
      }
      return;
    }
    const vs = (eqs[neq - 1] ?? s) + 1;
    const eqEnd = tk.end[vs - 1] ?? 0;
    let value: RevisionValue | undefined;
    let ts = s;
    for (let q = 0; q < neq; q++) {
      const targetEnd = eqs[q] ?? e;
      const single = targetEnd - ts === 1 || (tk.isOp(ts + 1, COLON) && ts === s);
      if (single && tk.kind[ts] === TK_NAME) {
        const v = revisionVariable(tk, ts);
        if (v) this.assign(v, ts, (value ??= nested ? this.unresolved(vs, e, eqEnd) : readRevisionValue(tk, vs, e, eqEnd)));
        else if (!nested && !this.headerOnly) this.enumVariable(ts, vs, e);
      } else if (isUnpackingTarget(tk, ts, targetEnd)) {
        // `revision, x = ...`: the value of each name is not something we evaluate.
        for (let i = ts; i < targetEnd; i++) {
          const v = revisionVariable(tk, i);
          if (v) this.assign(v, i, this.unresolved(vs, e, eqEnd));
        }
      }
      ts = targetEnd + 1;
    }
  }

  private unresolved(a: number, b: number, at: number): RevisionValue {
    const tk = this.tk;
    if (b <= a) return { kind: 'unresolved', text: '', range: tk.lines.range(at, at) };
    return { kind: 'unresolved', text: tk.spanText(a, b - 1), range: tk.range(a, b - 1) };
  }

  private assign(name: RevisionVariable, nameTok: number, value: RevisionValue): void {
    const a: RevisionAssignment = { name, nameRange: this.tk.tokRange(nameTok), value };
    // The last assignment wins, as when Python runs the module. Named stores, not this.m[FIELD_OF[name]]:
    // a keyed store on objects of changing shapes is a slow generic store.
    const m = this.m;
    switch (FIELD_OF[name]) {
      case 'revision': m.revision = a; break;
      case 'downRevision': m.downRevision = a; break;
      case 'branchLabels': m.branchLabels = a; break;
      case 'dependsOn': m.dependsOn = a; break;
    }
  }

  private enumVariable(nameTok: number, a: number, b: number): void {
    const tk = this.tk;
    if (!startsPrimary(tk, a)) return;
    const chain = readChain(tk, a, b, NO_CONTEXT);
    if (!chain.call || chain.next !== b || !chain.endsWithCall || !isEnumCallee(chain.call.callee)) return;
    const v: EnumVariable = { name: tk.name(nameTok), nameRange: tk.tokRange(nameTok), call: chain.call };
    this.m.enumVariables.push(v);
  }
}

/** `a, b`, `(a, [b, *c])`: names, commas, brackets and stars only, no subscripts or attributes. */
function isUnpackingTarget(tk: Tokens, a: number, b: number): boolean {
  for (let i = a; i < b; i++) {
    if (tk.kind[i] === TK_NAME) continue;
    if (tk.kind[i] !== TK_OP) return false;
    const f = tk.flags[i];
    if (f === LPAREN || f === LBRACKET) {
      if (i > a && !(tk.isOp(i - 1, COMMA) || tk.isOp(i - 1, LPAREN) || tk.isOp(i - 1, LBRACKET) || tk.isOp(i - 1, STAR))) return false;
    } else if (f !== COMMA && f !== STAR && f !== RPAREN && f !== RBRACKET) {
      return false;
    }
  }
  return true;
}

function isStringStatement(tk: Tokens, a: number, b: number): boolean {
  for (let i = a; i < b; i++) {
    if (tk.kind[i] !== TK_STRING || ((tk.flags[i] ?? 0) & (SF_BYTES | SF_FORMAT))) return false;
  }
  return true;
}

function isTextCallee(callee: string): boolean {
  return callee === 'text' || callee.endsWith('.text');
}

/** Names bound to the migration's connection in a function: `bind = op.get_bind()`, `conn = context.get_bind()`. */
export function connectionNames(fn: Pick<MigrationFunction, 'calls'>): Set<string> | undefined {
  let names: Set<string> | undefined;
  for (const call of fn.calls) {
    if (call.assignedTo && (call.callee === 'op.get_bind' || call.callee === 'context.get_bind' || call.callee.endsWith('.connect'))) {
      (names ??= new Set()).add(call.assignedTo.name);
    }
  }
  return names;
}

/**
 * Whether a call runs SQL on the migration's connection: `op.execute(...)`, and on the connection
 * itself `op.get_bind().execute(...)`, `conn.execute(...)`, `conn.exec_driver_sql(...)` (conn bound
 * to `op.get_bind()`), and `batch_op.execute(...)` on the alias of the enclosing batch_alter_table block.
 */
export function isSqlExecution(callee: string, connections: ReadonlySet<string> | undefined, batchAlias?: string): boolean {
  if (callee === 'op.execute') return true;
  // endsWith before any slice: most calls are neither (no string made for them).
  const dot = callee.endsWith('.execute') ? callee.length - 8 : callee.endsWith('.exec_driver_sql') ? callee.length - 16 : -1;
  if (dot < 0) return false;
  const recv = callee.slice(0, dot);
  // `batch_op.execute(...)` inside `with op.batch_alter_table(...) as batch_op:` runs its SQL as op.execute does.
  if (batchAlias !== undefined && recv === batchAlias) return dot === callee.length - 8;
  return recv === 'op.get_bind()' || recv === 'context.get_bind()' || (connections?.has(recv) ?? false);
}

/** SQL strings passed to `op.execute("...")`, `op.execute(sa.text("..."))` or run on the connection. */
function collectExecutedSql(fn: Pick<MigrationFunction, 'calls' | 'name'>, out: ExecutedSql[]): void {
  const connections = connectionNames(fn);
  for (const call of fn.calls) {
    if (!isSqlExecution(call.callee, connections, call.batch?.alias)) continue;
    const arg = call.args[0] ?? call.kwargs.find((k) => k.name === 'sqltext' || k.name === 'statement')?.value;
    if (!arg) continue;
    if (arg.kind === 'string') {
      out.push({ sql: arg.value, call, range: arg.range, function: fn.name });
      continue;
    }
    if (arg.kind !== 'call') continue;
    // `sa.text("...").bindparams(...)` executes the text of the receiver.
    let inner: ParsedCall | undefined = arg.call;
    while (inner && !isTextCallee(inner.callee)) inner = inner.receiver;
    if (!inner) continue;
    const sql = inner.args[0] ?? inner.kwargs.find((k) => k.name === 'text')?.value;
    if (sql?.kind === 'string') out.push({ sql: sql.value, call, range: sql.range, function: fn.name });
  }
}
/**
 * `upgrade_x` is a per-engine upgrade only in a file of the multi-database template, whose plain
 * `upgrade(engine_name)` takes the engine: beside a plain `upgrade()` it is a helper. Helpers are kept
 * by name, without a migration kind.
 */
function separateHelpers(m: Migration, others: MigrationFunction[]): void {
  const plain = (kind: 'upgrade' | 'downgrade'): boolean => m.functions.some((f) => f.name === kind && !f.hasParameters);
  const upgradePlain = plain('upgrade');
  const downgradePlain = plain('downgrade');
  const helpers = [...others];
  if (upgradePlain || downgradePlain) {
    const keep: MigrationFunction[] = [];
    for (const f of m.functions) {
      if (f.engine !== undefined && (f.kind === 'upgrade' ? upgradePlain : downgradePlain)) helpers.push(f);
      else keep.push(f);
    }
    m.functions = keep;
  }
  if (helpers.length === 0) return;
  const byName = new Map<string, HelperFunction>();
  for (const f of helpers) {
    const { kind: _kind, engine: _engine, ...helper } = f;
    byName.set(helper.name, helper);
  }
  m.helpers = byName;
}
