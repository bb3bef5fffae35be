// A schema snapshot read from pg_catalog: everything a migration creates or drops, in a normalized form
// that holds no OIDs and has a stable order, so that two databases (even on two servers) built the same
// way produce deep-equal snapshots. Used by the round-trip verification to compare the schema before an
// upgrade with the schema after its downgrade. No vscode import: tested against a real PostgreSQL.
import type { ClientBase } from 'pg';

export interface ColumnSnapshot {
  name: string;
  /** `format_type()` with search_path = pg_catalog, so user types are schema-qualified (`public.status`). */
  type: string;
  notNull: boolean;
  /** Default expression as PostgreSQL prints it; absent when there is none or the column is generated. */
  default?: string;
  /** `GENERATED ALWAYS AS (expr) STORED`: the expression. */
  generated?: string;
  identity?: 'always' | 'by default';
  /** Only when it differs from the type's default collation. */
  collation?: string;
}

export interface TableSnapshot {
  schema: string;
  name: string;
  partitioned: boolean;
  unlogged: boolean;
  /** Sorted by name: column order is not compared (a dropped and re-added column moves to the end). */
  columns: ColumnSnapshot[];
}

export interface IndexSnapshot {
  schema: string;
  table: string;
  name: string;
  /** `pg_get_indexdef()`, whitespace-normalized. */
  definition: string;
}

export interface ConstraintSnapshot {
  schema: string;
  table: string;
  name: string;
  type: ConstraintType;
  /** `pg_get_constraintdef()`, whitespace-normalized. */
  definition: string;
}

export type ConstraintType = 'primary key' | 'unique' | 'foreign key' | 'check' | 'exclusion' | 'trigger';

export interface EnumSnapshot {
  schema: string;
  name: string;
  /** In their sort order. */
  labels: string[];
}

export interface SequenceSnapshot {
  schema: string;
  name: string;
  type: string;
  start: string;
  increment: string;
  min: string;
  max: string;
  cache: string;
  cycle: boolean;
  /** `OWNED BY` target as `schema.table.column`; absent for a free-standing sequence. */
  ownedBy?: string;
}

export interface ViewSnapshot {
  schema: string;
  name: string;
  materialized: boolean;
  /** `pg_get_viewdef()`, whitespace-normalized. */
  definition: string;
}

export interface FunctionSnapshot {
  schema: string;
  name: string;
  /** Identity arguments, so overloads are told apart: `a integer, b text`. */
  args: string;
  /** `pg_get_functiondef()`, whitespace-normalized. */
  definition: string;
}

export interface TriggerSnapshot {
  schema: string;
  table: string;
  name: string;
  definition: string;
}

export interface SchemaSnapshot {
  /** The schemas covered, sorted. */
  schemas: string[];
  /** Installed extensions other than plpgsql (whose objects are left out of everything else). */
  extensions: string[];
  tables: TableSnapshot[];
  indexes: IndexSnapshot[];
  constraints: ConstraintSnapshot[];
  enums: EnumSnapshot[];
  sequences: SequenceSnapshot[];
  views: ViewSnapshot[];
  functions: FunctionSnapshot[];
  triggers: TriggerSnapshot[];
}

export interface SnapshotOptions {
  /** Schemas to read; default every schema except PostgreSQL's own and those of extensions. */
  schemas?: readonly string[];
  /** Alembic's version table, left out of the snapshot. Default `alembic_version`. */
  versionTable?: string;
  /** Its schema; when absent a table of that name is left out in every schema. */
  versionTableSchema?: string;
  /**
   * Only these tables (by name, in any of the schemas) and what hangs off them: columns, indexes,
   * constraints, triggers. Enums, sequences, views and functions are read whole. For very large schemas,
   * where a run from the editor snapshots only the tables its migrations touch (db/schemaChange.ts).
   */
  tables?: readonly string[];
}

const CONSTRAINT_TYPES: Record<string, ConstraintType> = {
  p: 'primary key', u: 'unique', f: 'foreign key', c: 'check', x: 'exclusion', t: 'trigger',
};

// A relation that an extension created (pg_depend deptype 'e') is the extension's, not the migrations'.
const NOT_EXTENSION_MEMBER = (classCatalog: string, oidExpr: string): string =>
  `NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '${classCatalog}'::regclass ` +
  `AND e.objid = ${oidExpr} AND e.deptype = 'e')`;

// $1 = schema names, $2 = version table name, $3 = version table schema or NULL, $4 = table names or NULL (all).
const NOT_VERSION_TABLE = (relname: string, nspname: string): string =>
  `NOT (${relname} = $2 AND ($3::text IS NULL OR ${nspname} = $3))`;

const QUERIES = {
  schemas: `
    SELECT n.nspname AS name FROM pg_namespace n
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
      AND ${NOT_EXTENSION_MEMBER('pg_namespace', 'n.oid')}`,
  extensions: `SELECT extname AS name FROM pg_extension WHERE extname <> 'plpgsql'`,
  tables: `
    SELECT n.nspname AS schema, c.relname AS name, c.relkind = 'p' AS partitioned,
           c.relpersistence = 'u' AS unlogged
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY($1) AND ($4::text[] IS NULL OR c.relname = ANY($4))
      AND ${NOT_VERSION_TABLE('c.relname', 'n.nspname')} AND ${NOT_EXTENSION_MEMBER('pg_class', 'c.oid')}`,
  columns: `
    SELECT n.nspname AS schema, c.relname AS "table", a.attname AS name,
           format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
           CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END AS default_expr,
           CASE WHEN a.attgenerated <> '' THEN pg_get_expr(d.adbin, d.adrelid) END AS generated_expr,
           a.attidentity AS identity,
           CASE WHEN a.attcollation <> t.typcollation AND co.oid IS NOT NULL
                THEN CASE WHEN cn.nspname = 'pg_catalog' THEN quote_ident(co.collname)
                          ELSE quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END
           END AS collation
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_type t ON t.oid = a.atttypid
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    LEFT JOIN pg_collation co ON co.oid = a.attcollation
    LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
    WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p') AND n.nspname = ANY($1) AND ($4::text[] IS NULL OR c.relname = ANY($4))
      AND ${NOT_VERSION_TABLE('c.relname', 'n.nspname')} AND ${NOT_EXTENSION_MEMBER('pg_class', 'c.oid')}`,
  // Indexes that back a primary key, unique or exclusion constraint are reported as that constraint.
  indexes: `
    SELECT n.nspname AS schema, c.relname AS "table", i.relname AS name,
           pg_get_indexdef(x.indexrelid) AS definition
    FROM pg_index x
    JOIN pg_class i ON i.oid = x.indexrelid
    JOIN pg_class c ON c.oid = x.indrelid
    JOIN pg_namespace n ON n.oid = i.relnamespace
    WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname = ANY($1) AND ($4::text[] IS NULL OR c.relname = ANY($4))
      AND ${NOT_VERSION_TABLE('c.relname', 'n.nspname')} AND ${NOT_EXTENSION_MEMBER('pg_class', 'c.oid')}
      AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid
                      AND k.conrelid = x.indrelid AND k.contype IN ('p', 'u', 'x'))`,
  // contype 'n' are PostgreSQL 18's NOT NULL constraint rows; nullability is a column fact already,
  // and leaving them out keeps snapshots of 18 and older servers comparable.
  constraints: `
    SELECT n.nspname AS schema, c.relname AS "table", k.conname AS name, k.contype AS type,
           pg_get_constraintdef(k.oid) AS definition
    FROM pg_constraint k
    JOIN pg_class c ON c.oid = k.conrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE k.contype <> 'n' AND c.relkind IN ('r', 'p') AND n.nspname = ANY($1) AND ($4::text[] IS NULL OR c.relname = ANY($4))
      AND ${NOT_VERSION_TABLE('c.relname', 'n.nspname')} AND ${NOT_EXTENSION_MEMBER('pg_class', 'c.oid')}`,
  enums: `
    SELECT n.nspname AS schema, t.typname AS name,
           coalesce(array_agg(e.enumlabel::text ORDER BY e.enumsortorder)
                    FILTER (WHERE e.enumlabel IS NOT NULL), '{}') AS labels
    FROM pg_type t
    JOIN pg_namespace n ON n.oid = t.typnamespace
    LEFT JOIN pg_enum e ON e.enumtypid = t.oid
    WHERE t.typtype = 'e' AND n.nspname = ANY($1) AND ${NOT_EXTENSION_MEMBER('pg_type', 't.oid')}
    GROUP BY n.nspname, t.typname`,
  // Identity columns' sequences (deptype 'i') are part of the column's identity, not listed here.
  sequences: `
    SELECT n.nspname AS schema, c.relname AS name, format_type(s.seqtypid, NULL) AS type,
           s.seqstart::text AS start, s.seqincrement::text AS increment, s.seqmin::text AS min,
           s.seqmax::text AS max, s.seqcache::text AS cache, s.seqcycle AS cycle,
           CASE WHEN d.objid IS NOT NULL
                THEN tn.nspname || '.' || tc.relname || '.' || ta.attname END AS owned_by
    FROM pg_sequence s
    JOIN pg_class c ON c.oid = s.seqrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid
         AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a' AND d.refobjsubid > 0
    LEFT JOIN pg_class tc ON tc.oid = d.refobjid
    LEFT JOIN pg_namespace tn ON tn.oid = tc.relnamespace
    LEFT JOIN pg_attribute ta ON ta.attrelid = d.refobjid AND ta.attnum = d.refobjsubid
    WHERE n.nspname = ANY($1) AND ${NOT_EXTENSION_MEMBER('pg_class', 'c.oid')}
      AND NOT EXISTS (SELECT 1 FROM pg_depend i WHERE i.classid = 'pg_class'::regclass
                      AND i.objid = c.oid AND i.deptype = 'i')`,
  views: `
    SELECT n.nspname AS schema, c.relname AS name, c.relkind = 'm' AS materialized,
           pg_get_viewdef(c.oid) AS definition
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('v', 'm') AND n.nspname = ANY($1) AND ${NOT_EXTENSION_MEMBER('pg_class', 'c.oid')}`,
  // prokind 'f'/'p' only: pg_get_functiondef refuses aggregates and window functions.
  functions: `
    SELECT n.nspname AS schema, p.proname AS name, pg_get_function_identity_arguments(p.oid) AS args,
           pg_get_functiondef(p.oid) AS definition
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE p.prokind IN ('f', 'p') AND n.nspname = ANY($1) AND ${NOT_EXTENSION_MEMBER('pg_proc', 'p.oid')}`,
  triggers: `
    SELECT n.nspname AS schema, c.relname AS "table", t.tgname AS name, pg_get_triggerdef(t.oid) AS definition
    FROM pg_trigger t
    JOIN pg_class c ON c.oid = t.tgrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE NOT t.tgisinternal AND n.nspname = ANY($1) AND ($4::text[] IS NULL OR c.relname = ANY($4))
      AND ${NOT_VERSION_TABLE('c.relname', 'n.nspname')} AND ${NOT_EXTENSION_MEMBER('pg_class', 'c.oid')}`,
} as const;

/** PostgreSQL 12 added generated columns (attgenerated); older servers are out of support anyway. */
const MIN_SERVER_VERSION = 120000;

/**
 * Reads the schema of the database `client` is connected to. Runs in one read-only repeatable-read
 * transaction (a consistent picture) with search_path = pg_catalog, so every user object in types,
 * defaults and definitions is schema-qualified the same way whatever the role's search_path is.
 */
export async function takeSnapshot(client: ClientBase, options: SnapshotOptions = {}): Promise<SchemaSnapshot> {
  const version = Number((await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0]?.v ?? 0);
  if (version < MIN_SERVER_VERSION) {
    throw new Error(`schema snapshot needs PostgreSQL 12 or newer; the server reports version number ${version}`);
  }
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    await client.query('SET LOCAL search_path TO pg_catalog');
    const snapshot = await readSnapshot(client, options);
    await client.query('COMMIT');
    return snapshot;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

type Row = Record<string, unknown>;

async function readSnapshot(client: ClientBase, options: SnapshotOptions): Promise<SchemaSnapshot> {
  const allSchemas = (await client.query<{ name: string }>(QUERIES.schemas)).rows.map((r) => r.name);
  const schemas = options.schemas ? [...new Set(options.schemas)] : allSchemas;
  const params = [schemas, options.versionTable ?? 'alembic_version', options.versionTableSchema ?? null, options.tables ? [...options.tables] : null];
  // Each query binds only the parameters it mentions (PostgreSQL refuses extra ones).
  const run = async (sql: string): Promise<Row[]> =>
    (await client.query<Row>(sql, sql.includes('$4') ? params : sql.includes('$2') ? params.slice(0, 3) : sql.includes('$1') ? params.slice(0, 1) : [])).rows;

  // One after the other: pg queues concurrent queries on a client anyway, and deprecates doing so.
  const extensions = await run(QUERIES.extensions);
  const tables = await run(QUERIES.tables);
  const columns = await run(QUERIES.columns);
  const indexes = await run(QUERIES.indexes);
  const constraints = await run(QUERIES.constraints);
  const enums = await run(QUERIES.enums);
  const sequences = await run(QUERIES.sequences);
  const views = await run(QUERIES.views);
  const functions = await run(QUERIES.functions);
  const triggers = await run(QUERIES.triggers);

  const columnsByTable = new Map<string, ColumnSnapshot[]>();
  for (const r of columns) {
    const key = `${str(r.schema)}.${str(r.table)}`;
    const list = columnsByTable.get(key) ?? [];
    list.push(toColumn(r));
    columnsByTable.set(key, list);
  }

  return {
    schemas: sortStrings(schemas.filter((s) => allSchemas.includes(s))),
    extensions: sortStrings(extensions.map((r) => str(r.name))),
    tables: sortBy(tables.map((r) => ({
      schema: str(r.schema),
      name: str(r.name),
      partitioned: r.partitioned === true,
      unlogged: r.unlogged === true,
      columns: sortBy(columnsByTable.get(`${str(r.schema)}.${str(r.name)}`) ?? [], (c) => [c.name]),
    })), (t) => [t.schema, t.name]),
    indexes: sortBy(indexes.map((r) => ({
      schema: str(r.schema), table: str(r.table), name: str(r.name), definition: normalizeSql(str(r.definition)),
    })), (i) => [i.schema, i.table, i.name]),
    constraints: sortBy(constraints.map((r) => ({
      schema: str(r.schema),
      table: str(r.table),
      name: str(r.name),
      type: CONSTRAINT_TYPES[str(r.type)] ?? 'check',
      definition: normalizeSql(str(r.definition)),
    })), (k) => [k.schema, k.table, k.name]),
    enums: sortBy(enums.map((r) => ({
      schema: str(r.schema), name: str(r.name), labels: Array.isArray(r.labels) ? r.labels.map(String) : [],
    })), (e) => [e.schema, e.name]),
    sequences: sortBy(sequences.map((r) => withoutUndefined({
      schema: str(r.schema),
      name: str(r.name),
      type: str(r.type),
      start: str(r.start),
      increment: str(r.increment),
      min: str(r.min),
      max: str(r.max),
      cache: str(r.cache),
      cycle: r.cycle === true,
      ownedBy: optStr(r.owned_by),
    })), (s) => [s.schema, s.name]),
    views: sortBy(views.map((r) => ({
      schema: str(r.schema), name: str(r.name), materialized: r.materialized === true,
      definition: normalizeSql(str(r.definition)),
    })), (v) => [v.schema, v.name]),
    functions: sortBy(functions.map((r) => ({
      schema: str(r.schema), name: str(r.name), args: str(r.args), definition: normalizeSql(str(r.definition)),
    })), (f) => [f.schema, f.name, f.args]),
    triggers: sortBy(triggers.map((r) => ({
      schema: str(r.schema), table: str(r.table), name: str(r.name), definition: normalizeSql(str(r.definition)),
    })), (t) => [t.schema, t.table, t.name]),
  };
}

function toColumn(r: Row): ColumnSnapshot {
  const identity = r.identity === 'a' ? 'always' : r.identity === 'd' ? 'by default' : undefined;
  return withoutUndefined({
    name: str(r.name),
    type: str(r.type),
    notNull: r.not_null === true,
    default: optStr(r.default_expr),
    generated: optStr(r.generated_expr),
    identity,
    collation: optStr(r.collation),
  });
}

/**
 * Collapses runs of whitespace outside quoted text, and trims: view and function definitions keep
 * their author's line breaks, which say nothing about the schema.
 */
export function normalizeSql(sql: string): string {
  let out = '';
  let quote: string | undefined;
  let pendingSpace = false;
  for (const ch of sql) {
    if (quote) {
      out += ch;
      if (ch === quote) quote = undefined;
      continue;
    }
    if (/\s/.test(ch)) {
      pendingSpace = true;
      continue;
    }
    if (pendingSpace && out.length > 0) out += ' ';
    pendingSpace = false;
    if (ch === "'" || ch === '"') quote = ch;
    out += ch;
  }
  return out;
}

function str(v: unknown): string {
  return v === null || v === undefined ? '' : String(v);
}

function optStr(v: unknown): string | undefined {
  return v === null || v === undefined || v === '' ? undefined : String(v);
}

// Snapshots are compared with deep equality; an `undefined` property and a missing one must not differ.
function withoutUndefined<T extends object>(o: T): T {
  for (const key of Object.keys(o) as (keyof T)[]) if (o[key] === undefined) delete o[key];
  return o;
}

/** Code-point order, never locale order: two machines must sort the same way. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortStrings(list: string[]): string[] {
  return [...list].sort(compareStrings);
}

function sortBy<T>(list: T[], key: (item: T) => string[]): T[] {
  return [...list].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < Math.max(ka.length, kb.length); i++) {
      const c = compareStrings(ka[i] ?? '', kb[i] ?? '');
      if (c !== 0) return c;
    }
    return 0;
  });
}
