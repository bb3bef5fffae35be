// The two readers of SQL strings: PostgreSQL's parser (WebAssembly, what runs in Node) and the regular
// expressions (what runs where WebAssembly cannot, `node --jitless`). Suites that read SQL run under
// each; the hooks install the reader for the suite and put back what was there before.
import assert from 'node:assert/strict';
import { setSqlParser, sqlParser } from '../../server/src/core/facts/sqlParser';
import { loadSqlParser } from '../../server/src/fs/sqlParser';

export const SQL_READERS = [
  { name: "PostgreSQL's parser", parser: true },
  { name: 'the regular expressions (no WebAssembly)', parser: false },
] as const;

/** Mocha hooks of the current `describe`: its tests read SQL with this reader. */
export function useSqlReader(parser: boolean): void {
  let previous: ReturnType<typeof sqlParser>;
  before(async () => {
    previous = sqlParser();
    if (parser) {
      const load = await loadSqlParser();
      assert.ok(load.loaded, `PostgreSQL's parser loads: ${load.reason ?? ''}`);
    } else {
      setSqlParser(undefined);
    }
  });
  after(() => {
    setSqlParser(previous);
  });
}
