// The full check on more than one core. File rules are most of a full check's time, and each file's
// are independent but for the schema model, whose state at a revision is made from the effects of the
// revisions before it. So the files are dealt out into shards, one per thread (worker threads, and the
// main thread, which also asks git what is released meanwhile), in two phases. First every thread parses
// its own shard in full (and the others' files only as far as the graph needs) and makes its shard's
// schema effects, which it sends on; then, holding every shard's effects, each thread replays the model
// and runs its shard's rules. So no file is parsed in full twice, and every rule sees exactly the model
// it would see on one thread. The main thread reads the texts and hands them over (every thread sees
// the same texts), and prints the findings in the usual order. A worker that fails, exits or is given
// nothing leaves its files to the main thread: the answer is the same, only slower.
import os from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { RuleSeverityMap } from '../server/src/core/config/severities';
import type { ProjectConfig } from '../server/src/core/project/discover';
import { ProjectModel, type ReadFiles } from '../server/src/core/project/model';
import type { ProjectRelease } from '../server/src/core/release/release';
import type { Effect } from '../server/src/core/schema';
import type { Finding } from '../server/src/core/types';
import { loadSqlParser } from '../server/src/fs/sqlParser';
import { mayRunSql } from '../server/src/core/facts/sqlParser';

/** Below this many files a second thread costs more (its start, the texts handed over) than it saves. */
export const PARALLEL_MIN_FILES = 1000;

/** What a worker is started with. */
interface WorkerStart {
  kind: 'alembic-lint-check';
  config: ProjectConfig;
  read: ReadFiles;
  /** This worker's shard; the main thread's is the last, `shards - 1`. */
  shard: number;
  shards: number;
}

type ToWorker =
  | { kind: 'go'; release: ProjectRelease | undefined; severities: RuleSeverityMap }
  | { kind: 'effects'; shard: number; effects: [string, readonly Effect[]][] };

type FromWorker =
  | { kind: 'effects'; shard: number; effects: [string, readonly Effect[]][] }
  | { kind: 'findings'; shard: number; findings: [string, Finding[]][] }
  | { kind: 'failed'; shard: number; message: string };

/**
 * Which shard each file is in (the files in the order they were listed, the same in every thread):
 * dealt out in turn, so that old and new migrations (which differ in size) are spread evenly; the main
 * thread's shard, the last, is smaller: it also asks git, and prints.
 */
export function shardsOf(files: readonly string[], shards: number): Set<string>[] {
  const MAIN_WEIGHT = 0.8;
  const weight = (s: number): number => (s === shards - 1 ? MAIN_WEIGHT : 1);
  const out = Array.from({ length: shards }, () => new Set<string>());
  const counts = new Array<number>(shards).fill(0);
  for (const f of files) {
    let best = 0;
    for (let s = 1; s < shards; s++) if (((counts[s] ?? 0) + 1) / weight(s) < ((counts[best] ?? 0) + 1) / weight(best)) best = s;
    counts[best] = (counts[best] ?? 0) + 1;
    out[best]?.add(f);
  }
  return out;
}

/** How many threads `--jobs` asks for: a number, or auto (the cores Node may use, at most 4). */
export function threadsFor(jobs: number | 'auto' | undefined, files: number): number {
  if (files < PARALLEL_MIN_FILES && jobs === undefined) return 1;
  if (jobs === undefined || jobs === 'auto') return files < PARALLEL_MIN_FILES ? 1 : Math.max(1, Math.min(4, os.availableParallelism()));
  return Math.max(1, Math.floor(jobs));
}

/** The shards a project's file rules run in; one `ParallelCheck` per project, made before its model. */
export class ParallelCheck {
  private readonly workers: Worker[] = [];
  private readonly effects = new Map<number, [string, readonly Effect[]][]>();
  private readonly findings = new Map<number, Map<string, Finding[]>>();
  private readonly settled = new Set<number>();
  private readonly waiters: (() => void)[] = [];
  /** The main thread's shard: the files it parses in full while it builds the model. */
  readonly mine: ReadonlySet<string>;

  /** Starts `threads - 1` workers on these texts (the config as it is before the model reads the dialect). */
  constructor(config: ProjectConfig, read: ReadFiles, readonly threads: number, private readonly log: (s: string) => void) {
    this.mine = shardsOf(read.files, threads)[threads - 1] ?? new Set();
    for (let shard = 0; shard < threads - 1; shard++) {
      const start: WorkerStart = { kind: 'alembic-lint-check', config, read, shard, shards: threads };
      let worker: Worker;
      try {
        worker = new Worker(__filename, { workerData: start });
      } catch (e) {
        this.fail(shard, `could not start: ${e instanceof Error ? e.message : String(e)}`);
        continue;
      }
      this.workers[shard] = worker;
      worker.on('message', (m: FromWorker) => this.receive(m));
      worker.on('error', (e) => this.fail(shard, e.message));
      worker.on('exit', (code) => this.fail(shard, `exited (${code})`));
    }
  }

  private receive(m: FromWorker): void {
    if (m.kind === 'effects') {
      this.effects.set(m.shard, m.effects);
      // Every other worker's rules wait for this shard's effects: the main thread passes them on.
      this.workers.forEach((w, i) => { if (i !== m.shard) w.postMessage({ kind: 'effects', shard: m.shard, effects: m.effects } satisfies ToWorker); });
    } else if (m.kind === 'findings') {
      this.findings.set(m.shard, new Map(m.findings));
      this.settled.add(m.shard);
    } else {
      this.fail(m.shard, m.message);
    }
    this.wake();
  }

  private fail(shard: number, message: string): void {
    if (this.settled.has(shard)) return;
    this.settled.add(shard);
    // The other workers wait for every shard's effects: theirs is none (they parse its files as needed).
    if (!this.effects.has(shard)) this.workers.forEach((w, i) => { if (i !== shard) w.postMessage({ kind: 'effects', shard, effects: [] } satisfies ToWorker); });
    this.log(`alembic-lint: note: the check's thread ${shard + 1} stopped (${message}); the main thread checks its files\n`);
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private async until(done: () => boolean): Promise<void> {
    while (!done()) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /**
   * Every file's findings (graph rules, then file rules per file in load order, as
   * `ProjectModel.findings` gives them): the workers run their shards, this thread the last one. The
   * model is the one built with `parseInFull: this.mine`.
   */
  async run(model: ProjectModel, release: ProjectRelease | undefined, severities: RuleSeverityMap): Promise<Finding[]> {
    this.shareEffects(model);
    const workers = this.threads - 1;
    for (const w of this.workers) w.postMessage({ kind: 'go', release, severities } satisfies ToWorker);
    // The graph and the replay order are made while the workers still parse.
    const order = model.replayOrderPaths();
    await this.until(() => [...Array(workers).keys()].every((s) => this.effects.has(s) || this.settled.has(s)));
    for (const list of this.effects.values()) for (const [p, e] of list) model.adoptEffects(p, e);
    const mine = new Map<string, Finding[]>();
    // In replay order (parents first): the model's states are made once, from the start onwards.
    for (const p of order) if (this.mine.has(p)) mine.set(p, model.fileFindings(p, severities));
    const graphFindings = model.graphFindings(severities);
    await this.until(() => this.settled.size >= workers);
    this.stop();
    const out = [...graphFindings];
    for (const p of model.paths()) {
      let found = mine.get(p);
      for (const f of this.findings.values()) found ??= f.get(p);
      // A shard whose worker failed: its files are checked here (the model parses them as needed).
      out.push(...(found ?? model.fileFindings(p, severities)));
    }
    return out;
  }

  private shared = false;

  /**
   * Makes this thread's shard's effects (from the parse the model was built with) and sends them to
   * the workers, whose rules wait for them: called before the main thread asks git, so the workers
   * need not wait for that too. `run` calls it when nobody did.
   */
  shareEffects(model: ProjectModel): void {
    if (this.shared) return;
    this.shared = true;
    const own = model.prepareFiles([...this.mine]);
    for (const w of this.workers) w.postMessage({ kind: 'effects', shard: this.threads - 1, effects: own } satisfies ToWorker);
  }

  /** Stops the workers (done, or a check that ends early: a configuration error). */
  stop(): void {
    for (const w of this.workers) void w.terminate();
  }
}

/** A worker's life: build the model, parse its shard, hand the effects on, run the shard's rules. */
async function runWorker(start: WorkerStart, port: NonNullable<typeof parentPort>): Promise<void> {
  let go: Extract<ToWorker, { kind: 'go' }> | undefined;
  const others = new Map<number, [string, readonly Effect[]][]>();
  let wake: (() => void) | undefined;
  port.on('message', (m: ToWorker) => {
    if (m.kind === 'go') go = m;
    else others.set(m.shard, m.effects);
    wake?.();
  });
  const until = async (done: () => boolean): Promise<void> => {
    while (!done()) await new Promise<void>((resolve) => { wake = resolve; });
  };
  try {
    const mine = shardsOf(start.read.files, start.shards)[start.shard] ?? new Set<string>();
    // The same reading of SQL as the main thread's (PostgreSQL's parser when the migrations run SQL),
    // compiled while the files are parsed.
    const sql = start.read.texts.some((t) => t.text !== undefined && mayRunSql(t.text)) ? loadSqlParser() : undefined;
    const model = ProjectModel.fromFiles(start.config, start.read, { parseInFull: mine });
    await sql;
    port.postMessage({ kind: 'effects', shard: start.shard, effects: model.prepareFiles([...mine]) } satisfies FromWorker);
    // The graph and the replay order are made while the other shards' effects are on their way.
    const order = model.replayOrderPaths();
    // Every other shard's effects (the other workers' through the main thread), and the release.
    await until(() => go !== undefined && others.size >= start.shards - 1);
    for (const list of others.values()) for (const [p, e] of list) model.adoptEffects(p, e);
    if (go) model.setRelease(go.release);
    const findings: [string, Finding[]][] = [];
    for (const p of order) if (mine.has(p)) findings.push([p, model.fileFindings(p, go?.severities)]);
    port.postMessage({ kind: 'findings', shard: start.shard, findings } satisfies FromWorker);
  } catch (e) {
    port.postMessage({ kind: 'failed', shard: start.shard, message: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies FromWorker);
  }
  port.close();
}

// This module is the workers' entry too (the bundle's file, started again as a worker thread).
const start = workerData as WorkerStart | undefined;
if (!isMainThread && parentPort && start?.kind === 'alembic-lint-check') void runWorker(start, parentPort);
