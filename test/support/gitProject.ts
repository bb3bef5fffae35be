// Alembic projects in real git repositories, made in temporary folders with Debian's git: the release
// tests (released and new revisions) need histories, branches, clones and shallow clones.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Runs git in `cwd` (identity and branch name fixed, no user or system configuration read). */
export function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, {
    cwd, encoding: 'utf8',
    env: {
      ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 'test@example.com',
      GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 'test@example.com', GIT_AUTHOR_DATE: '2024-01-01T00:00:00Z', GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z',
    },
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} in ${cwd} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** A migration file's text; `upgrade` is the body of upgrade() (one line per entry). */
export function migrationText(revision: string, downRevision: string | null, opts: { message?: string; upgrade?: string[]; downgrade?: string[] } = {}): string {
  const message = opts.message ?? `revision ${revision}`;
  const body = (lines: string[] | undefined): string => (lines && lines.length > 0 ? lines : ['pass']).map((l) => `    ${l}`).join('\n');
  return `"""${message}

Revision ID: ${revision}
Revises: ${downRevision ?? ''}
Create Date: 2024-03-01 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '${revision}'
down_revision = ${downRevision === null ? 'None' : `'${downRevision}'`}
branch_labels = None
depends_on = None


def upgrade() -> None:
${body(opts.upgrade)}


def downgrade() -> None:
${body(opts.downgrade)}
`;
}

/** An upgrade() body the file rules warn about (add-not-null-column-without-default). */
export const PROBLEM_UPGRADE = ['op.add_column("t_1", sa.Column("x", sa.Integer(), nullable=False))'];
export const PROBLEM_DOWNGRADE = ['op.drop_column("t_1", "x")'];

export interface GitProject {
  root: string;
  versions: string;
  /** Writes (or overwrites) a migration file in the versions folder; returns its path. */
  write(name: string, text: string): string;
  remove(name: string): void;
  git(...args: string[]): string;
  /** `git add -A && git commit` with a message. */
  commit(message: string): void;
}

/** Opens a project in an existing folder (a clone). */
export function openGitProject(root: string): GitProject {
  const versions = path.join(root, 'migrations', 'versions');
  return {
    root, versions,
    write: (name, text) => {
      const p = path.join(versions, name);
      fs.writeFileSync(p, text);
      return p;
    },
    remove: (name) => fs.rmSync(path.join(versions, name)),
    git: (...args) => git(root, ...args),
    commit: (message) => {
      git(root, 'add', '-A');
      git(root, 'commit', '-q', '-m', message);
    },
  };
}

/**
 * A fresh repository on `main` holding an Alembic project (alembic.ini, migrations/env.py) whose first
 * commit has `revisions` linear migrations r1 … rN; revision `r<k>` is in `000k_r<k>.py` and each
 * released one carries a file-rule problem when `withProblems` (so a check of scope `all` warns).
 */
export function makeGitProject(opts: { revisions?: number; withProblems?: boolean } = {}): GitProject {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-git-'));
  fs.mkdirSync(path.join(root, 'migrations', 'versions'), { recursive: true });
  fs.writeFileSync(path.join(root, 'alembic.ini'), '[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = postgresql://u@localhost/db\n');
  fs.writeFileSync(path.join(root, 'migrations', 'env.py'), '# env.py: not run by these tests\n');
  const project = openGitProject(root);
  git(root, 'init', '-q', '-b', 'main');
  const n = opts.revisions ?? 3;
  for (let k = 1; k <= n; k++) {
    const problem = opts.withProblems ? { upgrade: PROBLEM_UPGRADE, downgrade: PROBLEM_DOWNGRADE } : {};
    project.write(revisionFileName(k), migrationText(revisionId(k), k === 1 ? null : revisionId(k - 1), problem));
  }
  project.commit('the released history');
  return project;
}

/** `r<k>` padded to 12 characters of hex-like id: 'aaaa00000001'. */
export function revisionId(k: number): string {
  return `aaaa${String(k).padStart(8, '0')}`;
}

export function revisionFileName(k: number): string {
  return `${String(k).padStart(4, '0')}_${revisionId(k)}.py`;
}

/**
 * The history that breaks deploys: `feature` adds r4 and bbbb00000005 on r3, and `main` moved on with
 * its own cccc00000009 on r3 after the branch left it. Checked out on `feature`.
 */
export function makeDivergedGitProject(): GitProject {
  const p = makeGitProject();
  p.git('checkout', '-q', '-b', 'feature');
  p.write(revisionFileName(4), migrationText(revisionId(4), revisionId(3)));
  p.write('0005_feature_two.py', migrationText('bbbb00000005', revisionId(4)));
  p.commit('feature: r4 and r5');
  p.git('checkout', '-q', 'main');
  p.write('0009_main.py', migrationText('cccc00000009', revisionId(3)));
  p.commit('main: its own revision on r3');
  p.git('checkout', '-q', 'feature');
  return p;
}
