// The full check as a user runs it, at 10,000 revisions: `alembic-lint check --scope all` (every rule
// on every revision, git asked which revisions are released, the JSON report written), the whole node
// process of dist/cli.js, beside Alembic's whole python process loading the same files (the real
// ScriptDirectory, no bytecode cache). The two run in turns so that they meet the same moments of a shared machine; figures are medians
// over the turns, each ratio is taken within its turn. CPU time (user + system, every thread and child
// process, as sh's `times` reports it) is printed beside wall time: it is the steadier of the two here.
// The projects are index-graph's (bench/generated/).
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { generate, generateRich } from './index-graph.bench';

interface Run {
  wall: number;
  cpu: number;
}

/** Wall and CPU milliseconds of one command (its output discarded). */
function processRun(argv: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Run {
  const quoted = argv.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const t0 = performance.now();
  const r = spawnSync('/bin/sh', ['-c', `${quoted} >/dev/null; s=$?; times >&2; exit $s`], { cwd, encoding: 'utf8', env, maxBuffer: 64 << 20 });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr}`);
  // `times` prints the shell's own user and system time, then its children's: "0m1.234s 0m0.056s".
  const children = r.stderr.trim().split('\n').pop() ?? '';
  const secs = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  return { wall, cpu: ((secs[0] ?? NaN) + (secs[1] ?? NaN)) * 1000 };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const ms = (x: number): string => x.toFixed(0);

function figures(ini: string, label: string, turns: number): string {
  const cli = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');
  const dir = path.dirname(ini);
  const python = process.env.ALEMBIC_TEST_PYTHON || '/usr/bin/python3';
  const code = 'import sys\nfrom alembic.config import Config\nfrom alembic.script import ScriptDirectory\nScriptDirectory.from_config(Config(sys.argv[1])).revision_map.heads';
  const check = [process.execPath, cli, 'check', dir, '--scope', 'all', '--format', 'json', '--fail-on', 'never'];
  const rows = Array.from({ length: turns }, () => ({
    ours: processRun(check, dir),
    py: processRun([python, '-c', code, ini], dir, { ...process.env, PYTHONDONTWRITEBYTECODE: '1' }),
  }));
  const med = (f: (r: (typeof rows)[number]) => number): number => median(rows.map(f));
  const ratio = (of: (r: (typeof rows)[number]) => Run): string => {
    const rs = rows.map((r) => r.py.wall / of(r).wall).sort((a, b) => a - b);
    return `${(rs[Math.floor(turns / 2)] ?? NaN).toFixed(1)}x (${(rs[0] ?? NaN).toFixed(1)}-${(rs[turns - 1] ?? NaN).toFixed(1)}x)`;
  };
  return [
    `${label.padEnd(20)} | ${ms(med((r) => r.ours.wall))} / ${ms(med((r) => r.ours.cpu))}`.padEnd(36),
    `${ms(med((r) => r.py.wall))} / ${ms(med((r) => r.py.cpu))}`.padEnd(20),
    ratio((r) => r.ours),
  ].join(' | ');
}

export async function run(): Promise<void> {
  const turns = Number(process.env.BENCH_TURNS) || 5;
  console.log(`load average at start: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (${os.cpus().length} cores)`);
  console.log('revisions            | full check, whole process: wall / CPU ms | Alembic load, process | ratio of wall times (range)');
  console.log(figures(generate(10_000), '10000', turns));
  console.log(figures(generateRich(10_000), '10000, 3 KB bodies', turns));
  console.log(`(alembic-lint check --scope all --format json, dist/cli.js; Alembic: ScriptDirectory.from_config(...).revision_map.heads; ${turns} turns, medians)`);
  console.log(`load average at end: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
}
