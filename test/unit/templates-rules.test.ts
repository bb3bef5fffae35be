// Every template, rendered with its example answers, parses cleanly and passes every rule the
// extension has (whatever server/src/core/rules registers when this runs), next to the base
// fixture's first revision: a template must never start a user off with a warning.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { buildRevisionGraph } from '../../server/src/core/graph';
import { parseMigration } from '../../server/src/core/parse';
import { allRules, isSuppressed, parseSuppressions, runRules } from '../../server/src/core/rules';
import { createRevisionFromTemplate, loadTemplateLibrary, type MigrationTemplate } from '../../server/src/core/templates';
import type { Finding } from '../../server/src/core/types';
import { fixturePath, repoRoot } from '../support/paths';

const libraryDir = path.join(repoRoot, 'migrations-templates');
const library = loadTemplateLibrary(fs.readFileSync(path.join(libraryDir, 'manifest.json'), 'utf8'),
  (f) => fs.readFileSync(path.join(libraryDir, f), 'utf8'));
const versions = fixturePath('templates-base', 'migrations', 'versions');
const baseFile = path.join(versions, '0001_create_users.py');
const baseText = fs.readFileSync(baseFile, 'utf8');
const examples = (t: MigrationTemplate): Record<string, string> => Object.fromEntries(t.placeholders.map((p) => [p.name, p.example]));
const now = new Date(2024, 4, 6, 7, 8, 9);

/** Renders a template into the base project (a merge gets two branches to merge) and runs every rule. */
function findingsFor(t: MigrationTemplate): { findings: Finding[]; path: string; text: string } {
  const files = new Map<string, string>([[baseFile, baseText]]);
  let heads = ['0001_base'];
  if (t.merge) {
    const branch = library.find((x) => x.id === 'create-table');
    assert.ok(branch);
    heads = ['a'.repeat(12), 'b'.repeat(12)].map((id, i) => {
      const r = createRevisionFromTemplate({ template: branch, answers: { table: `branch_${i}`, column: 'name' }, project: { versionLocation: versions }, heads: ['0001_base'], now, revisionId: id });
      files.set(r.path, r.text);
      return r.revision;
    });
  }
  const r = createRevisionFromTemplate({ template: t, answers: examples(t), project: { versionLocation: versions }, heads, now, revisionId: 'c0ffee123456' });
  files.set(r.path, r.text);
  const graph = buildRevisionGraph([...files].map(([p, text]) => ({ path: p, migration: parseMigration(text) })));
  return { findings: runRules({ graph, texts: files }), path: r.path, text: r.text };
}

describe('templates: every template passes every rule', () => {
  before(function () {
    const fileRules = allRules.filter((r) => r.kind === 'file');
    if (fileRules.length === 0) {
      console.log('    (no file rules are registered yet: only graph rules can judge the templates)');
    }
    console.log(`    rules run: ${allRules.map((r) => r.id).join(', ')}`);
  });

  it('the base fixture alone is clean', () => {
    const graph = buildRevisionGraph([{ path: baseFile, migration: parseMigration(baseText) }]);
    assert.deepEqual(runRules({ graph, texts: new Map([[baseFile, baseText]]) }), []);
  });

  for (const t of library) {
    it(`${t.id}: parses with no syntax problem and gets no finding`, () => {
      const { findings, text } = findingsFor(t);
      const m = parseMigration(text);
      assert.deepEqual(m.syntaxProblems, []);
      assert.equal(m.revision?.value.kind, 'string');
      assert.deepEqual(m.functions.map((f) => f.name).sort(), ['downgrade', 'upgrade']);
      // The empty revision's downgrade raises on purpose: a declared one-way migration is reported
      // at information level by `irreversible-migration`, and that is the only finding allowed.
      const allowed = t.id === 'empty' ? findings.filter((f) => f.rule === 'irreversible-migration' && f.severity === 'information') : [];
      assert.deepEqual(findings.filter((f) => !allowed.includes(f)).map((f) => `${f.severity} ${f.rule} line ${f.range.start.line + 1}: ${f.message}`), []);
    });
  }

  it('the merge revision really is one: down_revision names both branch heads', () => {
    const t = library.find((x) => x.id === 'merge');
    assert.ok(t);
    const m = parseMigration(findingsFor(t).text);
    const down = m.downRevision?.value;
    assert.ok(down?.kind === 'sequence');
    assert.deepEqual(down.items.map((i) => i.value), ['a'.repeat(12), 'b'.repeat(12)]);
  });

  it("enum-add-value's deliberately empty downgrade carries a suppression the rule engine reads", () => {
    const t = library.find((x) => x.id === 'enum-add-value');
    assert.ok(t);
    const m = parseMigration(findingsFor(t).text);
    const downgrade = m.functions.find((f) => f.name === 'downgrade');
    assert.ok(downgrade?.isEmpty, 'the downgrade is empty on purpose');
    const suppressions = parseSuppressions(m.comments);
    assert.equal(isSuppressed(suppressions, 'missing-downgrade', downgrade.defLineRange.start.line), true);
    assert.equal(isSuppressed(suppressions, 'enum-without-checkfirst', downgrade.defLineRange.start.line), false);
  });
});
