#!/usr/bin/env node
// Writes docs/locks.md from the lock table (server/src/core/locks/table.ts), the same code that
// answers the hover. `--check`: exit 1, writing nothing, when docs/locks.md differs from it.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = await build({
  entryPoints: [path.join(root, 'server/src/core/locks/doc.ts')],
  bundle: true, write: false, platform: 'node', format: 'cjs', target: 'node18', logLevel: 'error',
});
const module = { exports: {} };
// The bundle is our own code, compiled just now: run it as a CommonJS module.
new Function('module', 'exports', 'require', out.outputFiles[0].text)(module, module.exports, createRequire(import.meta.url));
const text = module.exports.locksDoc();
const file = path.join(root, 'docs/locks.md');
if (process.argv.includes('--check')) {
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  if (current !== text) {
    console.error('docs/locks.md is out of date: run node scripts/locks-doc.mjs');
    process.exit(1);
  }
  console.log('docs/locks.md is up to date');
} else {
  fs.writeFileSync(file, text);
  console.log(`wrote ${path.relative(root, file)}`);
}
