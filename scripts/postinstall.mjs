#!/usr/bin/env node
// Builds dist/ after `npm install` in a checkout of this repository, so that `npm pack` finds the CLI.
// Why postinstall and not prepack: pre-commit installs a `language: node` hook by running `npm pack`
// and reading the tarball's name from its standard output; npm prints a lifecycle script's banner and
// output there too, so any prepack/prepare script garbles that name and the hook cannot install.
// In an installed package (the tarball from `npm pack`, installed with `npm install -g`) there is no
// esbuild.mjs and nothing to build: exit quietly.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const hasBuildScript = fs.existsSync(path.join(root, 'esbuild.mjs'));
const hasEsbuild = fs.existsSync(path.join(root, 'node_modules', 'esbuild'));
if (!hasBuildScript || !hasEsbuild) process.exit(0);

// Standard output goes to standard error: npm install's output is not parsed, but keep the habit.
const build = spawnSync(process.execPath, ['esbuild.mjs', '--production'], { cwd: root, stdio: ['ignore', 2, 2] });
if (build.status !== 0) {
  console.error(`postinstall: node esbuild.mjs --production failed (exit ${build.status ?? build.signal}); run it by hand to see why`);
  process.exit(1);
}
