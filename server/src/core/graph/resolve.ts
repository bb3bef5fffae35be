// Resolving revision identifiers exactly as Alembic's RevisionMap does (alembic/script/revision.py:
// get_revisions, get_revision, _resolve_revision_number, _revision_for_ident, filter_for_lineage,
// _walk, _parse_upgrade_target, _parse_downgrade_target), including its error texts. The functions
// below keep Alembic's names in their comments so that they can be checked side by side.
import type { RevisionGraph, RevisionNode } from './types';

export type RevisionErrorKind = 'RevisionError' | 'ResolutionError' | 'MultipleHeads';

/** Alembic's RevisionError family: `message` is `str(exc)`, `argument` what ResolutionError/MultipleHeads carry. */
export class RevisionResolveError extends Error {
  constructor(message: string, readonly kind: RevisionErrorKind, readonly argument?: string, readonly heads?: string[]) {
    super(message);
  }

  /** The text `alembic` prints after `FAILED:` (ScriptDirectory._catch_revision_errors with defaults). */
  get commandMessage(): string {
    if (this.kind === 'MultipleHeads') {
      return `Multiple head revisions are present for given argument '${this.argument}'; please specify a specific ` +
        `target revision, '<branchname>@${this.argument}' to narrow to a specific head, or 'heads' for all heads`;
    }
    if (this.kind === 'ResolutionError') return `Can't locate revision identified by '${this.argument}'`;
    return this.message;
  }
}

/** One element of a `get_revisions` result: a revision, `null` (Python None) or the string `base`. */
export type Resolved = RevisionNode | null | 'base';

const resolutionError = (message: string, argument: string): RevisionResolveError =>
  new RevisionResolveError(message, 'ResolutionError', argument);
const revisionError = (message: string): RevisionResolveError => new RevisionResolveError(message, 'RevisionError');

// Python's `int()` on a str: optional sign, digits with single underscores, surrounding whitespace.
const PY_INT_RE = /^\s*[+-]?\d+(?:_\d+)*\s*$/u;
// `_relative_destination`, matched at the start only (re.match); \w and \d are Unicode in Python 3.
const RELATIVE_RE = /^(?:(.+?)@)?([\p{L}\p{N}_]+)?([+-]\p{Nd}+)/u;

/**
 * `_revision_for_ident`'s lookup, before its branch check: the key itself (a revision id or a branch
 * label), else the one key of four or more characters that starts with `id` (`narrow` filters those
 * candidates first). The one place that says what an identifier names: the resolver and the database
 * state (which revisions the version table's ids are) both ask it.
 */
export function identifyRevision<T>(
  id: string, lookup: (key: string) => T | undefined, keys: () => Iterable<string>, narrow?: (candidates: string[]) => string[],
): { ok: true; value: T } | { ok: false; error: RevisionResolveError } {
  const exact = lookup(id);
  if (exact !== undefined) return { ok: true, value: exact };
  // Alembic: `assert resolved_id` (an AssertionError, not a RevisionError) before any prefix search.
  if (id === '') return { ok: false, error: revisionError('Empty revision identifier (Alembic fails with an AssertionError)') };
  let revs = [...keys()].filter((x) => x.length > 3 && x.startsWith(id));
  if (narrow) revs = narrow(revs);
  if (revs.length === 0) {
    return { ok: false, error: resolutionError(`No such revision or branch '${id}'${id.length < 4
      ? '; please ensure at least four characters are present for partial revision identifier matches' : ''}`, id) };
  }
  if (revs.length > 1) {
    return { ok: false, error: resolutionError(`Multiple revisions start with '${id}': ${revs.slice(0, 3).map((r) => `'${r}'`).join(', ')}...`, id) };
  }
  const value = lookup(revs[0] ?? '');
  return value === undefined ? { ok: false, error: resolutionError(`No such revision or branch '${id}'`, id) } : { ok: true, value };
}

/** The resolver over one graph; create it per graph (it caches nothing that an edit could change). */
export class RevisionResolver {
  constructor(readonly graph: RevisionGraph) {}

  /** `_revision_map[key]`: revision ids, then branch labels. */
  private lookup(key: string): RevisionNode | undefined {
    const n = this.graph.nodes.get(key);
    if (n) return n;
    const owner = this.graph.labels.get(key);
    return owner === undefined ? undefined : this.graph.nodes.get(owner);
  }

  private mapKeys(): string[] {
    return [...this.graph.nodes.keys(), ...this.graph.labels.keys()];
  }

  private node(id: string): RevisionNode {
    const n = this.graph.nodes.get(id);
    if (!n) throw revisionError('Dependency resolution failed; broken map');
    return n;
  }

  /** `get_revisions(id_)` for a string, or a list of them (each resolved and concatenated). */
  getRevisions(id: string | null | readonly (string | null)[]): Resolved[] {
    if (Array.isArray(id)) return (id as readonly (string | null)[]).flatMap((x) => this.getRevisions(x));
    const single = id as string | null;
    const { ids, branch } = this.resolveRevisionNumber(single);
    if (ids.length === 1 && PY_INT_RE.test(ids[0] ?? '')) {
      const rint = Number.parseInt((ids[0] ?? '').replace(/_/g, ''), 10);
      if (rint < 0) {
        let heads = this.getRevisions(this.graph.realHeads);
        if (branch !== undefined) heads = heads.filter((h) => isNode(h) && h.branchLabels.includes(branch));
        return heads.map((h) => this.walk(h, rint));
      }
    }
    return ids.map((r) => this.revisionForIdent(r, branch));
  }

  /** `get_revision(id_)`: one revision; several (e.g. `heads` with two heads) is MultipleHeads. */
  getRevision(id: string | null): RevisionNode | null {
    const { ids, branch } = this.resolveRevisionNumber(id);
    if (ids.length > 1) throw multipleHeads(ids, id ?? 'None');
    return this.revisionForIdent(ids[0] ?? null, branch);
  }

  /** `_resolve_revision_number`: symbolic names to ids, and the `label@` part split off. */
  resolveRevisionNumber(id: string | null): { ids: string[]; branch: string | undefined } {
    let branch: string | undefined;
    if (id !== null && id.includes('@')) {
      const at = id.indexOf('@');
      branch = id.slice(0, at);
      id = id.slice(at + 1);
    }
    if (id === 'heads') {
      return branch ? { ids: this.filterForLineage(this.graph.heads, branch), branch } : { ids: [...this.graph.realHeads], branch };
    }
    if (id === 'head') {
      const h = this.getCurrentHead(branch);
      return { ids: h === null ? [] : [h], branch };
    }
    if (id === 'base' || id === null) return { ids: [], branch };
    return { ids: [id], branch };
  }

  /** `get_current_head(branch_label)`: the one head (of the branch), or MultipleHeads. */
  getCurrentHead(branch?: string): string | null {
    let heads = this.graph.heads;
    if (branch) heads = this.filterForLineage(heads, branch);
    if (heads.length > 1) throw multipleHeads(heads, branch ? `${branch}@head` : 'head');
    return heads[0] ?? null;
  }

  /** `_resolve_branch`: a label or revision id exactly, else a unique id prefix. */
  private resolveBranch(label: string): RevisionNode | null {
    const exact = this.lookup(label);
    if (exact) return exact;
    try {
      return this.revisionForIdent(label);
    } catch (err) {
      if (err instanceof RevisionResolveError && err.kind === 'ResolutionError') {
        throw resolutionError(`No such branch: '${label}'`, label);
      }
      throw err;
    }
  }

  /** `_revision_for_ident(resolved_id, check_branch)`: exact key, else a unique prefix of 4+ characters. */
  revisionForIdent(resolvedId: string | null, checkBranch?: string): RevisionNode | null {
    const branchRev = checkBranch ? this.resolveBranch(checkBranch) : null;
    let revision: RevisionNode | null;
    if (resolvedId === null) {
      revision = null;
    } else {
      const found = identifyRevision(resolvedId, (key) => this.lookup(key), () => this.mapKeys(),
        branchRev ? (revs) => this.filterForLineage(revs, checkBranch ?? null) : undefined);
      if (!found.ok) throw found.error;
      revision = found.value;
    }
    if (checkBranch && revision !== null && branchRev) {
      if (!this.sharesLineage(revision, [branchRev])) {
        throw resolutionError(`Revision ${revision.revision} is not a member of branch '${checkBranch}'`, resolvedId ?? '');
      }
    }
    return revision;
  }

  /** `filter_for_lineage(targets, check_against)`: the targets on the same line as `check_against`. */
  filterForLineage<T extends string | RevisionNode>(targets: readonly T[], checkAgainst: string | null, includeDependencies = false): T[] {
    const { ids, branch } = this.resolveRevisionNumber(checkAgainst);
    const shares: string[] = [];
    if (branch) shares.push(branch);
    shares.push(...ids);
    return targets.filter((t) => this.sharesLineage(t, shares, includeDependencies));
  }

  /** `_shares_lineage`: is any of `against` an ancestor or descendant of (or equal to) `target`? */
  private sharesLineage(target: string | RevisionNode, against: (string | RevisionNode)[], includeDependencies = false): boolean {
    if (against.length === 0) return true;
    const t = typeof target === 'string' ? this.revisionForIdent(target) : target;
    if (t === null) throw revisionError(`revision ${String(target)} resolved to None`);
    const others = new Set(against.map((a) => (typeof a === 'string' ? this.revisionForIdent(a) : a)));
    for (const n of this.descendants([t], includeDependencies)) if (others.has(n)) return true;
    for (const n of this.ancestors([t], includeDependencies)) if (others.has(n)) return true;
    return false;
  }

  /** `_get_descendant_nodes`: the targets and everything above them (children, and dependents when asked). */
  descendants(targets: RevisionNode[], includeDependencies = true): Set<RevisionNode> {
    return this.related(targets, (n) => (includeDependencies ? [...n.children, ...n.dependents] : n.children));
  }

  /** `_get_ancestor_nodes`: the targets and everything below them (parents, and dependencies when asked). */
  ancestors(targets: RevisionNode[], includeDependencies = true): Set<RevisionNode> {
    return this.related(targets, (n) => (includeDependencies ? [...n.parents, ...n.dependencies] : n.parents));
  }

  private related(targets: RevisionNode[], next: (n: RevisionNode) => string[]): Set<RevisionNode> {
    const seen = new Set<RevisionNode>();
    const todo = [...targets];
    while (todo.length > 0) {
      const n = todo.pop();
      if (!n || seen.has(n)) continue;
      seen.add(n);
      for (const id of next(n)) todo.push(this.node(id));
    }
    return seen;
  }

  /** `_walk(start, steps, branch_label, no_overwalk)`: up (steps > 0) or down (steps < 0) one line. */
  walk(start: Resolved | { id: string }, steps: number, branchLabel?: string, noOverwalk = true): Resolved {
    // A string start is resolved with get_revision first, as Alembic does for `isinstance(start, str)`.
    let initial: Resolved = start !== null && typeof start === 'object' && 'id' in start ? this.getRevision(start.id) : start;
    for (let i = 0; i < Math.abs(steps); i++) {
      let children: Resolved[];
      if (steps > 0) {
        const up = this.getRevisions(initial === null ? this.graph.bases : isNode(initial) ? initial.children : []);
        children = branchLabel ? this.filterForLineage(up.filter(isNode), branchLabel) : up;
      } else if (initial === 'base') {
        children = [];
      } else {
        children = initial === null
          ? this.getRevisions(this.graph.heads)
          : this.getRevisions(initial.file.downRevisions.length === 1
            ? (initial.file.downRevisions[0]?.value ?? null)
            : initial.file.downRevisions.map((d) => d.value));
        if (children.length === 0) children = ['base'];
      }
      if (children.length === 0) return noOverwalk ? null : initial;
      if (children.length > 1) throw revisionError('Ambiguous walk');
      initial = children[0] ?? null;
    }
    return initial;
  }

  /**
   * `_parse_upgrade_target(current_revisions, target)`: what `alembic upgrade TARGET` goes to, with
   * `+N` relative to the database's current revisions and `rev+N` / `label@rev+N` relative to a revision.
   */
  parseUpgradeTarget(current: readonly string[], target: string, assertRelativeLength = true): Resolved[] {
    const m = RELATIVE_RE.exec(target);
    if (!m) return this.getRevisions(target);
    const [, branchLabel, symbol, relativeStr = ''] = m;
    const relative = Number.parseInt(relativeStr, 10);
    if (relative > 0) {
      if (symbol === undefined) {
        let startRevs: (Resolved | { id: string })[] = current.length > 0 ? current.map((id) => ({ id })) : [null];
        if (branchLabel) {
          const currentRevs = this.getRevisions([...current]).filter(isNode);
          startRevs = this.filterForLineage(currentRevs, branchLabel);
          if (startRevs.length === 0) {
            const active = this.filterForLineage([...this.ancestors(currentRevs)], branchLabel);
            const downs = new Set(active.flatMap((r) => this.normalizedDownRevisions(r)));
            startRevs = [...new Set(active.map((r) => r.revision))].filter((r) => !downs.has(r)).map((id) => ({ id }));
            if (startRevs.length === 0) startRevs = [null];
          }
        }
        if (startRevs.length > 1) throw revisionError('Ambiguous upgrade from multiple current revisions');
        const rev = this.walk(startRevs[0] ?? null, relative, branchLabel, assertRelativeLength);
        if (rev === null) throw revisionError(`Relative revision ${relativeStr} didn't produce ${Math.abs(relative)} migrations`);
        return [rev];
      }
      return [this.walk(this.getRevision(symbol), relative, branchLabel, assertRelativeLength)];
    }
    if (symbol === undefined) throw revisionError(`Relative revision ${relative} didn't produce ${Math.abs(relative)} migrations`);
    const start = branchLabel === undefined ? this.getRevision(symbol) : this.getRevision(`${branchLabel}@${symbol}`);
    return [this.walk(start, relative, undefined, assertRelativeLength)];
  }

  /**
   * `_parse_downgrade_target(current_revisions, target)`: the branch label and revision
   * `alembic downgrade TARGET` goes to (`null` is base), with `-N` relative to the current revisions.
   */
  parseDowngradeTarget(current: readonly string[], target: string, assertRelativeLength = true): { branch: string | undefined; revision: Resolved } {
    const m = RELATIVE_RE.exec(target);
    if (m) {
      let [, branchLabel, symbol] = m;
      const relative = m[3] ?? '';
      const relInt = Number.parseInt(relative, 10);
      if (relInt >= 0) {
        if (symbol === undefined) throw revisionError(`Relative revision ${relative} didn't produce ${Math.abs(relInt)} migrations`);
        const rev = this.walk({ id: symbol }, relInt, branchLabel, assertRelativeLength);
        if (rev === null) throw revisionError('Walked too far');
        return { branch: branchLabel, revision: rev };
      }
      const relativeRevision = symbol === undefined;
      if (relativeRevision) {
        if (branchLabel) {
          let symbols: string[] = this.filterForLineage([...current], branchLabel);
          if (symbols.length === 0) {
            const all = this.getAllCurrent(current);
            symbols = this.filterForLineage([...all], branchLabel).map((r) => r.revision);
          }
          if (symbols.length !== 1) throw revisionError(`Relative revision ${relative}: ${symbols.length} current revisions on branch '${branchLabel}' (Alembic asserts exactly one)`);
          symbol = symbols[0];
        } else {
          if (current.length === 0) throw revisionError(`Relative revision ${relative} didn't produce ${Math.abs(relInt)} migrations`);
          symbol = current[0];
          branchLabel = symbol;
        }
      }
      const start = branchLabel === undefined ? this.getRevision(symbol ?? null) : this.getRevision(`${branchLabel}@${symbol}`);
      const rev = this.walk(start, relInt, undefined, assertRelativeLength);
      if (rev === null) {
        throw revisionError(relativeRevision ? `Relative revision ${relative} didn't produce ${Math.abs(relInt)} migrations` : 'Walked too far');
      }
      return { branch: branchLabel, revision: rev };
    }
    const at = target.lastIndexOf('@');
    const branch = at < 0 || at === 0 ? undefined : target.slice(0, at);
    return { branch, revision: this.getRevision(target.slice(at + 1)) };
  }

  /** `_get_all_current`: the current revisions and their ancestors, reduced to branch tips. */
  private getAllCurrent(ids: readonly string[]): Set<RevisionNode> {
    const top = new Set(this.getRevisions([...ids]).filter(isNode));
    for (const a of this.ancestors([...top])) top.add(a);
    for (const rev of [...top]) {
      for (const d of this.descendants([rev], false)) {
        if (d !== rev && top.has(d)) {
          top.delete(rev);
          break;
        }
      }
    }
    return top;
  }

  /** `_normalized_down_revisions`: parents, then dependencies not already dependencies of an ancestor. */
  normalizedDownRevisions(node: RevisionNode): string[] {
    return [...new Set([...node.parents, ...this.normalizedDependencies(node)])];
  }

  /** `_normalized_resolved_dependencies`. Alembic keeps them in a set; here they keep written order. */
  normalizedDependencies(node: RevisionNode): string[] {
    if (node.dependencies.length === 0) return [];
    const drop = new Set<string>();
    for (const a of this.ancestors([node], false)) {
      if (a !== node) for (const d of a.dependencies) drop.add(d);
    }
    return node.dependencies.filter((d) => !drop.has(d));
  }
}

function isNode(r: Resolved | { id: string }): r is RevisionNode {
  return typeof r === 'object' && r !== null && 'revision' in r;
}

function multipleHeads(heads: string[], argument: string): RevisionResolveError {
  return new RevisionResolveError(`Multiple heads are present for given argument '${argument}'; ${heads.join(', ')}`, 'MultipleHeads', argument, heads);
}

export type ResolveOutcome =
  | { ok: true; revisions: (string | null)[] }
  | { ok: false; message: string; commandMessage: string; kind: RevisionErrorKind };

/** Maps a resolver call to a plain result: revision ids (`null` for None, `base` as Alembic returns it). */
export function outcome(fn: () => Resolved[]): ResolveOutcome {
  try {
    return { ok: true, revisions: fn().map((r) => (r === null || r === 'base' ? r : r.revision)) };
  } catch (err) {
    if (err instanceof RevisionResolveError) return { ok: false, message: err.message, commandMessage: err.commandMessage, kind: err.kind };
    throw err;
  }
}

/** `ScriptDirectory.get_revisions(target)` as ids, or Alembic's error. */
export function getRevisions(graph: RevisionGraph, target: string): ResolveOutcome {
  return outcome(() => new RevisionResolver(graph).getRevisions(target));
}

/**
 * What a command target means, the way `alembic upgrade/downgrade TARGET` reads it: relative targets
 * (`+N`, `-N`, `rev+N`, `label@-N`) against `current` (the database's revisions), anything else as
 * `get_revisions`. `direction` picks the upgrade or downgrade parser for relative targets; by default
 * a `-` means downgrade. The result lists revision ids only: `base` is an empty list, and a walk past
 * either end of the history (Alembic's None) is an error.
 */
export function resolveTarget(graph: RevisionGraph, target: string, current: readonly string[] = [], direction?: 'upgrade' | 'downgrade'): ResolveOutcome {
  const r = new RevisionResolver(graph);
  const rel = RELATIVE_RE.exec(target);
  const dir = direction ?? ((rel?.[3] ?? '').startsWith('-') ? 'downgrade' : 'upgrade');
  const o = outcome(() => {
    if (!rel) return r.getRevisions(target);
    if (dir === 'upgrade') return r.parseUpgradeTarget(current, target);
    return [r.parseDowngradeTarget(current, target).revision];
  });
  if (!o.ok) return o;
  if (o.revisions.includes(null)) {
    const message = `'${target}' walks past the end of the revision history`;
    return { ok: false, message, commandMessage: message, kind: 'RevisionError' };
  }
  return { ok: true, revisions: o.revisions.filter((x) => x !== 'base') };
}
