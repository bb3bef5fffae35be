// `npm run bench`: runs every bench/*.bench.js (transpiled into out/bench) in name order and prints
// their figures. Each bench module exports `run(): Promise<void>` and prints its own lines.
import fs from 'node:fs';
import path from 'node:path';

interface BenchModule {
  run(): Promise<void>;
}

async function main(): Promise<void> {
  const only = process.argv[2];
  const files = fs.readdirSync(__dirname).filter((f) => f.endsWith('.bench.js') && (!only || f.includes(only))).sort();
  for (const file of files) {
    console.log(`\n== ${file.replace(/\.bench\.js$/, '')}`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(__dirname, file)) as BenchModule;
    await mod.run();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
