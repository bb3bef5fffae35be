// The names PostgreSQL gives constraints and indexes created without one, past its 63-byte limit
// included. The expected names are what PostgreSQL 15 named the same objects (CREATE TABLE ... REFERENCES,
// UNIQUE, PRIMARY KEY and CREATE INDEX ON without a name, read back from pg_constraint and pg_indexes).
import assert from 'node:assert/strict';
import { functionOps, upgradeFunctions } from '../../server/src/core/facts/functions';
import { postgresDefaultName } from '../../server/src/core/facts/schema';
import { parseMigration } from '../../server/src/core/parse';

const LONG_TABLE = 'policy_violation_vulnerability_association';
const LONG_COLUMN = 'an_extremely_long_column_name_for_testing_truncation_rules';
const LONG_PK_TABLE = 'a_table_whose_name_is_very_long_indeed_so_that_pkey_must_be_cut';

function defaultNames(body: string): (string | undefined)[] {
  const m = parseMigration(`from alembic import op\nimport sqlalchemy as sa\n\nrevision = 'n1'\ndown_revision = None\n\n\ndef upgrade():\n${body}\n`);
  const up = upgradeFunctions(m)[0];
  if (!up) throw new Error('no upgrade');
  return functionOps(m, up).map(postgresDefaultName);
}

describe('postgresDefaultName: the names PostgreSQL chooses', () => {
  it('joins table, columns and suffix when they fit in 63 bytes', () => {
    assert.deepEqual(defaultNames([
      "    op.create_foreign_key(None, 'orders', 'users', ['user_id'], ['id'])",
      "    op.create_unique_constraint(None, 'users', ['email', 'tenant_id'])",
      "    op.create_primary_key(None, 'users', ['id'])",
    ].join('\n')), ['orders_user_id_fkey', 'users_email_tenant_id_key', 'users_pkey']);
  });

  it('shortens the longer part first, as makeObjectName does, when the name is longer', () => {
    assert.deepEqual(defaultNames([
      `    op.create_foreign_key(None, '${LONG_TABLE}', 'vulnerability', ['vulnerability_id'], ['id'])`,
      `    op.create_unique_constraint(None, '${LONG_TABLE}', ['${LONG_COLUMN}'])`,
      `    op.create_primary_key(None, '${LONG_PK_TABLE}', ['id'])`,
    ].join('\n')), [
      'policy_violation_vulnerability_associatio_vulnerability_id_fkey',
      'policy_violation_vulnerabilit_an_extremely_long_column_name_key',
      'a_table_whose_name_is_very_long_indeed_so_that_pkey_must_b_pkey',
    ]);
  });

  it('gives no name it cannot be sure of: a long name that is not ASCII', () => {
    assert.deepEqual(defaultNames(`    op.create_foreign_key(None, '${LONG_TABLE}_é', 'v', ['vulnerability_id'], ['id'])`), [undefined]);
  });
});
