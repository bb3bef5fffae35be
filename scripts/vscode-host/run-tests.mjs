#!/usr/bin/env node
// Runs mocha suites inside a real VS Code, the way @vscode/test-electron's runTests does, on a host
// these machines can install: code-server from npm (the default) or, with --host electron, a desktop
// VS Code that @vscode/test-electron downloads (where the internet is reachable).
//
//   node scripts/vscode-host/run-tests.mjs [--workspace DIR] [--extension DIR] [--tests FILE]
//        [--run-dir DIR] [--timeout MS] [--host code-server|electron] [--keep] [--restricted]
//
// --workspace  the folder to open; a scratch copy is opened so tests may change files (default: the amani
//              fixture). Its .vscode/settings.json gets alembic.pythonPath = $ALEMBIC_TEST_PYTHON.
// --extension  extensionDevelopmentPath (default: the repository root)
// --tests      extensionTestsPath, a module exporting run() (default: out/test/vscode/index.js)
// --restricted workspace trust on and the folder untrusted (Restricted Mode); runs the suites under
//              restricted/ instead of suite/ (VSCODE_TEST_SUITE=restricted reaches the extension host)
// Exit code: 0 when the suites passed. The environment (ALEMBIC_TEST_PG_URL, MOCHA_SUMMARY_FILE, ...)
// reaches the extension host: code-server's extension host inherits code-server's environment.
//
// How the code-server host works: code-server is started with the smoke-test driver enabled (without
// it the built workbench ignores the URL `payload` that carries extensionDevelopmentPath and
// extensionTestsPath), the workbench is opened in headless Chromium, and the workbench calls
// window.codeAutomationExit(code) once the mocha run in the extension host has finished;
// window.codeAutomationLog(type, args) receives the extension host's console, mocha's output included.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import util from 'node:util';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');

function parseArgs(argv) {
  const opts = {
    workspace: path.join(repoRoot, 'test', 'fixtures', 'amani'),
    extension: repoRoot,
    tests: path.join(repoRoot, 'out', 'test', 'vscode', 'index.js'),
    runDir: '',
    timeout: Number(process.env.VSCODE_TEST_RUN_TIMEOUT_MS || 300_000),
    host: process.env.VSCODE_TEST_HOST || 'code-server',
    keep: false,
    restricted: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case '--workspace': opts.workspace = path.resolve(value()); break;
      case '--extension': opts.extension = path.resolve(value()); break;
      case '--tests': opts.tests = path.resolve(value()); break;
      case '--run-dir': opts.runDir = path.resolve(value()); break;
      case '--timeout': opts.timeout = Number(value()); break;
      case '--host': opts.host = value(); break;
      case '--keep': opts.keep = true; break;
      case '--restricted': opts.restricted = true; break;
      default: throw new Error(`unknown argument ${a}`);
    }
  }
  if (!opts.runDir) {
    fs.mkdirSync(path.join(repoRoot, '.test-runs'), { recursive: true });
    opts.runDir = fs.mkdtempSync(path.join(repoRoot, '.test-runs', 'vscode-'));
  }
  return opts;
}

/** A scratch copy of the workspace with the test interpreter configured. */
function prepareWorkspace(source, runDir) {
  if (!fs.existsSync(source)) throw new Error(`workspace folder ${source} does not exist`);
  const dest = path.join(runDir, 'workspace', path.basename(source));
  fs.rmSync(dest, { recursive: true, force: true });
  fs.cpSync(source, dest, { recursive: true });
  const settingsFile = path.join(dest, '.vscode', 'settings.json');
  const settings = fs.existsSync(settingsFile) ? JSON.parse(fs.readFileSync(settingsFile, 'utf8')) : {};
  settings['alembic.pythonPath'] = process.env.ALEMBIC_TEST_PYTHON || '/usr/bin/python3';
  fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
  fs.writeFileSync(settingsFile, JSON.stringify(settings, null, 2) + '\n');
  return dest;
}

export function findChromium() {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'].filter(Boolean);
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) throw new Error('no Chromium found for the headless workbench: apt-get install -y chromium (or set CHROMIUM_PATH)');
  return found;
}

// Workbench chatter that says nothing about our tests; VSCODE_TEST_VERBOSE=1 shows it anyway.
const NOISE = [
  /open-vsx\.org/, /AccountPolicyGate/, /authentication provider/i, /Service Worker/, /Creating a socket/,
  /AgentHost/, /builtin extensions cache/, /\[Extension Host\] (?:debugger|Debugger)/,
];

async function runInCodeServer(opts, workspace) {
  const { chromium } = await import('playwright-core');
  const started = Date.now();
  const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  const out = execFileSync(path.join(here, 'start-code-server.sh'),
    [path.join(opts.runDir, 'code-server'), workspace, '--vscode-option', 'enable-smoke-test-driver'],
    {
      encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...(opts.restricted ? { CODE_SERVER_WORKSPACE_TRUST: '1', VSCODE_TEST_SUITE: 'restricted' } : {}) },
    });
  const stop = () => execFileSync(path.join(here, 'stop-code-server.sh'), [path.join(opts.runDir, 'code-server')], { stdio: 'inherit' });
  // Ctrl-C or a CI timeout must not leave code-server (and its extension host) running.
  const onSignal = (signal) => {
    try { stop(); } finally { process.exit(signal === 'SIGINT' ? 130 : 143); }
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const port = /^CS_PORT=(\d+)$/m.exec(out)?.[1];
  if (!port) throw new Error(`start-code-server.sh printed no port:\n${out}`);
  const authority = `127.0.0.1:${port}`;
  const remote = (p) => `vscode-remote://${authority}${p}`;
  const payload = [
    ['extensionDevelopmentPath', remote(opts.extension)],
    ['extensionTestsPath', remote(opts.tests)],
    ['skipWelcome', 'true'],
    ['skipReleaseNotes', 'true'],
  ];
  const url = `http://${authority}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-vscode-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: findChromium(),
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });
    const page = context.pages()[0] ?? await context.newPage();
    let exited;
    const exit = new Promise((resolve) => { exited = resolve; });
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const text = util.format(...(Array.isArray(args) ? args : [args]));
      if (!process.env.VSCODE_TEST_VERBOSE && NOISE.some((re) => re.test(text))) return;
      (type === 'error' ? process.stderr : process.stdout).write(text + '\n');
    });
    await page.exposeFunction('codeAutomationExit', (code) => exited(Number(code)));
    page.on('pageerror', (e) => { if (process.env.VSCODE_TEST_VERBOSE) console.error('[workbench]', String(e)); });
    if (process.env.VSCODE_TEST_BROWSER_CONSOLE) page.on('console', (m) => console.log('[browser]', m.text()));
    await page.goto(url);
    let timer;
    const timedOut = new Promise((resolve) => { timer = setTimeout(() => resolve('timeout'), opts.timeout); });
    const result = await Promise.race([exit, timedOut]);
    clearTimeout(timer);
    if (result === 'timeout') {
      const shot = path.join(opts.runDir, 'timeout.png');
      await page.screenshot({ path: shot }).catch(() => {});
      console.error(`vscode tests: no result after ${opts.timeout} ms; screenshot ${shot}, ` +
        `code-server log ${path.join(opts.runDir, 'code-server', 'code-server.log')}`);
      return 1;
    }
    console.log(`vscode tests: the workbench reported exit code ${result} after ${seconds()}`);
    return result;
  } finally {
    await context?.close().catch(() => {});
    fs.rmSync(profile, { recursive: true, force: true });
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    stop();
  }
}

async function runInElectron(opts, workspace) {
  // Downloads a desktop VS Code into .vscode-test/ (needs the internet and a display or xvfb).
  const { runTests } = await import('@vscode/test-electron');
  try {
    await runTests({
      extensionDevelopmentPath: opts.extension,
      extensionTestsPath: opts.tests,
      launchArgs: [workspace, '--disable-extensions', ...(opts.restricted ? [] : ['--disable-workspace-trust']),
        '--user-data-dir', path.join(opts.runDir, 'user-data')],
      extensionTestsEnv: { ...process.env, ...(opts.restricted ? { VSCODE_TEST_SUITE: 'restricted' } : {}) },
    });
    return 0;
  } catch (err) {
    console.error('vscode tests (electron):', err instanceof Error ? err.message : err);
    return 1;
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(opts.tests)) throw new Error(`${opts.tests} does not exist: build first (node esbuild.mjs --tests)`);
  const workspace = prepareWorkspace(opts.workspace, opts.runDir);
  let code = 1;
  try {
    if (opts.host === 'code-server') code = await runInCodeServer(opts, workspace);
    else if (opts.host === 'electron') code = await runInElectron(opts, workspace);
    else throw new Error(`unknown host ${opts.host} (code-server or electron)`);
  } finally {
    if (code === 0 && !opts.keep) fs.rmSync(opts.runDir, { recursive: true, force: true });
    else console.log(`vscode tests: run folder kept for inspection: ${opts.runDir}`);
  }
  return code;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then((code) => process.exit(code), (err) => {
    console.error('vscode tests:', err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
