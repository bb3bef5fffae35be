// The graph diagnostics as rules: what each reports, where, on which files, and how severities and
// suppression comments change that.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../support/paths';
import { severitiesFromCli, severitiesFromPyproject, severitiesFromSetting } from '../../server/src/core/config/severities';
import { buildRevisionGraph } from '../../server/src/core/graph';
import { parseMigration } from '../../server/src/core/parse';
import { allRules, getRule, ruleIds, runRules } from '../../server/src/core/rules';
import type { Finding } from '../../server/src/core/types';
import { migrationText } from './graphSupport';

function check(files: Record<string, string>, severities?: Record<string, 'error' | 'warning' | 'information' | 'hint' | 'off'>): Finding[] {
  const texts = new Map(Object.entries(files).map(([n, t]) => [`/v/${n}`, t]));
  const graph = buildRevisionGraph([...texts].map(([path, text]) => ({ path, migration: parseMigration(text) })));
  return runRules({ graph, texts, ...(severities ? { severities } : {}) });
}
const brief = (fs: Finding[]): string[] => fs.map((f) => `${f.path.slice(3)}:${f.range.start.line}:${f.rule}:${f.severity}`).sort();
const REV_LINE = 9; // line of `revision = ...` in migrationText
const DOWN_LINE = 10;

describe('rules: graph diagnostics', () => {
  it('a clean linear history has no findings', () => {
    assert.deepEqual(check({ '1.py': migrationText('a1b2', null), '2.py': migrationText('c3d4', 'a1b2') }), []);
  });

  it('unknown-revision: on the element, with a suggestion for a prefix', () => {
    const fs = check({ '1.py': migrationText('abcdef12', null), '2.py': migrationText('b', ['abcdef12', 'abcd']) });
    assert.deepEqual(brief(fs), [`2.py:${DOWN_LINE}:unknown-revision:error`]);
    assert.match(fs[0]?.message ?? '', /^Revision abcd referenced from b is not present; did you mean 'abcdef12'\?/);
    assert.equal(fs[0]?.range.start.character, 29, 'the second tuple element');
    assert.deepEqual(fs[0]?.data?.suggestions, ['abcdef12']);
  });

  it('duplicate-revision: on every file claiming the id, each pointing at the others', () => {
    const fs = check({ '1.py': migrationText('dup', null), '2.py': migrationText('dup', null), '3.py': migrationText('x', 'dup') });
    assert.deepEqual(brief(fs), [`1.py:${REV_LINE}:duplicate-revision:error`, `2.py:${REV_LINE}:duplicate-revision:error`]);
    assert.equal(fs[0]?.related?.[0]?.path, '/v/2.py');
  });

  it('multiple-heads: a warning on each head naming the others and suggesting a merge', () => {
    const fs = check({ '1.py': migrationText('a', null), '2.py': migrationText('b', 'a'), '3.py': migrationText('c', 'a') });
    assert.deepEqual(brief(fs), [`2.py:${REV_LINE}:multiple-heads:warning`, `3.py:${REV_LINE}:multiple-heads:warning`]);
    assert.match(fs[0]?.message ?? '', /Multiple heads: b and c\. .*alembic merge heads/);
    assert.deepEqual(fs[0]?.data?.otherHeads, ['c']);
  });

  it('multiple-heads: separately labelled branches are only information', () => {
    const fs = check({ '1.py': migrationText('a', null, { labels: 'app' }), '2.py': migrationText('b', null, { labels: 'audit' }) });
    assert.deepEqual(brief(fs), [`1.py:${REV_LINE}:multiple-heads:information`, `2.py:${REV_LINE}:multiple-heads:information`]);
  });

  it('multiple-heads: unlabelled lines that a depends_on ties across are information (expand/contract)', () => {
    // Glance: each release's contract revision depends on its expand revision; neither line is labelled.
    const files = {
      '0.py': migrationText('base', null),
      '1.py': migrationText('e1', 'base'), '2.py': migrationText('e2', 'e1'),
      '3.py': migrationText('c1', 'base'), '4.py': migrationText('c2', 'c1', { deps: 'e2' }),
    };
    const fs = check(files);
    assert.deepEqual(brief(fs), [`2.py:${REV_LINE}:multiple-heads:information`, `4.py:${REV_LINE}:multiple-heads:information`]);
    assert.match(fs.find((f) => f.path === '/v/2.py')?.message ?? '', /kept apart on purpose: c2 depends on e2 across them/);
    // A depends_on below the fork ties nothing: still two heads to merge.
    const below = check({ ...files, '4.py': migrationText('c2', 'c1', { deps: 'base' }) });
    assert.deepEqual(brief(below).map((b) => b.split(':').pop()), ['warning', 'warning']);
  });

  it('revision-cycle: on each member\'s down_revision, self-loops included', () => {
    const fs = check({ '0.py': migrationText('base', null), '1.py': migrationText('a', 'b'), '2.py': migrationText('b', 'a'), '3.py': migrationText('s', 's') });
    assert.deepEqual(brief(fs).filter((f) => f.includes('cycle')), [`1.py:${DOWN_LINE}:revision-cycle:error`, `2.py:${DOWN_LINE}:revision-cycle:error`, `3.py:${DOWN_LINE}:revision-cycle:error`]);
    assert.ok(fs.some((f) => f.message.startsWith('Cycle is detected in revisions (a, b)')));
    assert.ok(fs.some((f) => f.message.startsWith('Self-loop is detected in revisions (s)')));
  });

  it('invalid-revision-id: Alembic\'s refused characters, colons, missing variables', () => {
    const fs = check({
      '1.py': migrationText('a-b+c', null),
      '2.py': migrationText('x:y', null),
      'helper.py': 'def util():\n    return 1\n',
      '4.py': migrationText('nodown', null).replace('down_revision = None\n', ''),
    });
    const ids = fs.filter((f) => f.rule === 'invalid-revision-id');
    assert.deepEqual(brief(ids), [`1.py:${REV_LINE}:invalid-revision-id:error`, `2.py:${REV_LINE}:invalid-revision-id:warning`, `4.py:${REV_LINE}:invalid-revision-id:error`, 'helper.py:0:invalid-revision-id:error']);
    assert.match(ids.find((f) => f.path.endsWith('1.py'))?.message ?? '', /^Character\(s\) '\+, -' not allowed in revision identifier 'a-b\+c'/);
    assert.match(ids.find((f) => f.path.endsWith('helper.py'))?.message ?? '', /^Could not determine revision id from filename helper\.py/);
  });

  it('duplicate-branch-label: on both revisions', () => {
    const fs = check({ '1.py': migrationText('a', null, { labels: 'shared' }), '2.py': migrationText('b', 'a', { labels: ['shared'] }) });
    const labels = fs.filter((f) => f.rule === 'duplicate-branch-label');
    assert.deepEqual(brief(labels), [`1.py:11:duplicate-branch-label:error`, `2.py:11:duplicate-branch-label:error`]);
    assert.ok(labels.some((f) => f.message.startsWith("Branch name 'shared' in revision b already used by revision a")));
  });

  it('docstring-mismatch: a hint on the stale header field; order of Revises does not matter', () => {
    const stale = migrationText('b', 'a').replace('Revision ID: b', 'Revision ID: old').replace('Revises: a', 'Revises: zz');
    const fs = check({ '1.py': migrationText('a', null), '2.py': stale, '3.py': migrationText('m', ['a', 'b']).replace('Revises: a, b', 'Revises: b, a') });
    assert.deepEqual(brief(fs), ['2.py:2:docstring-mismatch:hint', '2.py:3:docstring-mismatch:hint']);
  });

  it('docstring-mismatch: a first revision whose header says None, (none) or <base> agrees with down_revision = None', () => {
    for (const says of ['None', '(none)', '<base>', 'none']) {
      const first = migrationText('a', null).replace('Revises: \n', `Revises: ${says}\n`);
      assert.ok(first.includes(`Revises: ${says}\n`), says);
      assert.deepEqual(brief(check({ '1.py': first })), [], says);
    }
    // Said of a revision that does revise one: the header is stale.
    const second = migrationText('b', 'a').replace('Revises: a\n', 'Revises: None\n');
    assert.deepEqual(brief(check({ '1.py': migrationText('a', null), '2.py': second })), ['2.py:3:docstring-mismatch:hint']);
  });

  it('unresolved-value: information on each variable the parser could not read', () => {
    const fs = check({ '1.py': migrationText('a', null).replace('down_revision = None', 'down_revision = PARENT').replace('depends_on = None', 'depends_on = get_deps()') });
    assert.deepEqual(brief(fs), [`1.py:${DOWN_LINE}:unresolved-value:information`, `1.py:12:unresolved-value:information`]);
  });

  it('applies configured severities, including off', () => {
    const files = { '1.py': migrationText('a', null), '2.py': migrationText('b', 'a'), '3.py': migrationText('c', 'a') };
    assert.deepEqual(brief(check(files, { 'multiple-heads': 'error' })).map((s) => s.split(':').pop()), ['error', 'error']);
    assert.deepEqual(check(files, { 'multiple-heads': 'off' }), []);
  });

  it('honours disable, disable-next-line and disable-file comments (and only for the named rules)', () => {
    const base = migrationText('a', null);
    const sameLine = migrationText('b', 'a').replace('revision = "b"', 'revision = "b"  # alembic-lint: disable=multiple-heads');
    const nextLine = migrationText('c', 'a').replace('revision = "c"', '# alembic-lint: disable-next-line=docstring-mismatch, multiple-heads\nrevision = "c"');
    const wholeFile = migrationText('d', 'a').replace('from alembic import op', 'from alembic import op  # alembic-lint: disable-file=multiple-heads');
    const other = migrationText('e', 'a').replace('revision = "e"', 'revision = "e"  # alembic-lint: disable=unknown-revision');
    const fs = check({ '1.py': base, '2.py': sameLine, '3.py': nextLine, '4.py': wholeFile, '5.py': other });
    assert.deepEqual(brief(fs), [`5.py:${REV_LINE}:multiple-heads:warning`]);
    const inString = migrationText('f', 'a').replace('revision = "f"', 'revision = "f"\nx = "# alembic-lint: disable-file=multiple-heads"');
    assert.equal(check({ '1.py': base, '2.py': inString, '3.py': migrationText('g', 'a') }).length, 2, 'text inside a string is no comment');
  });

  it('every rule has an id, a default severity, a one-line description and a docs page', () => {
    for (const r of allRules) {
      assert.match(r.id, /^[a-z]+(-[a-z]+)*$/);
      assert.ok(!r.description.includes('\n') && r.description.length > 10, r.id);
      assert.ok(fs.existsSync(path.join(repoRoot, 'docs', 'rules', `${r.id}.md`)), `docs/rules/${r.id}.md is missing`);
      assert.equal(getRule(r.id), r);
    }
    assert.equal(ruleIds.size, allRules.length, 'ids are unique');
    for (const { id } of allRules) {
      const page = path.join(repoRoot, 'docs', 'rules', `${id}.md`);
      assert.ok(fs.existsSync(page), `${page} is missing`);
      const text = fs.readFileSync(page, 'utf8');
      for (const section of ['## Why it matters', '## Bad', '## Good', '## Configure or suppress', `disable=${id}`]) assert.ok(text.includes(section), `${id}.md lacks ${section}`);
    }
  });
});

describe('config: rule severities', () => {
  it('reads the alembic.rules setting, pyproject [tool.alembic-lint] and --rule', () => {
    assert.deepEqual(severitiesFromSetting({ 'multiple-heads': 'Error', 'docstring-mismatch': 'off' }, ruleIds).severities, { 'multiple-heads': 'error', 'docstring-mismatch': 'off' });
    const bad = severitiesFromSetting({ 'multiple-heads': 'loud', 'no-such-rule': 'warn' }, ruleIds);
    assert.match(bad.errors[0] ?? '', /"loud" is not a severity/);
    assert.match(bad.warnings[0] ?? '', /unknown rule 'no-such-rule'/);
    const toml = '[tool.alembic-lint]\n"unknown-revision" = "warn"\n[tool.alembic-lint.rules]\nmultiple-heads = "info"\n';
    assert.deepEqual(severitiesFromPyproject(toml, '/p/pyproject.toml', ruleIds).severities, { 'unknown-revision': 'warning', 'multiple-heads': 'information' });
    assert.deepEqual(severitiesFromPyproject('[project]\nname = "x"\n', '/p/pyproject.toml').severities, {});
    assert.deepEqual(severitiesFromCli(['multiple-heads=off'], ruleIds).severities, { 'multiple-heads': 'off' });
    assert.equal(severitiesFromCli(['multiple-heads'], ruleIds).errors.length, 1);
    assert.equal(severitiesFromCli(['nope=error'], ruleIds).errors.length, 1, 'a typo on the command line is an error');
  });
});

describe('rules: graph diagnostics with values that are not literals', () => {
  it('only warns about an unknown parent when some revision id is not a literal', () => {
    const fs = check({ '1.py': migrationText('a', null).replace('revision = "a"', 'revision = REV'), '2.py': migrationText('b', 'a') });
    const unknown = fs.filter((f) => f.rule === 'unknown-revision');
    assert.deepEqual(unknown.map((f) => f.severity), ['warning']);
    assert.match(unknown[0]?.message ?? '', /may be the revision of 1\.py/);
  });

  it('reports multiple heads as information when a down_revision is not a literal', () => {
    const fs = check({ '1.py': migrationText('a', null), '2.py': migrationText('b', 'a'), '3.py': migrationText('c', null).replace('down_revision = None', 'down_revision = PARENT') });
    assert.deepEqual(fs.filter((f) => f.rule === 'multiple-heads').map((f) => f.severity), ['information', 'information']);
  });
});
