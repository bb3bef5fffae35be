// Everything around the page for the UI tests: the packaged .vsix, an isolated code-server with it
// installed, a scratch copy of a fixture project, a scratch database on the throwaway PostgreSQL, and a
// headless Chromium. Each piece hands back what undoes it; the test's `finally` calls those in reverse.
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
export const hostScripts = process.env.VSCODE_HOST_SCRIPTS || path.join(repoRoot, 'scripts', 'vscode-host');
export const python = process.env.ALEMBIC_TEST_PYTHON || '/usr/bin/python3';

/** Newest modification time below `dir` (files only), 0 when it does not exist. */
function newestMtime(dir) {
  if (!fs.existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/**
 * The packaged extension, rebuilt with `npm run package` when missing or older than dist/ or
 * package.json, then copied into `runDir` so that a concurrent repackaging cannot swap it mid-install.
 * Returns the copy's path and whether it was rebuilt. `UI_TEST_VSIX=file` takes that .vsix as it is.
 */
export function packagedVsix(runDir) {
  const copy = path.join(runDir, 'alembic-migrations.vsix');
  if (process.env.UI_TEST_VSIX) {
    fs.copyFileSync(process.env.UI_TEST_VSIX, copy);
    return { vsix: copy, rebuilt: false };
  }
  const vsix = path.join(repoRoot, 'dist-vsix', 'alembic-migrations.vsix');
  const built = fs.existsSync(vsix) ? fs.statSync(vsix).mtimeMs : 0;
  const sources = Math.max(newestMtime(path.join(repoRoot, 'dist')), fs.statSync(path.join(repoRoot, 'package.json')).mtimeMs);
  const rebuilt = built === 0 || built < sources;
  if (rebuilt) {
    const r = spawnSync('npm', ['run', 'package'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0 || !fs.existsSync(vsix)) {
      throw new Error(`npm run package failed (exit ${r.status}):\n${(r.stdout + r.stderr).split('\n').slice(-30).join('\n')}`);
    }
  }
  fs.copyFileSync(vsix, copy);
  return { vsix: copy, rebuilt };
}

/** A run folder under .test-runs/ (git-ignored): code-server's state, logs, the workspace copy. */
export function makeRunDir(prefix) {
  const base = path.join(repoRoot, '.test-runs');
  fs.mkdirSync(base, { recursive: true });
  return fs.mkdtempSync(path.join(base, `${prefix}-`));
}

/** A scratch copy of test/fixtures/<name> with `settings` written to its .vscode/settings.json. */
export function scratchWorkspace(runDir, fixture, settings) {
  const source = path.join(repoRoot, 'test', 'fixtures', fixture);
  if (!fs.existsSync(source)) throw new Error(`fixture ${source} does not exist`);
  const dest = path.join(runDir, 'workspace', fixture);
  fs.cpSync(source, dest, { recursive: true });
  fs.mkdirSync(path.join(dest, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(dest, '.vscode', 'settings.json'), JSON.stringify(settings, null, 2) + '\n');
  return dest;
}

function serverUrl() {
  const url = process.env.ALEMBIC_TEST_PG_URL;
  if (!url) {
    throw new Error('ALEMBIC_TEST_PG_URL is not set: run through `npm test`, or first '
      + '`eval "$(bash scripts/pg-throwaway.sh start)"; export ALEMBIC_TEST_PG_URL=$PG_URL`');
  }
  return url;
}

async function withClient(url, fn) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * A fresh empty database on the throwaway server: `{ name, url, versions(), drop() }`.
 * `versions()` reads Alembic's version table the way a user would check it with psql (sorted; [] when
 * the table does not exist yet).
 */
export async function scratchDatabase(prefix) {
  const server = serverUrl();
  const name = `${prefix}_${crypto.randomBytes(4).toString('hex')}`;
  await withClient(server, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    versions: () => withClient(url.toString(), async (c) => {
      const exists = await c.query("SELECT to_regclass('public.alembic_version') IS NOT NULL AS e");
      if (!exists.rows[0]?.e) return [];
      return (await c.query('SELECT version_num FROM alembic_version ORDER BY 1')).rows.map((r) => r.version_num);
    }),
    // FORCE: the extension's own reads may still hold a session when code-server is stopped late.
    drop: () => withClient(server, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)),
  };
}

/** Revision ids in `alembic history` order (newest first), from the real Alembic. */
export function alembicHistory(projectDir) {
  const r = spawnSync(python, ['-m', 'alembic', 'history'], {
    cwd: projectDir, encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' }, timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`${python} -m alembic history in ${projectDir} failed (exit ${r.status}): ${r.stderr.trim()}`);
  return r.stdout.split('\n').map((l) => /-> (\S+?)[,\s]/.exec(l)?.[1]).filter(Boolean);
}

/** Installs the VS Code host if needed (cached; prints one line). */
export function ensureHost() {
  execFileSync(path.join(hostScripts, 'install.sh'), { stdio: ['ignore', 'inherit', 'inherit'] });
}

/** Installs `vsix` into the run folder's own extensions folder, as "Install from VSIX..." would. */
export function installVsix(csDir, vsix) {
  execFileSync(path.join(hostScripts, 'install-vsix.sh'), [csDir, vsix], { stdio: ['ignore', 'inherit', 'inherit'] });
}

/**
 * Starts code-server on `folder` without the smoke-test driver (so notifications behave as for users);
 * `env` reaches the extension host. Returns `{ port, url, stop }`.
 */
export function startCodeServer(csDir, folder, env) {
  const out = execFileSync(path.join(hostScripts, 'start-code-server.sh'), [csDir, folder], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env },
  });
  const port = /^CS_PORT=(\d+)$/m.exec(out)?.[1];
  if (!port) throw new Error(`start-code-server.sh printed no port:\n${out}`);
  return {
    port,
    url: `http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}`,
    log: path.join(csDir, 'code-server.log'),
    stop: () => execFileSync(path.join(hostScripts, 'stop-code-server.sh'), [csDir], { stdio: 'inherit' }),
  };
}

export function findChromium() {
  const found = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']
    .filter(Boolean).find((p) => fs.existsSync(p));
  if (!found) throw new Error('no Chromium for the headless workbench: apt-get install -y chromium (or set CHROMIUM_PATH)');
  return found;
}

/** Headless Chromium with a throwaway profile: `{ page, close }`. */
export async function launchBrowser(viewport = { width: 1400, height: 900 }) {
  const { chromium } = await import('playwright-core');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-ui-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: findChromium(),
    headless: true,
    viewport,
    // The test's own signal handler stops code-server and drops the database; Playwright's would exit
    // the process as soon as Chromium is gone.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? await context.newPage();
  return {
    page,
    close: async () => {
      await context.close().catch(() => {});
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
