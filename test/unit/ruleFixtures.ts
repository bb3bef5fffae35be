// Rule fixtures (test/fixtures/rules/<rule-id>/{bad,good}_*.py) and running the file rules on a text the
// way the language server does (one file, its own graph).
import fs from 'node:fs';
import path from 'node:path';
import { buildRevisionGraph } from '../../server/src/core/graph';
import { parseMigration } from '../../server/src/core/parse';
import { allRules, runFileRules } from '../../server/src/core/rules';
import { applyEdits, quickFixes } from '../../server/src/core/fixes';
import { DEFAULT_POSTGRES_VERSION } from '../../server/src/core/locks/table';
import type { ProjectConfig } from '../../server/src/core/project/discover';
import type { Finding } from '../../server/src/core/types';
import { fixturePath } from '../support/paths';

export interface RuleFixture {
  /** The folder: the rule the file is about. */
  rule: string;
  name: string;
  path: string;
  text: string;
  bad: boolean;
  /** `<1-based line> <rule-id>` for every `# expect: ...` marker. */
  expected: string[];
}

export const ruleFixturesDir = fixturePath('rules');

export function ruleFixtures(): RuleFixture[] {
  const out: RuleFixture[] = [];
  for (const rule of fs.readdirSync(ruleFixturesDir).sort()) {
    const dir = path.join(ruleFixturesDir, rule);
    if (!fs.statSync(dir).isDirectory()) continue;
    for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.py')).sort()) {
      const p = path.join(dir, name);
      const text = fs.readFileSync(p, 'utf8');
      const expected: string[] = [];
      text.split(/\r?\n/).forEach((line, i) => {
        const m = /# expect: ([\w, -]+)$/.exec(line);
        if (m) for (const id of (m[1] ?? '').split(',')) expected.push(`${i + 1} ${id.trim()}`);
      });
      out.push({ rule, name, path: p, text, bad: name.startsWith('bad_'), expected: expected.sort() });
    }
  }
  return out;
}

/**
 * The project a fixture says it belongs to: a comment `# fixture-project: dialect=sqlite sqlite-version=3.31` (or `postgres-version=10`)
 * (for rules about one database); undefined (a lone file, dialect unknown) without one.
 */
export function fixtureProject(text: string): ProjectConfig | undefined {
  const m = /^# fixture-project: (.+)$/m.exec(text);
  if (!m) return undefined;
  const project: ProjectConfig = {
    kind: 'ini', id: '/p/alembic.ini', configFile: '/p/alembic.ini', root: '/p', recursiveVersionLocations: false,
    prependSysPath: [], sourceless: false, problems: [], warnings: [], versionLocationPaths: ['/p/migrations/versions'],
    postgresVersion: DEFAULT_POSTGRES_VERSION, postgresVersionSource: 'the fixture',
  };
  for (const pair of (m[1] ?? '').trim().split(/\s+/)) {
    const [key, value = ''] = pair.split('=');
    if (key === 'dialect') project.dialect = value;
    else if (key === 'sqlite-version') project.sqliteVersion = value;
    else if (key === 'render-as-batch') project.renderAsBatch = value === 'true';
    else if (key === 'postgres-version') project.postgresVersion = Number(value);
    else throw new Error(`fixture-project: unknown key '${key ?? ''}'`);
  }
  return project;
}

/** Every file rule on one file (in the project its fixture-project comment describes). */
export function fileFindings(filePath: string, text: string): Finding[] {
  const migration = parseMigration(text);
  const graph = buildRevisionGraph([{ path: filePath, migration }]);
  return runFileRules(allRules, { path: filePath, text, migration }, graph, fixtureProject(text));
}

export function lineAndRule(f: Finding): string {
  return `${f.range.start.line + 1} ${f.rule}`;
}

/** The fixed text for the finding of `rule` on 1-based `line` of `text` (its first fix, or the one titled like `title`). */
export function fixedText(text: string, rule: string, line: number, title?: RegExp): string | undefined {
  const finding = fileFindings('/p/m.py', text).find((f) => f.rule === rule && f.range.start.line + 1 === line);
  if (!finding) throw new Error(`no ${rule} finding on line ${line}: ${fileFindings('/p/m.py', text).map(lineAndRule).join('; ')}`);
  const project = fixtureProject(text);
  const fixes = quickFixes({ rule, range: finding.range, text, path: '/p/m.py', ...(project ? { project } : {}) });
  const fix = title ? fixes.find((f) => title.test(f.title)) : fixes[0];
  return fix ? applyEdits(text, fix.edits) : undefined;
}
