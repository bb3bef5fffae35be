// What the release classification needs of a git repository, and the two ways to get it: running
// Debian's `git` with options that stop the repository's configuration from running anything
// (gitCli.ts, for trusted workspaces and the CLI), or reading the objects in JavaScript with
// isomorphic-git, which executes nothing at all (gitObjects.ts, for untrusted workspaces).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface GitReader {
  /** The working tree's top folder. */
  readonly root: string;
  /** The commit a ref or revision names (`HEAD`, `origin/main`), or undefined when it names none. */
  resolveCommit(ref: string): Promise<string | undefined>;
  /** The full ref a symbolic ref points at (`refs/remotes/origin/HEAD` → `refs/remotes/origin/main`). */
  symbolicTarget(ref: string): Promise<string | undefined>;
  /** The checked-out branch's short name; undefined on a detached HEAD. */
  currentBranch(): Promise<string | undefined>;
  /** The best common ancestor of two commits; undefined when they share none (or history is cut short). */
  mergeBase(a: string, b: string): Promise<string | undefined>;
  /** Whether the clone is shallow (commits before some point are missing). */
  isShallow(): Promise<boolean>;
  /** Every blob under `folder` (relative to the root, `/`-separated) at `commit`: path → blob id. */
  treeBlobs(commit: string, folder: string): Promise<Map<string, string>>;
  /** Blob texts by id (UTF-8). */
  readBlobs(oids: readonly string[]): Promise<Map<string, string>>;
}

/** The working tree's top folder above `from` (a `.git` folder, or a `.git` file in a linked worktree). */
export function findRepositoryRoot(from: string): string | undefined {
  let dir = path.resolve(from);
  for (;;) {
    if (fs.existsSync(path.join(dir, '.git'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** The blob id git gives `text`: compared with a tree entry, it tells whether the file changed. */
export function blobId(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}
