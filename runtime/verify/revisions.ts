// The revisions to verify, as Alembic itself sees them (`alembic history --verbose`), put in an order
// where every revision comes after its parents and its dependencies, and narrowed to a range.
// Pure: text in, data out.

export interface VerifyRevision {
  revision: string;
  /** `down_revision` ids (several for a merge point, none for a base). */
  parents: string[];
  /** `depends_on`, resolved to revision ids where possible. */
  dependencies: string[];
  branchLabels: string[];
  /** Absolute path of the migration file, as Alembic printed it. */
  path?: string;
  /** First line of the docstring. */
  message?: string;
}

/**
 * Parses `alembic history --verbose`. Entries start with `Rev: <id> (head)...` at the start of a line;
 * the docstring lines that follow are indented, so they can never be mistaken for a field.
 */
export function parseVerboseHistory(stdout: string): VerifyRevision[] {
  const out: VerifyRevision[] = [];
  let current: (VerifyRevision & { rawDependencies: string[] }) | undefined;
  let inDoc = false;
  const list = (s: string): string[] => s.split(',').map((x) => x.trim()).filter((x) => x.length > 0 && x !== '<base>');
  for (const raw of stdout.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const rev = /^Rev: (\S+)/.exec(line);
    if (rev?.[1]) {
      current = { revision: rev[1], parents: [], dependencies: [], rawDependencies: [], branchLabels: [] };
      out.push(current);
      inDoc = false;
      continue;
    }
    if (!current) continue;
    let m: RegExpExecArray | null;
    if (!inDoc && (m = /^(Parent|Merges): (.*)$/.exec(line))) current.parents = list(m[2] ?? '');
    else if (!inDoc && (m = /^Also depends on: (.*)$/.exec(line))) current.rawDependencies = list(m[1] ?? '');
    else if (!inDoc && (m = /^Branch names: (.*)$/.exec(line))) current.branchLabels = list(m[1] ?? '');
    else if (!inDoc && (m = /^Path: (.*)$/.exec(line))) { current.path = m[1] ?? ''; inDoc = true; }
    else if (inDoc && current.message === undefined && line.trim().length > 0) current.message = line.trim();
  }
  // depends_on may name a revision by a unique prefix or by a branch label.
  const ids = out.map((r) => r.revision);
  const labelOwner = new Map<string, string>();
  for (const r of out) for (const l of r.branchLabels) if (!labelOwner.has(l)) labelOwner.set(l, r.revision);
  return out.map((entry) => {
    const { rawDependencies, ...r } = entry as VerifyRevision & { rawDependencies: string[] };
    r.dependencies = rawDependencies
      .map((d) => resolveId(d, ids) ?? labelOwner.get(d))
      .filter((d): d is string => d !== undefined);
    return r;
  });
}

/** An exact id, or a unique prefix of one. */
export function resolveId(text: string, ids: readonly string[]): string | undefined {
  if (ids.includes(text)) return text;
  const matches = ids.filter((id) => id.startsWith(text));
  return matches.length === 1 ? matches[0] : undefined;
}

/**
 * Every revision after all of its parents and dependencies. Among revisions that are ready at the
 * same time, the one Alembic lists last (the older) goes first, so a linear history comes out base first.
 */
export function topologicalOrder(revisions: readonly VerifyRevision[]): VerifyRevision[] {
  const byId = new Map(revisions.map((r) => [r.revision, r]));
  const rank = new Map(revisions.map((r, i) => [r.revision, revisions.length - i]));
  const pending = new Map(revisions.map((r) => [r.revision, prerequisites(r).filter((p) => byId.has(p)).length]));
  const dependents = new Map<string, string[]>();
  for (const r of revisions) {
    for (const p of prerequisites(r)) if (byId.has(p)) dependents.set(p, [...(dependents.get(p) ?? []), r.revision]);
  }
  const ready = revisions.filter((r) => pending.get(r.revision) === 0).map((r) => r.revision);
  const out: VerifyRevision[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0));
    const id = ready.shift() as string;
    const rev = byId.get(id);
    if (rev) out.push(rev);
    for (const d of dependents.get(id) ?? []) {
      const n = (pending.get(d) ?? 0) - 1;
      pending.set(d, n);
      if (n === 0) ready.push(d);
    }
  }
  if (out.length !== revisions.length) {
    const stuck = revisions.filter((r) => !out.includes(r)).map((r) => r.revision);
    throw new Error(`the revisions ${stuck.join(', ')} form a cycle; Alembic would refuse them too`);
  }
  return out;
}

/** What must be applied before a revision can be upgraded to: its parents and its dependencies. */
export function prerequisites(r: VerifyRevision): string[] {
  return [...new Set([...r.parents, ...r.dependencies])];
}

/** The revision and everything it needs, transitively (itself included). */
export function closure(id: string, byId: ReadonlyMap<string, VerifyRevision>): Set<string> {
  const seen = new Set<string>();
  const stack = [id];
  while (stack.length > 0) {
    const x = stack.pop() as string;
    if (seen.has(x)) continue;
    seen.add(x);
    const r = byId.get(x);
    if (r) stack.push(...prerequisites(r));
  }
  return seen;
}

export interface RevisionRange {
  /** Lowest revision verified (id or unique prefix); absent: from base. */
  from?: string;
  /** Highest revision verified (id, unique prefix, `head`, `heads`); absent: every head. */
  to?: string;
}

/**
 * `R` (one revision), `A:B` (A up to B, both included), `A:` (A and everything after it), `:B`,
 * `base:head`. Throws with the reason for something that is not a range.
 */
export function parseRange(text: string): RevisionRange {
  const t = text.trim();
  if (t.length === 0) throw new Error('the revision range is empty');
  const parts = t.split(':');
  if (parts.length > 2) throw new Error(`"${text}" is not a revision range (expected R, A:B, A: or :B)`);
  if (parts.length === 1) return { from: t, to: t };
  const [from, to] = parts.map((p) => p.trim());
  const r: RevisionRange = {};
  if (from && from !== 'base') r.from = from;
  if (to && to !== 'head' && to !== 'heads') r.to = to;
  return r;
}

/** The revisions of a range, in verification order. Throws when an end names no revision. */
export function selectRange(ordered: readonly VerifyRevision[], range: RevisionRange = {}): VerifyRevision[] {
  const ids = ordered.map((r) => r.revision);
  const byId = new Map(ordered.map((r) => [r.revision, r]));
  const resolve = (what: string, text: string): string => {
    const id = resolveId(text, ids);
    if (!id) {
      const n = ids.filter((x) => x.startsWith(text)).length;
      throw new Error(n > 1 ? `the ${what} "${text}" matches ${n} revisions; give more of the id`
        : `the ${what} "${text}" names no revision of this project`);
    }
    return id;
  };
  let selected = [...ordered];
  if (range.to !== undefined && range.to !== 'head' && range.to !== 'heads') {
    const upper = closure(resolve('end of the range', range.to), byId);
    selected = selected.filter((r) => upper.has(r.revision));
  }
  if (range.from !== undefined && range.from !== 'base') {
    const from = resolve('start of the range', range.from);
    selected = selected.filter((r) => closure(r.revision, byId).has(from));
  }
  return selected;
}
