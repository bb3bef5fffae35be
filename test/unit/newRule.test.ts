// scripts/new-rule.mjs, run on a scratch copy of what it reads and writes (the core, the docs pages, the
// rule fixtures): the files it writes; the rules it scaffolds type-check and load with the real core
// and registry; their fixtures are clean for every other rule; and its refusals leave every file as it was.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { buildRevisionGraph } from '../../server/src/core/graph';
import { parseMigration } from '../../server/src/core/parse';
import { allRules } from '../../server/src/core/rules';
import { repoRoot } from '../support/paths';

type Registry = typeof import('../../server/src/core/rules');

const script = path.join(repoRoot, 'scripts', 'new-rule.mjs');
const registryPath = path.join('server', 'src', 'core', 'rules', 'index.ts');

function newRule(root: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [script, ...args, '--root', root], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every file below `dir` with its text, for comparing a tree before and after. */
function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const p = path.join(entry.parentPath, entry.name);
    out.set(path.relative(dir, p), fs.readFileSync(p, 'utf8'));
  }
  return out;
}

describe('scripts/new-rule.mjs', function () {
  // One run of the TypeScript compiler over the scratch core.
  this.timeout(30_000);
  let root = '';
  const read = (...parts: string[]): string => fs.readFileSync(path.join(root, ...parts), 'utf8');

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'new-rule-'));
    for (const dir of [path.join('server', 'src', 'core'), 'common', path.join('docs', 'rules'), path.join('test', 'fixtures', 'rules')]) {
      fs.cpSync(path.join(repoRoot, dir), path.join(root, dir), { recursive: true });
    }
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('writes a file rule, its registry entry, its docs page and its bad and good fixtures', () => {
    const r = newRule(root, 'drop-default-value', '--severity', 'information');
    assert.equal(r.status, 0, r.stderr);
    const rule = read('server', 'src', 'core', 'rules', 'drop-default-value.ts');
    assert.match(rule, /export type DropDefaultValueData = /);
    assert.match(rule, /export const dropDefaultValue = defineFileRule<DropDefaultValueData>\(\{/);
    assert.match(rule, /id: 'drop-default-value',/);
    assert.match(rule, /defaultSeverity: 'information',/);
    assert.match(rule, /^ {2}fix\(finding, \{ src, migration \}\) \{$/m, 'a place for the fix');
    const registry = read(registryPath);
    assert.match(registry, /^import \{ dropDefaultValue \} from '\.\/drop-default-value';$/m);
    assert.match(registry, /^ {2}dropDefaultValue,\n\];$/m, 'listed last');
    const page = read('docs', 'rules', 'drop-default-value.md');
    assert.match(page, /^# drop-default-value\n/);
    for (const section of ['## Why it matters', '## Bad', '## Good', '## Quick fix', '## Configure or suppress', 'disable=drop-default-value']) {
      assert.ok(page.includes(section), `the page has ${section}`);
    }
    const fixtures = path.join('test', 'fixtures', 'rules', 'drop-default-value');
    assert.deepEqual(fs.readdirSync(path.join(root, fixtures)).sort(), ['bad_example.py', 'good_example.py']);
    assert.equal(read(fixtures, 'bad_example.py').match(/# expect: drop-default-value$/gm)?.length, 1);
    assert.ok(!read(fixtures, 'good_example.py').includes('# expect:'));
    assert.equal(r.stdout.split('\n').filter((l) => l.startsWith('wrote ')).length, 5);
  });

  it('writes a graph rule (--graph) after the other graph rules, without rule fixtures', () => {
    const r = newRule(root, 'label-on-merge', '--graph');
    assert.equal(r.status, 0, r.stderr);
    const rule = read('server', 'src', 'core', 'rules', 'label-on-merge.ts');
    assert.match(rule, /export const labelOnMerge = defineGraphRule<LabelOnMergeData>\(\{/);
    assert.match(rule, /defaultSeverity: 'warning',/, 'warning unless told');
    assert.match(read(registryPath), /^ {2}labelOnMerge,\n {2}\/\/ File rules/m);
    assert.match(read('docs', 'rules', 'label-on-merge.md'), /\*\*Kind:\*\* graph rule/);
    assert.equal(fs.existsSync(path.join(root, 'test', 'fixtures', 'rules', 'label-on-merge')), false);
  });

  it('refuses an id that is not kebab-case or already exists, and writes nothing', () => {
    const before = tree(root);
    const refusals: [string[], RegExp][] = [
      [['DropDefault'], /'DropDefault' is not a kebab-case rule id/],
      [['drop_default'], /'drop_default' is not a kebab-case rule id/],
      [['drop-default-2'], /'drop-default-2' is not a kebab-case rule id/],
      [['missing-downgrade'], /rule 'missing-downgrade' already exists: server\/src\/core\/rules\/missing-downgrade\.ts, docs\/rules\/missing-downgrade\.md, test\/fixtures\/rules\/missing-downgrade/],
      [['drop-default-value'], /rule 'drop-default-value' already exists/],
      [['multiple-heads', '--graph'], /rule 'multiple-heads' already exists/],
      [['new-one', '--severity', 'loud'], /--severity must be one of error, warning, information, hint/],
      [[], /usage: node scripts\/new-rule\.mjs <id>/],
    ];
    for (const [args, message] of refusals) {
      const r = newRule(root, ...args);
      assert.equal(r.status, 1, args.join(' '));
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '', `${args.join(' ')} writes nothing`);
    }
    assert.deepEqual(tree(root), before);
  });

  it('the scaffolded rules type-check and load with the registry, and their fixtures are clean for every other rule', () => {
    const tsconfig = JSON.parse(fs.readFileSync(path.join(repoRoot, 'tsconfig.json'), 'utf8')) as { compilerOptions: object };
    fs.writeFileSync(path.join(root, 'tsconfig.json'), JSON.stringify({ compilerOptions: tsconfig.compilerOptions, files: [registryPath] }));
    // The compiler resolves smol-toml and the Node types from the repository's packages.
    fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(root, 'node_modules'), 'dir');
    const tsc = spawnSync(path.join(repoRoot, 'node_modules', '.bin', 'tsc'), ['-p', root], { encoding: 'utf8' });
    assert.equal(tsc.status, 0, `${tsc.stdout}${tsc.stderr}`);

    const bundle = path.join(root, 'registry.cjs');
    buildSync({ entryPoints: [path.join(root, registryPath)], outfile: bundle, bundle: true, platform: 'node', format: 'cjs', logLevel: 'error' });
    // A fresh module for a fresh file: the scratch registry, not the repository's.
    const registry = require(bundle) as Registry;
    const added = registry.getRule('drop-default-value');
    assert.equal(added?.kind, 'file');
    assert.equal(added.defaultSeverity, 'information');
    assert.equal(typeof added.fixAt, 'function');
    assert.equal(registry.getRule('label-on-merge')?.kind, 'graph');
    assert.equal(registry.allRules.length, allRules.length + 2);

    const dir = path.join(root, 'test', 'fixtures', 'rules', 'drop-default-value');
    for (const name of fs.readdirSync(dir)) {
      const file = path.join(dir, name);
      const text = fs.readFileSync(file, 'utf8');
      const migration = parseMigration(text);
      assert.deepEqual(migration.syntaxProblems, [], `${name} parses`);
      const graph = buildRevisionGraph([{ path: file, migration }]);
      const findings = registry.runFileRules(registry.allRules, { path: file, text, migration }, graph, undefined);
      assert.deepEqual(findings.map((f) => f.rule), [], `${name}: no rule reports the scaffold's example`);
    }
  });
});
