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
/**
 * The branches a transient made (nobody else has seen them, so its later sets change them in place),
 * the first OWNED_MAX of them: a revision's transient makes a handful, and a short array is searched
 * faster than a set is kept. Ownership only saves copies: a branch not listed is copied, which is
 * always right. Leaves are always copied (a second set of one key in one transient is rare).
 */
interface Edit { open: boolean; owned: Branch<unknown>[] }
const OWNED_MAX = 24;
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
   * Both maps' entries; where the two hold different values (by identity) for a key, `resolve(key, a,
   * b)` decides (undefined removes the key); a key only one of them holds keeps its value. Subtrees
   * that are the same object in both are kept as they are, so merging two states of one ancestry
   * costs what they changed.
   */
  merge(other: PMap<V>, resolve: (key: string, a: V, b: V) => V | undefined): PMap<V> {
    if (this.root === other.root) return this;
    const root = mergeNodes(this.root, other.root, 0, resolve);
    return root === this.root ? this : new PMap(root);
  }
}

/**
 * `merge` on two tries walked side by side: subtrees that are the same object are kept without a look,
 * two branches are paired child by child, a subtree only one side has is taken whole, and where a leaf
 * meets a branch only the leaf's entries are looked up. A merge with a state far older (a depends_on
 * on an early revision) thus costs about the keys that changed, not every key under a changed node.
 */
function mergeNodes<V>(a: Node<V> | undefined, b: Node<V> | undefined, depth: number, resolve: (key: string, a: V, b: V) => V | undefined): Node<V> | undefined {
  if (a === b) return a;
  if (a && b && a.kind === 1 && b.kind === 1) {
    const bits = a.bitmap | b.bitmap;
    let children: Node<V>[] | undefined;
    let bitmap = 0;
    let ia = 0;
    let ib = 0;
    for (let rest = bits; rest !== 0; rest &= rest - 1) {
      const bit = rest & -rest;
      const ca = (a.bitmap & bit) !== 0 ? a.children[ia++] : undefined;
      const cb = (b.bitmap & bit) !== 0 ? b.children[ib++] : undefined;
      const r = ca === cb ? ca : mergeNodes(ca, cb, depth + 1, resolve);
      if (r !== ca && !children) {
        // The first child that differs from a's: copy a's children before it.
        children = [];
        for (let i = 0, rb = bits; (rb & -rb) !== bit; rb &= rb - 1) {
          const pb = rb & -rb;
          if ((a.bitmap & pb) !== 0) children.push(a.children[i++] as Node<V>);
        }
      }
      if (r) {
        bitmap |= bit;
        if (children) children.push(r);
      }
    }
    if (!children) return a;
    if (children.length === 0) return undefined;
    return { kind: 1, bitmap, children };
  }
  // A subtree only one side has is kept whole; where a leaf meets a branch, only the leaf's few
  // entries are looked up in the branch (the branch's other keys stay as they are).
  if (!a) return b;
  if (!b) return a;
  const small = b.kind === 0 ? b : (a as Leaf<V>);
  let out: Node<V> | undefined = small === b ? a : b;
  for (const [key, v1] of leafEntries(small)) {
    const hash = small.hash;
    const v2: V | undefined = getAt(out, hash, key, depth);
    const va: V | undefined = small === b ? v2 : v1;
    const vb: V | undefined = small === b ? v1 : v2;
    const v: V | undefined = va === undefined ? vb : vb === undefined ? va : va === vb ? va : resolve(key, va, vb);
    if (v === v2) continue;
    if (v !== undefined) out = setIn(out, hash, key, v, depth, undefined);
    else if (out) out = deleteIn(out, hash, key, depth);
  }
  return out;
}

export class TransientPMap<V> {
  /**
   * The branches this transient made (see Edit); closed at `done()`, when the map it gives shares them.
   */
  private readonly edit: Edit = { open: true, owned: [] };

  constructor(private readonly from: PMap<V>, private root: Node<V> | undefined) {}

  get(key: string): V | undefined {
    return getIn(this.root, key);
  }

  set(key: string, value: V): void {
    // Its nodes may be shared by the map `done()` gave: changing them in place now would change that map.
    if (!this.edit.open) throw new Error('PMap transient used after done()');
    this.root = setIn(this.root, hashOf(key), key, value, 0, this.edit);
  }

  done(): PMap<V> {
    this.edit.open = false;
    this.edit.owned = [];
    return this.root === rootOf(this.from) ? this.from : PMap.of(this.root);
  }
}

function rootOf<V>(m: PMap<V>): Node<V> | undefined {
  return (m as unknown as { root: Node<V> | undefined }).root;
}

function getIn<V>(root: Node<V> | undefined, key: string): V | undefined {
  return getAt(root, hashOf(key), key, 0);
}

/** The value of `key` in a subtree whose root sits at `depth`. */
function getAt<V>(root: Node<V> | undefined, hash: number, key: string, depth: number): V | undefined {
  let node = root;
  while (node) {
    if (node.kind === 0) {
      if (node.hash !== hash) return undefined;
      if (node.key === key) return node.value;
      if (node.more) for (const [k, v] of node.more) if (k === key) return v;
      return undefined;
    }
    const bit = 1 << fragment(hash, depth);
    if ((node.bitmap & bit) === 0) return undefined;
    node = node.children[popcount(node.bitmap & (bit - 1))];
    depth++;
  }
  return undefined;
}

function setIn<V>(node: Node<V> | undefined, hash: number, key: string, value: V, depth: number, edit: Edit | undefined): Node<V> {
  if (!node) return { kind: 0, hash, key, value };
  if (node.kind === 0) {
    if (node.hash === hash || depth >= MAX_DEPTH) {
      if (node.key === key) {
        if (node.value === value) return node;
        return node.more ? { kind: 0, hash, key, value, more: node.more } : { kind: 0, hash, key, value };
      }
      const more = (node.more ?? []).slice();
      const i = more.findIndex(([k]) => k === key);
      if (i >= 0 && more[i]?.[1] === value) return node;
      if (i >= 0) more[i] = [key, value];
      else more.push([key, value]);
      return { kind: 0, hash: node.hash, key: node.key, value: node.value, more };
    }
    // Two different hashes: push the leaf one level down and insert beside it.
    return setIn(own({ kind: 1, bitmap: 1 << fragment(node.hash, depth), children: [node] }, edit), hash, key, value, depth, edit);
  }
  const mutable = edit !== undefined && edit.owned.includes(node as Branch<unknown>);
  const bit = 1 << fragment(hash, depth);
  const idx = popcount(node.bitmap & (bit - 1));
  if ((node.bitmap & bit) === 0) {
    const leaf: Leaf<V> = { kind: 0, hash, key, value };
    if (mutable) {
      node.children.splice(idx, 0, leaf);
      node.bitmap |= bit;
      return node;
    }
    // The new children in one exact-size array (a slice and then a splice allocate twice).
    const from = node.children;
    const children = new Array<Node<V>>(from.length + 1);
    for (let i = 0; i < idx; i++) children[i] = from[i] as Node<V>;
    children[idx] = leaf;
    for (let i = idx; i < from.length; i++) children[i + 1] = from[i] as Node<V>;
    return own({ kind: 1, bitmap: node.bitmap | bit, children }, edit);
  }
  const child = node.children[idx];
  const next = setIn(child, hash, key, value, depth + 1, edit);
  if (next === child) return node;
  if (mutable) {
    node.children[idx] = next;
    return node;
  }
  const children = node.children.slice();
  children[idx] = next;
  return own({ kind: 1, bitmap: node.bitmap, children }, edit);
}

/** A branch a transient just made: listed as its own while there is room. */
function own<V>(branch: Branch<V>, edit: Edit | undefined): Branch<V> {
  if (edit && edit.owned.length < OWNED_MAX) edit.owned.push(branch as Branch<unknown>);
  return branch;
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
