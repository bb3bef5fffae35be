// The repository read as data, in JavaScript (isomorphic-git): refs, commits, trees and packed objects
// are parsed, and nothing the repository configures is executed. The untrusted workspace's way to tell
// released from new revisions, where spawning `git` could run a program the workspace names.
import fs from 'node:fs';
import path from 'node:path';
import * as git from 'isomorphic-git';
import { type GitLayout, gitLayoutOf } from './layout';
import type { GitReader } from './reader';

export class GitObjects implements GitReader {
  /** isomorphic-git's object cache, shared by the calls of one classification. */
  private readonly cache: object = {};
  private readonly layout: GitLayout;

  constructor(readonly root: string) {
    this.layout = gitLayoutOf(root);
  }

  private get gitdir(): string {
    return this.layout.gitdir;
  }

  /** The worktree's HEAD: `ref: refs/heads/x` or a commit id. */
  private ownHead(): string | undefined {
    return this.layout.headFile ? fs.readFileSync(this.layout.headFile, 'utf8').trim() : undefined;
  }

  async resolveCommit(ref: string): Promise<string | undefined> {
    const head = ref === 'HEAD' ? this.ownHead() : undefined;
    if (head !== undefined && !head.startsWith('ref:')) return head;
    const name = head?.slice('ref:'.length).trim() ?? ref;
    let oid: string | undefined;
    try {
      oid = await git.resolveRef({ fs, gitdir: this.gitdir, ref: name });
    } catch {
      // `origin/main` as a short name: expandRef tries refs/remotes/, refs/heads/ … as git does.
      try {
        oid = await git.resolveRef({ fs, gitdir: this.gitdir, ref: await git.expandRef({ fs, gitdir: this.gitdir, ref: name }) });
      } catch {
        return undefined;
      }
    }
    // An annotated tag names a tag object: follow it to the commit.
    try {
      const { object, type } = await git.readObject({ fs, gitdir: this.gitdir, oid, cache: this.cache });
      if (type === 'tag') return (object as { object: string }).object;
      return type === 'commit' ? oid : undefined;
    } catch {
      return undefined;
    }
  }

  async symbolicTarget(ref: string): Promise<string | undefined> {
    try {
      const target = await git.resolveRef({ fs, gitdir: this.gitdir, ref, depth: 2 });
      return target.startsWith('refs/') ? target : undefined;
    } catch {
      return undefined;
    }
  }

  async currentBranch(): Promise<string | undefined> {
    const head = this.ownHead();
    if (head !== undefined) return head.startsWith('ref: refs/heads/') ? head.slice('ref: refs/heads/'.length) : undefined;
    try {
      return (await git.currentBranch({ fs, gitdir: this.gitdir, test: true })) ?? undefined;
    } catch {
      return undefined;
    }
  }

  async mergeBase(a: string, b: string): Promise<string | undefined> {
    try {
      const bases = await git.findMergeBase({ fs, gitdir: this.gitdir, oids: [a, b], cache: this.cache }) as string[];
      return bases[0];
    } catch {
      // A commit missing from a shallow clone ends the walk: no merge-base known.
      return undefined;
    }
  }

  isShallow(): Promise<boolean> {
    return Promise.resolve(fs.existsSync(path.join(this.gitdir, 'shallow')));
  }

  async treeBlobs(commit: string, folder: string): Promise<Map<string, string>> {
    const blobs = new Map<string, string>();
    let top: git.ReadTreeResult;
    try {
      top = await git.readTree({ fs, gitdir: this.gitdir, oid: commit, ...(folder ? { filepath: folder } : {}), cache: this.cache });
    } catch {
      // The folder does not exist at that commit.
      return blobs;
    }
    const pending: { prefix: string; entries: git.TreeEntry[] }[] = [{ prefix: folder, entries: top.tree }];
    while (pending.length > 0) {
      const { prefix, entries } = pending.pop() ?? { prefix: '', entries: [] };
      for (const e of entries) {
        const p = prefix ? `${prefix}/${e.path}` : e.path;
        if (e.type === 'blob') blobs.set(p, e.oid);
        else if (e.type === 'tree') pending.push({ prefix: p, entries: (await git.readTree({ fs, gitdir: this.gitdir, oid: e.oid, cache: this.cache })).tree });
      }
    }
    return blobs;
  }

  async readBlobs(oids: readonly string[]): Promise<Map<string, string>> {
    const texts = new Map<string, string>();
    const decoder = new TextDecoder();
    for (const oid of oids) {
      const { blob } = await git.readBlob({ fs, gitdir: this.gitdir, oid, cache: this.cache });
      texts.set(oid, decoder.decode(blob));
    }
    return texts;
  }
}
