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
 * The first word of a statement either reader turns into operations (sql.ts): schema changes, a
 * DELETE, session settings and transaction control. Statements that start otherwise (UPDATE, INSERT,
 * SELECT, ...) give nothing with either, so they never need the parser.
 */
export const OPERATION_KEYWORD = /^\s*(?:CREATE|DROP|ALTER|TRUNCATE|DELETE|REINDEX|SET|RESET|BEGIN|START|COMMIT|END|ROLLBACK|ABORT|SAVEPOINT|RELEASE)\b/i;

/**
 * Whether a migration's text may run SQL the parser would read: `execute(` or `exec_driver_sql(`
 * (directly or through `text(`) of a string literal starting with one of OPERATION_KEYWORD's words.
 * Cheap (one scan of the text): it decides whether loading the parser is worth it. A string it misses
 * (one starting with a comment, say) is read by the regular expressions when nothing else loaded the
 * parser, which the tests hold to the parser's reading.
 */
export function mayRunSql(text: string): boolean {
  return SQL_CALL.test(text);
}

const SQL_CALL = /\bexec(?:ute|_driver_sql)\s*\(\s*(?:[\w.]*\btext\s*\(\s*)?(?:sqltext\s*=\s*|statement\s*=\s*)?[rRuU]?(?:"""|'''|"|')\s*(?:CREATE|DROP|ALTER|TRUNCATE|DELETE|REINDEX|SET|RESET|BEGIN|START|COMMIT|END|ROLLBACK|ABORT|SAVEPOINT|RELEASE)\b/i;
