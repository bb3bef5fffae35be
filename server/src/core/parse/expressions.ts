// Expressions inside statements: call chains (`op.create_table(...)`, `sa.Enum(...).create(bind)`),
// their arguments as ArgValues, and the literal values of the revision variables.
// Every function reads tokens [a, b) of one statement and never looks past b.
import type { ArgValue, BranchGuard, KeywordArg, ParsedCall, RevisionValue, StringAt } from '../types';
import * as lists from './lists';
import * as strings from './strings';
import * as tok from './tokenizer';
import type { Tokens } from './tokens';

// Local copies of the token constants and imported functions: in CommonJS transpiled file by file
// (tests, benchmarks) every use of an import is a getter call, which cost a third of the parse time in
// these loops.
const OP_ELLIPSIS = tok.OP_ELLIPSIS, OP_POW = tok.OP_POW, SF_BYTES = tok.SF_BYTES, SF_FORMAT = tok.SF_FORMAT;
const TK_NAME = tok.TK_NAME, TK_NUMBER = tok.TK_NUMBER, TK_OP = tok.TK_OP, TK_STRING = tok.TK_STRING;
const exact = lists.exact, none = lists.none, concatenatedValue = strings.concatenatedValue;

const DOT = 46, LPAREN = 40, LBRACKET = 91, COMMA = 44, EQUALS = 61, STAR = 42, MINUS = 45, PLUS = 43;

/** What surrounds a call: a batch_alter_table block, an autocommit block. */
export interface CallContext {
  batch?: { table: string; alias: string };
  inAutocommitBlock: boolean;
  /** The `if` conditions the call runs under (see ParsedCall.guards). */
  guards?: readonly BranchGuard[];
}

export const NO_CONTEXT: CallContext = { inAutocommitBlock: false };

/**
 * Items of the argument lists being read, nested calls' above their caller's: each list is taken off
 * the top as an exact-size copy (lists.exact's reason) when its call ends, so the only array made
 * per list is the one kept (a push-grown array per list was as many again, all garbage).
 */
const argStack: ArgValue[] = [];
const kwargStack: KeywordArg[] = [];
// The stacks' tops. Their lengths never go down: V8 frees a backing store whose array shrinks a lot,
// and the next push would allocate it again.
let argTop = 0;
let kwargTop = 0;

/** After a parse that threw: what it left on the stacks is dropped (the marks make it harmless, but memory). */
export function resetArgStacks(): void {
  argStack.length = 0;
  kwargStack.length = 0;
  argTop = 0;
  kwargTop = 0;
}

/** Deeper nesting of calls and displays is kept as source text: recursion stays bounded. */
const MAX_DEPTH = 100;

export interface Chain {
  /** The outermost call of the chain, when it holds one. */
  call?: ParsedCall;
  /** Token after the chain. */
  next: number;
  /** The chain ends with the call's `)` (no attribute access or subscript after it). */
  endsWithCall: boolean;
}

/** Token i can start a primary (a name that is not a keyword used as such). */
export function startsPrimary(tk: Tokens, i: number): boolean {
  if (tk.kind[i] !== TK_NAME) return false;
  const nk = tk.kind[i + 1];
  // Keywords matter only where a call could follow: `if (x)`, `not (y)`, `return (z)`.
  if (nk === TK_OP && (tk.flags[i + 1] === LPAREN || tk.flags[i + 1] === DOT)) return !tk.isKeyword(i);
  return true;
}

/** A dotted name `a.b.c` starting at i: the index after it. */
function dottedEnd(tk: Tokens, i: number, b: number): number {
  let j = i + 1;
  while (j + 1 < b && tk.isOp(j, DOT) && tk.kind[j + 1] === TK_NAME) j += 2;
  return j;
}

/** Text of a dotted name [i, j), without spaces or comments that may sit between its parts. */
function dottedText(tk: Tokens, i: number, j: number): string {
  let contiguous = true;
  for (let k = i + 1; k < j; k++) {
    if (tk.start[k] !== tk.end[k - 1]) { contiguous = false; break; }
  }
  if (contiguous) return tk.nameSpan(i, j - 1);
  let s = '';
  for (let k = i; k < j; k++) s += tk.tokText(k);
  return s;
}

/**
 * Reads a primary starting at the NAME at i: `a.b(...)`, `a(...).c.d(...)`, `a.b`. The call
 * returned is the last one of the chain; calls before it are its receivers.
 */
export function readChain(tk: Tokens, i: number, b: number, ctx: CallContext, depth = 0): Chain {
  let j = dottedEnd(tk, i, b);
  let base = dottedText(tk, i, j);
  let call: ParsedCall | undefined;
  let endsWithCall = false;
  let attrs = '';
  let attrEnd = j - 1;
  while (j < b && tk.kind[j] === TK_OP) {
    const f = tk.flags[j];
    if (f === LPAREN) {
      const close = tk.closeOf(j, b);
      const last = close < b ? close : b - 1;
      const callee = call ? call.callee + '()' + attrs : base;
      const c: ParsedCall = {
        callee,
        calleeRange: tk.range(i, attrEnd),
        range: tk.range(i, last),
        args: none(),
        kwargs: none(),
        hasStarArgs: false,
        inAutocommitBlock: ctx.inAutocommitBlock,
      };
      if (call) c.receiver = call;
      if (ctx.batch) c.batch = ctx.batch;
      if (ctx.guards) c.guards = ctx.guards;
      readArgs(tk, j + 1, close, c, ctx, depth + 1);
      call = c;
      endsWithCall = true;
      attrs = '';
      j = close < b ? close + 1 : b;
      attrEnd = j - 1;
      continue;
    }
    if (f === DOT && tk.kind[j + 1] === TK_NAME && j + 1 < b) {
      const name = tk.name(j + 1);
      if (call) attrs += '.' + name;
      else base += '.' + name;
      attrEnd = j + 1;
      endsWithCall = false;
      j += 2;
      continue;
    }
    break;
  }
  const chain: Chain = { next: j, endsWithCall };
  if (call) chain.call = call;
  return chain;
}

function readArgs(tk: Tokens, a: number, b: number, call: ParsedCall, ctx: CallContext, depth: number): void {
  const args0 = argTop;
  const kwargs0 = kwargTop;
  let i = a;
  while (i < b) {
    const e = tk.findOp(i, b, COMMA);
    if (e > i) {
      if (tk.kind[i] === TK_OP && (tk.flags[i] === STAR || tk.flags[i] === OP_POW)) {
        call.hasStarArgs = true;
      } else if (tk.kind[i] === TK_NAME && tk.isOp(i + 1, EQUALS) && i + 1 < e) {
        const kw: KeywordArg = { name: tk.name(i), nameRange: tk.tokRange(i), value: readValue(tk, i + 2, e, ctx, depth) };
        // Read before the store: nested calls push above this call's items.
        kwargStack[kwargTop++] = kw;
      } else {
        const v = readValue(tk, i, e, ctx, depth);
        argStack[argTop++] = v;
      }
    }
    i = e + 1;
  }
  if (argTop > args0) {
    call.args = argStack.slice(args0, argTop);
    argTop = args0;
  }
  if (kwargTop > kwargs0) {
    call.kwargs = kwargStack.slice(kwargs0, kwargTop);
    kwargTop = kwargs0;
  }
}

/** Whether every token of [a, b) is a string literal that is neither bytes nor an f-string. */
function plainStrings(tk: Tokens, a: number, b: number): boolean {
  for (let i = a; i < b; i++) {
    if (tk.kind[i] !== TK_STRING || ((tk.flags[i] ?? 0) & (SF_BYTES | SF_FORMAT))) return false;
  }
  return b > a;
}

/** An argument value over tokens [a, b). */
export function readValue(tk: Tokens, a: number, b: number, ctx: CallContext, depth = 0): ArgValue {
  if (b <= a) {
    const at = tk.lines.range(tk.start[a] ?? 0, tk.start[a] ?? 0);
    return { kind: 'other', text: '', range: at };
  }
  const k = depth > MAX_DEPTH ? 0 : tk.kind[a];
  if (k === TK_STRING && plainStrings(tk, a, b)) {
    const value = concatenatedValue(tk.ts, a, b);
    if (value !== undefined) return { kind: 'string', value, range: tk.range(a, b - 1) };
  } else if (k === TK_NAME) {
    if (b - a === 1) {
      if (tk.isWord(a, 'None')) return { kind: 'none', range: tk.tokRange(a) };
      if (tk.isWord(a, 'True')) return { kind: 'bool', value: true, range: tk.tokRange(a) };
      if (tk.isWord(a, 'False')) return { kind: 'bool', value: false, range: tk.tokRange(a) };
    }
    if (startsPrimary(tk, a)) {
      const d = dottedEnd(tk, a, b);
      if (d === b) return { kind: 'name', name: dottedText(tk, a, d), range: tk.range(a, b - 1) };
      const chain = readChain(tk, a, b, ctx, depth);
      if (chain.call && chain.next === b && chain.endsWithCall) return { kind: 'call', call: chain.call, range: chain.call.range };
    }
  } else if (k === TK_NUMBER) {
    if (b - a === 1) return { kind: 'number', text: tk.tokText(a), range: tk.tokRange(a) };
  } else if (k === TK_OP) {
    const f = tk.flags[a];
    if ((f === MINUS || f === PLUS) && b - a === 2 && tk.kind[a + 1] === TK_NUMBER) {
      return { kind: 'number', text: (f === MINUS ? '-' : '') + tk.tokText(a + 1), range: tk.range(a, a + 1) };
    }
    if ((f === LPAREN || f === LBRACKET) && tk.closeOf(a, b) === b - 1) {
      const hasComma = tk.findOp(a + 1, b - 1, COMMA) < b - 1;
      if (f === LPAREN && !hasComma && b - a > 2) {
        // A parenthesised expression is its content (but not a generator: that stays `other`).
        const inner = readValue(tk, a + 1, b - 1, ctx, depth + 1);
        if (inner.kind !== 'other') return inner;
      } else {
        return { kind: 'sequence', items: readItems(tk, a + 1, b - 1, ctx, depth + 1), range: tk.range(a, b - 1) };
      }
    }
    if (f === OP_ELLIPSIS && b - a === 1) return { kind: 'other', text: '...', range: tk.tokRange(a) };
  }
  return { kind: 'other', text: tk.spanText(a, b - 1), range: tk.range(a, b - 1) };
}

function readItems(tk: Tokens, a: number, b: number, ctx: CallContext, depth: number): ArgValue[] {
  const items0 = argTop;
  let i = a;
  while (i < b) {
    const e = tk.findOp(i, b, COMMA);
    if (e > i) {
      const v = readValue(tk, i, e, ctx, depth);
      argStack[argTop++] = v;
    }
    i = e + 1;
  }
  if (argTop === items0) return none();
  const list = argStack.slice(items0, argTop);
  argTop = items0;
  return list;
}

/** Strips parentheses around a whole expression: `(("x"))` -> `"x"`; a tuple keeps its parentheses. */
function unparen(tk: Tokens, a: number, b: number): [number, number] {
  while (b - a >= 2 && tk.isOp(a, LPAREN) && tk.closeOf(a, b) === b - 1 && tk.findOp(a + 1, b - 1, COMMA) === b - 1 && b - a > 2) {
    a++;
    b--;
  }
  return [a, b];
}

/**
 * The value of a revision variable over tokens [a, b): a string (implicit concatenation included),
 * None, or a tuple/list of strings. Anything else is unresolved, with its source text.
 */
export function readRevisionValue(tk: Tokens, a: number, b: number, atOffset: number): RevisionValue {
  if (b <= a) return { kind: 'unresolved', text: '', range: tk.lines.range(atOffset, atOffset) };
  // A bare tuple: `down_revision = "a", "b"`.
  if (tk.findOp(a, b, COMMA) < b) {
    const items = revisionItems(tk, a, b);
    return items ? { kind: 'sequence', items, range: tk.range(a, b - 1) } : unresolvedValue(tk, a, b);
  }
  let s = a;
  let e = b;
  // Without parentheses (nearly always): no pair made by unparen.
  if (tk.isOp(a, LPAREN)) [s, e] = unparen(tk, a, b);
  if (plainStrings(tk, s, e)) {
    const value = concatenatedValue(tk.ts, s, e);
    return value === undefined ? unresolvedValue(tk, a, b) : { kind: 'string', value, range: tk.range(s, e - 1) };
  }
  if (e - s === 1 && tk.isWord(s, 'None')) return { kind: 'none', range: tk.tokRange(s) };
  if ((tk.isOp(s, LPAREN) || tk.isOp(s, LBRACKET)) && tk.closeOf(s, e) === e - 1) {
    const items = revisionItems(tk, s + 1, e - 1);
    if (items) return { kind: 'sequence', items, range: tk.range(s, e - 1) };
  }
  return unresolvedValue(tk, a, b);
}

/** The source text of [a, b) as an unresolved value (made only when the value is one). */
function unresolvedValue(tk: Tokens, a: number, b: number): RevisionValue {
  return { kind: 'unresolved', text: tk.spanText(a, b - 1), range: tk.range(a, b - 1) };
}

function revisionItems(tk: Tokens, a: number, b: number): StringAt[] | undefined {
  const items: StringAt[] = [];
  let i = a;
  while (i < b) {
    const e = tk.findOp(i, b, COMMA);
    if (e === i) return undefined; // `(,)` or `("a",,)`
    const [s, t] = unparen(tk, i, e);
    if (!plainStrings(tk, s, t)) return undefined;
    const value = concatenatedValue(tk.ts, s, t);
    if (value === undefined) return undefined;
    items.push({ value, range: tk.range(s, t - 1) });
    if (e === b) break;
    i = e + 1;
  }
  return exact(items);
}
