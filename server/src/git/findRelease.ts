// Finds which of a project's migration files are released: unchanged since the merge-base of HEAD with
// the base ref. Reads only what the version locations hold at two commits (the merge-base and the base's
// tip) and compares blob ids with the working texts, so 10,000 files cost two tree listings and hashing,
// and file contents are read only for the few files that differ.
import path from 'node:path';
import {
  type BaseRelease, noBaseNote, type ProjectRelease, type ReleaseSettings,
} from '../core/release/release';
import { GitCli } from './gitCli';
import { isInVersionLocations } from '../core/project/locations';
import { blobId, findRepositoryRoot, type GitReader } from './reader';

export interface ReleaseInput {
  /** The project's folder (where alembic.ini is). */
  projectRoot: string;
  /** Absolute folders of the version locations. */
  versionLocations: readonly string[];
  /** `recursive_version_locations`: Alembic reads their subfolders too (else only files directly in them). */
  recursive: boolean;
  /** The working texts of the project's migration files by absolute path (the editor's, when open). */
  texts: ReadonlyMap<string, string>;
}

/**
 * `spawn`: run Debian's git with safe options (the CLI, trusted workspaces); `objects`: read the
 * repository in JavaScript and execute nothing (untrusted workspaces).
 */
export type GitAccess = 'spawn' | 'objects';

/** A base that cannot be used, and why: the CLI exits 2 when the user asked for one. */
export interface BaseProblem {
  kind: 'not-a-repository' | 'no-commit' | 'base-not-found' | 'no-merge-base' | 'git-failed';
  /** The clone is shallow, which is the likely reason the base or the merge-base is missing. */
  shallow: boolean;
  message: string;
}

export interface FoundRelease {
  release: ProjectRelease;
  problem?: BaseProblem;
}

/** The candidates of `base = "auto"`, in order: the remote's default branch, then the usual names. */
export const AUTO_BASES: readonly string[] = ['refs/remotes/origin/HEAD', 'origin/main', 'origin/master', 'main', 'master'];

/**
 * isomorphic-git is loaded only where it is used (untrusted workspaces): the CLI never needs it. A
 * require, not import(): the bundles evaluate the module on first use, and the file-by-file build (CommonJS)
 * resolves it like every other import.
 */
function gitObjects(): typeof import('./gitObjects') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./gitObjects') as typeof import('./gitObjects');
}

export async function findRelease(input: ReleaseInput, settings: ReleaseSettings, access: GitAccess): Promise<FoundRelease> {
  const release: ProjectRelease = { scope: settings.scope };
  if (settings.since) release.since = settings.since;
  // An empty base turns git off on purpose: nothing to say.
  if (!settings.base) return { release };
  const fail = (problem: BaseProblem): FoundRelease => {
    // With `since`, revisions are still told apart: the note says only that git was not used.
    release.note = settings.since ? `${problem.message}; released revisions come from since = ${settings.since} only` : noBaseNote(problem.message);
    return { release, problem };
  };
  const root = findRepositoryRoot(input.projectRoot);
  if (!root) return fail({ kind: 'not-a-repository', shallow: false, message: `${input.projectRoot} is not in a git repository` });
  const reader: GitReader = access === 'spawn' ? new GitCli(root) : new (gitObjects().GitObjects)(root);
  try {
    const base = await readBase(reader, input, settings.base);
    if ('problem' in base) return fail(base.problem);
    release.base = base.release;
    return { release };
  } catch (e) {
    return fail({ kind: 'git-failed', shallow: false, message: `reading git in ${root} failed: ${e instanceof Error ? e.message : String(e)}` });
  }
}

async function readBase(reader: GitReader, input: ReleaseInput, configured: string): Promise<{ release: BaseRelease } | { problem: BaseProblem }> {
  const head = await reader.resolveCommit('HEAD');
  if (!head) return { problem: { kind: 'no-commit', shallow: false, message: `${reader.root} has no commit yet` } };
  const candidates = configured === 'auto' ? AUTO_BASES : [configured];
  let ref: string | undefined;
  let tip: string | undefined;
  for (const c of candidates) {
    tip = await reader.resolveCommit(c);
    if (tip) {
      // origin/HEAD is named by the branch it points at, which is what users know.
      const target = c === 'refs/remotes/origin/HEAD' ? await reader.symbolicTarget(c) : undefined;
      ref = target ? target.replace(/^refs\/remotes\//, '') : c.replace(/^refs\/remotes\//, '');
      break;
    }
  }
  const shallow = await reader.isShallow();
  const cloneHint = shallow ? ' (this is a shallow clone: fetch the base and its history, e.g. actions/checkout with fetch-depth: 0)' : '';
  if (!ref || !tip) {
    const what = configured === 'auto' ? `no base branch found (tried ${candidates.map((c) => c.replace('refs/remotes/', '')).join(', ')})` : `the base '${configured}' is not a commit in ${reader.root}`;
    return { problem: { kind: 'base-not-found', shallow, message: what + cloneHint } };
  }
  // On the base branch itself everything committed is released: the merge-base is HEAD.
  const branch = await reader.currentBranch();
  const onBase = branch !== undefined && branchName(ref) === branch;
  const mergeBase = onBase ? head : await reader.mergeBase(head, tip);
  if (!mergeBase) {
    return { problem: { kind: 'no-merge-base', shallow, message: `HEAD and ${ref} have no common commit in ${reader.root}${cloneHint}` } };
  }
  const folders = input.versionLocations.map((l) => toGitPath(reader.root, l)).filter((f): f is string => f !== undefined);
  // Only the files Alembic reads, as the model holds them: a file in a subfolder it does not read
  // (Neutron's release folders, without recursive_version_locations) is neither released nor deleted.
  const isMigration = (rel: string): boolean => isInVersionLocations(path.join(reader.root, rel), input.versionLocations, input.recursive);
  const atMergeBase = await blobsIn(reader, mergeBase, folders);
  const unchanged = new Map<string, string>();
  const working = new Set<string>();
  for (const [file, text] of input.texts) {
    const rel = toGitPath(reader.root, file);
    if (rel === undefined) continue;
    working.add(rel);
    // Hashed only when there is a blob to compare with: a file new since the merge-base is new.
    const before = atMergeBase.get(rel);
    if (before !== undefined && before === blobId(text)) unchanged.set(file, text);
  }
  const changedOids = new Map<string, string>();
  for (const [rel, oid] of atMergeBase) if (isMigration(rel) && !unchanged.has(path.join(reader.root, rel))) changedOids.set(rel, oid);
  const advancedOids = new Map<string, string | null>();
  if (tip !== mergeBase && !onBase) {
    const atTip = await blobsIn(reader, tip, folders);
    for (const [rel, oid] of atTip) if (isMigration(rel) && atMergeBase.get(rel) !== oid) advancedOids.set(rel, oid);
    for (const rel of atMergeBase.keys()) if (isMigration(rel) && !atTip.has(rel)) advancedOids.set(rel, null);
  }
  const wanted = [...new Set([...changedOids.values(), ...[...advancedOids.values()].filter((o): o is string => o !== null)])];
  const texts = await reader.readBlobs(wanted);
  const releasedBefore = new Map<string, string>();
  for (const [rel, oid] of changedOids) {
    const t = texts.get(oid);
    if (t !== undefined) releasedBefore.set(path.join(reader.root, rel), t);
  }
  const baseAdvanced = new Map<string, string | null>();
  for (const [rel, oid] of advancedOids) {
    const t = oid === null ? null : texts.get(oid);
    if (t !== undefined) baseAdvanced.set(path.join(reader.root, rel), t);
  }
  return { release: { ref, mergeBase, baseTip: tip, unchanged, releasedBefore, baseAdvanced } };
}

async function blobsIn(reader: GitReader, commit: string, folders: readonly string[]): Promise<Map<string, string>> {
  const all = new Map<string, string>();
  for (const f of folders) for (const [p, oid] of await reader.treeBlobs(commit, f)) all.set(p, oid);
  return all;
}

/**
 * The local branch a base stands for: `origin/main` → `main`, `refs/heads/main` → `main`, `main` →
 * `main`. A base written with a folder (`release/1.x`) is taken as a local branch.
 */
function branchName(ref: string): string {
  if (ref.startsWith('refs/heads/')) return ref.slice('refs/heads/'.length);
  const remote = /^(?:refs\/remotes\/)?(?:origin|upstream)\/(.+)$/.exec(ref);
  return remote?.[1] ?? ref;
}

/** A path inside the working tree as git writes it (relative, `/`); undefined outside it. */
function toGitPath(root: string, p: string): string | undefined {
  const rel = path.relative(root, p);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join('/');
}
