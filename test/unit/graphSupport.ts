// Builds small revision graphs from migration text for the graph, resolver and rule tests.
import { buildRevisionGraph, type RevisionGraph } from '../../server/src/core/graph';
import { parseMigration } from '../../server/src/core/parse';

type Ids = string | string[] | null;

const py = (v: Ids | undefined): string => {
  if (v === undefined || v === null) return 'None';
  if (typeof v === 'string') return JSON.stringify(v);
  return `(${v.map((x) => JSON.stringify(x)).join(', ')}${v.length === 1 ? ',' : ''})`;
};

/** The text of a migration file in Alembic's template shape. */
export function migrationText(rev: string | null, down: Ids, opts: { labels?: Ids; deps?: Ids; doc?: string; raw?: string } = {}): string {
  return [
    `"""${opts.doc ?? `revision ${rev}`}`,
    '',
    `Revision ID: ${rev}`,
    `Revises: ${down === null ? '' : typeof down === 'string' ? down : down.join(', ')}`,
    'Create Date: 2024-01-01 00:00:00',
    '',
    '"""',
    'from alembic import op',
    '',
    ...(rev === null ? [] : [`revision = ${JSON.stringify(rev)}`]),
    `down_revision = ${py(down)}`,
    `branch_labels = ${py(opts.labels)}`,
    `depends_on = ${py(opts.deps)}`,
    ...(opts.raw ? [opts.raw] : []),
    '',
    '',
    'def upgrade():',
    '    pass',
    '',
    '',
    'def downgrade():',
    '    pass',
    '',
  ].join('\n');
}

/** A graph from `[revision, down_revision, options]` rows; files are /v/<index>_<revision>.py in row order. */
export function graphOf(rows: [string, Ids, { labels?: Ids; deps?: Ids }?][]): RevisionGraph {
  return buildRevisionGraph(rows.map(([rev, down, opts], i) => ({
    path: `/v/${String(i).padStart(3, '0')}_${rev}.py`,
    migration: parseMigration(migrationText(rev, down, opts)),
  })));
}

/** A graph from file name → text. */
export function graphOfTexts(files: Record<string, string>): RevisionGraph {
  return buildRevisionGraph(Object.entries(files).map(([name, text]) => ({ path: `/v/${name}`, migration: parseMigration(text) })));
}
