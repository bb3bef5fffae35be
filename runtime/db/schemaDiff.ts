// Compares two schema snapshots and says, object by object and in words, what differs. The round trip
// compares "before the upgrade" with "after the downgrade": an object only in the second is left behind,
// one only in the first was dropped and not restored, and a changed one was not put back as it was.
import type {
  ColumnSnapshot, ConstraintSnapshot, EnumSnapshot, FunctionSnapshot, IndexSnapshot, SchemaSnapshot,
  SequenceSnapshot, TableSnapshot, TriggerSnapshot, ViewSnapshot,
} from './snapshot';

export type ObjectKind =
  | 'schema' | 'extension' | 'table' | 'column' | 'index' | 'constraint' | 'enum' | 'sequence' | 'view'
  | 'function' | 'trigger';

/** Report order: containers first, then what hangs off them. */
export const OBJECT_KINDS: readonly ObjectKind[] = [
  'schema', 'extension', 'enum', 'table', 'column', 'constraint', 'index', 'sequence', 'view', 'function',
  'trigger',
];

/** Relative to `diffSnapshots(from, to)`: `added` exists only in `to`, `removed` only in `from`. */
export type ChangeKind = 'added' | 'removed' | 'changed';

export interface SchemaDifference {
  kind: ObjectKind;
  change: ChangeKind;
  /** What a reader calls it: `enum projectstatus`, `index ix_projects_title on projects`, `column users.nickname`. */
  label: string;
  /** The kind of object in words: `index`, `check constraint`, `materialized view`. */
  noun: string;
  /** The object as shown after the noun: `ix_projects_title`, `users.nickname`, `audit.events`, `touch()`. */
  display: string;
  /** For indexes, constraints and triggers: the table as shown (`projects`, `audit.events`). */
  onTable?: string;
  schema: string;
  /** The object's own name (index, enum, constraint, table name; the column name for a column). */
  name: string;
  /** The table an index, constraint, column or trigger belongs to. */
  table?: string;
  /** For `changed`: each property that differs, as a phrase (`default changed from 'a' to 'b'`). */
  details: string[];
}

/**
 * Every difference between two snapshots, in a stable order (kind, then label). Objects inside a table
 * that is itself added or removed (its columns, indexes, constraints, triggers, owned sequences) are
 * not listed separately: "table x is left behind" says it all.
 */
export function diffSnapshots(from: SchemaSnapshot, to: SchemaSnapshot): SchemaDifference[] {
  const out: SchemaDifference[] = [];
  const fromTables = keyed(from.tables, tableKey);
  const toTables = keyed(to.tables, tableKey);
  // Tables present on one side only: their contents go with them.
  const wholeTables = new Set<string>([
    ...[...fromTables.keys()].filter((k) => !toTables.has(k)),
    ...[...toTables.keys()].filter((k) => !fromTables.has(k)),
  ]);
  const inWholeTable = (schema: string, table: string): boolean => wholeTables.has(`${schema}.${table}`);

  compareNames(out, 'schema', from.schemas, to.schemas);
  compareNames(out, 'extension', from.extensions, to.extensions);

  compare(out, from.enums, to.enums, (e) => `${e.schema}.${e.name}`, (e) => ident('enum', 'enum', qualified(e.schema, e.name), e.schema, e.name), enumDetails);

  compare(out, from.tables, to.tables, tableKey, (t) => ident('table', 'table', qualified(t.schema, t.name), t.schema, t.name), tableDetails);

  // Columns of tables present on both sides.
  for (const [key, fromTable] of fromTables) {
    const toTable = toTables.get(key);
    if (!toTable) continue;
    compare(out, fromTable.columns, toTable.columns, (c) => c.name, (c) => ({
      ...ident('column', 'column', `${qualified(fromTable.schema, fromTable.name)}.${c.name}`, fromTable.schema, c.name),
      table: fromTable.name,
    }), columnDetails);
  }

  const notInWhole = <T extends { schema: string; table: string }>(list: T[]): T[] =>
    list.filter((x) => !inWholeTable(x.schema, x.table));

  compare(out, notInWhole(from.constraints), notInWhole(to.constraints), onTableKey, (k) => onTable(ident('constraint', `${k.type} constraint`, k.name, k.schema, k.name), k.table), (a: ConstraintSnapshot, b: ConstraintSnapshot) => changed('definition', a.definition, b.definition));

  compare(out, notInWhole(from.indexes), notInWhole(to.indexes), onTableKey, (i) => onTable(ident('index', 'index', i.name, i.schema, i.name), i.table), (a: IndexSnapshot, b: IndexSnapshot) => changed('definition', a.definition, b.definition));

  const sequenceFilter = (list: SequenceSnapshot[]): SequenceSnapshot[] =>
    list.filter((s) => !s.ownedBy || !wholeTables.has(s.ownedBy.slice(0, s.ownedBy.lastIndexOf('.'))));
  compare(out, sequenceFilter(from.sequences), sequenceFilter(to.sequences), (s) => `${s.schema}.${s.name}`, (s) => ident('sequence', 'sequence', qualified(s.schema, s.name), s.schema, s.name), sequenceDetails);

  compare(out, from.views, to.views, (v) => `${v.schema}.${v.name}`, (v) => ident('view', v.materialized ? 'materialized view' : 'view', qualified(v.schema, v.name), v.schema, v.name), (a: ViewSnapshot, b: ViewSnapshot) => [
    ...changed('kind', a.materialized ? 'materialized' : 'plain', b.materialized ? 'materialized' : 'plain'),
    ...changed('definition', a.definition, b.definition),
  ]);

  compare(out, from.functions, to.functions, (f) => `${f.schema}.${f.name}(${f.args})`, (f) => ident('function', 'function', `${qualified(f.schema, f.name)}(${f.args})`, f.schema, f.name), (a: FunctionSnapshot, b: FunctionSnapshot) => changed('definition', a.definition, b.definition));

  compare(out, notInWhole(from.triggers), notInWhole(to.triggers), onTableKey, (t) => onTable(ident('trigger', 'trigger', t.name, t.schema, t.name), t.table), (a: TriggerSnapshot, b: TriggerSnapshot) => changed('definition', a.definition, b.definition));

  const rank = (k: ObjectKind): number => OBJECT_KINDS.indexOf(k);
  return out.sort((a, b) => rank(a.kind) - rank(b.kind) || cmp(a.label, b.label) || cmp(a.change, b.change));
}

/** Whether two snapshots describe the same schema, by the same rules as `diffSnapshots`. */
export function snapshotsEqual(a: SchemaSnapshot, b: SchemaSnapshot): boolean {
  return diffSnapshots(a, b).length === 0;
}

/** One line per difference: `column users.nickname: default changed from 'a' to 'b'`. */
export function describeDifference(d: SchemaDifference): string {
  switch (d.change) {
    case 'added': return `${d.label}: only in the second schema`;
    case 'removed': return `${d.label}: only in the first schema`;
    case 'changed': return `${d.label} ${d.details.join('; ')}`;
  }
}

export interface DifferenceGroup {
  kind: ObjectKind;
  items: SchemaDifference[];
}

/** Differences grouped by kind of object, groups in `OBJECT_KINDS` order, empty groups left out. */
export function groupDifferences(diffs: readonly SchemaDifference[]): DifferenceGroup[] {
  return OBJECT_KINDS
    .map((kind) => ({ kind, items: diffs.filter((d) => d.kind === kind) }))
    .filter((g) => g.items.length > 0);
}

// ---------------------------------------------------------------------------------------------------

type Identity = Omit<SchemaDifference, 'change' | 'details'>;

function compare<T>(
  out: SchemaDifference[],
  from: readonly T[],
  to: readonly T[],
  key: (item: T) => string,
  identify: (item: T) => Identity,
  details: (a: T, b: T) => string[],
): void {
  const toByKey = keyed(to, key);
  const fromByKey = keyed(from, key);
  for (const [k, a] of fromByKey) {
    const b = toByKey.get(k);
    if (b === undefined) {
      out.push({ ...identify(a), change: 'removed', details: [] });
    } else {
      const d = details(a, b);
      if (d.length > 0) out.push({ ...identify(a), change: 'changed', details: d });
    }
  }
  for (const [k, b] of toByKey) {
    if (!fromByKey.has(k)) out.push({ ...identify(b), change: 'added', details: [] });
  }
}

function compareNames(out: SchemaDifference[], kind: 'schema' | 'extension', from: string[], to: string[]): void {
  compare(out, from, to, (n) => n, (n) => ident(kind, kind, n, kind === 'schema' ? n : '', n), () => []);
}

function keyed<T>(list: readonly T[], key: (item: T) => string): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of list) map.set(key(item), item);
  return map;
}

function ident(kind: ObjectKind, noun: string, display: string, schema: string, name: string): Identity {
  return { kind, noun, display, label: `${noun} ${display}`, schema, name };
}

/** The identity of an object that belongs to a table: `index ix on projects`. */
function onTable(id: Identity, table: string): Identity {
  const shown = qualified(id.schema, table);
  return { ...id, table, onTable: shown, label: `${id.label} on ${shown}` };
}

const tableKey = (t: TableSnapshot): string => `${t.schema}.${t.name}`;
const onTableKey = (x: { schema: string; table: string; name: string }): string => `${x.schema}.${x.table}.${x.name}`;

/** `users` for the public schema, `audit.users` elsewhere. */
function qualified(schema: string, name: string): string {
  return schema === 'public' ? name : `${schema}.${name}`;
}

function show(v: string | undefined): string {
  return v === undefined ? 'none' : v;
}

function changed(what: string, a: string | undefined, b: string | undefined): string[] {
  return a === b ? [] : [`${what} changed from ${show(a)} to ${show(b)}`];
}

function tableDetails(a: TableSnapshot, b: TableSnapshot): string[] {
  return [
    ...changed('partitioning', a.partitioned ? 'partitioned' : 'plain', b.partitioned ? 'partitioned' : 'plain'),
    ...changed('persistence', a.unlogged ? 'unlogged' : 'logged', b.unlogged ? 'unlogged' : 'logged'),
  ];
}

function columnDetails(a: ColumnSnapshot, b: ColumnSnapshot): string[] {
  return [
    ...changed('type', a.type, b.type),
    ...changed('nullability', a.notNull ? 'NOT NULL' : 'NULL', b.notNull ? 'NOT NULL' : 'NULL'),
    ...changed('default', a.default, b.default),
    ...changed('generated expression', a.generated, b.generated),
    ...changed('identity', a.identity, b.identity),
    ...changed('collation', a.collation, b.collation),
  ];
}

function enumDetails(a: EnumSnapshot, b: EnumSnapshot): string[] {
  const added = b.labels.filter((l) => !a.labels.includes(l));
  const removed = a.labels.filter((l) => !b.labels.includes(l));
  const out: string[] = [];
  if (added.length > 0) out.push(`gained labels ${added.map(quoteLabel).join(', ')}`);
  if (removed.length > 0) out.push(`lost labels ${removed.map(quoteLabel).join(', ')}`);
  if (out.length === 0 && a.labels.join('\u0000') !== b.labels.join('\u0000')) {
    out.push(`label order changed from (${a.labels.map(quoteLabel).join(', ')}) to (${b.labels.map(quoteLabel).join(', ')})`);
  }
  return out;
}

function quoteLabel(l: string): string {
  return `'${l.replace(/'/g, "''")}'`;
}

function sequenceDetails(a: SequenceSnapshot, b: SequenceSnapshot): string[] {
  return [
    ...changed('type', a.type, b.type),
    ...changed('start', a.start, b.start),
    ...changed('increment', a.increment, b.increment),
    ...changed('minimum', a.min, b.min),
    ...changed('maximum', a.max, b.max),
    ...changed('cache', a.cache, b.cache),
    ...changed('cycle', String(a.cycle), String(b.cycle)),
    ...changed('owner', a.ownedBy, b.ownedBy),
  ];
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
