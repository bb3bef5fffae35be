// The editors tier: real editors' own LSP clients against the bundled server (dist/server.js) on fresh
// fixture projects: Neovim headless (test/editors/neovim.lua) and Emacs with eglot in a terminal under
// tmux (test/editors/eglot.el). Each script writes one JSON line per check; this prints them and ends
// with `editors: N passed, N failed` (scripts/test.sh reads that line). A missing editor is a failure
// that names the Debian package, never a silent pass.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../support/paths';

interface CheckResult {
  editor: string;
  name: string;
  ok: boolean;
  detail: string;
}

/** Each editor gets this long for all of its checks (they take a few seconds). */
const EDITOR_DEADLINE_MS = 90_000;
const SERVER = path.join(repoRoot, 'dist', 'server.js');

const BASE = `"""base\n\nRevision ID: aaaa00000001\nRevises:\n"""\nrevision = "aaaa00000001"\ndown_revision = None\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n`;
/** Creates a table and has no downgrade(): missing-downgrade, with a quick fix. */
const CHILD = `"""child\n\nRevision ID: bbbb00000002\nRevises: aaaa00000001\n"""\nfrom alembic import op\n\nrevision = "bbbb00000002"\ndown_revision = "aaaa00000001"\n\n\ndef upgrade():\n    op.create_table("things")\n`;
/** Never opened: unknown-revision, and a docstring-mismatch that the editor's settings turn off. */
const ORPHAN = `"""orphan\n\nRevision ID: cccc00000003\nRevises: eeee00000005\n"""\nrevision = "cccc00000003"\ndown_revision = "ffff00000009"\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n`;

/** A project in a folder named `folderName`, in a fresh temporary folder outside any repository. */
function makeProject(parent: string, folderName: string): string {
  const root = path.join(parent, folderName);
  const versions = path.join(root, 'migrations', 'versions');
  fs.mkdirSync(versions, { recursive: true });
  fs.writeFileSync(path.join(root, 'alembic.ini'), '[alembic]\nscript_location = %(here)s/migrations\n');
  fs.writeFileSync(path.join(root, 'migrations', 'env.py'), '');
  fs.writeFileSync(path.join(versions, 'aaaa_base.py'), BASE);
  fs.writeFileSync(path.join(versions, 'bbbb_child.py'), CHILD);
  fs.writeFileSync(path.join(versions, 'cccc_orphan.py'), ORPHAN);
  return root;
}

function onPath(program: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;
}

function readResults(file: string): CheckResult[] {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as CheckResult);
}

/** Runs a command to its end or the deadline; returns how it ended, for the failure message. */
function run(program: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(program, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    const timer = setTimeout(() => {
      output += `\n(killed after ${EDITOR_DEADLINE_MS} ms)`;
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    }, EDITOR_DEADLINE_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(`${program} ended with ${signal ?? `exit code ${code}`}${output.trim() ? `; its output:\n${output.trim().slice(-2000)}` : ''}`);
    });
  });
}

async function runNeovim(work: string): Promise<CheckResult[]> {
  if (!onPath('nvim')) return [missing('neovim', 'nvim', 'neovim')];
  // Every character the issue names in a path: + @ (1), a space and a non-ASCII letter.
  const root = makeProject(work, 'neovim proj+1 @home (1) ä');
  const results = path.join(work, 'neovim.jsonl');
  const env = { ...process.env, EDITORS_NODE: process.execPath, EDITORS_SERVER: SERVER, EDITORS_PROJECT: root, EDITORS_RESULTS: results, XDG_STATE_HOME: work, XDG_CACHE_HOME: work, XDG_DATA_HOME: work, XDG_CONFIG_HOME: work };
  const ended = await run('nvim', ['--headless', '--clean', '-n', '-i', 'NONE', '-c', `luafile ${path.join(repoRoot, 'test', 'editors', 'neovim.lua')}`], env, root);
  return completed('neovim', readResults(results), ended, 'clean exit');
}

async function runEmacs(work: string): Promise<CheckResult[]> {
  if (!onPath('emacs')) return [missing('emacs', 'emacs', 'emacs-nox elpa-eglot')];
  if (!onPath('tmux')) return [missing('emacs', 'tmux', 'tmux')];
  // No non-ASCII letter: eglot 1.9 cannot map a URI with one back to its file (eglot--uri-to-path
  // unescapes to bytes and never decodes UTF-8), so it drops that file's diagnostics whatever the server sends.
  const root = makeProject(work, 'emacs proj+1 @home (1)');
  const results = path.join(work, 'emacs.jsonl');
  const socket = `alembic-editors-${process.pid}`;
  const env: Record<string, string> = {
    EDITORS_NODE: process.execPath, EDITORS_SERVER: SERVER, EDITORS_PROJECT: root, EDITORS_RESULTS: results,
    HOME: work, TERM: 'xterm-256color',
  };
  const command = ['env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), 'emacs', '-nw', '-q', '-l', path.join(repoRoot, 'test', 'editors', 'eglot.el')];
  // tmux runs its command through a shell: every argument single-quoted.
  const quoted = command.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const tmux = (...args: string[]) => spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  let ended = 'Emacs ended';
  try {
    const started = tmux('new-session', '-d', '-x', '200', '-y', '50', quoted);
    if (started.status !== 0) ended = `tmux new-session failed: ${started.stderr}`;
    // The session ends when Emacs does (kill-emacs at the end of the script).
    const deadline = Date.now() + EDITOR_DEADLINE_MS;
    let screen = '';
    while (started.status === 0 && tmux('has-session').status === 0) {
      screen = tmux('capture-pane', '-p').stdout ?? screen;
      if (Date.now() > deadline) {
        ended = `Emacs still running after ${EDITOR_DEADLINE_MS} ms; its screen:\n${screen.trim()}`;
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    tmux('kill-server');
  }
  return completed('emacs', readResults(results), ended, 'clean exit (shutdown, exit, and the server ends with status 0)');
}

function missing(editor: string, program: string, packages: string): CheckResult {
  return { editor, name: `${program} is installed`, ok: false, detail: `no ${program} on PATH: apt-get install ${packages} (scripts/prereqs.sh --install editors)` };
}

/** The checks, plus a failure when the script stopped before its last check. */
function completed(editor: string, checks: CheckResult[], ended: string, lastCheck: string): CheckResult[] {
  if (checks.some((c) => c.name === lastCheck)) return checks;
  return [...checks, { editor, name: 'the script ran all its checks', ok: false, detail: ended }];
}

async function main(): Promise<number> {
  if (!fs.existsSync(SERVER)) {
    console.log(`${SERVER} is missing: build first (node esbuild.mjs)\neditors: 0 passed, 1 failed`);
    return 1;
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-editors-'));
  try {
    const all: CheckResult[] = [];
    for (const [editor, runEditor] of [['neovim', runNeovim], ['emacs', runEmacs]] as const) {
      const started = Date.now();
      const results = await runEditor(work);
      console.log(`\n  ${editor} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      for (const r of results) {
        console.log(`    ${r.ok ? '✔' : '✖'} ${r.name}${r.detail ? ` — ${r.ok ? r.detail : `\n${r.detail.replace(/^/gm, '        ')}`}` : ''}`);
      }
      all.push(...results);
    }
    const failed = all.filter((r) => !r.ok).length;
    console.log(`\neditors: ${all.length - failed} passed, ${failed} failed`);
    return failed === 0 ? 0 : 1;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

void main().then((code) => { process.exitCode = code; });
