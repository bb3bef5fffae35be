// Debian's `git`, run so that the repository's own configuration executes nothing: a workspace's
// .git/config may name programs (core.fsmonitor runs on many commands, core.pager, diff.external,
// textconv filters, hooks), and a cloned repository is not the user's own code. Used where the user runs
// it on a checkout they chose (the CLI, in CI) and in trusted workspaces.
import { execFile, spawn } from 'node:child_process';
import type { GitReader } from './reader';

/** Options before every command: nothing the repository configures may run. */
export const SAFE_GIT_OPTIONS: readonly string[] = [
  '--no-pager',
  '-c', 'core.fsmonitor=false',
  '-c', 'core.hooksPath=/dev/null',
  '-c', 'core.pager=cat',
  '-c', 'core.untrackedCache=false',
  '-c', 'diff.external=',
  '-c', 'core.sshCommand=false',
  '-c', 'credential.helper=',
  '-c', 'protocol.allow=never',
];

/** No prompts, no optional locks (a read must not write the index), no editor. */
const SAFE_ENV: Readonly<Record<string, string>> = {
  GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', GIT_EDITOR: 'false', GIT_PAGER: 'cat', GIT_ASKPASS: 'false', SSH_ASKPASS: 'false',
};

export class GitCliError extends Error {}

export class GitCli implements GitReader {
  constructor(readonly root: string, private readonly gitPath = 'git') {}

  private run(args: readonly string[], allowFailure = false): Promise<string | undefined> {
    return new Promise((resolve, reject) => {
      execFile(this.gitPath, [...SAFE_GIT_OPTIONS, '-C', this.root, ...args], {
        env: { ...process.env, ...SAFE_ENV }, maxBuffer: 1 << 30, encoding: 'utf8',
      }, (err, stdout, stderr) => {
        if (!err) resolve(stdout);
        else if (allowFailure && typeof (err as { code?: unknown }).code === 'number') resolve(undefined);
        else reject(new GitCliError(`git ${args.join(' ')} in ${this.root}: ${stderr.trim() || err.message}`));
      });
    });
  }

  async resolveCommit(ref: string): Promise<string | undefined> {
    // `--end-of-options` keeps a ref from being read as an option.
    const out = await this.run(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], true);
    return out?.trim() || undefined;
  }

  async symbolicTarget(ref: string): Promise<string | undefined> {
    const out = await this.run(['symbolic-ref', '--quiet', ref], true);
    return out?.trim() || undefined;
  }

  async currentBranch(): Promise<string | undefined> {
    const out = await this.run(['symbolic-ref', '--quiet', '--short', 'HEAD'], true);
    return out?.trim() || undefined;
  }

  async mergeBase(a: string, b: string): Promise<string | undefined> {
    const out = await this.run(['merge-base', a, b], true);
    return out?.trim() || undefined;
  }

  async isShallow(): Promise<boolean> {
    return (await this.run(['rev-parse', '--is-shallow-repository']))?.trim() === 'true';
  }

  async treeBlobs(commit: string, folder: string): Promise<Map<string, string>> {
    const out = await this.run(['ls-tree', '-r', '-z', '--full-tree', commit, '--', folder === '' ? '.' : folder]) ?? '';
    const blobs = new Map<string, string>();
    for (const entry of out.split('\0')) {
      // "<mode> <type> <oid>\t<path>"
      const tab = entry.indexOf('\t');
      if (tab < 0) continue;
      const [, type, oid] = entry.slice(0, tab).split(' ');
      if (type === 'blob' && oid) blobs.set(entry.slice(tab + 1), oid);
    }
    return blobs;
  }

  readBlobs(oids: readonly string[]): Promise<Map<string, string>> {
    const texts = new Map<string, string>();
    if (oids.length === 0) return Promise.resolve(texts);
    // One `cat-file --batch` for all of them: "<oid> <type> <size>\n<bytes>\n" per object.
    return new Promise((resolve, reject) => {
      const child = spawn(this.gitPath, [...SAFE_GIT_OPTIONS, '-C', this.root, 'cat-file', '--batch'], {
        env: { ...process.env, ...SAFE_ENV }, stdio: ['pipe', 'pipe', 'pipe'],
      });
      const chunks: Buffer[] = [];
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => chunks.push(c));
      child.stderr.on('data', (c: Buffer) => { stderr += c.toString('utf8'); });
      child.on('error', (e) => reject(new GitCliError(`git cat-file in ${this.root}: ${e.message}`)));
      child.on('close', (code) => {
        if (code !== 0) {
          reject(new GitCliError(`git cat-file in ${this.root} exited ${code}: ${stderr.trim()}`));
          return;
        }
        const all = Buffer.concat(chunks);
        let at = 0;
        while (at < all.length) {
          const eol = all.indexOf(10, at);
          if (eol < 0) break;
          const [oid, type, size] = all.subarray(at, eol).toString('utf8').split(' ');
          at = eol + 1;
          if (type === 'missing' || oid === undefined) continue;
          const n = Number(size);
          texts.set(oid, all.subarray(at, at + n).toString('utf8'));
          at += n + 1;
        }
        resolve(texts);
      });
      child.stdin.end(`${oids.join('\n')}\n`);
    });
  }
}
