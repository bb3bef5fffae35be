#!/usr/bin/env node
// Scaffolds a lint rule: the rule file with its id, default severity and a place for its quick fix,
// its entry in the registry, its docs page, and (for a file rule) its bad and good fixtures. The
// fixture tests then fail until the rule reports the bad example: that is the author's to-do list.
//
//   node scripts/new-rule.mjs <id> [--severity error|warning|information|hint] [--graph] [--root DIR]
//
// --graph     a graph rule (the whole revision graph of a project) instead of a file rule; graph rules
//             are tested on projects (test/fixtures/graph-*), so no rule fixtures are written.
// --root DIR  the repository to write into (default: this one); the tests point it at a scratch copy.
// Nothing is written when anything is wrong: every file is planned, then all are written.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SEVERITIES = ['error', 'warning', 'information', 'hint'];
/** The same pattern the registry test holds every rule id to. */
const KEBAB_CASE = /^[a-z]+(-[a-z]+)*$/;
const USAGE = 'usage: node scripts/new-rule.mjs <id> [--severity error|warning|information|hint] [--graph] [--root DIR]';

class Refusal extends Error {}

function parseArgs(argv) {
  const opts = { id: undefined, severity: 'warning', graph: false, root: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--graph') opts.graph = true;
    else if (a === '--severity' || a === '--root') {
      const value = argv[++i];
      if (value === undefined) throw new Refusal(`${a} needs a value\n${USAGE}`);
      if (a === '--root') opts.root = path.resolve(value);
      else opts.severity = value;
    } else if (a.startsWith('-')) throw new Refusal(`unknown option ${a}\n${USAGE}`);
    else if (opts.id === undefined) opts.id = a;
    else throw new Refusal(`one rule id at a time (got '${opts.id}' and '${a}')\n${USAGE}`);
  }
  if (opts.id === undefined) throw new Refusal(USAGE);
  if (!KEBAB_CASE.test(opts.id)) {
    throw new Refusal(`'${opts.id}' is not a kebab-case rule id: lower-case letters in words joined by '-', such as 'drop-default-value'`);
  }
  if (!SEVERITIES.includes(opts.severity)) throw new Refusal(`--severity must be one of ${SEVERITIES.join(', ')} (got '${opts.severity}')`);
  return opts;
}

/** `drop-default-value` → the rule's variable `dropDefaultValue`, its data type `DropDefaultValueData`. */
function namesOf(id) {
  const words = id.split('-');
  const pascal = words.map((w) => w[0].toUpperCase() + w.slice(1)).join('');
  return { variable: pascal[0].toLowerCase() + pascal.slice(1), dataType: `${pascal}Data`, initials: words.map((w) => w[0]).join('') };
}

/** What the two kinds of rule differ in: the check's input, its findings, where the fix gets its facts. */
const KINDS = {
  file: {
    define: 'defineFileRule',
    finding: 'RuleFinding',
    fixtures: (id) => `;\n// test/fixtures/rules/${id}/ holds the examples the tests check it on`,
    check: (dataType) => `  check({ migration }) {
    const out: RuleFinding<${dataType}>[] = [];
    for (const fn of migration.functions) {
      // TODO: a finding for each problem in fn.calls (server/src/core/facts reads the operations out
      // of them), on the range the editor underlines: out.push({ range: call.range, message, data }).
    }
    return out;
  },`,
    fix: `  // The quick fix, when the problem has a mechanical answer: edits built with the helpers of
  // server/src/core/fixes (calls.ts sets keywords and wraps statements; downgrade.ts, postgres.ts ...).
  // It gets the finding as the rule reports it in the file's current text. Delete it when there is none.
  fix(finding, { src, migration }) {`,
  },
  graph: {
    define: 'defineGraphRule',
    finding: 'GraphRuleFinding',
    fixtures: () => '',
    check: (dataType) => `  check({ graph }) {
    const out: GraphRuleFinding<${dataType}>[] = [];
    for (const node of graph.nodes.values()) {
      // TODO: a finding for each problem, in the file it belongs in:
      // out.push({ path: node.path, range: node.file.revisionRange, message, data }).
    }
    return out;
  },`,
    fix: `  // The quick fix, when the problem has a mechanical answer, decided from the project's heads
  // (file.heads) and edited with the helpers of server/src/core/fixes. Delete it when there is none.
  fix(range, { src, migration, heads }) {`,
  },
};

function ruleSource(id, severity, graph, { variable, dataType }) {
  const kind = KINDS[graph ? 'graph' : 'file'];
  return `// ${id}: TODO say what the rule reports and why it matters.
// docs/rules/${id}.md is the long form${kind.fixtures(id)}.
import { ${kind.define}, type ${kind.finding} } from './rule';

/**
 * What a finding hands the quick fix; a finding without data gets no fix. TODO: the facts the fix
 * needs (a \`type\`, not an interface: the data is published as JSON and must fit FindingData).
 */
export type ${dataType} = Record<string, never>;

export const ${variable} = ${kind.define}<${dataType}>({
  id: '${id}',
  defaultSeverity: '${severity}',
  description: 'TODO: one line saying what is reported.',
${kind.check(dataType)}
${kind.fix}
    return undefined;
  },
});
`;
}

function docsPage(id, severity, graph) {
  return `# ${id}

**Default severity:** ${severity} · **Kind:** ${graph ? 'graph' : 'file'} rule

TODO: what the rule reports, in a sentence or two.

## Why it matters

TODO: what goes wrong when the migration runs: the error Alembic or PostgreSQL gives, the lock and
what waits for it, or the data that is lost.

## Bad

\`\`\`python
# TODO: the smallest migration code the rule reports
\`\`\`

## Good

\`\`\`python
# TODO: the same change written so that the rule has nothing to report
\`\`\`

## Quick fix

TODO: what the light bulb offers (or delete this section when the rule has no quick fix).

## Configure or suppress

Change the severity, or turn the rule off, in VS Code settings:

\`\`\`json
"alembic.rules": { "${id}": "off" }
\`\`\`

in \`pyproject.toml\` (read by the editor and \`alembic-lint check\` alike; the setting wins):

\`\`\`toml
[tool.alembic-lint.rules]
${id} = "error"   # error, warning, information, hint or off
\`\`\`

or on the command line: \`alembic-lint check . --rule ${id}=off\`.

Silence one place with a comment in the file the finding is in:

\`\`\`python
op.drop_table('x')  # alembic-lint: disable=${id}

# alembic-lint: disable-next-line=${id}
op.drop_table('x')

# alembic-lint: disable-file=${id}
\`\`\`
`;
}

/** A complete migration; the bad one carries the marker the fixture test expects a finding at. */
function fixture(id, revision, bad) {
  const today = new Date().toISOString().slice(0, 10);
  const marker = bad ? `  # expect: ${id}` : '';
  const todo = bad
    ? `    # TODO: code ${id} reports; the comment ending the line says where the finding is.`
    : `    # TODO: the same change, written so that ${id} has nothing to report.`;
  return `"""${bad ? 'TODO: a migration the rule reports' : 'TODO: a migration the rule accepts'}

Revision ID: ${revision}
Revises:
Create Date: ${today} 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '${revision}'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
${todo}
    op.execute("SET lock_timeout = '5s'")
    op.add_column('users', sa.Column('nickname', sa.String(50), nullable=True))${marker}


def downgrade() -> None:
    op.drop_column('users', 'nickname')
`;
}

/** The registry with the rule imported and listed (file rules last, graph rules after the other graph rules). */
function registered(registry, id, variable, graph) {
  if (registry.includes(`from './${id}'`)) throw new Refusal(`'${id}' is already imported by the registry (server/src/core/rules/index.ts)`);
  if (new RegExp(`\\b${variable}\\b`).test(registry)) throw new Refusal(`the registry already has a name '${variable}' (server/src/core/rules/index.ts)`);
  const lines = registry.split('\n');
  const lastImport = lines.findLastIndex((l) => l.startsWith('import '));
  const listStart = lines.findIndex((l) => l.startsWith('export const allRules'));
  const listEnd = lines.findIndex((l, i) => i > listStart && l === '];');
  const fileGroup = lines.findIndex((l, i) => i > listStart && i < listEnd && l.trim().startsWith('// File rules'));
  const at = graph ? fileGroup : listEnd;
  if (lastImport < 0 || listStart < 0 || listEnd < 0 || at < 0) {
    throw new Refusal(`cannot find where to list the rule in server/src/core/rules/index.ts (the allRules list${graph ? ' and its "// File rules" comment' : ''}): add it by hand`);
  }
  lines.splice(at, 0, `  ${variable},`);
  lines.splice(lastImport + 1, 0, `import { ${variable} } from './${id}';`);
  return lines.join('\n');
}

/** Every file to write, relative to the root, or a refusal. */
function plan({ id, severity, graph, root }) {
  const names = namesOf(id);
  const rulesDir = path.join('server', 'src', 'core', 'rules');
  const registryPath = path.join(rulesDir, 'index.ts');
  const ruleFile = path.join(rulesDir, `${id}.ts`);
  const docsFile = path.join('docs', 'rules', `${id}.md`);
  const fixtureDir = path.join('test', 'fixtures', 'rules', id);
  const taken = [ruleFile, docsFile, ...(graph ? [] : [fixtureDir])].filter((p) => fs.existsSync(path.join(root, p)));
  if (taken.length > 0) throw new Refusal(`rule '${id}' already exists: ${taken.join(', ')}`);
  const files = new Map([[ruleFile, ruleSource(id, severity, graph, names)], [docsFile, docsPage(id, severity, graph)]]);
  if (!graph) {
    files.set(path.join(fixtureDir, 'bad_example.py'), fixture(id, `${names.initials}0000000001`, true));
    files.set(path.join(fixtureDir, 'good_example.py'), fixture(id, `${names.initials}0000000010`, false));
  }
  if (!fs.existsSync(path.join(root, registryPath))) throw new Refusal(`no registry at ${path.join(root, registryPath)}: is --root the repository?`);
  files.set(registryPath, registered(fs.readFileSync(path.join(root, registryPath), 'utf8'), id, names.variable, graph));
  return files;
}

function main() {
  let opts;
  let files;
  try {
    opts = parseArgs(process.argv.slice(2));
    files = plan(opts);
  } catch (e) {
    if (!(e instanceof Refusal)) throw e;
    process.stderr.write(`new-rule: ${e.message}\n`);
    process.exit(1);
  }
  for (const [rel, text] of files) {
    fs.mkdirSync(path.dirname(path.join(opts.root, rel)), { recursive: true });
    fs.writeFileSync(path.join(opts.root, rel), text);
    process.stdout.write(`wrote ${rel}\n`);
  }
  process.stdout.write(`\nNext: write the check (and the fix, or delete it), the docs page${opts.graph ? '' : ' and the two fixtures'}, then\n` +
    `  bash scripts/test.sh unit\n${opts.graph ? 'Graph rules are tested on projects: see test/unit/rules-graph.test.ts.\n' : ''}`);
}

main();
