// What an `op.alter_column` changes, read once for the rules and the lock hover. Alembic's defaults
// mean "leave it as it is": type_=None, nullable=None, server_default=False, comment=False; the
// `existing_*` arguments describe the column and change nothing. `comment=None` is a change: it
// removes the comment.
import type { ArgValue } from '../types';
import type { SchemaOp } from './schema';

export interface AlterColumnChanges {
  /** `type_=` is given and is not None. */
  type: boolean;
  /** `nullable=True`/`False`; 'unknown' when given but not a literal; undefined when not given or None. */
  nullable: boolean | 'unknown' | undefined;
  /** `server_default=` is given and is not False (None drops the default: a change). */
  serverDefault: boolean;
  /** `new_column_name=` is given. */
  rename: boolean;
  /** `comment=` is a text or None (None removes the comment); False, Alembic's default, is no change. */
  comment: boolean;
  /** `**kwargs` may pass any of the above. */
  unknown: boolean;
}

const given = (v: ArgValue | undefined): boolean => v !== undefined && v.kind !== 'none';
const notFalse = (v: ArgValue | undefined): boolean => v !== undefined && !(v.kind === 'bool' && !v.value);

export function alterColumnChanges(op: SchemaOp): AlterColumnChanges {
  const a = op.alter ?? {};
  const n = a.nullable;
  return {
    type: given(a.type),
    nullable: !given(n) ? undefined : n?.kind === 'bool' ? n.value : 'unknown',
    serverDefault: notFalse(a.serverDefault),
    rename: op.newNameArg !== undefined,
    comment: a.comment !== undefined && a.comment.kind !== 'bool',
    unknown: op.call.hasStarArgs,
  };
}
