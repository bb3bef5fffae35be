// lock-timeout-missing: an upgrade takes a lock that blocks writes (ACCESS EXCLUSIVE, SHARE ROW
// EXCLUSIVE, SHARE) on a table that exists, and nothing sets `lock_timeout` before it: not the
// migration (`SET lock_timeout`, `SET LOCAL lock_timeout` earlier in the same upgrade) and not env.py
// (a SET on the connection, `-c lock_timeout=` in its connect options). Waiting for such a lock queues
// every later query on the table behind the migration: one slow query or idle transaction and the
// table is down until the lock is granted. One finding per upgrade, on its `def` line, naming the first
// operation; the fix sets a timeout at the top of the upgrade.
import { mayBePostgres } from '../facts/dialect';
import { type OpInContext, opsInContext, upgradeFunctions, upgradeOpsOn } from '../facts/functions';
import { blockingLock, lockTimeoutInForce, onExistingTable } from '../facts/lockTimeout';
import { bodyIndent } from '../fixes/calls';
import type { MigrationFunction } from '../types';
import { defineFileRule, type RuleFinding } from './rule';

/** The upgrade function the fix puts `SET lock_timeout` into. */
export type LockTimeoutMissingData = { fn: string };

const SET_STATEMENT = `op.execute("SET lock_timeout = '5s'")`;

export const lockTimeoutMissing = defineFileRule<LockTimeoutMissingData>({
  id: 'lock-timeout-missing',
  defaultSeverity: 'information',
  description: 'An upgrade takes a write-blocking lock on an existing table with no lock_timeout set: a wait for it stalls all traffic on the table.',
  check(ctx) {
    const { migration, project } = ctx;
    if (!mayBePostgres(project?.dialect) || project?.envSetsLockTimeout) return [];
    const out: RuleFinding<LockTimeoutMissingData>[] = [];
    // Operations in a branch for another database (`if dialect == "sqlite":`) take no PostgreSQL lock.
    // The operations that run on PostgreSQL and take a blocking lock: none, and there is nothing to say.
    let locking: Set<OpInContext> | undefined;
    for (const o of upgradeOpsOn(migration, 'postgresql')) if (blockingLock(o.op) !== undefined) (locking ??= new Set()).add(o);
    if (!locking) return out;
    const candidates = locking;
    for (const fn of upgradeFunctions(migration)) {
      const inForce = lockTimeoutInForce(migration, fn);
      const first = opsInContext(migration, fn).find((o) =>
        candidates.has(o) && onExistingTable(o, ctx) && !inForce(o.op.via?.call ?? o.op.call));
      if (!first) continue;
      const lock = blockingLock(first.op) ?? 'ACCESS EXCLUSIVE';
      const table = first.op.table ? `existing table '${first.op.table}'` : 'an existing table';
      const line = (first.op.via?.call ?? first.op.call).range.start.line + 1;
      out.push({
        range: fn.defLineRange,
        message: `${fn.name}() takes ${lock} on ${table} (line ${line}) without a lock_timeout: while it waits for the lock, every query on the table queues behind it. Start the upgrade with ${SET_STATEMENT} (or set lock_timeout in env.py), and retry the migration when it times out.`,
        data: { fn: fn.name },
      });
    }
    return out;
  },
  fix({ data }, { src, migration }) {
    const fn: MigrationFunction | undefined = migration.functions.filter((f) => f.name === data.fn).at(-1);
    const body = fn?.bodyRange;
    const indent = fn && bodyIndent(src, fn);
    if (!fn || !body || indent === undefined) return undefined;
    const at = { line: body.start.line, character: 0 };
    return {
      title: `Set lock_timeout at the top of ${fn.name}()`,
      edits: [{ range: { start: at, end: at }, newText: `${indent}${SET_STATEMENT}${src.eol}` }],
      isPreferred: true,
    };
  },
});
