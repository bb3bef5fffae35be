// Before anything is upgraded: proof that the project's env.py connects to the scratch database and
// not to whatever URL it would otherwise use (an ini file, a .env loaded with override, a hard-coded
// string). The scratch database is stamped with a made-up revision that exists nowhere else; a read-only
// `alembic current` must then complain about exactly that revision. If it does not, env.py looked
// elsewhere, and verification stops before running a single migration.
import crypto from 'node:crypto';
import type { Client } from 'pg';
import { current } from '../alembic/commandArguments';
import { interpretRun } from '../alembic/results';
import type { RunOptions, RunResult } from '../alembic/runner';
import type { AlembicCommand } from '../alembic/commandArguments';
import { qualifiedVersionTable, quoteIdent, type VersionTableName } from '../db/versionTable';

/** What the round trip needs from the runner (AlembicRunner fits). */
export interface AlembicExec {
  run(command: AlembicCommand, options?: RunOptions): Promise<RunResult>;
}

export class EnvProbeError extends Error {
  constructor(message: string, readonly output: string) {
    super(message);
    this.name = 'EnvProbeError';
  }
}

export interface ProbeOptions {
  versionTable?: VersionTableName;
  /** The variable the URL was passed in, for the message. */
  databaseUrlEnvVar?: string;
  signal?: AbortSignal;
}

/** Resolves when env.py demonstrably uses the scratch database; throws EnvProbeError otherwise. */
export async function probeEnvUsesDatabase(runner: AlembicExec, client: Client, opts: ProbeOptions = {}): Promise<void> {
  const table = qualifiedVersionTable(opts.versionTable);
  const schema = opts.versionTable?.schema?.trim();
  const sentinel = `verifyprobe${crypto.randomBytes(8).toString('hex')}`;
  let createdSchema = false;
  if (schema) {
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (exists.rowCount === 0) {
      await client.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
      createdSchema = true;
    }
  }
  await client.query(`CREATE TABLE ${table} (version_num varchar(32) NOT NULL PRIMARY KEY)`);
  let run: RunResult;
  try {
    await client.query(`INSERT INTO ${table} (version_num) VALUES ($1)`, [sentinel]);
    run = await runner.run(current(), { signal: opts.signal });
  } finally {
    await client.query(`DROP TABLE IF EXISTS ${table}`);
    if (createdSchema && schema) await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)}`);
  }
  const output = `${run.stdout}\n${run.stderr}`;
  if (run.cancelled) throw new EnvProbeError('cancelled while checking which database env.py connects to', output);
  if (output.includes(sentinel)) return;
  const envVar = opts.databaseUrlEnvVar ?? 'DATABASE_URL';
  const outcome = interpretRun(run);
  const saw = outcome.ok
    ? `it reported ${run.stdout.trim() ? `"${run.stdout.trim().split('\n').pop() ?? ''}"` : 'no revision at all'}`
    : `it failed: ${outcome.message}`;
  throw new EnvProbeError(
    `env.py did not connect to the scratch database: \`alembic current\` was given the scratch database in ${envVar}, ` +
    `which is stamped with the made-up revision ${sentinel}, but ${saw}. Verification stopped before running any ` +
    `migration, so no database was changed. Make env.py take its URL from ${envVar} (and not override it from ` +
    'alembic.ini or a .env file), or set alembic.databaseUrlEnvVar to the variable it reads; if env.py names ' +
    'another version_table, set alembic.versionTable to match.',
    output);
}
