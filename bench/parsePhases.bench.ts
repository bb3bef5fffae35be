// The two parses a full check runs, each on its own, over the generated 10,000-revision project
// (index-graph's bench/generated/p10000, ~1.2 KB a file): parseMigrationHeader (every file, when the
// project loads) and parseMigration (every file, for the file rules). The texts are read as the CLI
// reads them (readFilesInOneBuffer: slices of one decoded batch). The first pass includes the JIT's
// warm-up, which is what a one-shot `alembic-lint check` pays; the best of the later passes is the
// steadier figure for comparing parser changes on a shared machine.
import fs from 'node:fs';
import path from 'node:path';
import { parseMigration, parseMigrationHeader } from '../server/src/core/parse';
import { readFilesInOneBuffer } from '../server/src/fs/readFiles';
import type { Migration } from '../server/src/core/types';
import { generate } from './index-graph.bench';

const ROUNDS = 7;

function cpuMs(u: NodeJS.CpuUsage): number {
  return (u.user + u.system) / 1000;
}

function pass(texts: readonly string[], parse: (text: string) => Migration): { ms: number; lines: number } {
  let lines = 0;
  const c = process.cpuUsage();
  for (const t of texts) lines += parse(t).lineCount;
  return { ms: cpuMs(process.cpuUsage(c)), lines };
}

export async function run(): Promise<void> {
  const versions = path.join(path.dirname(generate(10_000)), 'migrations', 'versions');
  const files = fs.readdirSync(versions).filter((f) => f.endsWith('.py')).sort().map((f) => path.join(versions, f));
  const texts = readFilesInOneBuffer(files).map((r) => r.text ?? '');
  const bytes = texts.reduce((s, t) => s + t.length, 0);
  console.log(`parse phases: ${texts.length} files of p10000, ${(bytes / texts.length).toFixed(0)} bytes/file (CPU time per pass)`);
  for (const [name, parse] of [['parseMigrationHeader', parseMigrationHeader], ['parseMigration', parseMigration]] as const) {
    const first = pass(texts, parse);
    const later: number[] = [];
    for (let k = 0; k < ROUNDS; k++) {
      const p = pass(texts, parse);
      if (p.lines !== first.lines) console.log(`  WARNING: ${name} counted ${p.lines} lines, then ${first.lines}`);
      later.push(p.ms);
    }
    later.sort((a, b) => a - b);
    console.log(`  ${name}: first pass ${first.ms.toFixed(0)} ms, best of ${ROUNDS} later ${later[0]?.toFixed(0)} ms, median ${later[ROUNDS >> 1]?.toFixed(0)} ms`);
  }
  console.log('  (the header pass runs first in a fresh process, as in the CLI; the full pass then finds the tokenizer warm)');
}
