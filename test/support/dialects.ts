// Shared by the SQLite and MariaDB state suites: the dialects fixture's linear history (base -> a1 -> b2 -> c3)
// as the server gives it (newest first), and the narrowing of a state to its success case.
import assert from 'node:assert/strict';
import type { GraphNode } from '../../server/src/core/graph/appliedState';
import type { DatabaseState } from '../../runtime/db/databaseState';

export const A = 'a1b2c3d4e5f6';
export const B = 'b2c3d4e5f6a7';
export const C = 'c3d4e5f6a7b8';
export const LINEAR: GraphNode[] = [
  { revision: C, parents: [B], dependencies: [] }, { revision: B, parents: [A], dependencies: [] }, { revision: A, parents: [], dependencies: [] },
];

export type OkState = Extract<DatabaseState, { ok: true }>;

export function ok(r: DatabaseState): OkState {
  assert.ok(r.ok, `expected a state: ${JSON.stringify(r)}`);
  if (!r.ok) throw new Error('unreachable');
  return r;
}
