#!/usr/bin/env node
// Writes docs/locks.md from the lock table (server/src/core/locks/table.ts), the same code that
// answers the hover (test/unit/locks.test.ts fails when the file is out of date).
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
fs.writeFileSync(file, text);
console.log(`wrote ${path.relative(root, file)}`);
