// `alembic.lockTimeout` and `alembic.statementTimeout` for the runs the editor starts: a migration that
// waits on a lock blocks every query queued behind it, so the session the migration runs in gets
// `lock_timeout` (and `statement_timeout`). libpq drivers (psycopg2, psycopg 3) read them from PGOPTIONS
// (`-c lock_timeout=5s`); asyncpg and pg8000 ignore PGOPTIONS, and for them env.py must pass the
// settings itself, which the notes say with the lines to add. No vscode import.

export interface SessionTimeouts {
  /** PostgreSQL's form: `5s`, `500ms`, `1min`; empty or absent: off (the server's own setting). */
  lockTimeout?: string;
  statementTimeout?: string;
}

/** Drivers that connect through libpq and so read PGOPTIONS. */
const LIBPQ_DRIVERS = new Set(['psycopg2', 'psycopg2cffi', 'psycopg', 'psycopg_async', 'pygresql']);

/** A PostgreSQL time value: a number with an optional unit (`us`, `ms`, `s`, `min`, `h`, `d`); no unit is milliseconds. */
export function validTimeout(value: string): boolean {
  return /^\d+(\.\d+)?(us|ms|s|min|h|d)?$/.test(value.trim());
}

export interface SessionOptions {
  /** Variables to add to the child's environment (PGOPTIONS), when they can take effect. */
  env: Record<string, string>;
  /** What the log should say: values refused, drivers that ignore PGOPTIONS and what env.py needs. */
  notes: string[];
  /** The settings that reach the session, `lock_timeout=5s` … (empty when none). */
  applied: string[];
}

/** The two lines an asyncpg env.py adds so that its session gets the timeouts. */
export function asyncpgServerSettingsLines(settings: readonly [string, string][]): string[] {
  const dict = settings.map(([k, v]) => `"${k}": "${v}"`).join(', ');
  return [
    `connect_args = {"server_settings": {${dict}}}`,
    'connectable = async_engine_from_config(config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool, connect_args=connect_args)',
  ];
}

/**
 * PGOPTIONS for the migration's session: the inherited value with `-c lock_timeout=…` and
 * `-c statement_timeout=…` after it (later `-c` wins in PostgreSQL, so ours apply). `urlOptions` is the
 * URL's own `options=` parameter, which libpq takes instead of PGOPTIONS.
 */
export function sessionOptions(t: SessionTimeouts, o: { driver: string; inheritedPgOptions?: string; urlOptions?: string }): SessionOptions {
  const notes: string[] = [];
  const settings: [string, string][] = [];
  for (const [name, value, setting] of [['lock_timeout', t.lockTimeout, 'alembic.lockTimeout'], ['statement_timeout', t.statementTimeout, 'alembic.statementTimeout']] as const) {
    const v = (value ?? '').trim();
    if (!v) continue;
    if (!validTimeout(v)) {
      notes.push(`${setting}: "${v}" is not a PostgreSQL time (such as 5s, 500ms or 1min); not applied.`);
      continue;
    }
    settings.push([name, v]);
  }
  if (settings.length === 0) return { env: {}, notes, applied: [] };
  const applied = settings.map(([k, v]) => `${k}=${v}`);
  if (!LIBPQ_DRIVERS.has(o.driver)) {
    notes.push(`${applied.join(', ')} cannot be applied for you: ${o.driver} does not read PGOPTIONS. ` +
      (o.driver === 'asyncpg'
        ? `Have env.py pass them as asyncpg's server_settings, e.g. these two lines in run_async_migrations():\n    ${asyncpgServerSettingsLines(settings).join('\n    ')}`
        : `Have env.py set them on its connection (connection.exec_driver_sql("SET lock_timeout = '${t.lockTimeout ?? '5s'}'")) before running the migrations.`));
    return { env: {}, notes, applied: [] };
  }
  if (o.urlOptions) {
    notes.push(`The database URL has options=${o.urlOptions}, which libpq uses instead of PGOPTIONS: ${applied.join(', ')} will not reach the session. ` +
      `Add ${settings.map(([k, v]) => `-c ${k}=${v}`).join(' ')} to the URL's options instead.`);
    return { env: {}, notes, applied: [] };
  }
  const ours = settings.map(([k, v]) => `-c ${k}=${v}`).join(' ');
  const inherited = (o.inheritedPgOptions ?? '').trim();
  return { env: { PGOPTIONS: inherited ? `${inherited} ${ours}` : ours }, notes, applied };
}
