// Typed builders for the argument arrays of `python -m alembic <command> ...`.
// Every value travels as its own argv element (no shell anywhere), and option values are attached
// with `=` (`--message=-x`) so that argparse never mistakes a value for an option.

export type AlembicCommandName =
  | 'upgrade' | 'downgrade' | 'stamp' | 'current' | 'heads' | 'history' | 'show' | 'revision' | 'merge';

export interface AlembicCommand {
  name: AlembicCommandName;
  /** Arguments after `-m alembic --config=<ini>`: the command name first. */
  args: readonly string[];
  /** Runs env.py against the database (online mode). */
  connects: boolean;
  /** May change the database (version table or schema). */
  changesDatabase: boolean;
  /** `--sql`: prints SQL instead of running it; never connects. */
  offline: boolean;
  /** Writes a new migration file. */
  writesFiles: boolean;
}

/** A builder was given something Alembic cannot take as a plain argument. */
export class AlembicArgumentError extends Error {
  constructor(command: AlembicCommandName, message: string) {
    super(`alembic ${command}: ${message}`);
    this.name = 'AlembicArgumentError';
  }
}

/**
 * A revision argument given positionally. argparse treats anything starting with `-` as an option,
 * except negative numbers; so `-1` (relative) passes and `-abc` is refused here with a clear message
 * instead of an argparse usage error. Everything else (quotes, spaces, `$()`, `;`) is passed verbatim.
 */
function positional(command: AlembicCommandName, what: string, value: string): string {
  if (value.length === 0) throw new AlembicArgumentError(command, `${what} is empty`);
  if (value.startsWith('-') && !/^-\d+$/.test(value)) {
    throw new AlembicArgumentError(command, `${what} ${JSON.stringify(value)} starts with "-", which Alembic's ` +
      'command line reads as an option; only relative steps such as -1 may start with "-"');
  }
  return value;
}

function option(name: string, value: string | undefined): string[] {
  return value === undefined ? [] : [`--${name}=${value}`];
}

function flag(name: string, on: boolean | undefined): string[] {
  return on ? [`--${name}`] : [];
}

function make(name: AlembicCommandName, args: string[], traits: Omit<AlembicCommand, 'name' | 'args'>): AlembicCommand {
  return { name, args: Object.freeze([name, ...args]), ...traits };
}

export interface UpgradeOptions {
  /** `head`, `heads`, `+1`, a revision id or prefix, `label@head` ... */
  target: string;
  /** Offline: print the SQL instead of running it. */
  sql?: boolean;
  /** Offline only: the revision the SQL starts from (`<from>:<target>`); absent means from base. */
  from?: string;
  /** `--tag`, for env.py scripts that read `context.get_tag_argument()`. */
  tag?: string;
}

export function upgrade(o: UpgradeOptions): AlembicCommand {
  const target = positional('upgrade', 'target', o.target);
  if (o.from !== undefined && !o.sql) {
    throw new AlembicArgumentError('upgrade', 'a starting revision (from:to) is only allowed with --sql; ' +
      'online upgrades start from the revision the database is at');
  }
  const rev = o.from !== undefined ? `${positional('upgrade', 'starting revision', o.from)}:${target}` : target;
  return make('upgrade', [...flag('sql', o.sql), ...option('tag', o.tag), rev], {
    connects: !o.sql, changesDatabase: !o.sql, offline: !!o.sql, writesFiles: false,
  });
}

export interface DowngradeOptions {
  /** `-1`, a revision id or prefix, `base` ... */
  target: string;
  sql?: boolean;
  /**
   * Required with `sql`: Alembic refuses `downgrade -1 --sql` and any target without `<from>:<to>`,
   * because offline it cannot know where the database is.
   */
  from?: string;
  tag?: string;
}

export function downgrade(o: DowngradeOptions): AlembicCommand {
  const target = positional('downgrade', 'target', o.target);
  let rev = target;
  if (o.sql) {
    if (o.from === undefined) {
      throw new AlembicArgumentError('downgrade', 'offline (--sql) downgrade needs the revision to start from ' +
        '(<from>:<to>); Alembic refuses relative targets such as -1 offline');
    }
    if (/^[-+]\d+$/.test(target)) {
      throw new AlembicArgumentError('downgrade', `offline (--sql) downgrade needs an absolute target, not ${target}`);
    }
    rev = `${positional('downgrade', 'starting revision', o.from)}:${target}`;
  } else if (o.from !== undefined) {
    throw new AlembicArgumentError('downgrade', 'a starting revision (from:to) is only allowed with --sql');
  }
  return make('downgrade', [...flag('sql', o.sql), ...option('tag', o.tag), rev], {
    connects: !o.sql, changesDatabase: !o.sql, offline: !!o.sql, writesFiles: false,
  });
}

export interface StampOptions {
  /** One or more revisions (`head`, `base`, ids); several stamp several heads. */
  revisions: readonly string[];
  sql?: boolean;
  /** Empty the version table before stamping (needed when it names a revision that no longer exists). */
  purge?: boolean;
  tag?: string;
}

export function stamp(o: StampOptions): AlembicCommand {
  if (o.revisions.length === 0) throw new AlembicArgumentError('stamp', 'no revision given');
  const revs = o.revisions.map((r) => positional('stamp', 'revision', r));
  return make('stamp', [...flag('sql', o.sql), ...flag('purge', o.purge), ...option('tag', o.tag), ...revs], {
    connects: !o.sql, changesDatabase: !o.sql, offline: !!o.sql, writesFiles: false,
  });
}

const readOnlyOnline = { connects: true, changesDatabase: false, offline: false, writesFiles: false } as const;
const scriptsOnly = { connects: false, changesDatabase: false, offline: false, writesFiles: false } as const;

export function current(o: { verbose?: boolean } = {}): AlembicCommand {
  return make('current', flag('verbose', o.verbose), readOnlyOnline);
}

export function heads(o: { verbose?: boolean; resolveDependencies?: boolean } = {}): AlembicCommand {
  return make('heads', [...flag('verbose', o.verbose), ...flag('resolve-dependencies', o.resolveDependencies)], scriptsOnly);
}

export interface HistoryOptions {
  verbose?: boolean;
  /** `-r`: a range such as `base:head`, `a1b2:`, `-3:current`. */
  range?: string;
  /** `-i`: mark the database's current revision (connects). */
  indicateCurrent?: boolean;
}

export function history(o: HistoryOptions = {}): AlembicCommand {
  if (o.range !== undefined && o.range.length === 0) throw new AlembicArgumentError('history', 'range is empty');
  return make('history', [...flag('verbose', o.verbose), ...option('rev-range', o.range), ...flag('indicate-current', o.indicateCurrent)],
    o.indicateCurrent ? readOnlyOnline : scriptsOnly);
}

export function show(revision: string): AlembicCommand {
  return make('show', [positional('show', 'revision', revision)], scriptsOnly);
}

export interface RevisionOptions {
  message: string;
  /** Compare the models with the database (connects; the database must be at head). */
  autogenerate?: boolean;
  /** `--head`: the head (or `label@head`, or `base` for a new branch) the new revision follows. */
  head?: string;
  /** Allow `head` to be a non-head revision, starting a new branch. */
  splice?: boolean;
  branchLabel?: string;
  revId?: string;
  dependsOn?: string;
  versionPath?: string;
}

export function revision(o: RevisionOptions): AlembicCommand {
  return make('revision', [
    `--message=${o.message}`,
    ...flag('autogenerate', o.autogenerate),
    ...option('head', o.head),
    ...flag('splice', o.splice),
    ...option('branch-label', o.branchLabel),
    ...option('rev-id', o.revId),
    ...option('depends-on', o.dependsOn),
    ...option('version-path', o.versionPath),
  ], { connects: !!o.autogenerate, changesDatabase: false, offline: false, writesFiles: true });
}

export interface MergeOptions {
  /** The heads to merge, or `['heads']` for all of them. */
  revisions: readonly string[];
  message?: string;
  branchLabel?: string;
  revId?: string;
}

export function merge(o: MergeOptions): AlembicCommand {
  if (o.revisions.length === 0) throw new AlembicArgumentError('merge', 'no revisions to merge');
  const revs = o.revisions.map((r) => positional('merge', 'revision', r));
  return make('merge', [...option('message', o.message), ...option('branch-label', o.branchLabel), ...option('rev-id', o.revId), ...revs],
    { connects: false, changesDatabase: false, offline: false, writesFiles: true });
}

/** `alembic upgrade head` with arguments quoted only where needed: for logs and messages, not for running. */
export function displayCommand(args: readonly string[]): string {
  return ['alembic', ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
