// The applied state of a database this extension has no reader for (SQL Server, Oracle, SQLCipher, any
// dialect with a driver in the user's environment): ask Alembic. `alembic current` runs through the
// project's interpreter, env.py and driver, exactly as the user's own command would, via the runner (no
// shell, output masked, one run per project). Its printed form ("ae1027a6acf (head)") cannot be told from
// what env.py itself prints, so a small wrapper around Alembic's own command line also reports, on a
// marked line, the heads Alembic read (MigrationContext.get_current_heads) and whether the version table
// exists. It is still Alembic's `current`: same arguments, same env.py, same answer.
import { current } from '../alembic/commandArguments';
import { AlembicRunner, type PythonProgram } from '../alembic/runner';
import { problem, type DbProblem } from './problems';

export interface AlembicFallback {
  /** The project's interpreter (runtime/alembic/interpreter.ts). */
  python: string;
  /** alembic.ini (or pyproject.toml); Alembic runs in its folder unless `workingFolder` is given. */
  iniPath: string;
  workingFolder?: string;
  iniSection?: string;
  /** The variable env.py reads the URL from (alembic.databaseUrlEnvVar). */
  databaseUrlEnvVar?: string;
  env?: NodeJS.ProcessEnv;
}

export type AlembicCurrentRead =
  | { ok: true; revisions: string[]; tableExists: boolean; tables: string[]; dialect?: string; durationMs: number; notes: string[] }
  | { ok: false; problem: DbProblem; durationMs: number };

const MARK = '@@alembic-migrations-current@@ ';

/** Alembic's command line, with get_current_heads reporting what it read. Python 3.7+, Alembic 1.x. */
export const CURRENT_PROGRAM: PythonProgram = {
  name: 'alembic current',
  code: `
import json, sys
from alembic.config import main
from alembic.runtime import migration

_heads = migration.MigrationContext.get_current_heads

def get_current_heads(self):
    heads = _heads(self)
    try:
        exists = bool(self._has_version_table())
    except Exception:
        exists = None
    try:
        dialect = self.dialect.name
    except Exception:
        dialect = None
    sys.stdout.write(${JSON.stringify(MARK)} + json.dumps({"heads": list(heads), "exists": exists,
        "table": getattr(self, "version_table", None), "dialect": dialect}) + "\\n")
    sys.stdout.flush()
    return heads

migration.MigrationContext.get_current_heads = get_current_heads
main(argv=sys.argv[1:], prog="alembic")
`,
};

/** Runs `alembic current` for the URL and says what it read; never throws. */
export async function readViaAlembic(url: string, fb: AlembicFallback, o: { timeoutMs: number; label: string }): Promise<AlembicCurrentRead> {
  const started = performance.now();
  const elapsed = (): number => Math.round((performance.now() - started) * 10) / 10;
  const runner = new AlembicRunner({
    python: fb.python, iniPath: fb.iniPath, databaseUrl: url,
    ...(fb.iniSection ? { iniSection: fb.iniSection } : {}),
    ...(fb.workingFolder !== undefined ? { workingFolder: fb.workingFolder } : {}),
    ...(fb.databaseUrlEnvVar ? { databaseUrlEnvVar: fb.databaseUrlEnvVar } : {}),
    ...(fb.env ? { env: fb.env } : {}),
    // Its own key: a read must not refuse to run beside the user's upgrade of the same project.
    projectKey: `${fb.iniPath}#current`,
  });
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), o.timeoutMs);
  try {
    const run = await runner.run(current(), { signal: abort.signal, pythonProgram: CURRENT_PROGRAM, ifBusy: 'wait' });
    if (!run.started) {
      return { ok: false, durationMs: elapsed(), problem: problem('other', `Could not run ${fb.python} for "alembic current": ${run.startError ?? 'it did not start'}. Check alembic.pythonPath.`) };
    }
    if (run.cancelled) {
      return { ok: false, durationMs: elapsed(), problem: problem('timeout', `"alembic current" did not answer within ${Math.round(o.timeoutMs / 1000)} s for the ${o.label} database. Check that the server is reachable from env.py.`) };
    }
    const reports = run.stdout.split('\n').filter((l) => l.startsWith(MARK)).map((l) => JSON.parse(l.slice(MARK.length)) as {
      heads?: unknown; exists?: unknown; table?: unknown; dialect?: unknown;
    });
    if (run.exitCode !== 0 || reports.length === 0) {
      const last = lastError(run.stderr) ?? `exit code ${String(run.exitCode)}`;
      return { ok: false, durationMs: elapsed(), problem: problem(classify(last), `"alembic current" failed for the ${o.label} database: ${last}`) };
    }
    const revisions = reports.flatMap((r) => (Array.isArray(r.heads) ? r.heads.filter((h): h is string => typeof h === 'string') : []));
    const notes = reports.length > 1 ? [`env.py configured ${reports.length} migration contexts (several databases); their heads are shown together.`] : [];
    const first = reports[0];
    return {
      ok: true, revisions: [...new Set(revisions)].sort(), tableExists: reports.some((r) => r.exists !== false),
      tables: reports.map((r) => (typeof r.table === 'string' ? r.table : 'alembic_version')),
      ...(typeof first?.dialect === 'string' ? { dialect: first.dialect } : {}), durationMs: elapsed(), notes,
    };
  } catch (err) {
    return { ok: false, durationMs: elapsed(), problem: problem('other', `"alembic current" could not run: ${err instanceof Error ? err.message : String(err)}`) };
  } finally {
    clearTimeout(timer);
  }
}

/** The exception line Python printed last (`sqlalchemy.exc.OperationalError: ...`), already masked by the runner. */
function lastError(stderr: string): string | undefined {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i] ?? '';
    if (/^(\w+\.)*\w*(Error|Exception)\b|^FAILED:|^ERROR/.test(l)) return l.length > 400 ? `${l.slice(0, 400)}…` : l;
  }
  return lines[lines.length - 1];
}

function classify(message: string): DbProblem['kind'] {
  if (/No module named|NoSuchModuleError|Can't load plugin/i.test(message)) return 'unsupportedDialect';
  if (/password|Access denied|Login failed|authentication/i.test(message)) return 'authFailed';
  if (/refused|unreachable|timed? ?out|Unable to connect|could not connect/i.test(message)) return 'unreachable';
  return 'queryFailed';
}
