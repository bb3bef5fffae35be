// Comparisons of the core's 0-based positions and ranges (the same shape as LSP's).
import type { Position, Range } from './types';

/** `a` comes strictly before `b`. */
export function isBefore(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

/** `pos` lies in `range`, both ends included. */
export function contains(range: Range, pos: Position): boolean {
  return !isBefore(pos, range.start) && !isBefore(range.end, pos);
}
