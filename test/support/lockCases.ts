// Migration files made from the lock table's cases (server/src/core/locks/table.ts): the unit tier
// parses them (each must classify as its own case), the integration tier runs them through Alembic
// and PostgreSQL (each must lock what its case claims).
import type { LockCase } from '../../server/src/core/locks/table';

export interface CaseMigration {
  /** Case id, plus `/batch` for the batch form. */
  label: string;
  case: LockCase;
  batch: boolean;
  /** The body of upgrade(), indented. */
  body: string;
}

function indent(code: string, by: string): string {
  return code.split('\n').map((l) => by + l).join('\n');
}

/** Every case, and its batch form where it has one. */
export function caseMigrations(cases: readonly LockCase[]): CaseMigration[] {
  return cases.flatMap((c) => [
    { label: c.id, case: c, batch: false, body: indent(c.python, '    ') },
    ...(c.batchPython === undefined ? [] : [{
      label: `${c.id}/batch`, case: c, batch: true,
      body: `    with op.batch_alter_table("users") as batch_op:\n${indent(c.batchPython, '        ')}`,
    }]),
  ]);
}

/** A migration file with one case's upgrade. */
export function migrationText(m: CaseMigration, revision: string, downRevision: string | null): string {
  return [
    `"""${m.label}`,
    '',
    `Revision ID: ${revision}`,
    `Revises: ${downRevision ?? ''}`,
    '"""',
    'from alembic import op',
    'import sqlalchemy as sa',
    '',
    `revision = "${revision}"`,
    `down_revision = ${downRevision === null ? 'None' : `"${downRevision}"`}`,
    'branch_labels = None',
    'depends_on = None',
    '',
    '',
    'def upgrade():',
    m.body,
    '',
    '',
    'def downgrade():',
    '    pass',
    '',
  ].join('\n');
}
