// Reading call arguments the way Python binds them: a parameter may come positionally or by keyword,
// names may be wrapped in `op.f(...)` (Alembic's "this name is final, do not apply the naming
// convention"), and a value we cannot read is `undefined`, never a guess.
import type { ArgValue, ParsedCall } from '../types';

/** The argument bound to parameter `keyword` at positional `index` (-1: keyword only). */
export function argAt(call: ParsedCall, index: number, keyword: string): ArgValue | undefined {
  if (index >= 0) {
    const positional = call.args[index];
    if (positional) return positional;
  }
  return kwarg(call, keyword);
}

export function kwarg(call: ParsedCall, name: string): ArgValue | undefined {
  // A loop, not find(): every rule and the schema facts ask several keywords of every call.
  const kwargs = call.kwargs;
  for (let i = 0; i < kwargs.length; i++) {
    const k = kwargs[i];
    if (k?.name === name) return k.value;
  }
  return undefined;
}

/** `op.f("x")`, `f("x")`, `conv("x")`: the name as written inside. */
function isNameWrapper(callee: string): boolean {
  return callee === 'op.f' || callee === 'f' || callee.endsWith('.f') || callee === 'conv' || callee.endsWith('.conv');
}

/** A name given as a string literal or through `op.f(...)`; undefined otherwise. */
export function literalName(v: ArgValue | undefined): string | undefined {
  if (!v) return undefined;
  if (v.kind === 'string') return v.value;
  if (v.kind === 'call' && isNameWrapper(v.call.callee)) return literalName(v.call.args[0]);
  return undefined;
}

/** True/False given literally; undefined for absent or unreadable values. */
export function boolValue(v: ArgValue | undefined): boolean | undefined {
  return v?.kind === 'bool' ? v.value : undefined;
}

/** The last dotted segment of a callee: `op.create_table` -> `create_table`. */
export function methodOf(callee: string): string {
  const dot = callee.lastIndexOf('.');
  return dot < 0 ? callee : callee.slice(dot + 1);
}

/** The part before the method: `op.create_table` -> `op`, `sa.Enum().create` -> `sa.Enum()`. */
export function receiverOf(callee: string): string {
  const dot = callee.lastIndexOf('.');
  return dot < 0 ? '' : callee.slice(0, dot);
}

/** `sa.Enum`, `postgresql.ENUM`, `ENUM`, `sa.dialects.postgresql.ENUM`; not Python's `enum.Enum`. */
export function isEnumCallee(callee: string): boolean {
  if (callee.includes('(')) return false;
  const last = methodOf(callee);
  if (last !== 'Enum' && last !== 'ENUM') return false;
  return !callee.startsWith('enum.');
}

/** `sa.Column`, `Column`, `sqlalchemy.Column`. */
export function isColumnCallee(callee: string): boolean {
  return methodOf(callee) === 'Column' && !callee.includes('(');
}

/** Every call nested anywhere in a value (the call itself first). */
export function* nestedCalls(v: ArgValue | undefined): Generator<ParsedCall> {
  if (!v) return;
  if (v.kind === 'call') {
    yield* callsIn(v.call);
  } else if (v.kind === 'sequence') {
    for (const item of v.items) yield* nestedCalls(item);
  }
}

function* callsIn(call: ParsedCall): Generator<ParsedCall> {
  yield call;
  if (call.receiver) yield* callsIn(call.receiver);
  for (const a of call.args) yield* nestedCalls(a);
  for (const k of call.kwargs) yield* nestedCalls(k.value);
}
