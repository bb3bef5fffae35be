// Which git folders the server watches for ref changes, on real repositories made with Debian's git:
// a plain clone and a linked worktree (whose HEAD lives outside the common folder).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { gitFoldersToWatch, isRefChange } from '../../server/src/git/layout';
import { makeGitProject } from '../support/gitProject';

describe('git folders watched for ref changes', () => {
  it('watches the folder of HEAD, refs/heads and slash-named branch folders of a repository', () => {
    const project = makeGitProject({ revisions: 1 });
    try {
      project.git('branch', 'feature/x');
      const folders = gitFoldersToWatch(project.root).map((f) => path.relative(project.root, f)).sort();
      assert.deepEqual(folders, ['.git', '.git/refs/heads', '.git/refs/heads/feature']);
    } finally {
      fs.rmSync(project.root, { recursive: true, force: true });
    }
  });

  it('watches a linked worktree\'s own folder (its HEAD) and the common folder\'s refs', () => {
    const project = makeGitProject({ revisions: 1 });
    const worktree = `${project.root}-wt`;
    try {
      project.git('worktree', 'add', '-q', worktree, '-b', 'side');
      const folders = gitFoldersToWatch(worktree).map((f) => path.relative(project.root, f)).sort();
      assert.deepEqual(folders, ['.git', '.git/refs/heads', '.git/worktrees/' + path.basename(worktree)]);
    } finally {
      fs.rmSync(worktree, { recursive: true, force: true });
      fs.rmSync(project.root, { recursive: true, force: true });
    }
  });

  it('nothing to watch without a repository; index, logs and lock files are not ref changes', () => {
    assert.deepEqual(gitFoldersToWatch(path.join(path.sep, 'no', 'such', 'folder')), []);
    for (const p of ['/r/.git/HEAD', '/r/.git/refs/heads/main', '/r/.git/packed-refs', '/r/.git/FETCH_HEAD', '/r/.git/refs/remotes/origin/main']) assert.ok(isRefChange(p), p);
    for (const p of ['/r/.git/index', '/r/.git/refs/heads/main.lock', '/r/.git/COMMIT_EDITMSG', '/r/.git/config']) assert.ok(!isRefChange(p), p);
  });
});
