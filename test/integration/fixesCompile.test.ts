// Every quick fix applied to every bad rule fixture, and every fixture itself, compiled by the real
// Python (`compile(src, path, 'exec')` in /usr/bin/python3): the fixes never leave a file Python
// refuses, including the ones the project's own parser would accept.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { applyEdits, quickFixes } from '../../server/src/core/fixes';
import { fixturePath } from '../support/paths';
import { runPython } from '../support/python';
import { fileFindings, fixtureProject, ruleFixtures } from '../unit/ruleFixtures';

const COMPILE_ALL = `
import json, sys
errors = []
for item in json.load(sys.stdin):
    try:
        compile(item["src"], item["name"], "exec")
    except SyntaxError as e:
        errors.append("%s:%s: %s" % (item["name"], e.lineno, e.msg))
print(json.dumps(errors))
`;

function compileAll(items: { name: string; src: string }[]): string[] {
  const input = path.join(fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'fixes-compile-')), 'items.json');
  fs.writeFileSync(input, JSON.stringify(items));
  try {
    const r = runPython(`import sys; sys.stdin = open(${JSON.stringify(input)}); exec(${JSON.stringify(COMPILE_ALL)})`, []);
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as string[];
  } finally {
    fs.rmSync(path.dirname(input), { recursive: true, force: true });
  }
}

describe('fixes: the fixed files compile with Python', function () {
  this.timeout(60_000);

  it('every fixture, and every fix applied to every bad fixture', () => {
    const items: { name: string; src: string }[] = [];
    for (const f of ruleFixtures()) {
      items.push({ name: `${f.rule}/${f.name}`, src: f.text });
      if (!f.bad) continue;
      for (const finding of fileFindings(f.path, f.text)) {
        const project = fixtureProject(f.text);
        for (const fix of quickFixes({ rule: finding.rule, range: finding.range, text: f.text, path: f.path, ...(project ? { project } : {}) })) {
          items.push({ name: `${f.rule}/${f.name} + ${fix.title}`, src: applyEdits(f.text, fix.edits) });
        }
      }
    }
    const clean = fixturePath('rules-clean', 'migrations', 'versions');
    for (const name of fs.readdirSync(clean)) items.push({ name: `rules-clean/${name}`, src: fs.readFileSync(path.join(clean, name), 'utf8') });
    const fixed = items.filter((i) => i.name.includes(' + ')).length;
    assert.ok(fixed >= 35, `fixes applied: ${fixed}`);
    assert.deepEqual(compileAll(items), []);
    console.log(`    (${items.length} files compiled, ${fixed} of them fixed)`);
  });

  it('a file Python refuses is reported (the check can fail)', () => {
    assert.equal(compileAll([{ name: 'broken.py', src: 'def upgrade():\npass\n' }]).length, 1);
  });
});
