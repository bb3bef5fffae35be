// What an upgrade, downgrade or stamp run from the editor changed in the schema: a snapshot before and
// after (the verify feature's snapshot and diff), a one-line summary for the notification ("+2 tables,
// −1 column, 1 index changed"), and the full report as Markdown, where a downgrade that leaves behind
// something its upgrade created is called out. No vscode import.
import type { ClientBase } from 'pg';
import { takeSnapshot, type SchemaSnapshot, type SnapshotOptions } from './snapshot';
import { diffSnapshots, groupDifferences, type ObjectKind, type SchemaDifference } from './schemaDiff';
import { openClient } from './connect';
import { parseDatabaseUrl } from './sqlalchemyUrl';

/**
 * Above this many tables a run's snapshots cover only the tables its migrations touch. A whole snapshot
 * of 500 tables took 260 to 510 ms (median 330) on the loaded test machine (test/integration/snapshotTiming),
 * twice per run; this keeps that cost below about a second for any schema.
 */
export const SCOPED_SNAPSHOT_TABLES = 1000;

export interface ChangeSnapshot {
  snapshot: SchemaSnapshot;
  /** Whether it holds only the touched tables (the schema had more than the threshold). */
  scoped: boolean;
  tableCount: number;
  ms: number;
}

/** The snapshot a run takes before and after itself: whole, or of the touched tables above the threshold. */
export async function snapshotForChange(
  client: ClientBase,
  o: { touchedTables?: readonly string[]; threshold?: number } & Pick<SnapshotOptions, 'versionTable' | 'versionTableSchema'> = {},
): Promise<ChangeSnapshot> {
  const t0 = performance.now();
  const count = Number((await client.query<{ n: string }>(
    `SELECT count(*) AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'`)).rows[0]?.n ?? 0);
  const scoped = count > (o.threshold ?? SCOPED_SNAPSHOT_TABLES) && (o.touchedTables?.length ?? 0) > 0;
  const snapshot = await takeSnapshot(client, {
    ...(o.versionTable ? { versionTable: o.versionTable } : {}),
    ...(o.versionTableSchema ? { versionTableSchema: o.versionTableSchema } : {}),
    ...(scoped ? { tables: o.touchedTables } : {}),
  });
  return { snapshot, scoped, tableCount: count, ms: performance.now() - t0 };
}

const NOUNS: Record<ObjectKind, [string, string]> = {
  schema: ['schema', 'schemas'], extension: ['extension', 'extensions'], table: ['table', 'tables'],
  column: ['column', 'columns'], index: ['index', 'indexes'], constraint: ['constraint', 'constraints'],
  enum: ['enum type', 'enum types'], sequence: ['sequence', 'sequences'], view: ['view', 'views'],
  function: ['function', 'functions'], trigger: ['trigger', 'triggers'],
};

function counted(n: number, kind: ObjectKind): string {
  return `${n} ${NOUNS[kind][n === 1 ? 0 : 1]}`;
}

/** `+2 tables, −1 column, 1 index changed`; `no schema change` when there is none. */
export function summarizeChange(diffs: readonly SchemaDifference[]): string {
  if (diffs.length === 0) return 'no schema change';
  const parts: string[] = [];
  for (const g of groupDifferences(diffs)) {
    const added = g.items.filter((d) => d.change === 'added').length;
    const removed = g.items.filter((d) => d.change === 'removed').length;
    const changed = g.items.filter((d) => d.change === 'changed').length;
    if (added) parts.push(`+${counted(added, g.kind)}`);
    if (removed) parts.push(`\u2212${counted(removed, g.kind)}`);
    if (changed) parts.push(`${counted(changed, g.kind)} changed`);
  }
  return parts.join(', ');
}

/** What an upgrade creates, by literal name (the server's `alembic/operations` creations). */
export interface Creation {
  revision: string;
  kind: 'table' | 'column' | 'index' | 'constraint' | 'enum';
  /** `users`, `users.phone` for a column, the index / constraint / enum name. */
  name: string;
}

/** The creations of the undone revisions' upgrades that the schema still has after the downgrade. */
export function leftBehind(after: SchemaSnapshot, creations: readonly Creation[]): Creation[] {
  const last = (n: string): string => n.slice(n.lastIndexOf('.') + 1);
  const tables = new Set(after.tables.map((t) => t.name));
  return creations.filter((c) => {
    switch (c.kind) {
      case 'table': return tables.has(last(c.name));
      case 'column': {
        const dot = c.name.lastIndexOf('.');
        // A column whose table is not a literal cannot be looked for.
        if (dot < 0) return false;
        const table = last(c.name.slice(0, dot));
        return after.tables.some((t) => t.name === table && t.columns.some((col) => col.name === c.name.slice(dot + 1)));
      }
      case 'index': return after.indexes.some((i) => i.name === last(c.name)) || after.constraints.some((k) => k.name === last(c.name));
      case 'constraint': return after.constraints.some((k) => k.name === last(c.name));
      case 'enum': return after.enums.some((e) => e.name === last(c.name));
    }
  });
}

export interface ChangeReport {
  /** `Downgrade to 002_user_phone` */
  title: string;
  /** The Alembic command as run. */
  command: string;
  diffs: SchemaDifference[];
  summary: string;
  /** For a downgrade: what the undone upgrades created and the schema still has. */
  leftBehind: Creation[];
  scoped: boolean;
  snapshotMs: number;
}

export function changeReport(o: {
  title: string; command: string; before: ChangeSnapshot; after: ChangeSnapshot; creations?: readonly Creation[];
}): ChangeReport {
  const diffs = diffSnapshots(o.before.snapshot, o.after.snapshot);
  return {
    title: o.title, command: o.command, diffs, summary: summarizeChange(diffs),
    leftBehind: o.creations ? leftBehind(o.after.snapshot, o.creations) : [],
    scoped: o.before.scoped || o.after.scoped, snapshotMs: o.before.ms + o.after.ms,
  };
}

const CHANGE_WORDS: Record<SchemaDifference['change'], string> = { added: 'added', removed: 'removed', changed: 'changed' };

function mdCode(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

/** The full report as Markdown: summary, every difference grouped by kind, and what was left behind. */
export function changeReportMarkdown(r: ChangeReport): string {
  const lines = [`# Schema change: ${r.title}`, '', `${mdCode(r.command)}: **${r.summary}**.`, ''];
  if (r.scoped) lines.push('The schema is large, so the snapshots covered only the tables the migrations touch.', '');
  if (r.leftBehind.length) {
    lines.push('## Left behind by the downgrade', '', 'The upgrades of the undone revisions create these, and the schema still has them after the downgrade:', '');
    for (const c of r.leftBehind) lines.push(`- ${c.kind} ${mdCode(c.name)} (created by ${mdCode(c.revision)})`);
    lines.push('');
  }
  for (const g of groupDifferences(r.diffs)) {
    lines.push(`## ${NOUNS[g.kind][1][0]?.toUpperCase()}${NOUNS[g.kind][1].slice(1)}`, '');
    for (const d of g.items) {
      const where = d.onTable ? ` on ${mdCode(d.onTable)}` : '';
      const details = d.change === 'changed' && d.details.length ? `: ${d.details.join('; ')}` : '';
      lines.push(`- ${CHANGE_WORDS[d.change]}: ${d.noun} ${mdCode(d.display)}${where}${details}`);
    }
    lines.push('');
  }
  if (r.diffs.length === 0) lines.push('Tables, columns, indexes, constraints, enum types, sequences, views, functions and triggers are as they were.', '');
  lines.push(`Snapshots took ${Math.round(r.snapshotMs)} ms.`);
  return `${lines.join('\n')}\n`;
}

/**
 * The two snapshots around `run`, each over a connection of its own. A snapshot that cannot be taken
 * (no permission on the catalog, PostgreSQL before 12) never stops the run: it comes back as `error`.
 */
export async function aroundRun<T>(
  o: { databaseUrl: string; env?: NodeJS.ProcessEnv; touchedTables?: readonly string[] } & Pick<SnapshotOptions, 'versionTable' | 'versionTableSchema'>,
  run: () => Promise<T>,
): Promise<{ result: T; before?: ChangeSnapshot; after?: ChangeSnapshot; error?: string }> {
  const parsed = parseDatabaseUrl(o.databaseUrl, { env: o.env ?? process.env });
  if (parsed.kind !== 'postgres') return { result: await run(), error: `schema snapshots need PostgreSQL: ${parsed.message}` };
  const target = parsed.target;
  const opts = {
    ...(o.touchedTables ? { touchedTables: o.touchedTables } : {}),
    ...(o.versionTable ? { versionTable: o.versionTable } : {}),
    ...(o.versionTableSchema ? { versionTableSchema: o.versionTableSchema } : {}),
  };
  let error: string | undefined;
  const take = async (): Promise<ChangeSnapshot | undefined> => {
    try {
      // A connection per snapshot: none stays open while the migration runs (it could hold a lock).
      const client = await openClient(target, { timeoutMs: 10_000, env: o.env ?? process.env });
      try {
        return await snapshotForChange(client, opts);
      } finally {
        await client.end().catch(() => undefined);
      }
    } catch (e) {
      error ??= e instanceof Error ? e.message : String(e);
      return undefined;
    }
  };
  const before = await take();
  const result = await run();
  const after = before ? await take() : undefined;
  return { result, ...(before ? { before } : {}), ...(after ? { after } : {}), ...(error ? { error } : {}) };
}
