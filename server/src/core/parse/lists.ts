// Lists in the parser's output, sized to what they hold. V8 gives an array built with `push` room for
// 16 elements (about 130 bytes more than a two-element list), and a parsed migration holds some fifty
// lists, mostly of zero to three elements: trimmed, they are a third of the parser's memory.
// Empty lists are one shared frozen array (a stray push throws instead of changing every file's list).

const EMPTY: readonly never[] = Object.freeze([]);

/** `list` itself when empty-shared or already exact, else an exact-size copy. */
export function exact<T>(list: T[]): T[] {
  // The mutable type is kept for the Migration interfaces; the shared empty list is frozen.
  if (list.length === 0) return EMPTY as unknown as T[];
  return list.slice();
}

/** The shared empty list (frozen). */
export function none<T>(): T[] {
  return EMPTY as unknown as T[];
}
