// The repository read as data, in JavaScript (isomorphic-git): refs, commits, trees and packed objects
// are parsed, and nothing the repository configures is executed. The untrusted workspace's way to tell
// released from new revisions, where spawning `git` could run a program the workspace names.
import fs from 'node:fs';
import path from 'node:path';
import * as git from 'isomorphic-git';
import type { GitReader } from './reader';

export class GitObjects implements GitReader {
  /** isomorphic-git's object cache, shared by the calls of one classification. */
  private readonly cache: object = {};

  constructor(readonly root: string) {}

  async resolveCommit(ref: string): Promise<string | undefined> {
    let oid: string | undefined;
    try {
      oid = await git.resolveRef({ fs, dir: this.root, ref });
    } catch {
      // `origin/main` as a short name: expandRef tries refs/remotes/, refs/heads/ … as git does.
      try {
        oid = await git.resolveRef({ fs, dir: this.root, ref: await git.expandRef({ fs, dir: this.root, ref }) });
      } catch {
        return undefined;
      }
    }
    // An annotated tag names a tag object: follow it to the commit.
    try {
      const { object, type } = await git.readObject({ fs, dir: this.root, oid, cache: this.cache });
      if (type === 'tag') return (object as { object: string }).object;
      return type === 'commit' ? oid : undefined;
    } catch {
      return undefined;
    }
  }

  async symbolicTarget(ref: string): Promise<string | undefined> {
    try {
      const target = await git.resolveRef({ fs, dir: this.root, ref, depth: 2 });
      return target.startsWith('refs/') ? target : undefined;
    } catch {
      return undefined;
    }
  }

  async currentBranch(): Promise<string | undefined> {
    try {
      return (await git.currentBranch({ fs, dir: this.root, test: true })) ?? undefined;
    } catch {
      return undefined;
    }
  }

  async mergeBase(a: string, b: string): Promise<string | undefined> {
    try {
      const bases = await git.findMergeBase({ fs, dir: this.root, oids: [a, b], cache: this.cache }) as string[];
      return bases[0];
    } catch {
      // A commit missing from a shallow clone ends the walk: no merge-base known.
      return undefined;
    }
  }

  async isShallow(): Promise<boolean> {
    const gitdir = await this.gitdir();
    return fs.existsSync(path.join(gitdir, 'shallow'));
  }

  async treeBlobs(commit: string, folder: string): Promise<Map<string, string>> {
    const blobs = new Map<string, string>();
    let top: git.ReadTreeResult;
    try {
      top = await git.readTree({ fs, dir: this.root, oid: commit, ...(folder ? { filepath: folder } : {}), cache: this.cache });
    } catch {
      // The folder does not exist at that commit.
      return blobs;
    }
    const pending: { prefix: string; entries: { path: string; oid: string; type: string }[] }[] = [{ prefix: folder, entries: top.tree }];
    while (pending.length > 0) {
      const { prefix, entries } = pending.pop() ?? { prefix: '', entries: [] };
      for (const e of entries) {
        const p = prefix ? `${prefix}/${e.path}` : e.path;
        if (e.type === 'blob') blobs.set(p, e.oid);
        else if (e.type === 'tree') pending.push({ prefix: p, entries: (await git.readTree({ fs, dir: this.root, oid: e.oid, cache: this.cache })).tree });
      }
    }
    return blobs;
  }

  async readBlobs(oids: readonly string[]): Promise<Map<string, string>> {
    const texts = new Map<string, string>();
    const decoder = new TextDecoder();
    for (const oid of oids) {
      const { blob } = await git.readBlob({ fs, dir: this.root, oid, cache: this.cache });
      texts.set(oid, decoder.decode(blob));
    }
    return texts;
  }

  /** The git folder: `.git`, or where a linked worktree's `.git` file points. */
  private async gitdir(): Promise<string> {
    const dotGit = path.join(this.root, '.git');
    const stat = await fs.promises.stat(dotGit);
    if (stat.isDirectory()) return dotGit;
    const text = await fs.promises.readFile(dotGit, 'utf8');
    const m = /^gitdir:\s*(.+)$/m.exec(text);
    const gitdir = path.resolve(this.root, m?.[1]?.trim() ?? '.git');
    // The shallow file is the common folder's (a linked worktree's gitdir names it in `commondir`).
    const common = path.join(gitdir, 'commondir');
    return fs.existsSync(common) ? path.resolve(gitdir, (await fs.promises.readFile(common, 'utf8')).trim()) : gitdir;
  }
}
