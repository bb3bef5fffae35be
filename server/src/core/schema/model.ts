// The static schema model: the history's upgrades replayed along the revision graph (parents and
// depends_on before children, merges joined), giving the schema as it stands before and after each
// revision: tables, columns with their types, indexes and constraints (by the names PostgreSQL and
// SQLAlchemy give them when none is written), enum types. What the code does not say for sure is
// unknown, and rules never warn on unknown.
// States are persistent maps (pmap.ts): each revision's state shares all but what it changed with its
// parent's, so every state of a 10,000-revision history stays cached. An edit of one revision drops the
// states of that revision and its descendants only; they are replayed again when a rule next asks.
import type { ColumnTypeInfo } from '../facts/columnTypes';
import type { RevisionGraph, RevisionNode } from '../graph/types';
import type { Effect } from './effects';
import { PMap } from './pmap';

export type Presence = 'yes' | 'no' | 'unknown';
/**
 * Where a table comes from, before a revision runs: `this-deploy` when a revision that is new (not
 * released) created it and this revision is new too, so both run in one deploy and the table holds
 * no production rows yet; `existing` when it was there before (created by a released revision, by
 * any earlier revision when nothing is known about releases, or before the history began).
 */
export type TableOrigin = 'this-deploy' | 'existing' | 'unknown';

interface Versioned { live: boolean; prev?: Versioned }
/**
 * A table and its columns. The columns live in the table's own small map (not one map of every column
 * of the schema), so a change to one column copies that table's map and one path of the tables map.
 * `gen` tells a table apart from an earlier one of the same name (indexes and constraints go with it).
 */
interface TableObj extends Versioned { by?: string; gen: number; columnsComplete: boolean; columns: PMap<Slot<ColumnObj>> }
interface ColumnObj extends Versioned { type?: ColumnTypeInfo }
interface NamedObj extends Versioned { by?: string; table?: string; gen?: number }
const UNKNOWN = Object.freeze({ unknown: true as const });
type Slot<T> = T | typeof UNKNOWN;

export interface SchemaState {
  readonly tables: PMap<Slot<TableObj>>;
  readonly enums: PMap<Slot<NamedObj>>;
  readonly indexes: PMap<Slot<NamedObj>>;
  /** By `table:name`. */
  readonly constraints: PMap<Slot<NamedObj>>;
  /**
   * The revisions in the ancestry that did something we cannot name (an unnamed table created, SQL we
   * cannot read): what the maps do not hold is unknown, not absent. `*` stands for more than 32.
   */
  readonly opaque: readonly string[];
}

export const EMPTY_STATE: SchemaState = {
  tables: PMap.empty(), enums: PMap.empty(), indexes: PMap.empty(), constraints: PMap.empty(), opaque: [],
};
const MANY = ['*'];
/** The state of a revision whose ancestry cannot be read (a cycle, an unreadable down_revision). */
const UNKNOWN_STATE: SchemaState = { ...EMPTY_STATE, opaque: MANY };

function withOpaque(list: readonly string[], revisions: readonly string[]): readonly string[] {
  if (list === MANY || revisions === MANY) return MANY;
  const add = revisions.filter((r) => !list.includes(r));
  if (add.length === 0) return list;
  return list.length + add.length > 32 ? MANY : [...list, ...add];
}

let generation = 0;

const isUnknown = <T>(v: Slot<T> | undefined): v is typeof UNKNOWN => v === UNKNOWN;

function tableGen(s: SchemaState, table: string): number {
  const t = s.tables.get(table);
  if (t === undefined) return 0;
  return isUnknown(t) ? -1 : t.gen;
}

const NO_COLUMNS = PMap.empty<Slot<ColumnObj>>();

/** The state after one revision's effects. */
export function applyEffects(state: SchemaState, revision: string, effects: readonly Effect[]): SchemaState {
  // One transient per map: each revision copies a changed path once, however many sets it makes.
  const tables = state.tables.transient();
  const enums = state.enums.transient();
  const indexes = state.indexes.transient();
  const constraints = state.constraints.transient();
  let opaque = state.opaque;
  const known = <T extends Versioned>(v: Slot<T> | undefined): T | undefined => (v === undefined || isUnknown(v) ? undefined : v);
  const withPrev = <T extends Versioned>(obj: T, old: Slot<T> | undefined): T => {
    const o = known(old);
    if (o) obj.prev = o;
    return obj;
  };
  const genOf = (table: string): number => {
    const t = tables.get(table);
    if (t === undefined) return 0;
    return isUnknown(t) ? -1 : t.gen;
  };
  /** Changes a table's columns; a table the history has not created is one from before it. */
  const withColumns = (table: string, change: (cols: PMap<Slot<ColumnObj>>) => PMap<Slot<ColumnObj>>): void => {
    const old = tables.get(table);
    if (isUnknown(old) || (old && !old.live)) return;
    const base: TableObj = old ?? { live: true, gen: 0, columnsComplete: false, columns: NO_COLUMNS };
    const next: TableObj = { live: true, gen: base.gen, columnsComplete: base.columnsComplete, columns: change(base.columns) };
    if (base.by !== undefined) next.by = base.by;
    tables.set(table, withPrev(next, old));
  };
  const column = (type: ColumnTypeInfo | undefined, live = true): ColumnObj => (type ? { live, type } : { live });
  for (const e of effects) {
    switch (e.k) {
      case 'create_table': {
        const gen = ++generation;
        const cols = NO_COLUMNS.transient();
        for (const c of e.columns) cols.set(c.name, column(c.type));
        tables.set(e.table, withPrev<TableObj>({ live: true, by: revision, gen, columnsComplete: e.columnsComplete, columns: cols.done() }, tables.get(e.table)));
        for (const n of e.constraints) constraints.set(`${e.table}:${n}`, withPrev<NamedObj>({ live: true, by: revision, table: e.table, gen }, constraints.get(`${e.table}:${n}`)));
        for (const n of e.indexes) indexes.set(n, withPrev<NamedObj>({ live: true, by: revision, table: e.table, gen }, indexes.get(n)));
        break;
      }
      case 'drop_table':
        tables.set(e.table, withPrev<TableObj>({ live: false, by: revision, gen: ++generation, columnsComplete: true, columns: NO_COLUMNS }, tables.get(e.table)));
        break;
      case 'rename_table': {
        const old = tables.get(e.table);
        tables.set(e.table, withPrev<TableObj>({ live: false, by: revision, gen: ++generation, columnsComplete: true, columns: NO_COLUMNS }, old));
        const o = known(old);
        // The table keeps its columns and origin under its new name.
        tables.set(e.to, isUnknown(old) ? UNKNOWN
          : withPrev<TableObj>({ live: true, ...(o?.by !== undefined ? { by: o.by } : {}), gen: ++generation, columnsComplete: o?.columnsComplete ?? false, columns: o?.columns ?? NO_COLUMNS }, tables.get(e.to)));
        break;
      }
      case 'add_column':
      case 'drop_column':
      case 'alter_type': {
        const name = e.k === 'add_column' ? e.column.name : e.column;
        const type = e.k === 'add_column' ? e.column.type : e.k === 'alter_type' ? e.type : undefined;
        withColumns(e.table, (cols) => cols.set(name, withPrev(column(type, e.k !== 'drop_column'), cols.get(name))));
        if (e.k === 'add_column') {
          const gen = genOf(e.table);
          for (const n of e.constraints) constraints.set(`${e.table}:${n}`, { live: true, by: revision, table: e.table, gen });
          for (const n of e.indexes) indexes.set(n, { live: true, by: revision, table: e.table, gen });
        }
        break;
      }
      case 'rename_column':
        withColumns(e.table, (cols) => {
          const old = cols.get(e.column);
          const o = known(old);
          return cols.set(e.column, withPrev(column(undefined, false), old)).set(e.to, o ? withPrev(column(o.type, o.live), o) : UNKNOWN);
        });
        break;
      case 'create_index':
      case 'drop_index': {
        const gen = e.k === 'create_index' && e.table !== undefined ? genOf(e.table) : undefined;
        const obj: NamedObj = { live: e.k === 'create_index', by: revision };
        if (e.k === 'create_index' && e.table !== undefined) obj.table = e.table;
        if (gen !== undefined) obj.gen = gen;
        indexes.set(e.name, withPrev(obj, indexes.get(e.name)));
        break;
      }
      case 'create_constraint':
      case 'drop_constraint': {
        const key = `${e.table}:${e.name}`;
        constraints.set(key, withPrev<NamedObj>({ live: e.k === 'create_constraint', by: revision, table: e.table, gen: genOf(e.table) }, constraints.get(key)));
        break;
      }
      case 'create_enum':
      case 'drop_enum':
        enums.set(e.name, withPrev<NamedObj>({ live: e.k === 'create_enum', by: revision }, enums.get(e.name)));
        break;
      case 'shape':
        for (const n of e.names) {
          if (n.includes('.') || n.includes(':')) continue;
          // The table stays (with its origin); what its columns are is unknown from here on.
          const old = tables.get(n);
          if (isUnknown(old)) continue;
          if (old) tables.set(n, withPrev<TableObj>({ ...old, columnsComplete: false, columns: NO_COLUMNS }, old));
          enums.set(n, UNKNOWN);
          indexes.set(n, UNKNOWN);
        }
        break;
      case 'taint':
        for (const n of e.names) {
          const dot = n.indexOf('.');
          if (dot >= 0) withColumns(n.slice(0, dot), (cols) => cols.set(n.slice(dot + 1), UNKNOWN));
          else if (n.includes(':')) constraints.set(n, UNKNOWN);
          else {
            tables.set(n, UNKNOWN);
            enums.set(n, UNKNOWN);
            indexes.set(n, UNKNOWN);
          }
        }
        break;
      case 'opaque':
        opaque = withOpaque(opaque, [revision]);
        break;
    }
  }
  return { tables: tables.done(), enums: enums.done(), indexes: indexes.done(), constraints: constraints.done(), opaque };
}

/** `older` is `newer` or one of the versions it replaced. */
function replaces(newer: Versioned, older: Versioned): boolean {
  let v: Versioned | undefined = newer;
  for (let i = 0; v && i < 256; i++, v = v.prev) if (v === older) return true;
  return false;
}

function joinSlot<T extends Versioned>(_key: string, a: Slot<T> | undefined, b: Slot<T> | undefined): Slot<T> | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if (isUnknown(a) || isUnknown(b)) return UNKNOWN;
  if (replaces(b, a)) return b;
  if (replaces(a, b)) return a;
  // Both branches changed it, differently: which ran last is not known.
  return UNKNOWN;
}

/** A table both branches changed: when it is the same table (one creation), each branch's column changes. */
function joinTable(key: string, a: Slot<TableObj> | undefined, b: Slot<TableObj> | undefined): Slot<TableObj> | undefined {
  const j = joinSlot(key, a, b);
  if (j !== UNKNOWN || a === undefined || b === undefined || isUnknown(a) || isUnknown(b) || !a.live || !b.live || a.gen !== b.gen) return j;
  const out: TableObj = { live: true, gen: a.gen, columnsComplete: a.columnsComplete && b.columnsComplete, columns: a.columns.merge(b.columns, joinSlot), prev: a };
  if (a.by !== undefined) out.by = a.by;
  return out;
}

/** The state a merge revision starts from: both branches have run. */
export function joinStates(states: readonly SchemaState[]): SchemaState {
  const [first, ...rest] = states;
  if (!first) return EMPTY_STATE;
  let out = first;
  for (const s of rest) {
    out = {
      tables: out.tables.merge(s.tables, joinTable),
      enums: out.enums.merge(s.enums, joinSlot),
      indexes: out.indexes.merge(s.indexes, joinSlot),
      constraints: out.constraints.merge(s.constraints, joinSlot),
      opaque: withOpaque(out.opaque, s.opaque),
    };
  }
  return out;
}

// ---- questions ----

export function enumPresence(s: SchemaState, name: string): Presence {
  const v = s.enums.get(name.toLowerCase());
  if (v === undefined) return s.opaque.length > 0 ? 'unknown' : 'no';
  if (isUnknown(v)) return 'unknown';
  return v.live ? 'yes' : 'no';
}

/** The revision that last created or dropped the enum type, when known. */
export function enumChangedBy(s: SchemaState, name: string): string | undefined {
  const v = s.enums.get(name.toLowerCase());
  return v === undefined || isUnknown(v) ? undefined : v.by;
}

export function columnType(s: SchemaState, table: string, column: string): ColumnTypeInfo | undefined {
  const t = table.toLowerCase();
  const tv = s.tables.get(t);
  if (tv === undefined || isUnknown(tv) || !tv.live) return undefined;
  const cv = tv.columns.get(column.toLowerCase());
  if (cv === undefined || isUnknown(cv) || !cv.live) return undefined;
  return cv.type;
}

export function tablePresence(s: SchemaState, table: string): Presence {
  const v = s.tables.get(table.toLowerCase());
  if (isUnknown(v)) return 'unknown';
  if (v === undefined) return 'unknown';
  return v.live ? 'yes' : 'no';
}

export function tableOrigin(s: SchemaState, table: string, revision: string, isNew: ((revision: string) => boolean) | undefined): TableOrigin {
  const v = s.tables.get(table.toLowerCase());
  if (isUnknown(v)) return 'unknown';
  // Never created in the history: it was there before the history began, or something unnamed made it
  // (then it is existing unless that revision is new, and we know which are).
  if (v === undefined) return s.opaque.length === 0 || !isNew || (s.opaque !== MANY && !s.opaque.some(isNew)) ? 'existing' : 'unknown';
  if (!v.live) return 'unknown';
  if (v.by === undefined || !isNew) return 'existing';
  return isNew(v.by) && isNew(revision) ? 'this-deploy' : 'existing';
}

export function indexPresence(s: SchemaState, name: string): Presence {
  const v = s.indexes.get(name.toLowerCase());
  if (v === undefined) return s.opaque.length > 0 ? 'unknown' : 'no';
  if (isUnknown(v)) return 'unknown';
  if (!v.live) return 'no';
  // An index goes with its table.
  return v.table === undefined || v.gen === undefined || tableGen(s, v.table) === v.gen ? 'yes' : tableGen(s, v.table) < 0 ? 'unknown' : 'no';
}

export function constraintPresence(s: SchemaState, table: string, name: string): Presence {
  const t = table.toLowerCase();
  const v = s.constraints.get(`${t}:${name.toLowerCase()}`);
  if (v === undefined) return 'unknown';
  if (isUnknown(v)) return 'unknown';
  return v.live && tableGen(s, t) === v.gen ? 'yes' : tableGen(s, t) < 0 ? 'unknown' : 'no';
}

// ---- the replay ----

export interface ReplaySource {
  graph: RevisionGraph;
  /** The revision's effects; undefined when its file cannot be read (its state is then unknown). */
  effectsOf(node: RevisionNode): readonly Effect[] | undefined;
}

/** Every how many revisions (in replay order) a state is kept; those between are replayed from it. */
const CHECKPOINT_EVERY = 128;
/** States recently asked for, kept beside the checkpoints (a file's rules ask several questions). */
const RECENT = 16;
/**
 * Joins kept (with the parent states they joined): a file's rules ask before one revision, then the
 * replay of its child joins again right after, so a couple suffice (each holds its parents' states).
 */
const JOINS_KEPT = 2;

/**
 * The replayed states of one project. Kept: a state every CHECKPOINT_EVERY revisions in replay order
 * (each kept state costs the paths its maps changed since the last one: about 40 KB at 10,000
 * revisions, where keeping every state cost 6 KB a revision); the others are replayed from the
 * nearest kept ancestor when asked, and the last few asked are kept too. `invalidate` after an edit
 * of a revision's body, `reset` after its graph's ids or edges changed.
 */
export class SchemaReplay {
  private readonly kept = new Map<string, SchemaState>();
  private recent = new Map<string, SchemaState>();
  /** The last joins at merges and depends_on, with the parent states they joined. */
  private readonly joined = new Map<string, { from: readonly SchemaState[]; state: SchemaState }>();
  private order: Map<string, number> | undefined;
  /** How many revision states were computed (the bench and tests read it). */
  replayed = 0;

  constructor(private readonly source: () => ReplaySource) {}

  reset(): void {
    this.kept.clear();
    this.recent.clear();
    this.joined.clear();
    this.order = undefined;
  }

  /**
   * The graph's edges changed (one revision got a new parent): the replay order is found again. The
   * caller invalidates the moved revision in the old graph and in the new one; other states stand.
   */
  edgesChanged(): void {
    this.order = undefined;
    this.recent.clear();
  }

  /** Drops the states of `revision` and of every revision after it; returns those revisions. */
  invalidate(revision: string): Set<string> {
    this.recent.clear();
    const graph = this.source().graph;
    const seen = new Set<string>();
    const stack = [revision];
    while (stack.length > 0) {
      const id = stack.pop() as string;
      if (seen.has(id)) continue;
      seen.add(id);
      this.kept.delete(id);
      const n = graph.nodes.get(id);
      if (n) stack.push(...n.children, ...n.dependents);
    }
    return seen;
  }

  /** The revisions in replay order (parents and dependencies first); revisions in a cycle are left out. */
  topologicalOrder(): Map<string, number> {
    if (this.order) return this.order;
    const graph = this.source().graph;
    const indegree = new Map<string, number>();
    const upOf = (n: RevisionNode): readonly string[] => (n.dependencies.length === 0 ? n.parents : [...new Set([...n.parents, ...n.dependencies])]);
    const downOf = (n: RevisionNode): readonly string[] => (n.dependents.length === 0 ? n.children : [...new Set([...n.children, ...n.dependents])]);
    for (const [id, n] of graph.nodes) indegree.set(id, upOf(n).length);
    const ready = [...graph.nodes.values()].filter((n) => indegree.get(n.revision) === 0).map((n) => n.revision).reverse();
    const order = new Map<string, number>();
    while (ready.length > 0) {
      const id = ready.pop() as string;
      order.set(id, order.size);
      const n = graph.nodes.get(id);
      if (!n) continue;
      for (const c of downOf(n)) {
        const d = (indegree.get(c) ?? 0) - 1;
        indegree.set(c, d);
        if (d === 0) ready.push(c);
      }
    }
    this.order = order;
    return order;
  }

  /** The schema before `revision` runs (its parents' states joined). */
  before(revision: string): SchemaState {
    return this.beforeWith(revision, undefined);
  }

  private beforeWith(revision: string, pending: ReadonlyMap<string, SchemaState> | undefined): SchemaState {
    const n = this.source().graph.nodes.get(revision);
    if (!n) return UNKNOWN_STATE;
    if (n.file.downRevisionUnknown || n.file.dependsOnUnknown) return UNKNOWN_STATE;
    if (n.dependencies.length === 0 && n.parents.length < 2) {
      const only = n.parents[0];
      // One parent (most revisions): its state, with no join.
      return only === undefined ? EMPTY_STATE : pending?.get(only) ?? this.after(only);
    }
    const parents = n.dependencies.length === 0 ? n.parents : [...new Set([...n.parents, ...n.dependencies])];
    const states = parents.map((p) => pending?.get(p) ?? this.after(p));
    // A rule asks several questions before one revision, and the replay joins again when a child
    // asks: the join of the same parent states is kept (a depends_on on an old revision joins
    // states hundreds of revisions apart).
    const hit = this.joined.get(revision);
    if (hit && hit.from.length === states.length && hit.from.every((s, i) => s === states[i])) return hit.state;
    const state = joinStates(states);
    if (this.joined.size >= JOINS_KEPT) this.joined.delete(this.joined.keys().next().value as string);
    this.joined.set(revision, { from: states, state });
    return state;
  }

  private known(id: string): SchemaState | undefined {
    return this.kept.get(id) ?? this.recent.get(id);
  }

  /** The schema after `revision`'s upgrade. */
  after(revision: string): SchemaState {
    const hit = this.known(revision);
    if (hit) return hit;
    const order = this.topologicalOrder();
    if (!order.has(revision)) return UNKNOWN_STATE;
    const source = this.source();
    const graph = source.graph;
    const node = graph.nodes.get(revision);
    // Rules ask in replay order, so the parents' states are mostly known already: this revision
    // alone is replayed, without the search for missing ancestors below.
    if (node && node.parents.every((p) => this.known(p)) && node.dependencies.every((p) => this.known(p))) {
      return this.remember(revision, this.replayOne(node, source, undefined, order));
    }
    // Every ancestor back to known states, replayed oldest first (no recursion: histories are deep).
    const missing: string[] = [];
    const seen = new Set<string>();
    const stack = [revision];
    while (stack.length > 0) {
      const id = stack.pop() as string;
      if (seen.has(id) || this.known(id)) continue;
      seen.add(id);
      const n = graph.nodes.get(id);
      if (!n || !order.has(id)) continue;
      missing.push(id);
      for (const p of n.parents) stack.push(p);
      for (const p of n.dependencies) stack.push(p);
    }
    missing.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
    const pending = new Map<string, SchemaState>();
    for (const id of missing) {
      const n = graph.nodes.get(id);
      if (!n) continue;
      pending.set(id, this.replayOne(n, source, pending, order));
    }
    return this.remember(revision, pending.get(revision) ?? UNKNOWN_STATE);
  }

  /** One revision's state from its parents' (kept every CHECKPOINT_EVERY revisions in replay order). */
  private replayOne(n: RevisionNode, source: ReplaySource, pending: ReadonlyMap<string, SchemaState> | undefined, order: ReadonlyMap<string, number>): SchemaState {
    const effects = source.effectsOf(n);
    const start = this.beforeWith(n.revision, pending);
    const state = effects ? applyEffects(start, n.revision, effects) : { ...start, opaque: withOpaque(start.opaque, [n.revision]) };
    this.replayed++;
    if ((order.get(n.revision) ?? 0) % CHECKPOINT_EVERY === 0) this.kept.set(n.revision, state);
    return state;
  }

  /** A state asked for: kept among the recent ones unless it is a checkpoint. */
  private remember(revision: string, state: SchemaState): SchemaState {
    const result = this.kept.get(revision) ?? state;
    if (!this.kept.has(revision)) {
      if (this.recent.size >= RECENT) this.recent = new Map([...this.recent].slice(RECENT / 2));
      this.recent.set(revision, result);
    }
    return result;
  }

  /** How many revision states are kept. */
  get cachedStates(): number {
    return this.kept.size + this.recent.size;
  }
}
