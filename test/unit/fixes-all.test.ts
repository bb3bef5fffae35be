// Every quick fix offered for every finding of every bad rule fixture: applying it leaves a file the
// parser reads without a syntax problem, removes that finding, and adds no other finding.
// (test/integration/fixesCompile.test.ts compiles the same results with Python itself.)
import assert from 'node:assert/strict';
import { applyEdits, quickFixes } from '../../server/src/core/fixes';
import { parseMigration } from '../../server/src/core/parse';
import { allRules } from '../../server/src/core/rules';
import type { Finding } from '../../server/src/core/types';
import { fileFindings, fixtureProject, ruleFixtures } from './ruleFixtures';

/** Rules with a fix: their every finding with data (what the fix reads) must come with a fix in the fixtures. */
const FIXED = new Set(allRules.filter((r) => r.fixAt).map((r) => r.id));

const count = (fs: Finding[], rule: string): number => fs.filter((f) => f.rule === rule).length;

describe('fixes: every fix on every bad fixture', () => {
  let applied = 0;
  after(() => console.log(`    (${applied} fixes applied and re-checked)`));

  for (const fx of ruleFixtures().filter((f) => f.bad)) {
    it(`${fx.rule}/${fx.name}`, () => {
      const before = fileFindings(fx.path, fx.text);
      for (const finding of before) {
        const project = fixtureProject(fx.text);
        const fixes = quickFixes({ rule: finding.rule, range: finding.range, text: fx.text, path: fx.path, ...(project ? { project } : {}) });
        if (FIXED.has(finding.rule) && finding.data) assert.ok(fixes.length > 0, `no fix for ${finding.rule} on line ${finding.range.start.line + 1}`);
        for (const fix of fixes) {
          const out = applyEdits(fx.text, fix.edits);
          const where = `${fix.title} (${finding.rule}, line ${finding.range.start.line + 1})`;
          assert.notEqual(out, fx.text, `${where} changes the file`);
          assert.deepEqual(parseMigration(out).syntaxProblems, [], `${where} leaves a parseable file`);
          const after = fileFindings(fx.path, out);
          // One fix may answer more than its own finding (dropping a column also drops the index on it),
          // never fewer, and its own finding is gone.
          assert.ok(count(after, finding.rule) <= count(before, finding.rule) - 1, `${where} removes that finding`);
          assert.ok(!after.some((f) => f.rule === finding.rule && f.range.start.line === finding.range.start.line && f.range.start.character === finding.range.start.character), `${where} removes that finding`);
          for (const rule of new Set(after.map((f) => f.rule))) {
            if (rule !== finding.rule) assert.ok(count(after, rule) <= count(before, rule), `${where} adds a ${rule} finding`);
          }
          applied++;
        }
      }
    });
  }
});
