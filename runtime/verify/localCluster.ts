// A throwaway PostgreSQL cluster on this machine, for verifying migrations when the configured server
// will not let us create a database. It lives in a fresh temporary folder, listens on 127.0.0.1 at a
// free port with password auth, and is stopped and deleted by `stop()`. Nothing here imports vscode.
import { execFile, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface LocalCluster {
  /** Folder holding initdb, pg_ctl and postgres. */
  binDir: string;
  dataDir: string;
  host: '127.0.0.1';
  port: number;
  user: 'postgres';
  password: string;
  /** Major version of the binaries, from `pg_ctl --version`. */
  version: string;
  /** Stops the server (waiting until its process is gone) and deletes the folder. Safe to call twice. */
  stop(): Promise<void>;
}

/** Folders where PostgreSQL's server binaries usually live, newest version first within each family. */
export function candidateBinDirs(env: NodeJS.ProcessEnv = process.env, exists: (p: string) => boolean = fs.existsSync): string[] {
  const out: string[] = [];
  if (env.PGBIN) out.push(env.PGBIN);
  for (const dir of (env.PATH ?? '').split(path.delimiter)) if (dir) out.push(dir);
  const versioned = (parent: string, pattern: RegExp, suffix: string): string[] => {
    let names: string[] = [];
    try { names = fs.readdirSync(parent).filter((n) => pattern.test(n)); } catch { return []; }
    const version = (n: string): number => Number(/(\d+)/.exec(n)?.[1] ?? 0);
    return names.sort((a, b) => version(b) - version(a)).map((n) => path.join(parent, n, suffix));
  };
  out.push(...versioned('/usr/lib/postgresql', /^\d+$/, 'bin'));          // Debian, Ubuntu
  out.push(...versioned('/usr', /^pgsql-\d+$/, 'bin'));                 // RHEL, Fedora (PGDG)
  out.push(...versioned('/opt/homebrew/opt', /^postgresql(@\d+)?$/, 'bin')); // Homebrew, Apple silicon
  out.push(...versioned('/usr/local/opt', /^postgresql(@\d+)?$/, 'bin'));    // Homebrew, Intel
  return [...new Set(out)].filter((d) => exists(path.join(d, 'initdb')) && exists(path.join(d, 'pg_ctl')));
}

/** Why a local cluster cannot be started here, or undefined when it can be tried. */
export function localClusterUnavailable(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (process.platform === 'win32') return 'starting a local PostgreSQL is not supported on Windows';
  if (candidateBinDirs(env).length === 0) {
    return 'no PostgreSQL server binaries (initdb, pg_ctl) were found on PATH, in /usr/lib/postgresql/*/bin ' +
      'or in Homebrew\'s folders (install PostgreSQL, or set PGBIN to the folder that holds initdb)';
  }
  return undefined;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Receives the commands run and their failures, for the log. */
  log?: (line: string) => void;
}

/** Initialises and starts a throwaway cluster. Throws with initdb's or the server's own words on failure. */
export async function startLocalCluster(opts: StartOptions = {}): Promise<LocalCluster> {
  const env = opts.env ?? process.env;
  const binDir = candidateBinDirs(env)[0];
  if (!binDir) throw new Error(`cannot start a local PostgreSQL: ${localClusterUnavailable(env)}`);
  const log = opts.log ?? (() => undefined);
  // initdb refuses to run as root; PostgreSQL's packages create a `postgres` user to run it as.
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? await userIds('postgres') : undefined;
  if (asRoot && !owner) throw new Error('cannot start a local PostgreSQL as root without a "postgres" user to run it');

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-verify-pg-'));
  const dataDir = path.join(dir, 'data');
  const password = crypto.randomBytes(12).toString('hex');
  let started = false;
  const cluster: LocalCluster = {
    binDir, dataDir, host: '127.0.0.1', port: 0, user: 'postgres', password, version: '',
    stop: async () => {
      if (started) {
        started = false;
        await stopServer(binDir, dataDir, owner !== undefined, log);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    fs.writeFileSync(path.join(dir, 'pwfile'), `${password}\n`, { mode: 0o600 });
    if (owner) chownTree(dir, owner.uid, owner.gid);
    const version = await run(binDir, 'pg_ctl', ['--version'], false, opts.signal);
    cluster.version = /(\d+)(?:\.\d+)*/.exec(version)?.[1] ?? version.trim();
    log(`local PostgreSQL ${cluster.version}: initdb in ${dataDir}`);
    await run(binDir, 'initdb', [
      '-D', dataDir, '-U', 'postgres', `--pwfile=${path.join(dir, 'pwfile')}`, '--auth-local=trust',
      '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-sync',
    ], owner !== undefined, opts.signal);
    // Settings go into the configuration file rather than pg_ctl's -o string, which pg_ctl hands to a
    // shell: a temporary folder with spaces would break it. No Unix socket: everything connects over
    // TCP, and a socket path inside a long TMPDIR exceeds the 107 bytes a socket address allows.
    fs.appendFileSync(path.join(dataDir, 'postgresql.conf'), [
      '', '# alembic-migrations: a throwaway server for verification',
      "listen_addresses = '127.0.0.1'", "unix_socket_directories = ''",
      'fsync = off', 'synchronous_commit = off', 'full_page_writes = off', 'max_connections = 40', '',
    ].join('\n'));
    // A port can be taken between asking for it and the server binding it: try a few.
    let lastError: unknown;
    for (let attempt = 0; attempt < 5 && !started; attempt++) {
      const port = await freePort();
      try {
        await run(binDir, 'pg_ctl', [
          '-D', dataDir, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', 'start', '-o', `-p ${port}`,
        ], owner !== undefined, opts.signal);
        cluster.port = port;
        started = true;
      } catch (e) {
        lastError = e;
        if (opts.signal?.aborted) break;
      }
    }
    if (!started) {
      let serverLog = '';
      try { serverLog = fs.readFileSync(path.join(dir, 'server.log'), 'utf8').slice(-2000); } catch { /* none */ }
      throw new Error(`local PostgreSQL did not start: ${errorText(lastError)}${serverLog ? `\n${serverLog}` : ''}`);
    }
    log(`local PostgreSQL ${cluster.version} listening on 127.0.0.1:${cluster.port}`);
    return cluster;
  } catch (e) {
    // pg_ctl start may have left a postmaster behind when it was cancelled or timed out.
    started = fs.existsSync(path.join(dataDir, 'postmaster.pid'));
    await cluster.stop().catch(() => undefined);
    throw e;
  }
}

async function stopServer(binDir: string, dataDir: string, asOwner: boolean, log: (l: string) => void): Promise<void> {
  let pid: number | undefined;
  try { pid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]); } catch { /* not running */ }
  try {
    await run(binDir, 'pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop'], asOwner);
  } catch (e) {
    log(`pg_ctl stop: ${errorText(e)}`);
    if (pid) { try { process.kill(pid, 'SIGQUIT'); } catch { /* gone */ } }
  }
  // pg_ctl can return before the postmaster process has exited; the folder must outlive it.
  const deadline = Date.now() + 15_000;
  while (pid && alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Runs a PostgreSQL binary (as the `postgres` user when we are root); resolves with its stdout. */
function run(binDir: string, tool: string, args: string[], asOwner: boolean, signal?: AbortSignal): Promise<string> {
  const file = asOwner ? 'runuser' : path.join(binDir, tool);
  const argv = asOwner ? ['-u', 'postgres', '--', path.join(binDir, tool), ...args] : args;
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { shell: false, stdio: ['ignore', 'pipe', 'pipe'], cwd: os.tmpdir(), signal });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
    child.on('error', (e) => reject(new Error(`${tool}: ${e.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${tool} exited ${code}: ${(err || out).trim().slice(-2000)}`));
    });
  });
}

function userIds(name: string): Promise<{ uid: number; gid: number } | undefined> {
  return new Promise((resolve) => {
    execFile('id', ['-u', name], (e1, uid) => {
      if (e1) { resolve(undefined); return; }
      execFile('id', ['-g', name], (e2, gid) => {
        resolve(e2 ? undefined : { uid: Number(uid.trim()), gid: Number(gid.trim()) });
      });
    });
  });
}

function chownTree(dir: string, uid: number, gid: number): void {
  fs.chownSync(dir, uid, gid);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(p, uid, gid);
    else fs.chownSync(p, uid, gid);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
