// The static schema model (server/src/core/schema) at 10,000 revisions: what the graph's first
// findings cost with the model in the project (nothing: it is replayed when a rule first asks), the
// full index (every file rule, the model replayed as rules ask), a full replay on its own from the
// effects the rules' parses left, the heap the 10,000 cached states take, and the re-replay after an
// edit of a revision near the end (only it and the revisions after it replay again).
import { loadConfigFile, memoryFileSystem } from '../server/src/core/project';
import { ProjectModel } from '../server/src/core/project/model';
import { generateProject } from './rules.bench';

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
const heapMB = (): number => {
  gc();
  return process.memoryUsage().heapUsed / 1e6;
};

/** Wall and CPU milliseconds of `fn` (CPU time is the steadier figure on a shared machine). */
function timed(fn: () => void): string {
  const c = process.cpuUsage();
  const t = performance.now();
  fn();
  const wall = performance.now() - t;
  const u = process.cpuUsage(c);
  return `${wall.toFixed(1)} ms (CPU ${((u.user + u.system) / 1000).toFixed(1)} ms)`;
}

export async function run(): Promise<void> {
  const files = generateProject(10_000);
  const config = await loadConfigFile(memoryFileSystem({ '/bench/alembic.ini': '[alembic]\nscript_location = %(here)s\n', '/bench/env.py': '' }), '/bench/alembic.ini');
  if (!config) throw new Error('no bench project');
  const model = new ProjectModel(config);
  const graphTime = timed(() => {
    for (const [p, text] of files) model.setFile(p, text);
    void model.graph;
    model.graphFindings();
  });
  console.log(`graph and graph findings at ${model.graph.nodes.size} revisions: ${graphTime}; schema states replayed by then: ${model.schema.replayed}`);

  const fullTime = timed(() => model.findingsByPath());
  console.log(`full index (every file rule; the model replayed as rules ask): ${fullTime}; states replayed: ${model.schema.replayed}`);

  const heads = model.graph.heads;
  model.schema.reset();
  const before = heapMB();
  const replayTime = timed(() => {
    for (const h of heads) model.schema.after(h);
  });
  const after = heapMB();
  console.log(`full replay to the heads from cached effects: ${replayTime} for ${model.schema.cachedStates} states; their heap: ${(after - before).toFixed(1)} MB (${(((after - before) * 1e6) / Math.max(1, model.schema.cachedStates)).toFixed(0)} bytes a revision)`);

  // An edit near the end: the 20th revision before the head gets a new column.
  let node = model.graph.nodes.get(heads[0] ?? '');
  for (let i = 0; i < 20 && node?.parents[0]; i++) node = model.graph.nodes.get(node.parents[0]);
  if (!node) throw new Error('no revision to edit');
  const text = files.get(node.path) ?? '';
  const edited = text.replace('def upgrade() -> None:\n', 'def upgrade() -> None:\n    op.add_column("users", sa.Column("bench_col", sa.String(10)))\n');
  const replayedBefore = model.schema.replayed;
  const editTime = timed(() => {
    model.setFile(node.path, edited);
    for (const h of model.graph.heads) model.schema.after(h);
  });
  console.log(`edit of a revision 20 before the head, then replay to the heads: ${editTime}, ${model.schema.replayed - replayedBefore} states replayed again`);
  const recheck = timed(() => model.findingsByPath());
  console.log(`findings by path after that edit (the edited file's rules, answers re-checked): ${recheck}`);
}
