// The mocha entry that VS Code loads inside the extension host (`extensionTestsPath`): the
// @vscode/test-electron `run()` convention, so the same suites run under code-server (our default host,
// scripts/vscode-host/run-tests.mjs) and under a downloaded desktop VS Code. Runs every
// suite/**/*.test.js beside this file; resolves when all pass, rejects otherwise (VS Code turns that
// into the exit code). Counts go to MOCHA_SUMMARY_FILE through the shared summary reporter.
import fs from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';
import { repoRoot } from '../support/paths';

// A walk of our own: older desktop VS Code builds run an extension host Node without Dirent.parentPath.
function testFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const found: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) found.push(...testFiles(p));
    else if (e.isFile() && e.name.endsWith('.test.js')) found.push(p);
  }
  return found.sort();
}

export async function run(): Promise<void> {
  // The reporter is plain CommonJS shared with the Node tiers; required at run time on purpose.
  const reporter = require(path.join(repoRoot, 'scripts', 'lib', 'mocha-summary-reporter.cjs')) as typeof Mocha.reporters.Base;
  const mocha = new Mocha({
    ui: 'bdd',
    reporter,
    color: false,
    timeout: Number(process.env.VSCODE_TEST_TIMEOUT_MS || 60_000),
    grep: process.env.VSCODE_TEST_GREP || undefined,
  });
  // suite/ by default; restricted/ for the run in Restricted Mode (run-tests.mjs --restricted).
  const folder = path.join(__dirname, process.env.VSCODE_TEST_SUITE === 'restricted' ? 'restricted' : 'suite');
  const files = testFiles(folder);
  if (files.length === 0) throw new Error(`no *.test.js under ${folder}: build with node esbuild.mjs --tests`);
  for (const f of files) mocha.addFile(f);
  await mocha.loadFilesAsync();
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} test(s) failed inside VS Code`);
}
