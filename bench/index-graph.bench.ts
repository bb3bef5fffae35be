// Index and re-check speed at 1,000 and 10,000 revisions, next to Alembic's own graph load.
// Generates Alembic projects under bench/generated/ (git-ignored): mostly linear history with a branch
// and merge every 50 revisions, a depends_on every 500, and migration bodies like real ones.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { listRevisionFiles, loadConfigFile } from '../server/src/core/project';
import { ProjectModel } from '../server/src/core/project/model';
import { nodeFileSystem } from '../server/src/nodeFileSystem';

const GENERATOR_VERSION = '1';
const root = path.resolve(__dirname, '..', '..', 'bench', 'generated');

function id(i: number): string {
  // Hex ids like Alembic's, unique and stable.
  return (0x10000000000 + i * 7919).toString(16).slice(-12).padStart(12, '0');
}

function body(i: number): { up: string; down: string } {
  const t = `table_${i}`;
  return {
    up: [
      `    op.create_table(`,
      `        "${t}",`,
      `        sa.Column("id", sa.Integer(), nullable=False),`,
      `        sa.Column("name", sa.String(length=${50 + (i % 200)}), nullable=False),`,
      `        sa.Column("created_at", sa.DateTime(), server_default=sa.text("now()"), nullable=True),`,
      `        sa.PrimaryKeyConstraint("id"),`,
      `    )`,
      `    op.create_index(op.f("ix_${t}_name"), "${t}", ["name"], unique=False)`,
      ...(i > 0 ? [`    op.add_column("table_${i - 1}", sa.Column("ref_${i}", sa.Integer(), nullable=True))`] : []),
      `    op.execute("UPDATE ${t} SET name = 'x' WHERE id < 0")`,
    ].join('\n'),
    down: [
      ...(i > 0 ? [`    op.drop_column("table_${i - 1}", "ref_${i}")`] : []),
      `    op.drop_index(op.f("ix_${t}_name"), table_name="${t}")`,
      `    op.drop_table("${t}")`,
    ].join('\n'),
  };
}

function migration(i: number, down: string[], deps: string[]): string {
  const { up, down: dn } = body(i);
  const downRepr = down.length === 0 ? 'None' : down.length === 1 ? `"${down[0]}"` : `(\n    "${down.join('",\n    "')}",\n)`;
  return `"""revision number ${i}

Revision ID: ${id(i)}
Revises: ${down.join(', ')}
Create Date: 2024-01-01 00:00:00.${String(i).padStart(6, '0')}

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "${id(i)}"
down_revision: Union[str, Sequence[str], None] = ${downRepr}
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = ${deps.length ? `("${deps.join('", "')}",)` : 'None'}


def upgrade() -> None:
${up}


def downgrade() -> None:
${dn}
`;
}

/** Writes (once) a project of `n` revisions; returns its alembic.ini. */
function generate(n: number): string {
  const dir = path.join(root, `p${n}`);
  const ini = path.join(dir, 'alembic.ini');
  const marker = path.join(dir, '.generated');
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === `${GENERATOR_VERSION}:${n}`) return ini;
  fs.rmSync(dir, { recursive: true, force: true });
  const versions = path.join(dir, 'migrations', 'versions');
  fs.mkdirSync(versions, { recursive: true });
  fs.writeFileSync(ini, '[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = postgresql://localhost/bench\n');
  fs.writeFileSync(path.join(dir, 'migrations', 'env.py'), 'from alembic import context\n');
  let prev: string[] = [];
  for (let i = 0; i < n; i++) {
    let down = prev;
    // Every 50th revision opens a two-way branch; the next one merges it.
    if (i % 50 === 2 && i > 2) down = [id(i - 2)];
    const deps = i % 500 === 499 ? [id(i - 300)] : [];
    fs.writeFileSync(path.join(versions, `${id(i)}_revision_${i}.py`), migration(i, down, deps));
    prev = i % 50 === 2 && i > 2 ? [id(i - 1), id(i)] : [id(i)];
  }
  fs.writeFileSync(marker, `${GENERATOR_VERSION}:${n}`);
  return ini;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

interface Cold {
  model: ProjectModel;
  ms: number;
  phases: string;
  findings: number;
}

/** Read + parse + graph + every rule, in a fresh model; phases timed separately. */
async function coldIndex(ini: string): Promise<Cold> {
  const t0 = performance.now();
  const config = await loadConfigFile(nodeFileSystem, ini);
  if (!config) throw new Error(`no project at ${ini}`);
  const paths = await listRevisionFiles(nodeFileSystem, config.versionLocationPaths, config.recursiveVersionLocations);
  const texts = await Promise.all(paths.map((p) => nodeFileSystem.readFile(p)));
  const t1 = performance.now();
  const model = new ProjectModel(config);
  paths.forEach((p, i) => model.setFile(p, texts[i] ?? ''));
  const t2 = performance.now();
  const graph = model.graph;
  const t3 = performance.now();
  const findings = model.findings().length;
  const t4 = performance.now();
  void graph;
  const f = (x: number): string => `${x.toFixed(0)}`;
  return { model, ms: t4 - t0, findings, phases: `read ${f(t1 - t0)} + parse ${f(t2 - t1)} + graph ${f(t3 - t2)} + rules ${f(t4 - t3)}` };
}

function alembicLoad(ini: string): { ms: number; heads: string } {
  const code = 'import sys\nfrom alembic.config import Config\nfrom alembic.script import ScriptDirectory\n' +
    'print(",".join(ScriptDirectory.from_config(Config(sys.argv[1])).revision_map.heads))';
  const python = process.env.ALEMBIC_TEST_PYTHON || '/usr/bin/python3';
  const t0 = performance.now();
  const r = spawnSync(python, ['-c', code, ini], { cwd: path.dirname(ini), encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' }, maxBuffer: 64 << 20 });
  const ms = performance.now() - t0;
  if (r.status !== 0) return { ms: NaN, heads: `failed: ${r.stderr.split('\n').slice(-2).join(' ')}` };
  return { ms, heads: r.stdout.trim() };
}

/** What the language server redoes after an edit: the graph's findings and the edited file's. */
function recheck(model: ProjectModel, file: string): number {
  return model.graphFindings().length + model.fileFindings(file).length;
}

export async function run(): Promise<void> {
  const rows: string[][] = [['revisions', 'cold index, ms (read + parse + graph + rules)', 'findings', 'heads', 'Alembic load (python, wall)', 'Alembic heads', 'speed-up']];
  let big: ProjectModel | undefined;
  for (const n of [1_000, 10_000]) {
    const ini = generate(n);
    const { model, ms, findings, phases } = await coldIndex(ini);
    const py = alembicLoad(ini);
    rows.push([String(n), `${ms.toFixed(0)} ms (${phases})`, String(findings), model.graph.heads.join(','), Number.isNaN(py.ms) ? py.heads : `${py.ms.toFixed(0)} ms`, py.heads.slice(0, 40), `${(py.ms / ms).toFixed(1)}x`]);
    if (n === 10_000) big = model;
  }
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(i === 1 ? 52 : 16)).join(' '));
  if (!big) return;
  (globalThis as { gc?: () => void }).gc?.();
  console.log(`memory after indexing 10,000: heapUsed ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB`);

  // Re-check after editing one file: re-parse it, update the graph, run every rule again.
  const paths = big.paths();
  const bodyEdits: number[] = [];
  const graphEdits: number[] = [];
  for (let k = 0; k < 50; k++) {
    const p = paths[Math.floor((k * 7919) % paths.length)] ?? '';
    const text = big.getFile(p)?.text ?? '';
    const edited = text.replace('def upgrade() -> None:\n', `def upgrade() -> None:\n    op.execute("SELECT ${k}")\n`);
    const t0 = performance.now();
    big.setFile(p, edited);
    recheck(big, p);
    bodyEdits.push(performance.now() - t0);
    big.setFile(p, text);
    recheck(big, p);
  }
  // Edits that change the graph (a new down_revision on the head and back): full graph rebuild.
  const head = big.graph.nodes.get(big.graph.heads[0] ?? '');
  if (head) {
    const original = big.getFile(head.path)?.text ?? '';
    const other = paths[Math.floor(paths.length / 2)] ?? '';
    const otherId = big.getFile(other)?.revisionFile.revision ?? '';
    for (let k = 0; k < 50; k++) {
      const edited = original.replace(/down_revision: Union\[str, Sequence\[str\], None\] = [^\n]+/, `down_revision: Union[str, Sequence[str], None] = "${otherId}"`);
      const t0 = performance.now();
      big.setFile(head.path, k % 2 === 0 ? edited : original);
      recheck(big, head.path);
      graphEdits.push(performance.now() - t0);
    }
    big.setFile(head.path, original);
  }
  console.log('(re-check = re-parse the file, update or rebuild the graph, graph rules + the file\'s rules)');
  console.log(`re-check at 10,000 after editing one migration body (50 edits): p50 ${pct(bodyEdits, 50).toFixed(2)} ms, p95 ${pct(bodyEdits, 95).toFixed(2)} ms`);
  console.log(`re-check at 10,000 after editing a down_revision (full graph rebuild, 50 edits): p50 ${pct(graphEdits, 50).toFixed(2)} ms, p95 ${pct(graphEdits, 95).toFixed(2)} ms`);
  console.log(`load average during the run: ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`);
}
