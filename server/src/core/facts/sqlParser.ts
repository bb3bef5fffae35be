// Where core finds PostgreSQL's own parser (libpg-query, compiled to WebAssembly). Core stays pure and
// synchronous: it never loads the module itself. A host (the server, the CLI) loads it asynchronously
// when a project runs SQL (server/src/fs/sqlParser.ts) and hands core its synchronous parse; until
// then, and where WebAssembly cannot run (`node --jitless`), sql.ts reads SQL with its regular
// expressions.

/**
 * One statement of PostgreSQL's parse tree as libpg-query gives it (`{ stmt: { AlterTableStmt: {...} },
 * stmt_location, stmt_len }`): locations are UTF-8 byte offsets into the parsed text; a missing
 * location is 0 and a missing length means "to the end".
 */
export interface RawStmt {
  stmt?: Record<string, unknown>;
  stmt_location?: number;
  stmt_len?: number;
}

/** Parses SQL text with PostgreSQL's grammar; throws on a syntax error. */
export type PgParse = (sql: string) => { stmts?: RawStmt[] };

let current: PgParse | undefined;
let generation = 0;

/**
 * Installs (or, with undefined, removes) the parser sql.ts uses. Returns the previous one, so a test
 * can switch to the regular expressions and back. Results computed before stay as they were: hosts
 * install the parser before running rules (and re-run rules on files with SQL when it comes later).
 */
export function setSqlParser(parse: PgParse | undefined): PgParse | undefined {
  const previous = current;
  current = parse;
  generation++;
  return previous;
}

export function sqlParser(): PgParse | undefined {
  return current;
}

/** Changes whenever the parser is installed or removed (memos of parse results key on it). */
export function sqlParserGeneration(): number {
  return generation;
}

/**
 * Whether a migration's text may run SQL that the parser would read: a call of `execute(` or
 * `exec_driver_sql(`. Cheap (one scan of the text) and generous: it only decides whether loading the
 * parser is worth it.
 */
export function mayRunSql(text: string): boolean {
  return SQL_CALL.test(text);
}

const SQL_CALL = /\bexec(?:ute|_driver_sql)\s*\(/;
