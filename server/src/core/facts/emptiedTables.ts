// Tables an upgrade empties before it changes them: `DELETE FROM t` without WHERE, `TRUNCATE t`, or
// the ORM's `session.query(Model).delete()` of a model the migration declares itself (Optuna's v2.4.0.a
// deletes every row of trial_values, then adds a NOT NULL column to it). After that the table has no
// rows that a later statement of the same function could fail on.
import { isBefore } from '../positions';
import type { Migration, MigrationFunction, Position } from '../types';
import { functionOps } from './functions';

export interface EmptiedTable {
  /** Lower case. */
  table: string;
  /** Where the statement that empties it starts. */
  at: Position;
}

/** `class Name(Base):` followed, inside its body, by `__tablename__ = "t"`. */
const MODEL_TABLE = /^class\s+([A-Za-z_]\w*)\b[^\n]*:[ \t]*\r?\n(?:[ \t]+[^\n]*\r?\n|[ \t]*\r?\n)*?[ \t]+__tablename__\s*(?::[^=\n]*)?=\s*["']([^"'\n]+)["']/gm;

/** The tables of the ORM models the file declares at module level, by class name. */
export function modelTables(text: string): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  if (!text.includes('__tablename__')) return out;
  for (const m of text.matchAll(MODEL_TABLE)) if (m[1] && m[2]) out.set(m[1], m[2].toLowerCase());
  return out;
}

/** The tables `fn` empties, in source order. */
export function emptiedTables(m: Migration, fn: MigrationFunction, text: string): EmptiedTable[] {
  const out: EmptiedTable[] = [];
  for (const op of functionOps(m, fn)) {
    const kind = op.sql?.kind;
    if (kind === 'delete_all' || kind === 'truncate') for (const n of op.sql?.names ?? []) out.push({ table: n, at: op.range.start });
  }
  let models: ReadonlyMap<string, string> | undefined;
  for (const c of fn.calls) {
    // `session.query(Model).delete()`: no filter between, so every row of the model's table.
    if (!c.callee.endsWith('.query().delete') || c.args.length > 0) continue;
    const model = c.receiver?.args[0];
    if (c.receiver?.args.length !== 1 || model?.kind !== 'name') continue;
    const table = (models ??= modelTables(text)).get(model.name);
    if (table !== undefined) out.push({ table, at: c.range.start });
  }
  return out;
}

/** Whether `table` was emptied in `fn` before `at`. */
export function emptiedBefore(emptied: readonly EmptiedTable[], table: string, at: Position): boolean {
  return emptied.some((e) => e.table === table && isBefore(e.at, at));
}
