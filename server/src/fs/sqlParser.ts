// Loads PostgreSQL's parser (npm libpg-query: libpg_query, the parser of PostgreSQL 18's own source,
// compiled to WebAssembly) and installs its synchronous parse into core (core/facts/sqlParser.ts).
// Asynchronous, once per process, and only when asked: the server and the CLI ask when a project's
// migrations run SQL, so a project without SQL never reads the 1.7 MB module. The bundles find the
// module beside themselves (esbuild.mjs copies it to dist/libpg-query.wasm); the transpiled tests
// load it from node_modules. Where WebAssembly cannot run (`node --jitless`), or the module cannot be
// read, nothing is installed and core keeps its regular expressions.
import { type PgParse, setSqlParser, sqlParser } from '../core/facts/sqlParser';

export interface SqlParserLoad {
  /** The parser is installed. */
  loaded: boolean;
  /** Why not, for the log. */
  reason?: string;
  /** WebAssembly cannot run here (`node --jitless`): expected, nothing to warn about. */
  noWebAssembly?: boolean;
  /** How long loading took (compiling and instantiating the module), in milliseconds. */
  ms: number;
}

let loading: Promise<SqlParserLoad> | undefined;

let loaded: PgParse | undefined;

/**
 * Loads the parser (once per process) and installs it (again, if a test removed it). Never rejects.
 */
export async function loadSqlParser(): Promise<SqlParserLoad> {
  loading ??= load();
  const result = await loading;
  if (loaded && sqlParser() === undefined) setSqlParser(loaded);
  return result;
}

/** Whether the parser is installed now (loaded, and not removed by a test). */
export function sqlParserLoaded(): boolean {
  return sqlParser() !== undefined;
}

async function load(): Promise<SqlParserLoad> {
  const started = performance.now();
  const ms = (): number => Math.round(performance.now() - started);
  if ((globalThis as { WebAssembly?: unknown }).WebAssembly === undefined) return { loaded: false, noWebAssembly: true, reason: 'WebAssembly is not available (node --jitless)', ms: 0 };
  try {
    // Required here, not imported at the top: requiring the package starts compiling its module, which
    // only projects that run SQL should pay for.
    const pg = require('libpg-query') as typeof import('libpg-query');
    await pg.loadModule();
    loaded = (sql) => pg.parseSync(sql);
    setSqlParser(loaded);
    return { loaded: true, ms: ms() };
  } catch (err) {
    return { loaded: false, reason: `PostgreSQL's parser did not load: ${err instanceof Error ? err.message : String(err)}`, ms: ms() };
  }
}
