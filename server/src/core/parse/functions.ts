// `upgrade()` / `downgrade()` (and `upgrade_<engine>` ...): ranges, emptiness, a leading `raise`, and
// every call in the body with its `batch_alter_table` / `autocommit_block` context.
import type { BranchGuard, MigrationFunction, ParsedCall } from '../types';
import * as expr from './expressions';
import type { CallContext } from './expressions';
import * as lists from './lists';
import * as tok from './tokenizer';
import type { Tokens } from './tokens';

// Local copies of the token constants and imported functions: in CommonJS transpiled file by file
// (tests, benchmarks) every use of an import is a getter call, which cost a third of the parse time in
// these loops.
const OP_ELLIPSIS = tok.OP_ELLIPSIS, TK_DEDENT = tok.TK_DEDENT, TK_INDENT = tok.TK_INDENT, TK_NAME = tok.TK_NAME;
const TK_NEWLINE = tok.TK_NEWLINE, TK_OP = tok.TK_OP, TK_STRING = tok.TK_STRING;
const readChain = expr.readChain, readValue = expr.readValue, startsPrimary = expr.startsPrimary, exact = lists.exact;

const LPAREN = 40, COMMA = 44, COLON = 58, SEMI = 59, EQUALS = 61, DOT = 46;

/** The kind and engine of a function name, or undefined when it is not a migration function. */
export function migrationFunctionName(name: string): { kind: 'upgrade' | 'downgrade'; engine?: string } | undefined {
  for (const kind of ['upgrade', 'downgrade'] as const) {
    if (!name.startsWith(kind)) continue;
    if (name.length === kind.length) return { kind };
    if (name.charCodeAt(kind.length) === 95 && name.length > kind.length + 1) return { kind, engine: name.slice(kind.length + 1) };
  }
  return undefined;
}

/** A function definition located by the module walk. */
export interface DefSite {
  /** First token: the first decorator's `@`, `async` or `def`. */
  first: number;
  /** The `def` (or `async`) token. */
  def: number;
  name: number;
  /** NEWLINE ending the `def` line's logical line. */
  headerEnd: number;
  /** Token after the header's `:`, when there is one. */
  colon: number;
  /** Body tokens: an indented block [bodyStart, bodyEnd) or the rest of the `def` line. */
  bodyStart: number;
  bodyEnd: number;
}

export function readFunction(tk: Tokens, site: DefSite, kind: 'upgrade' | 'downgrade', engine: string | undefined): MigrationFunction {
  const defLine = tk.lines.lineOf(tk.start[site.def] ?? 0);
  const fn: MigrationFunction = {
    name: tk.name(site.name),
    kind,
    range: tk.range(site.first, site.headerEnd - 1),
    nameRange: tk.tokRange(site.name),
    defLineRange: tk.lines.range(tk.start[site.def] ?? 0, tk.lines.lineContentEnd(defLine)),
    isEmpty: true,
    raises: false,
    calls: [],
  };
  if (engine !== undefined) fn.engine = engine;
  const first = firstBodyToken(tk, site.bodyStart, site.bodyEnd);
  const last = lastBodyToken(tk, site.bodyStart, site.bodyEnd);
  if (first >= 0 && last >= first) {
    fn.bodyRange = tk.range(first, last);
    fn.range = tk.range(site.first, last);
    classifyStatements(tk, site.bodyStart, site.bodyEnd, fn);
    new BodyScanner(tk, fn).scan(site.bodyStart, site.bodyEnd);
    fn.calls = exact(fn.calls);
  }
  return fn;
}

function isLayout(k: number | undefined): boolean {
  return k === TK_NEWLINE || k === TK_INDENT || k === TK_DEDENT;
}

function firstBodyToken(tk: Tokens, a: number, b: number): number {
  for (let i = a; i < b; i++) if (!isLayout(tk.kind[i])) return i;
  return -1;
}

function lastBodyToken(tk: Tokens, a: number, b: number): number {
  for (let i = b - 1; i >= a; i--) if (!isLayout(tk.kind[i])) return i;
  return -1;
}

/** isEmpty: only `pass`, `...` and string statements; raises: the first other statement is `raise`. */
function classifyStatements(tk: Tokens, a: number, b: number, fn: MigrationFunction): void {
  let i = a;
  while (i < b) {
    if (isLayout(tk.kind[i])) { i++; continue; }
    const lineEnd = Math.min(tk.lineEnd(i), b);
    while (i < lineEnd) {
      const e = tk.findOp(i, lineEnd, SEMI);
      if (e > i && !isFiller(tk, i, e)) {
        if (fn.isEmpty) fn.raises = tk.isWord(i, 'raise');
        fn.isEmpty = false;
        return;
      }
      i = e + 1;
    }
    i = lineEnd;
  }
}

function isFiller(tk: Tokens, a: number, b: number): boolean {
  if (b - a === 1 && (tk.isWord(a, 'pass') || tk.isOp(a, OP_ELLIPSIS))) return true;
  for (let i = a; i < b; i++) if (tk.kind[i] !== TK_STRING) return false;
  return true;
}

interface Frame {
  depth: number;
  outer: CallContext;
  /** An `if`/`else` block's one guard: when the block ends in `return`/`raise`, what follows runs under its negation. */
  exitGuard?: BranchGuard;
  /** The block's own statements include a `return` or `raise`. */
  exits: boolean;
}

/**
 * A `try:` statement being read: where its body's calls start and end in the function's list, how many
 * `except` handlers it has, whether one of them raises, and whether its last clause is a handler.
 */
interface TryStatement {
  depth: number;
  from: number;
  to: number;
  handlers: number;
  reraises: boolean;
  inHandler: boolean;
}

/** A block opener waiting for its INDENT: the context inside, and the guard its exit would negate. */
interface PendingBlock {
  ctx: CallContext;
  exitGuard?: BranchGuard;
}

const withGuards = (ctx: CallContext, added: readonly BranchGuard[]): CallContext =>
  added.length === 0 ? ctx : { ...ctx, guards: [...(ctx.guards ?? []), ...added] };

/**
 * Walks a body's logical lines, tracking the `with` blocks that give calls their context and the `if`
 * branches (with early `return`/`raise` guards) that decide whether they run.
 */
class BodyScanner {
  private ctx: CallContext = { inAutocommitBlock: false };
  private readonly frames: Frame[] = [];
  private pending: PendingBlock | undefined;
  private depth = 0;
  /**
   * The conditions of the `if`/`elif` chain last seen at each depth, for its `elif`/`else`. Made at the
   * first `if`: most bodies have none, and the per-statement delete is then one test.
   */
  private chains: Map<number, string[]> | undefined;
  private readonly calls: ParsedCall[];
  /** The `try:` statements open around the line being read, innermost last. */
  private readonly tries: TryStatement[] = [];

  constructor(private readonly tk: Tokens, private readonly fn: MigrationFunction) {
    this.calls = fn.calls;
  }

  /**
   * Ends the `try:` statements that the line at `depth` starting at token `i` is not part of (a
   * statement at their depth other than `except`/`else`/`finally`, or one further out), and notes
   * that line when it is one of their clauses. Calls of a body whose handlers never raise get
   * `inSwallowingTry`: that they fail does not stop the migration.
   */
  private tryClauses(i: number, end: boolean): void {
    const tk = this.tk;
    for (let t = this.tries[this.tries.length - 1]; t; t = this.tries[this.tries.length - 1]) {
      const clause = !end && t.depth === this.depth && (tk.isWord(i, 'except') || tk.isWord(i, 'else') || tk.isWord(i, 'finally'));
      if (clause) {
        if (t.to < 0) t.to = this.calls.length;
        t.inHandler = tk.isWord(i, 'except');
        if (t.inHandler) t.handlers++;
        return;
      }
      if (!end && t.depth < this.depth) break;
      this.tries.pop();
      if (t.handlers > 0 && !t.reraises) for (let c = t.from; c < t.to; c++) (this.calls[c] as ParsedCall).inSwallowingTry = true;
    }
    if (!end && tk.isWord(i, 'try') && tk.isOp(i + 1, COLON)) {
      this.tries.push({ depth: this.depth, from: this.calls.length, to: -1, handlers: 0, reraises: false, inHandler: false });
    } else if (!end && tk.isWord(i, 'raise')) {
      // A handler that raises (even on one condition) lets the failure through.
      const t = this.tries[this.tries.length - 1];
      if (t && t.inHandler && t.depth < this.depth) t.reraises = true;
    }
  }

  scan(a: number, b: number): void {
    const tk = this.tk;
    let i = a;
    while (i < b) {
      const k = tk.kind[i];
      if (k === TK_INDENT) {
        this.depth++;
        if (this.pending) {
          const frame: Frame = { depth: this.depth, outer: this.ctx, exits: false };
          if (this.pending.exitGuard) frame.exitGuard = this.pending.exitGuard;
          this.frames.push(frame);
          this.ctx = this.pending.ctx;
          this.pending = undefined;
        }
        i++;
        continue;
      }
      if (k === TK_DEDENT) {
        this.chains?.delete(this.depth);
        this.depth--;
        for (let f = this.frames[this.frames.length - 1]; f && f.depth > this.depth; f = this.frames[this.frames.length - 1]) {
          this.ctx = f.outer;
          this.frames.pop();
          // `if dialect != "postgresql": return`: the rest of the enclosing block runs only otherwise.
          if (f.exits && f.exitGuard) this.ctx = withGuards(this.ctx, [{ condition: f.exitGuard.condition, holds: !f.exitGuard.holds }]);
        }
        i++;
        continue;
      }
      if (k === TK_NEWLINE) { i++; continue; }
      this.pending = undefined;
      if (this.tries.length > 0 || tk.isWord(i, 'try')) this.tryClauses(i, false);
      const lineEnd = Math.min(tk.lineEnd(i), b);
      if (tk.isWord(i, 'with')) this.withStatement(i + 1, lineEnd);
      else if (tk.isWord(i, 'async') && tk.isWord(i + 1, 'with')) this.withStatement(i + 2, lineEnd);
      else if (tk.isWord(i, 'if') || tk.isWord(i, 'elif') || tk.isWord(i, 'else')) this.branch(i, lineEnd);
      else {
        this.chains?.delete(this.depth);
        if (tk.isWord(i, 'return') || tk.isWord(i, 'raise')) {
          const top = this.frames[this.frames.length - 1];
          if (top && top.depth === this.depth) top.exits = true;
        }
        this.statements(i, lineEnd, this.ctx);
        if (!tk.isWord(i, 'return') && !tk.isWord(i, 'raise')) this.noteAssignment(i, lineEnd);
      }
      i = lineEnd;
    }
    if (this.tries.length > 0) this.tryClauses(i, true);
  }

  /** `if c:`, `elif c:`, `else:` at token i, with the body on the same line or in the next block. */
  private branch(i: number, e: number): void {
    const tk = this.tk;
    const colon = tk.findOp(i, e, COLON);
    const word = tk.tokText(i);
    const condition = word === 'else' || colon <= i + 1 ? '' : tk.spanText(i + 1, colon - 1);
    const before = word === 'if' ? [] : (this.chains?.get(this.depth) ?? []);
    const added: BranchGuard[] = before.map((c) => ({ condition: c, holds: false }));
    if (word !== 'else') {
      // Calls in the condition run whenever the earlier conditions failed.
      this.statements(i + 1, colon, withGuards(this.ctx, added));
      added.push({ condition, holds: true });
      (this.chains ??= new Map()).set(this.depth, [...before, condition]);
    } else {
      this.chains?.delete(this.depth);
    }
    const inner = withGuards(this.ctx, added);
    const one = added.length === 1 ? added[0] : undefined;
    if (colon + 1 < e) {
      this.statements(colon + 1, e, inner);
      if (one && (tk.isWord(colon + 1, 'return') || tk.isWord(colon + 1, 'raise'))) {
        this.ctx = withGuards(this.ctx, [{ condition: one.condition, holds: !one.holds }]);
      }
    } else {
      this.pending = one ? { ctx: inner, exitGuard: one } : { ctx: inner };
    }
  }

  /** `name = <expression>` mentioning `dialect` or `engine`: kept so conditions on `name` can be read. */
  private noteAssignment(i: number, e: number): void {
    const tk = this.tk;
    if (tk.kind[i] !== TK_NAME || !tk.isOp(i + 1, EQUALS) || i + 2 >= e) return;
    for (let k = i + 2; k < e; k++) {
      if (tk.kind[k] === TK_NAME && (tk.isWord(k, 'dialect') || tk.isWord(k, 'engine'))) {
        (this.fn.dialectAssignments ??= []).push({ name: tk.tokText(i), expression: tk.spanText(i + 2, e - 1) });
        return;
      }
    }
  }

  /** `with item [as alias], ...: [body]` from the token after `with` to the line's end. */
  private withStatement(a: number, e: number): void {
    const tk = this.tk;
    const colon = tk.findOp(a, e, COLON);
    let s = a;
    let t = colon;
    // Parenthesised with-items (Python 3.10): `with (a as b, c as d):`.
    if (tk.isOp(s, LPAREN) && tk.closeOf(s, t) === t - 1 && (tk.findOp(s + 1, t - 1, COMMA) < t - 1 || hasAs(tk, s + 1, t - 1))) {
      s++;
      t--;
    }
    let inner: CallContext = this.ctx;
    while (s < t) {
      const ie = tk.findOp(s, t, COMMA);
      let exprEnd = ie;
      let alias = '';
      for (let k = s; k < ie; k++) {
        if (tk.isOp(k, LPAREN) || tk.isOp(k, 91) || tk.isOp(k, 123)) { k = tk.closeOf(k, ie); continue; }
        if (tk.isWord(k, 'as')) {
          exprEnd = k;
          if (k + 1 < ie) alias = tk.spanText(k + 1, ie - 1);
          break;
        }
      }
      const before = this.calls.length;
      this.statements(s, exprEnd, this.ctx);
      const call = this.calls.length === before + 1 ? this.calls[before] : undefined;
      if (call) inner = blockContext(call, alias, inner);
      s = ie + 1;
    }
    if (colon + 1 < e) this.statements(colon + 1, e, inner);
    else this.pending = { ctx: inner };
  }

  /** Simple statements separated by `;` in [a, b): collects their calls. */
  private statements(a: number, b: number, ctx: CallContext): void {
    const tk = this.tk;
    let stmt = a;
    let i = a;
    while (i < b) {
      if (i === stmt) {
        // `name = call(...)` records the variable the call's result is bound to.
        if (tk.kind[i] === TK_NAME && tk.isOp(i + 1, EQUALS) && startsPrimary(tk, i + 2)) {
          const end = tk.findOp(i, b, SEMI);
          const chain = readChain(tk, i + 2, end, ctx);
          if (chain.call) {
            if (chain.next === end && chain.endsWithCall) chain.call.assignedTo = { name: tk.name(i), range: tk.tokRange(i) };
            this.calls.push(chain.call);
            i = chain.next;
            continue;
          }
        }
      }
      const k = tk.kind[i];
      if (k === TK_OP) {
        const f = tk.flags[i];
        if (f === SEMI && i + 1 <= b) stmt = i + 1;
        i++;
        continue;
      }
      if (k === TK_NAME && (i === a || !tk.isOp(i - 1, DOT)) && startsPrimary(tk, i)) {
        const chain = readChain(tk, i, b, ctx);
        if (chain.call) this.calls.push(chain.call);
        i = chain.next > i ? chain.next : i + 1;
        continue;
      }
      i++;
    }
  }
}

function hasAs(tk: Tokens, a: number, b: number): boolean {
  for (let k = a; k < b; k++) {
    if (tk.isOpenBracket(k)) { k = tk.closeOf(k, b); continue; }
    if (tk.isWord(k, 'as')) return true;
  }
  return false;
}

/** The context inside `with <call> as <alias>:`. */
function blockContext(call: ParsedCall, alias: string, outer: CallContext): CallContext {
  const callee = call.callee;
  if (callee === 'batch_alter_table' || callee.endsWith('.batch_alter_table')) {
    const tableArg = call.args[0] ?? call.kwargs.find((k) => k.name === 'table_name')?.value;
    // A table given as a variable keeps its source text: the rules can still tell the blocks apart.
    const table = !tableArg ? '' : tableArg.kind === 'string' ? tableArg.value : tableArg.kind === 'name' ? tableArg.name : sourceOf(tableArg);
    return { ...outer, batch: { table, alias } };
  }
  if (callee === 'autocommit_block' || callee.endsWith('.autocommit_block')) return { ...outer, inAutocommitBlock: true };
  return outer;
}

function sourceOf(v: ReturnType<typeof readValue>): string {
  switch (v.kind) {
    case 'other': return v.text;
    case 'number': return v.text;
    case 'call': return v.call.callee + '()';
    default: return '';
  }
}

