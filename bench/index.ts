// `npm run bench`: runs every bench/*.bench.js (transpiled into out/bench) in name order and prints
// their figures. Each bench module exports `run(): Promise<void>` and prints its own lines.
//
// Each runs in a process of its own: one bench's heap (the index bench keeps 10,000-revision models)
// would otherwise slow the next one's garbage collections, and its warmed JIT would flatter the next
// one's cold figures. `npm run bench -- NAME` runs the benches whose file name contains NAME.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

interface BenchModule {
  run(): Promise<void>;
}

async function main(): Promise<void> {
  const [only, inThisProcess] = process.argv.slice(2);
  if (inThisProcess === '--here') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(__dirname, only ?? '')) as BenchModule;
    await mod.run();
    return;
  }
  const files = fs.readdirSync(__dirname).filter((f) => f.endsWith('.bench.js') && (!only || f.includes(only))).sort();
  let failed = 0;
  for (const file of files) {
    console.log(`\n== ${file.replace(/\.bench\.js$/, '')}`);
    const r = spawnSync(process.execPath, [...process.execArgv, __filename, file, '--here'], { stdio: 'inherit' });
    if (r.status !== 0) {
      console.error(`bench ${file} failed (${r.error?.message ?? `exit ${r.status ?? r.signal}`})`);
      failed++;
    }
  }
  if (failed > 0) process.exit(1);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
