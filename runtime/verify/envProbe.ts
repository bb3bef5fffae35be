// Before anything is upgraded: proof that the project's env.py connects to the scratch database, and
// to nothing else, rather than to whatever URL it would otherwise use (an ini file, a .env loaded with
// override, a hard-coded string, a second engine of a multi-database env.py).
//
// The scratch database is stamped with a made-up revision that exists nowhere else. Then env.py runs
// once, the way `alembic current` runs it (read-only, `dont_mutate`), but through a small program that
// drives Alembic's own API and reports, instead of resolving revisions:
//   - every migration context env.py configures (one per engine in Alembic's multidb template): its
//     database (`current_database()`), its URL with the password hidden, and the raw rows of its
//     version table;
//   - every DBAPI connection SQLAlchemy opens while env.py runs, in any engine (a class-wide pool
//     listener), with its database.
// It fails closed: verification goes on only when the program finished, reported at least one context,
// and every context and every connection is the scratch database, with exactly the made-up revision in
// each context's version table. Anything else (a second database, another version table, no report,
// an error) stops verification before a single migration ran. `alembic current` itself cannot tell:
// it stops at the first engine whose revision it cannot resolve, so the engines after it are never seen.
import crypto from 'node:crypto';
import type { Client } from 'pg';
import { current } from '../alembic/commandArguments';
import { interpretRun } from '../alembic/results';
import type { PythonProgram, RunOptions, RunResult } from '../alembic/runner';
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
  /** The scratch database's name: every connection env.py makes must be to it. */
  scratchDatabase: string;
  versionTable?: VersionTableName;
  /** The variable the URL was passed in, for the message. */
  databaseUrlEnvVar?: string;
  signal?: AbortSignal;
}

/** Marks the probe's own report lines on stdout (env.py may print anything else). */
const REPORT_PREFIX = '@@alembic-migrations-probe@@ ';

/**
 * Runs env.py under Alembic's EnvironmentContext with a report function in place of `current`'s.
 * Arguments are Alembic's own command line (parsed by Alembic's parser), so `--name` and `-x` reach
 * env.py exactly as they would from `alembic current`. Written for Python 3.7+, SQLAlchemy 1.3 to 2.x.
 */
export const ENV_PROBE_PROGRAM: PythonProgram = {
  name: 'env.py probe',
  code: `
import json
import sys

PREFIX = ${JSON.stringify(REPORT_PREFIX)}


def emit(record):
    sys.stdout.write(PREFIX + json.dumps(record) + "\\n")
    sys.stdout.flush()


def describe(exc):
    lines = str(exc).strip().splitlines()
    return "%s: %s" % (type(exc).__name__, lines[0] if lines else "")


def main(argv):
    from alembic.config import CommandLine, Config
    from alembic.runtime.environment import EnvironmentContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import event, text
    from sqlalchemy.pool import Pool

    def without_password(url):
        try:
            return url.render_as_string(hide_password=True)
        except AttributeError:  # SQLAlchemy 1.3: repr hides the password
            return repr(url)

    def on_connect(dbapi_connection, connection_record):
        record = {"kind": "connection"}
        try:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("select current_database()")
                row = cursor.fetchone()
                record["database"] = row[0] if row else None
            finally:
                cursor.close()
        except Exception as exc:
            record["error"] = describe(exc)
        finally:
            # Class-wide listeners run before the engine's own (the dialect's, env.py's): hand the
            # connection on outside a transaction, as the driver opened it.
            try:
                dbapi_connection.rollback()
            except Exception:
                pass
        emit(record)

    def on_context(heads, context):
        record = {
            "kind": "context",
            "heads": sorted(heads),
            "versionTable": getattr(context, "version_table", None),
            "versionTableSchema": getattr(context, "version_table_schema", None),
        }
        connection = context.connection
        if connection is None:
            record["error"] = "the migration context has no connection (offline mode)"
        else:
            try:
                record["url"] = without_password(connection.engine.url)
            except Exception:
                pass
            try:
                record["database"] = connection.scalar(text("select current_database()"))
            except Exception as exc:
                record["error"] = describe(exc)
        emit(record)
        return []

    event.listen(Pool, "connect", on_connect)
    options = CommandLine(prog="alembic").parser.parse_args(argv)
    config = Config(file_=options.config, ini_section=options.name, cmd_opts=options)
    script = ScriptDirectory.from_config(config)
    with EnvironmentContext(config, script, fn=on_context, dont_mutate=True):
        script.run_env()
    emit({"kind": "done"})


main(sys.argv[1:])
`,
};

/** One migration context env.py configured, as the probe reported it. */
export interface ProbedContext {
  kind: 'context';
  heads: string[];
  database?: string | null;
  url?: string;
  versionTable?: string | null;
  versionTableSchema?: string | null;
  error?: string;
}

/** One DBAPI connection SQLAlchemy opened while env.py ran. */
export interface ProbedConnection {
  kind: 'connection';
  database?: string | null;
  error?: string;
}

export interface ProbeReport {
  contexts: ProbedContext[];
  connections: ProbedConnection[];
  /** The program reached its end (env.py returned). */
  finished: boolean;
}

/** The probe's report lines in stdout; other lines (env.py's own prints) are ignored. */
export function parseProbeReport(stdout: string): ProbeReport {
  const report: ProbeReport = { contexts: [], connections: [], finished: false };
  for (const line of stdout.split('\n')) {
    if (!line.startsWith(REPORT_PREFIX)) continue;
    let record: unknown;
    try {
      record = JSON.parse(line.slice(REPORT_PREFIX.length));
    } catch {
      continue;
    }
    if (typeof record !== 'object' || record === null) continue;
    const kind = (record as { kind?: unknown }).kind;
    if (kind === 'done') report.finished = true;
    else if (kind === 'context') report.contexts.push(toContext(record as Record<string, unknown>));
    else if (kind === 'connection') report.connections.push(toConnection(record as Record<string, unknown>));
  }
  return report;
}

function optionalText(v: unknown): string | null | undefined {
  return typeof v === 'string' || v === null ? v : undefined;
}

function toContext(r: Record<string, unknown>): ProbedContext {
  const heads = Array.isArray(r.heads) ? r.heads.filter((h): h is string => typeof h === 'string') : [];
  const c: ProbedContext = { kind: 'context', heads };
  const database = optionalText(r.database);
  if (database !== undefined) c.database = database;
  if (typeof r.url === 'string') c.url = r.url;
  const table = optionalText(r.versionTable);
  if (table !== undefined) c.versionTable = table;
  const schema = optionalText(r.versionTableSchema);
  if (schema !== undefined) c.versionTableSchema = schema;
  if (typeof r.error === 'string') c.error = r.error;
  return c;
}

function toConnection(r: Record<string, unknown>): ProbedConnection {
  const c: ProbedConnection = { kind: 'connection' };
  const database = optionalText(r.database);
  if (database !== undefined) c.database = database;
  if (typeof r.error === 'string') c.error = r.error;
  return c;
}

/**
 * What is wrong with a report, one line per context or connection that is not the scratch database
 * holding exactly the sentinel; empty when env.py demonstrably uses the scratch database only.
 */
export function probeProblems(report: ProbeReport, scratchDatabase: string, sentinel: string): string[] {
  const problems: string[] = [];
  if (report.contexts.length === 0) {
    problems.push('env.py configured no migration context (it never called context.configure() and run_migrations() online)');
  }
  report.contexts.forEach((c, i) => {
    const name = `migration context ${i + 1}${c.url ? ` (${c.url})` : ''}`;
    const table = c.versionTable ? `${c.versionTableSchema ? `${c.versionTableSchema}.` : ''}${c.versionTable}` : 'its version table';
    if (c.error) problems.push(`${name}: ${c.error}`);
    else if (c.database !== scratchDatabase) problems.push(`${name} is connected to database ${c.database ?? '(unknown)'}, not the scratch database`);
    else if (c.heads.length !== 1 || c.heads[0] !== sentinel) {
      problems.push(`${name} is on the scratch database but reads ${table}, which holds ` +
        `${c.heads.length ? c.heads.join(', ') : 'nothing'} instead of the made-up revision`);
    }
  });
  // A connection to a database a context was already blamed for adds nothing to the message.
  const named = new Set(report.contexts.map((c) => c.database));
  report.connections.forEach((c, i) => {
    if (c.error) problems.push(`connection ${i + 1} could not be identified: ${c.error}`);
    else if (c.database !== scratchDatabase && !named.has(c.database)) {
      problems.push(`connection ${i + 1} is to database ${c.database ?? '(unknown)'}, not the scratch database`);
    }
  });
  return problems;
}

/** Resolves when env.py demonstrably uses the scratch database only; throws EnvProbeError otherwise. */
export async function probeEnvUsesDatabase(runner: AlembicExec, client: Client, opts: ProbeOptions): Promise<void> {
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
    run = await runner.run(current(), { signal: opts.signal, pythonProgram: ENV_PROBE_PROGRAM });
  } finally {
    await client.query(`DROP TABLE IF EXISTS ${table}`);
    if (createdSchema && schema) await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)}`);
  }
  const output = `${run.stdout}\n${run.stderr}`;
  if (run.cancelled) throw new EnvProbeError('cancelled while checking which database env.py connects to', output);
  const report = parseProbeReport(run.stdout);
  const outcome = interpretRun(run);
  const problems = report.finished && outcome.ok
    ? probeProblems(report, opts.scratchDatabase, sentinel)
    : [`env.py did not finish: ${outcome.ok ? 'it printed no report' : outcome.message}`];
  if (problems.length === 0) return;
  const envVar = opts.databaseUrlEnvVar ?? 'DATABASE_URL';
  const contexts = report.contexts.length === 1 ? '1 migration context' : `${report.contexts.length} migration contexts`;
  const connections = report.connections.length === 1 ? '1 connection' : `${report.connections.length} connections`;
  throw new EnvProbeError(
    `env.py did not connect to the scratch database only: it was given the scratch database ${opts.scratchDatabase} in ` +
    `${envVar}, stamped with the made-up revision ${sentinel}, and run read-only; it set up ${contexts} and opened ` +
    `${connections}:\n${problems.map((p) => `- ${p}`).join('\n')}\n` +
    'Verification stopped before running any migration, so no database was changed. Every engine env.py uses must take ' +
    `its URL from ${envVar} (not from alembic.ini, a .env file or a hard-coded string), or set alembic.databaseUrlEnvVar ` +
    'to the variable it reads; if env.py names another version_table, set alembic.versionTable to match. A multi-database ' +
    'env.py cannot be verified on one scratch database.',
    output);
}
