// Released and new revisions. A revision is released when its file is unchanged since the merge-base of
// the working tree with the base (a git ref), or when it is the configured `since` revision or one of its
// ancestors; every other revision is new. Released revisions ran somewhere already, so file rules leave
// them alone by default (scope `new`): nobody may edit them, and warnings there only teach users to switch
// the linter off. Reading git is I/O and lives in server/src/git; this module holds what the facts mean.
import { parse as parseToml } from 'smol-toml';
import type { RevisionGraph } from '../graph/types';

export type ReleaseScope = 'new' | 'all';

/** `alembic.lint.*` / `[tool.alembic-lint]` / `--base --since --scope`, resolved. */
export interface ReleaseSettings {
  /** A git ref, or `auto` (origin/HEAD, origin/main, origin/master, main, master); empty: no base. */
  base: string;
  /** A revision id (or unique prefix): it and its ancestors are released; empty: none. */
  since: string;
  scope: ReleaseScope;
}

export const DEFAULT_RELEASE_SETTINGS: Readonly<ReleaseSettings> = Object.freeze({ base: 'auto', since: '', scope: 'new' });

/** What git said about the version locations, relative to the base (server/src/git makes it). */
export interface BaseRelease {
  /** The base as found (`origin/main`). */
  ref: string;
  /** The merge-base commit (on the base branch itself: HEAD). */
  mergeBase: string;
  /**
   * Files unchanged since the merge-base: path → the text they held when compared. A file whose text
   * differs from that (an edit since) is new.
   */
  unchanged: ReadonlyMap<string, string>;
  /**
   * Migration files at the merge-base that the working tree holds differently or not at all: path → the
   * text at the merge-base (what `released-revision-modified` compares against).
   */
  releasedBefore: ReadonlyMap<string, string>;
  /**
   * Migration files the base changed after the merge-base: path → the text at the base's tip, or null
   * when the base deleted it (what `multiple-heads-after-merge` merges with this branch's files).
   */
  baseAdvanced: ReadonlyMap<string, string | null>;
  /** The base's tip commit. */
  baseTip: string;
}

export interface ProjectRelease {
  scope: ReleaseScope;
  base?: BaseRelease;
  /** The `since` revision as configured. */
  since?: string;
  /** Why no base is in use, said once to the user (with how to set `since`). */
  note?: string;
}

/** Why a revision is released. */
export type ReleaseReason =
  | { kind: 'base'; ref: string; mergeBase: string }
  | { kind: 'since'; since: string };

/** Why the release is unknown, and what to do, for a project without a usable base. */
export function noBaseNote(why: string): string {
  return `${why}: every revision counts as new, so file rules run on all of them. ` +
    'Set alembic.lint.base (or [tool.alembic-lint] base, --base) to a git ref, or alembic.lint.since ' +
    '(or [tool.alembic-lint] since, --since) to the newest revision that already ran in production.';
}

/**
 * The `since` revision and its ancestors (down_revision and depends_on), by id; undefined with a
 * message when `since` names no revision or more than one.
 */
export function releasedSince(graph: RevisionGraph, since: string): { ids: Set<string> } | { problem: string } {
  let start = graph.nodes.get(since);
  if (!start) {
    const matches = [...graph.nodes.keys()].filter((id) => id.startsWith(since));
    if (matches.length !== 1) {
      return { problem: matches.length === 0 ? `since: no revision '${since}' in the graph` : `since: '${since}' names ${matches.length} revisions; write more of the id` };
    }
    start = graph.nodes.get(matches[0] ?? '');
  }
  const ids = new Set<string>();
  const stack = start ? [start.revision] : [];
  while (stack.length > 0) {
    const id = stack.pop() ?? '';
    if (ids.has(id)) continue;
    ids.add(id);
    const n = graph.nodes.get(id);
    if (n) stack.push(...n.parents, ...n.dependencies);
  }
  return { ids };
}

export interface ReleaseSettingsFromFile {
  settings: Partial<ReleaseSettings>;
  errors: string[];
}

/** The keys of `[tool.alembic-lint]` this module reads (the others are rule severities). */
export const RELEASE_KEYS: ReadonlySet<string> = new Set(['base', 'since', 'scope']);

/** `base`, `since` and `scope` of a pyproject.toml's `[tool.alembic-lint]`. */
export function releaseSettingsFromPyproject(text: string, path: string): ReleaseSettingsFromFile {
  let doc: unknown;
  try {
    doc = parseToml(text);
  } catch {
    // The severities reader reports the same parse error; saying it twice helps nobody.
    return { settings: {}, errors: [] };
  }
  const tool = isTable(doc) ? doc.tool : undefined;
  const table = isTable(tool) ? tool['alembic-lint'] : undefined;
  if (!isTable(table)) return { settings: {}, errors: [] };
  const where = `${path} [tool.alembic-lint]`;
  const settings: Partial<ReleaseSettings> = {};
  const errors: string[] = [];
  for (const key of RELEASE_KEYS) {
    const value = table[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') {
      errors.push(`${where}: '${key}' must be a string`);
      continue;
    }
    if (key === 'scope') {
      if (value === 'new' || value === 'all') settings.scope = value;
      else errors.push(`${where}: scope must be "new" or "all" (got "${value}")`);
    } else if (key === 'base') {
      settings.base = value.trim();
    } else {
      settings.since = value.trim();
    }
  }
  return { settings, errors };
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
