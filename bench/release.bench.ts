// Released and new at 10,000 revisions in a real git repository with one commit per revision (made
// once with `git fast-import` under bench/generated/, git-ignored), on a branch that adds 10 revisions:
// how long finding the release takes by running git and by reading the objects in JavaScript (the
// untrusted workspace's way), next to the time to the graph's first findings, which it must not delay
// (the server publishes those first and classifies afterwards, beside its request queue).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfigFile } from '../server/src/core/project';
import { ProjectModel } from '../server/src/core/project/model';
import { DEFAULT_RELEASE_SETTINGS } from '../server/src/core/release/release';
import { nodeFileSystem } from '../server/src/fs/nodeFileSystem';
import { findRelease, type GitAccess } from '../server/src/git/findRelease';
import { migrationText } from '../test/support/gitProject';

const REVISIONS = 10_000;
const NEW_ON_BRANCH = 10;
const GENERATOR_VERSION = '1';
const root = path.resolve(__dirname, '..', '..', 'bench', 'generated', `release-${REVISIONS}`);

const id = (i: number): string => (0x10000000000 + i * 7919).toString(16).slice(-12).padStart(12, '0');
const fileName = (i: number): string => `${String(i).padStart(5, '0')}_${id(i)}.py`;

function git(cwd: string, args: string[], input?: string): string {
  const r = spawnSync('git', args, {
    cwd, input, encoding: 'utf8', maxBuffer: 1 << 30,
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'bench@example.com', GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'bench@example.com' },
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} in ${cwd} failed: ${r.stderr}`);
  return r.stdout;
}

/** The repository: main with one commit per revision, then a branch with its own revisions. */
function generate(): void {
  const marker = path.join(root, '.generator');
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === GENERATOR_VERSION) return;
  fs.rmSync(root, { recursive: true, force: true });
  fs.mkdirSync(root, { recursive: true });
  git(root, ['init', '-q', '-b', 'main']);
  const parts: string[] = [];
  const blob = (text: string): string => `data ${Buffer.byteLength(text)}\n${text}\n`;
  const commit = (branch: string, mark: number, files: [string, string][], from?: string): void => {
    parts.push(`commit refs/heads/${branch}\nmark :${mark}\ncommitter Bench <bench@example.com> ${1700000000 + mark} +0000\n${blob(`revision ${mark}`)}`);
    if (from) parts.push(`from ${from}\n`);
    for (const [p, text] of files) parts.push(`M 100644 inline ${p}\n${blob(text)}`);
  };
  commit('main', 1, [
    ['alembic.ini', '[alembic]\nscript_location = %(here)s/migrations\n'],
    ['migrations/env.py', '# not run\n'],
    [`migrations/versions/${fileName(0)}`, migrationText(id(0), null)],
  ]);
  for (let i = 1; i < REVISIONS; i++) commit('main', i + 1, [[`migrations/versions/${fileName(i)}`, migrationText(id(i), id(i - 1))]]);
  for (let k = 0; k < NEW_ON_BRANCH; k++) {
    const i = REVISIONS + k;
    commit('feature', i + 1, [[`migrations/versions/${fileName(i)}`, migrationText(id(i), id(i - 1))]], k === 0 ? `:${REVISIONS}` : undefined);
  }
  git(root, ['fast-import', '--quiet'], parts.join(''));
  git(root, ['checkout', '-q', '-f', 'feature']);
  fs.writeFileSync(marker, GENERATOR_VERSION);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

export async function run(): Promise<void> {
  const made = performance.now();
  generate();
  console.log(`repository: ${REVISIONS} commits on main (one per revision), ${NEW_ON_BRANCH} new on the branch (ready in ${((performance.now() - made) / 1000).toFixed(1)} s)`);
  const config = await loadConfigFile(nodeFileSystem, path.join(root, 'alembic.ini'));
  if (!config) throw new Error(`no project in ${root}`);
  const loadStarted = performance.now();
  const model = await ProjectModel.load(nodeFileSystem, config);
  void model.graphFindings();
  const toGraphFindings = performance.now() - loadStarted;
  const texts = new Map(model.paths().map((p) => [p, model.getFile(p)?.text ?? '']));
  console.log(`graph and graph findings (what the server publishes first): ${toGraphFindings.toFixed(0)} ms`);
  for (const access of ['spawn', 'objects'] as GitAccess[]) {
    const times: number[] = [];
    for (let run = 0; run < 3; run++) {
      const started = performance.now();
      const found = await findRelease({ projectRoot: root, versionLocations: config.versionLocationPaths, recursive: config.recursiveVersionLocations, texts }, DEFAULT_RELEASE_SETTINGS, access);
      times.push(performance.now() - started);
      if (found.problem) throw new Error(`no release: ${found.problem.message}`);
      model.setRelease(found.release);
      const fresh = model.paths().filter((p) => model.releaseOf(p) === undefined).length;
      if (fresh !== NEW_ON_BRANCH) throw new Error(`${access}: ${fresh} new revisions, expected ${NEW_ON_BRANCH}`);
    }
    console.log(`released/new for ${REVISIONS + NEW_ON_BRANCH} revisions, ${access === 'spawn' ? 'git (safe options)' : 'objects read in JavaScript (untrusted)'}: ` +
      `median ${median(times).toFixed(0)} ms of ${times.map((t) => t.toFixed(0)).join(', ')} (after the first findings, not before)`);
  }
  const rulesStarted = performance.now();
  void model.findings();
  console.log(`file rules on the ${NEW_ON_BRANCH} new revisions only (scope new) plus graph rules: ${(performance.now() - rulesStarted).toFixed(0)} ms`);
}
