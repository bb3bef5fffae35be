// Index and re-check speed at 1,000 and 10,000 revisions, next to Alembic's own graph load.
// Generates Alembic projects under bench/generated/ (git-ignored): mostly linear history with a branch
// and merge every 50 revisions, a depends_on every 500, and migration bodies like real ones.
//
// Cold index runs in a fresh Node process per size (what the server pays when it starts: JIT and heap
// cold), and again inside this process after a first index (warm). It is timed twice: until the graph
// and its findings are ready (what the server publishes first, and what Alembic's load is compared
// with), and until every file rule has run over every file (the full index). Re-check figures are what the server
// does after a debounced edit at 10,000 revisions: re-parse the file, update the graph, graph rules +
// that file's rules, findings by path for publishing. CPU time is printed beside wall time: other
// processes share this machine's two cores, and CPU time is the steadier of the two.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listRevisionFiles, loadConfigFile } from '../server/src/core/project';
import { readAllFiles } from '../server/src/core/project/fs';
import { ProjectModel } from '../server/src/core/project/model';
import { nodeFileSystem } from '../server/src/fs/nodeFileSystem';
import { wireOf } from '../server/src/lsp/wire';
import { seededRandom } from '../test/support/random';
import { generateMigration } from './parse.bench';

const GENERATOR_VERSION = '2';
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

/**
 * Writes (once) an Alembic project in `bench/generated/<name>` whose versions folder `writeVersions`
 * fills; returns its alembic.ini.
 */
function generateProject(name: string, n: number, writeVersions: (versions: string) => void): string {
  const dir = path.join(root, name);
  const ini = path.join(dir, 'alembic.ini');
  const marker = path.join(dir, '.generated');
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === `${GENERATOR_VERSION}:${n}`) return ini;
  fs.rmSync(dir, { recursive: true, force: true });
  const versions = path.join(dir, 'migrations', 'versions');
  fs.mkdirSync(versions, { recursive: true });
  fs.writeFileSync(ini, '[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = postgresql://localhost/bench\n');
  fs.writeFileSync(path.join(dir, 'migrations', 'env.py'), 'from alembic import context\n');
  writeVersions(versions);
  fs.writeFileSync(marker, `${GENERATOR_VERSION}:${n}`);
  return ini;
}

/**
 * The history both corpora share: mostly linear, a two-way branch every 50 revisions that the next
 * revision merges, and a depends_on every 500.
 */
function history(n: number): { down: string[]; deps: string[] }[] {
  const out: { down: string[]; deps: string[] }[] = [];
  let prev: string[] = [];
  for (let i = 0; i < n; i++) {
    const branches = i % 50 === 2 && i > 2;
    out.push({ down: branches ? [id(i - 2)] : prev, deps: i % 500 === 499 ? [id(i - 300)] : [] });
    prev = branches ? [id(i - 1), id(i)] : [id(i)];
  }
  return out;
}

/** A project of `n` revisions with short bodies (about 1.2 KB a file). */
export function generate(n: number): string {
  return generateProject(`p${n}`, n, (versions) => {
    history(n).forEach(({ down, deps }, i) => fs.writeFileSync(path.join(versions, `${id(i)}_revision_${i}.py`), migration(i, down, deps)));
  });
}

/**
 * The same history with the parse benchmark's autogenerate-style bodies (tables of 5 to 25 columns, an
 * enum, indexes, a batch block, raw SQL: about 3 KB a file, like real ones).
 */
export function generateRich(n: number): string {
  return generateProject(`p${n}-rich`, n, (versions) => {
    const r = seededRandom(7);
    history(n).forEach(({ down, deps }, i) => {
      fs.writeFileSync(path.join(versions, `${id(i)}_revision_${i}.py`), generateMigration(r, id(i), down, i, deps));
    });
  });
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

const cpuMs = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1000;
const ms = (x: number): string => x.toFixed(0);

interface ColdFigures {
  revisions: number;
  findings: number;
  heads: string;
  /** Until the graph and its findings are ready (what Alembic's load compares with). */
  graphWall: number;
  graphCpu: number;
  /** Everything: the graph, then every file rule over every file. */
  wall: number;
  cpu: number;
  read: number;
  parse: number;
  graph: number;
  rules: number;
  /** Heap used after a full garbage collection, when gc is exposed. */
  heapMB: number;
}

/**
 * The index as the language server does it: list and read the files, parse their module-level facts,
 * build the graph and run the graph rules (the graph is ready: the server publishes it), then run the
 * file rules over every file (a full parse each, not kept). Phases timed separately. With `graphOnly`
 * it stops when the graph is ready.
 */
async function coldIndex(ini: string, graphOnly = false): Promise<{ model: ProjectModel; figures: ColdFigures }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const config = await loadConfigFile(nodeFileSystem, ini);
  if (!config) throw new Error(`no project at ${ini}`);
  const paths = await listRevisionFiles(nodeFileSystem, config.versionLocationPaths, config.recursiveVersionLocations);
  const texts = await readAllFiles(nodeFileSystem, paths);
  const t1 = performance.now();
  const model = new ProjectModel(config);
  paths.forEach((p, i) => model.setFile(p, texts[i]?.text ?? ''));
  const t2 = performance.now();
  const graph = model.graph;
  model.graphFindings();
  const t3 = performance.now();
  const graphCpu = cpuMs(process.cpuUsage(c0));
  const findings = graphOnly ? new Map<string, readonly unknown[]>() : model.findingsByPath();
  const t4 = performance.now();
  const cpu = cpuMs(process.cpuUsage(c0));
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  let count = 0;
  for (const list of findings.values()) count += list.length;
  return {
    model,
    figures: {
      revisions: graph.nodes.size, findings: count, heads: graph.heads.join(','), graphWall: t3 - t0, graphCpu, wall: t4 - t0, cpu,
      read: t1 - t0, parse: t2 - t1, graph: t3 - t2, rules: t4 - t3, heapMB: gc ? process.memoryUsage().heapUsed / 1e6 : NaN,
    },
  };
}

/**
 * The cold index in a fresh Node process; also the whole process's wall time (start to exit). With
 * `heap` the child collects garbage to measure its heap (tens of milliseconds no real process spends,
 * so the runs compared with Alembic's go without).
 */
function coldIndexInChild(ini: string, graphOnly = false, heap = true): ColdFigures & { processWall: number } {
  const t0 = performance.now();
  const args = [...(heap ? ['--expose-gc'] : []), __filename, graphOnly ? '--cold-child-graph' : '--cold-child', ini];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 16 << 20 });
  const processWall = performance.now() - t0;
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  if (r.status !== 0 || !line) throw new Error(`cold index child failed (${r.status}): ${r.stderr}`);
  return { ...(JSON.parse(line) as ColdFigures), processWall };
}

/** The median element (by the given figure). */
function median<T>(xs: T[], key: (x: T) => number): T {
  return [...xs].sort((a, b) => key(a) - key(b))[Math.floor(xs.length / 2)] as T;
}

/** The median run (by the given figure) of `n`. */
function medianOf<T>(n: number, run: () => T, key: (x: T) => number): T {
  return median(Array.from({ length: n }, run), key);
}

/** Alembic's own graph load: the whole python process, and the load alone timed inside it. */
function alembicLoad(ini: string): { ms: number; inProcessMs: number; heads: string } {
  const code = 'import sys, time\nfrom alembic.config import Config\nfrom alembic.script import ScriptDirectory\n' +
    't0 = time.perf_counter()\nheads = ScriptDirectory.from_config(Config(sys.argv[1])).revision_map.heads\n' +
    'print((time.perf_counter() - t0) * 1000)\nprint(",".join(heads))';
  const python = process.env.ALEMBIC_TEST_PYTHON || '/usr/bin/python3';
  const t0 = performance.now();
  // No bytecode cache: every file is compiled, as on a first load.
  const r = spawnSync(python, ['-c', code, ini], { cwd: path.dirname(ini), encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' }, maxBuffer: 64 << 20 });
  const wall = performance.now() - t0;
  if (r.status !== 0) return { ms: NaN, inProcessMs: NaN, heads: `failed: ${r.stderr.split('\n').slice(-2).join(' ')}` };
  const [loadMs, heads] = r.stdout.trim().split('\n');
  return { ms: wall, inProcessMs: Number(loadMs), heads: heads ?? '' };
}

interface Timing {
  wall: number[];
  cpu: number[];
}

function timed(t: Timing, fn: () => void): void {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  t.wall.push(performance.now() - t0);
  t.cpu.push(cpuMs(process.cpuUsage(c0)));
}

function summary(label: string, t: Timing): string {
  const f = (x: number): string => x.toFixed(2);
  return `${label.padEnd(58)} p50 ${f(pct(t.wall, 50))} ms, p95 ${f(pct(t.wall, 95))} ms wall; CPU p50 ${f(pct(t.cpu, 50))}, p95 ${f(pct(t.cpu, 95))} ms (${t.wall.length} edits)`;
}

/** What the language server redoes after an edit: the file, the graph, findings by path to publish. */
function recheck(model: ProjectModel, file: string, text: string): void {
  model.setFile(file, text);
  model.findingsByPath();
}

const DOWN_RE = /down_revision: Union\[str, Sequence\[str\], None\] = [^\n]+(?:\n    [^\n]+)*(?:\n\))?/;

function recheckFigures(model: ProjectModel): string[] {
  const paths = model.paths();
  const body: Timing = { wall: [], cpu: [] };
  const down: Timing = { wall: [], cpu: [] };
  const treeBody: Timing = { wall: [], cpu: [] };
  const treeDown: Timing = { wall: [], cpu: [] };
  // Body edits: a statement added to upgrade() of files spread over the history, then taken out.
  for (let k = 0; k < 60; k++) {
    const p = paths[Math.floor((k * 7919) % paths.length)] ?? '';
    const text = model.getFile(p)?.text ?? '';
    const edited = text.replace('def upgrade() -> None:\n', `def upgrade() -> None:\n    op.execute("SELECT ${k}")\n`);
    timed(body, () => recheck(model, p, edited));
    timed(treeBody, () => wireOf(model).revisionGraph([...model.findingsByPath().values()].flat()));
    timed(body, () => recheck(model, p, text));
  }
  // down_revision edits: the head, a revision in the middle, and one just above a merge point are
  // pointed at an older revision and back (the graph's edges change each time).
  const graph = model.graph;
  const targets = [graph.heads[0] ?? '', [...graph.nodes.keys()][Math.floor(graph.nodes.size / 2)] ?? ''];
  const merge = [...graph.nodes.values()].find((n) => n.isMergePoint && n.children.length === 1);
  if (merge?.children[0]) targets.push(merge.children[0]);
  for (let k = 0; k < 60; k++) {
    const node = model.graph.nodes.get(targets[k % targets.length] ?? '');
    if (!node) continue;
    const original = model.getFile(node.path)?.text ?? '';
    const older = [...model.graph.nodes.values()][Math.max(0, node.index - 2 - ((k * 37) % 400))]?.revision ?? '';
    const edited = original.replace(DOWN_RE, `down_revision: Union[str, Sequence[str], None] = "${older}"`);
    if (edited === original) throw new Error(`bench: no down_revision found in ${node.path}`);
    timed(down, () => recheck(model, node.path, edited));
    timed(treeDown, () => wireOf(model).revisionGraph([...model.findingsByPath().values()].flat()));
    timed(down, () => recheck(model, node.path, original));
  }
  return [
    '(re-check = re-parse the file, update the graph, graph rules + that file\'s rules, findings by path to publish)',
    summary('re-check at 10,000 after editing a migration body', body),
    summary('re-check at 10,000 after editing a down_revision', down),
    summary('alembic/revisionGraph (tree refresh) after a body edit', treeBody),
    summary('alembic/revisionGraph (tree refresh) after a down_revision edit', treeDown),
  ];
}

export async function run(): Promise<void> {
  const load = (): string => os.loadavg().map((x) => x.toFixed(1)).join(' ');
  console.log(`load average at start: ${load()} (${os.cpus().length} cores)`);
  const sizes = [1_000, 10_000, 10_000];
  // The last row: the same count with autogenerate-style bodies (about 3 KB a file instead of 1.2 KB).
  const inis = [generate(1_000), generate(10_000), generateRich(10_000)];
  const labels = ['1000', '10000', '10000, 3 KB bodies'];
  const rows: string[][] = [[
    'revisions', 'graph ready, fresh process: wall / CPU ms', 'list+read + header parse + graph & graph rules',
    'whole node process', 'Alembic load: process (in-process)', 'ratio: process (in-process)', 'ratio range over the turns',
    'then all file rules: full index wall / CPU', 'heap MB',
    'warm, in-process: graph ready / full index',
  ]];
  let big: ProjectModel | undefined;
  for (let i = 0; i < sizes.length; i++) {
    const ini = inis[i] ?? '';
    // Fresh processes, ours and Alembic's in turns, so that both meet the same moments of a shared
    // machine (runs here spread by a fifth, and the machine's speed drifts over minutes). Figures are
    // medians over the turns; each ratio is taken within a turn, and their median and range shown.
    const turns = Array.from({ length: 5 }, () => ({ ours: coldIndexInChild(ini, true, false), py: alembicLoad(ini) }));
    const graphHeapMB = coldIndexInChild(ini, true).heapMB;
    const graphOnly = median(turns.map((t) => t.ours), (o) => o.graphWall);
    const py = median(turns.map((t) => t.py), (x) => x.inProcessMs);
    const processRatios = turns.map((t) => t.py.ms / t.ours.processWall).sort((a, b) => a - b);
    const inProcessRatios = turns.map((t) => t.py.inProcessMs / t.ours.graphWall).sort((a, b) => a - b);
    const full = medianOf(3, () => coldIndexInChild(ini), (x) => x.wall);
    // In this process, after the previous index warmed the JIT (1,000 warms up 10,000).
    const { model, figures: warm } = await coldIndex(ini);
    if (py.heads !== full.heads) console.log(`WARNING: heads differ at ${sizes[i]}: ours ${full.heads}, Alembic's ${py.heads}`);
    const x = (r: number | undefined): string => `${(r ?? NaN).toFixed(1)}x`;
    rows.push([
      labels[i] ?? String(full.revisions), `${ms(graphOnly.graphWall)} / ${ms(graphOnly.graphCpu)}`,
      `${ms(graphOnly.read)} + ${ms(graphOnly.parse)} + ${ms(graphOnly.graph)}`, `${ms(median(turns.map((t) => t.ours.processWall), (v) => v))} ms`,
      Number.isNaN(py.ms) ? py.heads : `${ms(median(turns.map((t) => t.py.ms), (v) => v))} ms (${ms(py.inProcessMs)} ms)`,
      `${x(processRatios[2])} (${x(inProcessRatios[2])})`,
      `${x(processRatios[0])}-${x(processRatios[4])} (${x(inProcessRatios[0])}-${x(inProcessRatios[4])})`,
      `${ms(full.wall)} / ${ms(full.cpu)} (file rules ${ms(full.rules)})`, `${ms(graphHeapMB)} / ${ms(full.heapMB)}`,
      `${ms(warm.graphWall)} / ${ms(warm.wall)}`,
    ]);
    if (i === 1) big = model;
  }
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | '));
  console.log('(ratio: Alembic\'s whole python process against our whole node process up to the graph being ready; in-process: Alembic\'s load timed inside python against our graph index timed inside node;');
  console.log(' medians of the ratios within five turns of ours then Alembic\'s, and their lowest and highest.');
  console.log(' heap: after the graph index / after the full index. The language server publishes the graph and its findings when the graph is ready and the file-rule findings as they come.)');
  if (!big) return;
  (globalThis as { gc?: () => void }).gc?.();
  console.log(`heap used in this process with the 10,000-revision model loaded: ${ms(process.memoryUsage().heapUsed / 1e6)} MB`);
  for (const line of recheckFigures(big)) console.log(line);
  console.log(`load average at end: ${load()}`);
}

if (require.main === module && (process.argv[2] === '--cold-child' || process.argv[2] === '--cold-child-graph')) {
  coldIndex(process.argv[3] ?? '', process.argv[2] === '--cold-child-graph').then(({ figures }) => {
    console.log(JSON.stringify(figures));
  }, (err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
