// What the rule set costs and what it finds. A 10,000-revision project generated in memory (branches
// and merges, realistic bodies: mostly careful migrations, with the usual share of risky ones), indexed
// cold: parse + graph, then the graph rules, then every file rule (the time the migration rules add to
// the cold index), then warm medians; findings per rule on it; and findings per rule over every
// fixture folder of the repository.
import fs from 'node:fs';
import path from 'node:path';
import { buildRevisionGraph } from '../server/src/core/graph';
import { parseMigration } from '../server/src/core/parse';
import { allRules, runRules } from '../server/src/core/rules';
import type { Finding } from '../server/src/core/types';
import { seededRandom } from '../test/support/random';

const rng = seededRandom;

const WORDS = ['user', 'account', 'invoice', 'order', 'item', 'payment', 'project', 'task', 'comment', 'tag', 'event', 'audit'];
const TYPES = ['sa.Integer()', 'sa.String(length=255)', 'sa.Text()', 'sa.Boolean()', 'sa.DateTime(timezone=True)', 'sa.Numeric(12, 2)'];

interface Body { up: string; down: string }

/** One migration body; `n` keeps names unique, `tables` are tables created earlier (existing now). */
function body(r: () => number, n: number, tables: string[]): Body {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const existing = tables.length > 0 ? pick(tables) : 'users';
  const col = `${pick(WORDS)}_${n}`;
  const x = r();
  // Mostly careful work (the clean shapes), then the mistakes real projects make, at rough real rates.
  if (x < 0.30) {
    const table = `${pick(WORDS)}_${pick(WORDS)}_${n}`;
    tables.push(table);
    const cols = Array.from({ length: 4 + Math.floor(r() * 12) }, (_, c) => `        sa.Column("${pick(WORDS)}_${c}", ${pick(TYPES)}, nullable=${r() < 0.5 ? 'True' : 'False'}),`).join('\n');
    const enumName = `${table}_status`;
    return {
      up: `    ${enumName}.create(op.get_bind(), checkfirst=True)
    op.create_table(
        "${table}",
        sa.Column("id", sa.BigInteger(), primary_key=True),
${cols}
        sa.Column("status", ${enumName}, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_${table}")),
    )
    op.create_index(op.f("ix_${table}_status"), "${table}", ["status"], unique=False)`,
      down: `    op.drop_index(op.f("ix_${table}_status"), table_name="${table}")
    op.drop_table("${table}")
    ${enumName}.drop(op.get_bind(), checkfirst=True)`,
    };
  }
  if (x < 0.50) {
    return {
      up: `    op.add_column("${existing}", sa.Column("${col}", ${pick(TYPES)}, nullable=True))`,
      down: `    op.drop_column("${existing}", "${col}")`,
    };
  }
  if (x < 0.58) {
    return {
      up: `    with op.get_context().autocommit_block():\n        op.create_index("ix_${existing}_${col}", "${existing}", ["${col}"], postgresql_concurrently=True)`,
      down: `    with op.get_context().autocommit_block():\n        op.drop_index("ix_${existing}_${col}", table_name="${existing}", postgresql_concurrently=True)`,
    };
  }
  if (x < 0.64) {
    return {
      up: `    op.execute("UPDATE ${existing} SET ${col} = lower(${col}) WHERE ${col} IS NOT NULL")`,
      down: '    raise NotImplementedError("lower-casing cannot be undone")',
    };
  }
  if (x < 0.72) {
    return {
      up: `    op.create_index(op.f("ix_${existing}_${col}"), "${existing}", ["${col}"], unique=False)`,
      down: `    op.drop_index(op.f("ix_${existing}_${col}"), table_name="${existing}")`,
    };
  }
  if (x < 0.76) {
    return { up: `    op.add_column("${existing}", sa.Column("${col}", sa.Integer(), nullable=False))`, down: `    op.drop_column("${existing}", "${col}")` };
  }
  if (x < 0.80) {
    return {
      up: `    op.alter_column("${existing}", "${col}", existing_type=sa.Integer(), type_=sa.BigInteger())`,
      down: `    op.alter_column("${existing}", "${col}", existing_type=sa.BigInteger(), type_=sa.Integer())`,
    };
  }
  if (x < 0.83) {
    return {
      up: `    op.create_foreign_key("fk_${existing}_${col}", "${existing}", "users", ["${col}"], ["id"])`,
      down: `    op.drop_constraint("fk_${existing}_${col}", "${existing}", type_="foreignkey")`,
    };
  }
  if (x < 0.86) {
    return { up: `    op.alter_column("${existing}", "${col}", existing_type=sa.Text(), nullable=False)`, down: `    op.alter_column("${existing}", "${col}", existing_type=sa.Text(), nullable=True)` };
  }
  if (x < 0.89) {
    return { up: `    op.drop_column("${existing}", "${col}")`, down: `    op.add_column("${existing}", sa.Column("${col}", sa.Text(), nullable=True))` };
  }
  if (x < 0.91) {
    return { up: `    op.alter_column("${existing}", "${col}", new_column_name="${col}_new")`, down: `    op.alter_column("${existing}", "${col}_new", new_column_name="${col}")` };
  }
  if (x < 0.94) {
    // Autogenerate's untouched skeleton.
    return { up: `    op.add_column("${existing}", sa.Column("${col}", sa.Text(), nullable=True))`, down: '    pass' };
  }
  if (x < 0.96) {
    return {
      up: `    sa.Enum("a", "b", name="kind_${n}").create(op.get_bind())\n    op.add_column("${existing}", sa.Column("${col}", sa.Enum(name="kind_${n}", create_type=False), nullable=True))`,
      down: `    op.drop_column("${existing}", "${col}")\n    op.execute("DROP TYPE kind_${n}")`,
    };
  }
  if (x < 0.98) {
    const table = `scratch_${n}`;
    return {
      up: `    op.create_table("${table}", sa.Column("id", sa.Integer(), primary_key=True))\n    op.create_index("ix_${table}_id", "${table}", ["id"])\n    op.add_column("${existing}", sa.Column("${col}", sa.Text(), nullable=True))`,
      down: `    op.drop_column("${existing}", "${col}")`,
    };
  }
  return { up: `    op.execute("TRUNCATE TABLE ${existing}_archive")`, down: '    pass' };
}

function hex(r: () => number): string {
  let s = '';
  for (let i = 0; i < 12; i++) s += '0123456789abcdef'[Math.floor(r() * 16)];
  return s;
}

/** A project of `count` revisions: a main line with short branches merged back (every merge is empty). */
export function generateProject(count: number, seed = 7): Map<string, string> {
  const r = rng(seed);
  const files = new Map<string, string>();
  const tables: string[] = [];
  const ids: string[] = [];
  let head = '';
  let branch: string | undefined;
  for (let n = 0; n < count; n++) {
    const id = hex(r);
    let parents: string[];
    let b: Body;
    if (branch && r() < 0.3) {
      parents = [head, branch];
      branch = undefined;
      b = { up: '    pass', down: '    pass' };
    } else if (!branch && ids.length > 3 && r() < 0.04) {
      // A second line of work from the current head; the main line goes on from the same parent.
      parents = [head];
      branch = id;
      b = body(r, n, tables);
      const file = render(id, parents, b, n);
      files.set(`/bench/versions/${id}_${n}.py`, file);
      ids.push(id);
      continue;
    } else {
      parents = head ? [head] : [];
      b = body(r, n, tables);
    }
    files.set(`/bench/versions/${id}_${n}.py`, render(id, parents, b, n));
    ids.push(id);
    head = id;
  }
  return files;
}

function render(id: string, parents: string[], b: Body, n: number): string {
  const down = parents.length === 0 ? 'None' : parents.length === 1 ? `'${parents[0]}'` : `('${parents.join("', '")}')`;
  const enumLine = b.up.includes('_status.create') ? `${/(\w+_status)\.create/.exec(b.up)?.[1]} = postgresql.ENUM("draft", "active", name="${/(\w+_status)\.create/.exec(b.up)?.[1]}", create_type=False)\n` : '';
  return `"""revision ${n}

Revision ID: ${id}
Revises: ${parents.join(', ')}
Create Date: 2024-01-01 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '${id}'
down_revision = ${down}
branch_labels = None
depends_on = None

${enumLine}

def upgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
${b.up}
    # ### end Alembic commands ###


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
${b.down}
    # ### end Alembic commands ###
`;
}

const graphRules = allRules.filter((r) => r.kind === 'graph');
const fileRules = allRules.filter((r) => r.kind === 'file');

function ms(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** Wall and CPU milliseconds of `fn` (CPU time is the steadier figure on a shared machine). */
function timed<T>(fn: () => T): { value: T; wall: number; cpu: number } {
  const c = process.cpuUsage();
  const t = process.hrtime.bigint();
  const value = fn();
  const u = process.cpuUsage(c);
  return { value, wall: ms(t), cpu: (u.user + u.system) / 1000 };
}

function index(files: Map<string, string>): ReturnType<typeof buildRevisionGraph> {
  return buildRevisionGraph([...files].map(([p, text]) => ({ path: p, migration: parseMigration(text) })));
}

function perRule(findings: readonly Finding[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const f of findings) m.set(f.rule, (m.get(f.rule) ?? 0) + 1);
  return m;
}

function printCounts(title: string, counts: Map<string, number>): void {
  console.log(title);
  for (const r of allRules) console.log(`  ${r.id.padEnd(38)} ${String(counts.get(r.id) ?? 0).padStart(6)}  (${r.defaultSeverity})`);
}

/** Every folder of test/fixtures holding migration files, as one project each. */
function fixtureProjects(root: string): Map<string, Map<string, string>> {
  const projects = new Map<string, Map<string, string>>();
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.py') && e.name !== 'env.py' && e.name !== '__init__.py') {
        const files = projects.get(dir) ?? new Map<string, string>();
        files.set(p, fs.readFileSync(p, 'utf8'));
        projects.set(dir, files);
      }
    }
  };
  walk(root);
  return projects;
}

export async function run(): Promise<void> {
  const files = generateProject(10_000);
  const bytes = [...files.values()].reduce((s, t) => s + t.length, 0);
  console.log(`generated project: ${files.size} revisions, ${(bytes / 1024 / 1024).toFixed(1)} MiB`);

  // Cold: the first time each piece of code runs in this process, as on the server's first index.
  const idx = timed(() => index(files));
  const graph = idx.value;
  const gr = timed(() => runRules({ graph, texts: files, rules: graphRules }));
  const fr = timed(() => runRules({ graph, texts: files, rules: fileRules }));
  const f = (x: { wall: number; cpu: number }): string => `${x.wall.toFixed(0)} ms (CPU ${x.cpu.toFixed(0)} ms)`;
  console.log(`cold: parse + graph ${f(idx)}; graph rules ${f(gr)}; all ${fileRules.length} file rules ${f(fr)}`);
  const base = idx.cpu + gr.cpu;
  console.log(`      cold index without file rules ${(idx.wall + gr.wall).toFixed(0)} ms, with every rule ${(idx.wall + gr.wall + fr.wall).toFixed(0)} ms; ` +
    `by CPU time the file rules add ${fr.cpu.toFixed(0)} ms to ${base.toFixed(0)} ms (+${((fr.cpu / base) * 100).toFixed(0)}%)`);

  // Warm: fresh parses each round (the file rules cache their facts per parsed file).
  const rounds = 5;
  const without: number[] = [];
  const withAll: number[] = [];
  for (let k = 0; k < rounds; k++) {
    without.push(timed(() => runRules({ graph: index(files), texts: files, rules: graphRules })).cpu);
    withAll.push(timed(() => runRules({ graph: index(files), texts: files })).cpu);
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const added = median(withAll) - median(without);
  console.log(`warm, CPU median of ${rounds}: without file rules ${median(without).toFixed(0)} ms, with every rule ${median(withAll).toFixed(0)} ms ` +
    `(file rules add ${added.toFixed(0)} ms, ${((added / files.size) * 1000).toFixed(0)} µs per file)`);
  const graphFindings = gr.value;
  const fileFindings = fr.value;

  printCounts(`findings per rule on the generated project (${files.size} revisions):`, perRule([...graphFindings, ...fileFindings]));

  const root = path.join(__dirname, '..', '..', 'test', 'fixtures');
  const all: Finding[] = [];
  const projects = fixtureProjects(root);
  for (const texts of projects.values()) {
    const g = buildRevisionGraph([...texts].map(([p, text]) => ({ path: p, migration: parseMigration(text) })));
    all.push(...runRules({ graph: g, texts }));
  }
  const fileCount = [...projects.values()].reduce((s, m) => s + m.size, 0);
  printCounts(`findings per rule over every fixture (${projects.size} folders, ${fileCount} files):`, perRule(all));
}
