// downgrade-asymmetry: something upgrade() creates that downgrade() does not undo: a table not
// dropped, a column not dropped (unless its table is), an index or constraint not dropped (unless its
// table is), an enum type created (explicitly, or implicitly by create_table) and never dropped.
// After such a downgrade the database is not where the previous revision left it, and the next
// upgrade fails on `already exists`. Only judged when downgrade() has a body: an empty one is
// missing-downgrade's business, a raising one is declared one-way.
import { runsOnlyIfMissing } from '../facts/existenceGuards';
import type { Migration, MigrationFunction, Range } from '../types';
import { entityOps, sqlDroppedEntities } from '../facts/alembicUtils';
import { mayBePostgres } from '../facts/dialect';
import { callNames, type FunctionPair, functionOps, functionPairs, hasNoEffect, implicitEnumsOf, opsInContext } from '../facts/functions';
import { type EnumFacts, implicitEnumRange, postgresDefaultName, type SchemaOp } from '../facts/schema';
import { insertInverseFix } from '../fixes/downgrade';
import { samePosition } from '../fixes/source';
import { defineFileRule, type RuleFinding } from './rule';

export type CreatedKind = 'table' | 'column' | 'index' | 'constraint' | 'enum';

/** Something the upgrade creates that the downgrade leaves in place. */
export interface MissingInverse {
  pair: FunctionPair & { downgrade: MigrationFunction };
  kind: CreatedKind;
  /** The operation that creates it (for an implicit enum: the create_table). */
  op: SchemaOp;
  /** For an enum created by create_table: that enum. */
  implicitEnum?: EnumFacts;
  /** Where to report: the call, or the enum inside the create_table. */
  range: Range;
  /** What it is, for messages: `table 'users'`, `column users.email`. */
  label: string;
  /**
   * Order of creation in the upgrade (the call's index; an implicit enum comes just before its
   * table). The inverse of a later creation runs earlier in the downgrade.
   */
  order: number;
  /** The upgrade renames it after creating it (the downgrade must undo it under its new name). */
  renamed: boolean;
}

interface Undone {
  tables: ReadonlySet<string>;
  columns: ReadonlySet<string>;
  indexes: ReadonlySet<string>;
  constraints: ReadonlySet<string>;
  enums: ReadonlySet<string>;
  /** Dropped constraint names by table, to recognise names a naming convention made. */
  constraintsByTable: ReadonlyMap<string, string[]>;
  /** A drop whose name is not a literal (a loop, a variable): it may undo anything of its kind. */
  any: ReadonlySet<CreatedKind>;
}

const constraintKey = (op: SchemaOp): string => op.name ?? `unnamed:${op.table ?? ''}:${op.constraintType ?? ''}`;
function enumKeys(e: EnumFacts | undefined, name: string | undefined): string[] {
  const keys: string[] = [];
  if (name !== undefined) keys.push(name);
  if (e?.name !== undefined) keys.push(e.name);
  if (e?.moduleVariable) keys.push(`var:${e.moduleVariable}`);
  return keys;
}

const DROP_KINDS: ReadonlySet<SchemaOp['kind']> = new Set(['drop_table', 'drop_column', 'drop_index', 'drop_constraint', 'enum_drop']);

// What nothing was dropped into: shared, so that a downgrade dropping only tables makes one set, not seven.
const NONE: ReadonlySet<never> = new Set();
const NO_CONSTRAINTS: ReadonlyMap<string, string[]> = new Map();

function undoneBy(ops: readonly SchemaOp[]): Undone {
  let tables: Set<string> | undefined;
  let columns: Set<string> | undefined;
  let indexes: Set<string> | undefined;
  let constraints: Set<string> | undefined;
  let enums: Set<string> | undefined;
  let constraintsByTable: Map<string, string[]> | undefined;
  let any: Set<CreatedKind> | undefined;
  for (const op of ops) {
    switch (op.kind) {
      case 'drop_table':
        if (op.table === undefined) (any ??= new Set()).add('table');
        else (tables ??= new Set()).add(op.table);
        break;
      case 'drop_column':
        if (op.table === undefined || op.name === undefined) (any ??= new Set()).add('column');
        else (columns ??= new Set()).add(`${op.table}.${op.name}`);
        break;
      case 'drop_index':
        if (op.name === undefined) (any ??= new Set()).add('index');
        else (indexes ??= new Set()).add(op.name);
        break;
      case 'drop_constraint':
        if (op.nameUnknown) (any ??= new Set()).add('constraint');
        else (constraints ??= new Set()).add(constraintKey(op));
        if (op.table !== undefined && op.name !== undefined) {
          constraintsByTable ??= new Map();
          constraintsByTable.set(op.table, [...(constraintsByTable.get(op.table) ?? []), op.name]);
        }
        break;
      case 'enum_drop':
        if (op.nameUnknown && !op.enumType?.moduleVariable) (any ??= new Set()).add('enum');
        for (const k of enumKeys(op.enumType, op.name)) (enums ??= new Set()).add(k);
        break;
      default:
        break;
    }
  }
  return {
    tables: tables ?? NONE, columns: columns ?? NONE, indexes: indexes ?? NONE, constraints: constraints ?? NONE, enums: enums ?? NONE,
    constraintsByTable: constraintsByTable ?? NO_CONSTRAINTS, any: any ?? NONE,
  };
}

function isUndone(u: Undone, kind: CreatedKind, op: SchemaOp, e?: EnumFacts): boolean {
  if (u.any.has(kind)) return true;
  // A table dropped by a name that is not a literal (manila's `op.drop_table(TABLE_NAME)`) may be the
  // one the column, index or constraint is on: unknown, so not reported.
  if (kind !== 'table' && kind !== 'enum' && u.any.has('table')) return true;
  const t = op.table;
  // Dropping a column drops every index and constraint on it; an unnamed one is known by the name
  // PostgreSQL gave it (`t_col_fkey`), which is what the downgrade drops.
  if ((kind === 'index' || kind === 'constraint') && t !== undefined && op.columnNames?.some((c) => u.columns.has(`${t}.${c}`))) return true;
  const defaultName = kind === 'index' || kind === 'constraint' ? postgresDefaultName(op) : undefined;
  if (defaultName !== undefined && (kind === 'index' ? u.indexes : u.constraints).has(defaultName)) return true;
  switch (kind) {
    case 'table':
      return t !== undefined && u.tables.has(t);
    case 'column':
      return t !== undefined && (u.tables.has(t) || u.columns.has(`${t}.${op.name ?? ''}`));
    case 'index':
      // A constraint of the index's name owns it (`ADD CONSTRAINT x UNIQUE USING INDEX x`): dropping it drops the index.
      return (op.name !== undefined && (u.indexes.has(op.name) || u.constraints.has(op.name))) || (t !== undefined && u.tables.has(t));
    case 'constraint':
      // An unnamed drop on the table (`drop_constraint(None, "t")`, no type_) is the downgrade's try at
      // it: it raises, which drop-constraint-without-name reports; the drop is not missing.
      return u.constraints.has(constraintKey(op)) || (op.name === undefined && !op.nameUnknown && u.constraints.has(`unnamed:${t ?? ''}:`)) ||
        (t !== undefined && u.tables.has(t)) || droppedByConvention(u, op);
    case 'enum':
      return enumKeys(e ?? op.enumType, e ? e.name : op.name).some((k) => u.enums.has(k));
  }
}

/**
 * A naming convention renames constraints (`ck_%(table_name)s_%(constraint_name)s`, `fk_<table>_<col>_<referred>`):
 * a named one is undone by a drop on its table of a name ending in `_<name>`, an unnamed one by a drop
 * on its table of a name that holds every one of its columns.
 */
function droppedByConvention(u: Undone, op: SchemaOp): boolean {
  const dropped = op.table === undefined ? undefined : u.constraintsByTable.get(op.table);
  if (!dropped) return false;
  if (op.name !== undefined) return dropped.some((n) => n.endsWith(`_${op.name ?? ''}`));
  const columns = op.columnNames;
  const table = op.table ?? '';
  return !op.nameUnknown && !!columns && columns.length > 0 && dropped.some((n) => n.includes(table) && columns.every((c) => n.includes(`_${c}`)));
}

/** Module-level functions of the file that the downgrade calls: they may undo anything. */
function callsLocalHelper(text: string, m: Migration, fn: MigrationFunction): boolean {
  if (!callNames(m, fn).bare) return false;
  for (const call of fn.calls) {
    if (call.callee.includes('.') || call.callee.includes('(')) continue;
    const name = call.callee.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    if (new RegExp(`^(?:async[ \\t]+)?def[ \\t]+${name}\\b`, 'm').test(text)) return true;
  }
  return false;
}

function describe(kind: CreatedKind, op: SchemaOp, e?: EnumFacts): string | undefined {
  switch (kind) {
    case 'table':
      return op.table === undefined ? undefined : `table '${op.table}'`;
    case 'column':
      return op.table === undefined || op.name === undefined ? undefined : `column ${op.table}.${op.name}`;
    case 'index':
      return op.name === undefined ? undefined : `index '${op.name}'`;
    case 'constraint':
      return op.nameUnknown ? undefined : op.name === undefined ? `an unnamed ${op.constraintType ?? ''} constraint on '${op.table ?? '?'}'` : `constraint '${op.name}'`;
    case 'enum': {
      const n = e ? e.name ?? e.moduleVariable : op.name ?? op.enumType?.moduleVariable;
      return n === undefined ? undefined : `enum type '${n}'`;
    }
  }
}

/** Where the downgrade renames the table (or column) `final` names back to the one `first` names; -1 when it does not. */
function renameBackAt(downs: readonly SchemaOp[], final: SchemaOp, first: SchemaOp): number {
  if (final.table !== first.table) return downs.findIndex((d) => d.kind === 'rename_table' && d.table === final.table && d.newName === first.table);
  return downs.findIndex((d) => d.kind === 'alter_column' && d.table === final.table && d.name === final.name && d.newName === first.name);
}

/** The table and name an item ends up with after the upgrade's later renames. */
function finalNames(kind: CreatedKind, op: SchemaOp, later: readonly SchemaOp[]): SchemaOp {
  let table = op.table;
  let name = op.name;
  for (const r of later) {
    if (r.sql && r.kind !== 'rename_table' && r.kind !== 'alter_column') continue;
    if (r.kind === 'rename_table' && table !== undefined && r.table === table && r.newName !== undefined) {
      if (kind === 'table') name = r.newName;
      table = r.newName;
    } else if (kind === 'column' && r.kind === 'alter_column' && r.table === table && r.name === name && r.newName !== undefined) {
      name = r.newName;
    }
  }
  return table === op.table && name === op.name ? op : { ...op, ...(table === undefined ? {} : { table }), ...(name === undefined ? {} : { name }) };
}

const KIND_OF: Partial<Record<SchemaOp['kind'], CreatedKind>> = {
  create_table: 'table', add_column: 'column', create_index: 'index', create_constraint: 'constraint', enum_create: 'enum',
};

/** What each upgrade creates that its downgrade does not undo (downgrades with a real body only). */
export function missingInverses(migration: Migration, text: string): MissingInverse[] {
  const out: MissingInverse[] = [];
  for (const pair of functionPairs(migration)) {
    const { upgrade, downgrade } = pair;
    if (!downgrade || downgrade.raises || hasNoEffect(migration, downgrade) || upgrade.isEmpty) continue;
    const ups = opsInContext(migration, upgrade);
    if (!ups.some((x) => KIND_OF[x.op.kind] !== undefined && !x.op.sql)) continue;
    if (callsLocalHelper(text, migration, downgrade)) continue;
    const undone = undoneBy(functionOps(migration, downgrade));
    let downs: readonly SchemaOp[] | undefined;
    // Created then dropped again within the upgrade (a scratch table): nothing to undo.
    // Only drops undo anything: after the upgrade's last drop there is nothing to look at.
    let firstDrop = -1;
    let lastDrop = -1;
    let renames = false;
    ups.forEach(({ op }, i) => {
      if (DROP_KINDS.has(op.kind)) {
        if (firstDrop < 0) firstDrop = i;
        lastDrop = i;
      } else if (op.kind === 'rename_table' || (op.kind === 'alter_column' && op.newName !== undefined)) renames = true;
    });
    const laterDrops = (i: number): Undone | undefined => (i < lastDrop ? undoneBy(ups.slice(i + 1).map((x) => x.op)) : undefined);
    // Dropped earlier in the upgrade and created again (autogenerate's drop and re-create of a foreign
    // key on SQLite): it was there before the upgrade, so the downgrade leaves it in place.
    const earlierDrops = (i: number): Undone | undefined => (firstDrop >= 0 && i > firstDrop ? undoneBy(ups.slice(0, i).map((x) => x.op)) : undefined);
    const seenEnums = new Set<string>();
    // Made with the pair's first finding (most pairs have none).
    let withDown: MissingInverse['pair'] | undefined;
    const consider = (kind: CreatedKind, op: SchemaOp, i: number, order: number, range: Range, e?: EnumFacts): void => {
      // Created in a helper: the inverse has no call of this function to stand beside.
      if (op.sql || op.via) return;
      // Inside `try: ... except Exception: print(...)` (a repair migration creating what may be
      // there already): the next upgrade's 'already exists' is caught, so it does not fail.
      if (op.call.inSwallowingTry) return;
      // Only when it is missing (`if not column_exists(...)`): the next upgrade skips it.
      if (runsOnlyIfMissing(op.call)) return;
      if (kind === 'enum') {
        const keys = enumKeys(e ?? op.enumType, e ? e.name : op.name);
        if (keys.length === 0 || keys.some((k) => seenEnums.has(k))) return;
        for (const k of keys) seenEnums.add(k);
      }
      const final = kind === 'enum' || !renames ? op : finalNames(kind, op, ups.slice(i + 1).map((x) => x.op));
      if (isUndone(undone, kind, final, e)) return;
      // The downgrade renames it back first and drops it under its first name (MindsDB's datasource).
      if (final !== op && isUndone(undone, kind, op, e)) {
        const back = renameBackAt(downs ??= functionOps(migration, downgrade), final, op);
        if (back >= 0 && isUndone(undoneBy(downs.slice(back + 1)), kind, op, e)) return;
      }
      const later = laterDrops(i);
      if (later && isUndone(later, kind, final, e)) return;
      const earlier = earlierDrops(i);
      if (earlier && isUndone(earlier, kind, op, e)) return;
      const label = describe(kind, op, e);
      if (label === undefined) return;
      const m: MissingInverse = { pair: (withDown ??= { ...pair, downgrade }), kind, op, range, label, order, renamed: final !== op };
      if (e) m.implicitEnum = e;
      out.push(m);
    };
    ups.forEach(({ op, newTable }, i) => {
      for (const e of implicitEnumsOf(migration, op)) consider('enum', op, i, op.index - 0.5, implicitEnumRange(op, e), e);
      const kind = KIND_OF[op.kind];
      if (!kind) return;
      // Columns, indexes and constraints of a table this upgrade created go with that table.
      if (newTable && kind !== 'table' && kind !== 'enum') return;
      consider(kind, op, i, op.index, op.range);
    });
  }
  return out;
}

/**
 * alembic_utils entities: `create_entity(e)` in the upgrade wants `drop_entity(e)` in the downgrade,
 * `replace_entity(e)` wants `replace_entity` of the same entity (its previous definition). No fix:
 * the downgrade needs the entity object, which autogenerate writes in each function.
 */
function missingEntityInverses(migration: Migration, text: string): RuleFinding<DowngradeAsymmetryData>[] {
  const out: RuleFinding<DowngradeAsymmetryData>[] = [];
  for (const { upgrade, downgrade } of functionPairs(migration)) {
    // The upgrade's entities first: most files have none, and the other tests are dearer.
    const ups = entityOps(migration, upgrade);
    if (ups.length === 0) continue;
    if (!downgrade || downgrade.raises || hasNoEffect(migration, downgrade) || upgrade.isEmpty || callsLocalHelper(text, migration, downgrade)) continue;
    const downs = entityOps(migration, downgrade);
    // A drop or replace in the downgrade through a variable we cannot identify may undo anything.
    const unknownDown = downs.some((d) => d.key.startsWith('var:')) && !ups.some((u) => u.key.startsWith('var:'));
    let droppedBySql: Set<string> | undefined;
    for (const u of ups) {
      if (u.method === 'drop_entity' || unknownDown) continue;
      const wanted = u.method === 'create_entity' ? 'drop_entity' : 'replace_entity';
      if (downs.some((d) => d.key === u.key && d.method === wanted)) continue;
      // Dropped with SQL (`DROP FUNCTION IF EXISTS f(...)`) instead of drop_entity.
      if (u.method === 'create_entity' && u.sqlDropKey !== undefined && (droppedBySql ??= sqlDroppedEntities(migration, downgrade)).has(u.sqlDropKey)) continue;
      // Created in the upgrade, then dropped later in it (a scratch entity): nothing to undo.
      if (ups.some((l) => l !== u && l.key === u.key && l.method === 'drop_entity' && l.call.range.start.line > u.call.range.start.line)) continue;
      out.push({
        range: u.call.range,
        message: u.method === 'create_entity'
          ? `${upgrade.name}() creates ${u.label} (alembic_utils create_entity), but ${downgrade.name}() does not drop_entity it: after a downgrade the next upgrade fails with 'already exists'.`
          : `${upgrade.name}() replaces ${u.label} (alembic_utils replace_entity), but ${downgrade.name}() does not replace_entity it back with the previous definition: after a downgrade the database keeps the new one.`,
      });
    }
  }
  return out;
}

const VERB: Record<CreatedKind, string> = { table: 'drop', column: 'drop', index: 'drop', constraint: 'drop', enum: 'drop' };

/** The function pair, what kind of thing is not undone, and the index of the call creating it. */
export type DowngradeAsymmetryData = { upgrade: string; downgrade: string; kind: CreatedKind; callIndex: number };

export const downgradeAsymmetry = defineFileRule<DowngradeAsymmetryData>({
  id: 'downgrade-asymmetry',
  defaultSeverity: 'warning',
  description: 'Something upgrade() creates is not undone by downgrade().',
  check({ migration, text, project }) {
    const entities = missingEntityInverses(migration, text);
    // Only PostgreSQL has named enum types (CREATE TYPE): SQLite and MySQL keep an enum in its column,
    // and SQLAlchemy's create() and drop() of one do nothing there.
    const enumTypes = mayBePostgres(project?.dialect);
    const missing = missingInverses(migration, text).filter((m) => enumTypes || m.kind !== 'enum');
    if (missing.length === 0) return entities;
    return missing.map((m): RuleFinding<DowngradeAsymmetryData> => {
      const up = m.pair.upgrade.name;
      const down = m.pair.downgrade.name;
      // Renamed later in the upgrade: the drop would go under the new name, before the downgrade's
      // own renames, which a fix cannot place reliably; no fix, so no data for one.
      const data = m.renamed ? {} : { data: { upgrade: up, downgrade: down, kind: m.kind, callIndex: m.op.index } };
      // `.create(bind, checkfirst=True)`: the next upgrade skips the type it finds, so nothing fails;
      // the downgraded database still has a type it did not have (Faraday's group_by).
      if (!m.implicitEnum && m.op.kind === 'enum_create' && m.op.checkfirst === true) {
        return {
          range: m.range,
          severity: 'information',
          message: `${up}() creates ${m.label} with checkfirst=True, and ${down}() does not drop it: the next upgrade skips it, but a downgraded database keeps a type it did not have. Drop it in ${down}() to leave the schema as it was.`,
          ...data,
        };
      }
      const how = m.implicitEnum ? ` (create_table creates it for this column; drop_table does not drop it)` : '';
      return {
        range: m.range,
        message: `${up}() creates ${m.label}${how}, but ${down}() does not ${VERB[m.kind]} it: after a downgrade the next upgrade fails with 'already exists'.`,
        ...data,
      };
    }).concat(entities);
  },
  fix(finding, { src, migration }) {
    const missing = missingInverses(migration, src.text).find((m) => samePosition(m.range.start, finding.range.start));
    return missing && insertInverseFix(src, migration, missing);
  },
});
