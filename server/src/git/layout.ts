// Where a working tree's repository keeps its parts, read from the files alone (nothing is run). A
// linked worktree (`git worktree add`) has a `.git` file naming its own folder, which holds its HEAD;
// refs and objects are in the common folder that `commondir` names.
import fs from 'node:fs';
import path from 'node:path';

export interface GitLayout {
  /** The folder with refs, objects and `shallow` (the common folder of a linked worktree). */
  gitdir: string;
  /** The worktree's own HEAD file, when it is not `<gitdir>/HEAD`. */
  headFile?: string;
}

/** The layout of the repository whose working tree's top folder is `root` (it holds `.git`). */
export function gitLayoutOf(root: string): GitLayout {
  const dotGit = path.join(root, '.git');
  if (fs.statSync(dotGit).isDirectory()) return { gitdir: dotGit };
  const m = /^gitdir:\s*(.+)$/m.exec(fs.readFileSync(dotGit, 'utf8'));
  const own = path.resolve(root, m?.[1]?.trim() ?? '.git');
  const common = path.join(own, 'commondir');
  if (!fs.existsSync(common)) return { gitdir: own };
  return { gitdir: path.resolve(own, fs.readFileSync(common, 'utf8').trim()), headFile: path.join(own, 'HEAD') };
}

/**
 * The folders whose changes can change which revisions are released: the one holding HEAD (a checkout,
 * a commit on a detached HEAD), `refs/heads` (a commit, a reset), `refs/remotes/<remote>` (a fetch moved
 * the base) and the common folder (`packed-refs`, `FETCH_HEAD`). Each is watched on its own, not
 * recursively; a branch named with slashes (`feature/x`) lives one folder deeper, so those folders are
 * listed too. Empty when `root` holds no readable repository.
 */
export function gitFoldersToWatch(root: string): string[] {
  let layout: GitLayout;
  try {
    layout = gitLayoutOf(root);
  } catch {
    return [];
  }
  const folders = new Set<string>([layout.gitdir]);
  if (layout.headFile) folders.add(path.dirname(layout.headFile));
  const below = (dir: string, depth: number): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    folders.add(dir);
    if (depth === 0) return;
    for (const e of entries) if (e.isDirectory()) below(path.join(dir, e.name), depth - 1);
  };
  below(path.join(layout.gitdir, 'refs', 'heads'), 2);
  below(path.join(layout.gitdir, 'refs', 'remotes'), 2);
  return [...folders];
}

/** Whether a changed path in a watched git folder can move a ref (not the index, logs or objects). */
export function isRefChange(changedPath: string): boolean {
  const name = path.basename(changedPath);
  if (name.endsWith('.lock')) return false;
  if (['HEAD', 'packed-refs', 'FETCH_HEAD', 'ORIG_HEAD'].includes(name)) return true;
  return changedPath.split(path.sep).includes('refs');
}
