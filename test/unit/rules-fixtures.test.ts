// Every file rule on every rule fixture: the findings are exactly the `# expect: <rule-id>` markers of
// the file (rule id and 1-based line), no more and no fewer. Good files carry no marker for their
// rule; bad files at least one.
import assert from 'node:assert/strict';
import { parseMigration } from '../../server/src/core/parse';
import { mayRunSql } from '../../server/src/core/facts/sqlParser';
import { allRules } from '../../server/src/core/rules';
import { SQL_READERS, useSqlReader } from '../support/sqlReaders';
import { fileFindings, lineAndRule, ruleFixtures } from './ruleFixtures';

const fixtures = ruleFixtures();
const fileRules = allRules.filter((r) => r.kind === 'file').map((r) => r.id);

describe('rules: fixture files produce exactly their expected findings', () => {
  it('every file rule has a fixture folder with bad and good files, and every folder is a registered rule', () => {
    const ids = new Set(allRules.map((r) => r.id));
    for (const id of new Set(fixtures.map((f) => f.rule))) assert.ok(ids.has(id), `${id} is registered`);
    for (const id of fileRules) {
      const mine = fixtures.filter((f) => f.rule === id);
      assert.ok(mine.some((f) => f.bad), `${id} has a bad_*.py fixture`);
      assert.ok(mine.some((f) => !f.bad), `${id} has a good_*.py fixture`);
    }
  });

  // Every fixture with PostgreSQL's parser (what runs in Node); those that run SQL again with the
  // regular expressions (what runs without WebAssembly): both readers must give the same findings.
  for (const reader of SQL_READERS) {
    describe(`SQL read with ${reader.name}`, () => {
      useSqlReader(reader.parser);
      for (const f of fixtures) {
        if (!reader.parser && !mayRunSql(f.text)) continue;
        it(`${f.rule}/${f.name}`, () => {
          assert.deepEqual(parseMigration(f.text).syntaxProblems, [], 'the fixture is valid Python for the parser');
          const got = fileFindings(f.path, f.text).map(lineAndRule).sort();
          assert.deepEqual(got, f.expected);
          const own = f.expected.filter((e) => e.endsWith(` ${f.rule}`));
          if (f.bad) assert.ok(own.length > 0, `a bad fixture expects at least one ${f.rule}`);
          else assert.equal(own.length, 0, `a good fixture expects no ${f.rule}`);
        });
      }
    });
  }
});
