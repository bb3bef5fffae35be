// A persistent (immutable) map from strings to values: a hash array mapped trie with bitmap nodes.
// `set` and `delete` copy only the path to the changed entry, so the schema state of every revision
// of a 10,000-revision history shares all but a few nodes with its parent's, and `merge` of two states
// that grew from one ancestor walks only the subtrees that differ (identical subtrees are the same
// object and are skipped).

const BITS = 5;
const MASK = (1 << BITS) - 1;
// Two different 32-bit hashes part by depth 6 (5 bits a level); a leaf below that holds collisions.
const MAX_DEPTH = 7;

// A leaf holds one entry in its own fields (most do: a 32-bit hash rarely collides), others in `more`.
interface Leaf<V> { kind: 0; hash: number; key: string; value: V; more?: [string, V][] }
interface Branch<V> { kind: 1; bitmap: number; children: Node<V>[] }
type Node<V> = Leaf<V> | Branch<V>;

/** FNV-1a over UTF-16 code units. */
function hashOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

const fragment = (hash: number, depth: number): number => (hash >>> (depth * BITS)) & MASK;

export class PMap<V> {
  private constructor(private readonly root: Node<V> | undefined) {}

  static empty<V>(): PMap<V> {
    return new PMap<V>(undefined);
  }

  get(key: string): V | undefined {
    return getIn(this.root, key);
  }

  set(key: string, value: V): PMap<V> {
    const root = setIn(this.root, hashOf(key), key, value, 0, undefined);
    return root === this.root ? this : new PMap(root);
  }

  /**
   * Several sets as one change: nodes the change copied are changed in place by its later sets, so a
   * revision's dozen sets copy each path once and leave no garbage copies behind. `done()` gives the
   * new map; the transient is not used after it.
   */
  transient(): TransientPMap<V> {
    return new TransientPMap(this, this.root);
  }

  /** @internal */
  static of<V>(root: Node<V> | undefined): PMap<V> {
    return new PMap(root);
  }

  delete(key: string): PMap<V> {
    if (!this.root) return this;
    const root = deleteIn(this.root, hashOf(key), key, 0);
    return root === this.root ? this : new PMap(root);
  }

  /** Every entry (order by hash, not insertion). */
  *entries(): IterableIterator<[string, V]> {
    const stack: Node<V>[] = this.root ? [this.root] : [];
    while (stack.length > 0) {
      const n = stack.pop() as Node<V>;
      if (n.kind === 0) yield* leafEntries(n);
      else for (const c of n.children) stack.push(c);
    }
  }

  /**
   * Both maps' entries; where the two hold different values (by identity) for a key, or only one holds
   * it, `resolve(key, a, b)` decides (undefined removes the key). Subtrees that are the same object in
   * both are kept as they are, so merging two states of one ancestry costs what they changed.
   */
  merge(other: PMap<V>, resolve: (key: string, a: V | undefined, b: V | undefined) => V | undefined): PMap<V> {
    if (this.root === other.root) return this;
    let out: PMap<V> = this;
    const seen = new Set<string>();
    diff(this.root, other.root, (key) => seen.add(key));
    for (const key of seen) {
      const a = this.get(key);
      const b = other.get(key);
      if (a === b) continue;
      const v = resolve(key, a, b);
      out = v === undefined ? out.delete(key) : out.set(key, v);
    }
    return out;
  }
}

export class TransientPMap<V> {
  /** The nodes this transient made: nobody else has seen them, so its later sets change them in place. */
  private owner: Set<object> | undefined;

  constructor(private readonly from: PMap<V>, private root: Node<V> | undefined) {}

  get(key: string): V | undefined {
    return getIn(this.root, key);
  }

  set(key: string, value: V): void {
    this.owner ??= new Set();
    this.root = setIn(this.root, hashOf(key), key, value, 0, this.owner);
  }

  done(): PMap<V> {
    this.owner = undefined;
    return this.root === rootOf(this.from) ? this.from : PMap.of(this.root);
  }
}

function rootOf<V>(m: PMap<V>): Node<V> | undefined {
  return (m as unknown as { root: Node<V> | undefined }).root;
}

function getIn<V>(root: Node<V> | undefined, key: string): V | undefined {
  const hash = hashOf(key);
  let node = root;
  let depth = 0;
  while (node) {
    if (node.kind === 0) {
      if (node.hash !== hash) return undefined;
      if (node.key === key) return node.value;
      for (const [k, v] of node.more ?? []) if (k === key) return v;
      return undefined;
    }
    const bit = 1 << fragment(hash, depth);
    if ((node.bitmap & bit) === 0) return undefined;
    node = node.children[popcount(node.bitmap & (bit - 1))];
    depth++;
  }
  return undefined;
}

/** Calls `visit` with every key whose entry may differ between the two tries. */
function diff<V>(a: Node<V> | undefined, b: Node<V> | undefined, visit: (key: string) => void): void {
  if (a === b) return;
  if (!a || !b || a.kind === 0 || b.kind === 0) {
    for (const n of [a, b]) if (n) for (const [k] of leaves(n)) visit(k);
    return;
  }
  // Two branches: pair children by bit.
  const bits = a.bitmap | b.bitmap;
  for (let f = 0; f <= MASK; f++) {
    const bit = 1 << f;
    if ((bits & bit) === 0) continue;
    const ca = (a.bitmap & bit) !== 0 ? a.children[popcount(a.bitmap & (bit - 1))] : undefined;
    const cb = (b.bitmap & bit) !== 0 ? b.children[popcount(b.bitmap & (bit - 1))] : undefined;
    diff(ca, cb, visit);
  }
}

function* leaves<V>(n: Node<V>): IterableIterator<readonly [string, V]> {
  if (n.kind === 0) yield* leafEntries(n);
  else for (const c of n.children) yield* leaves(c);
}

function setIn<V>(node: Node<V> | undefined, hash: number, key: string, value: V, depth: number, owner: Set<object> | undefined): Node<V> {
  const own = (n: Node<V>): Node<V> => {
    owner?.add(n);
    return n;
  };
  if (!node) return own({ kind: 0, hash, key, value });
  const mutable = owner !== undefined && owner.has(node);
  if (node.kind === 0) {
    if (node.hash === hash || depth >= MAX_DEPTH) {
      if (node.key === key) {
        if (node.value === value) return node;
        if (mutable) {
          node.value = value;
          return node;
        }
        return own(node.more ? { kind: 0, hash, key, value, more: node.more } : { kind: 0, hash, key, value });
      }
      const more = (node.more ?? []).slice();
      const i = more.findIndex(([k]) => k === key);
      if (i >= 0 && more[i]?.[1] === value) return node;
      if (i >= 0) more[i] = [key, value];
      else more.push([key, value]);
      if (mutable) {
        node.more = more;
        return node;
      }
      return own({ kind: 0, hash: node.hash, key: node.key, value: node.value, more });
    }
    // Two different hashes: push the leaf one level down and insert beside it.
    const branch = own({ kind: 1, bitmap: 1 << fragment(node.hash, depth), children: [node] });
    return setIn(branch, hash, key, value, depth, owner);
  }
  const bit = 1 << fragment(hash, depth);
  const idx = popcount(node.bitmap & (bit - 1));
  if ((node.bitmap & bit) === 0) {
    const leaf = own({ kind: 0, hash, key, value });
    if (mutable) {
      node.children.splice(idx, 0, leaf);
      node.bitmap |= bit;
      return node;
    }
    const children = node.children.slice();
    children.splice(idx, 0, leaf);
    return own({ kind: 1, bitmap: node.bitmap | bit, children });
  }
  const child = node.children[idx];
  const next = setIn(child, hash, key, value, depth + 1, owner);
  if (next === child) return node;
  if (mutable) {
    node.children[idx] = next;
    return node;
  }
  const children = node.children.slice();
  children[idx] = next;
  return own({ kind: 1, bitmap: node.bitmap, children });
}

function deleteIn<V>(node: Node<V>, hash: number, key: string, depth: number): Node<V> | undefined {
  if (node.kind === 0) {
    if (node.hash !== hash && depth < MAX_DEPTH) return node;
    const entries = [...leafEntries(node)];
    const rest = entries.filter(([k]) => k !== key);
    if (rest.length === entries.length) return node;
    const [first, ...more] = rest;
    if (!first) return undefined;
    return more.length > 0 ? { kind: 0, hash: node.hash, key: first[0], value: first[1], more } : { kind: 0, hash: node.hash, key: first[0], value: first[1] };
  }
  const bit = 1 << fragment(hash, depth);
  if ((node.bitmap & bit) === 0) return node;
  const idx = popcount(node.bitmap & (bit - 1));
  const child = node.children[idx] as Node<V>;
  const next = deleteIn(child, hash, key, depth + 1);
  if (next === child) return node;
  const children = node.children.slice();
  if (next) {
    children[idx] = next;
    return { kind: 1, bitmap: node.bitmap, children };
  }
  children.splice(idx, 1);
  const bitmap = node.bitmap & ~bit;
  if (children.length === 0) return undefined;
  // A branch left with one leaf becomes the leaf (keeps tries canonical enough for identity diffs).
  const only = children[0];
  if (children.length === 1 && only?.kind === 0) return only;
  return { kind: 1, bitmap, children };
}

function* leafEntries<V>(n: Leaf<V>): IterableIterator<[string, V]> {
  yield [n.key, n.value];
  if (n.more) yield* n.more;
}
