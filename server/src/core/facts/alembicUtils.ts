// alembic_utils' replaceable entities (views, functions, triggers, policies, extensions ...):
// `op.create_entity(e)`, `op.replace_entity(e)`, `op.drop_entity(e)` on an entity object, usually
// bound to a variable in the same function (`public_to_upper = PGFunction(schema="public",
// signature="to_upper(t text)", definition=...)`) or at module level. An entity is known by its class,
// schema and signature (what alembic_utils itself compares), else by the variable's name.
import type { Migration, MigrationFunction, ParsedCall } from '../types';
import { argAt, literalName, methodOf } from './args';
import { callNames } from './functions';
import { sqlStatements } from './sql';

export type EntityMethod = 'create_entity' | 'replace_entity' | 'drop_entity';

export interface EntityOp {
  method: EntityMethod;
  call: ParsedCall;
  /** What identifies the entity across functions. */
  key: string;
  /** For messages: `PGFunction public.to_upper(t text)`, or the variable. */
  label: string;
  /** What a SQL `DROP` of it names: `function:to_upper` (kind and bare name, lower case); undefined for a variable. */
  sqlDropKey?: string;
}

const METHODS = new Set<string>(['create_entity', 'replace_entity', 'drop_entity']);

/** The definition a variable holds: the last assignment before `before` in the function, else at module level (unknown here). */
function definitionOf(fn: MigrationFunction, name: string, before: number): ParsedCall | undefined {
  let def: ParsedCall | undefined;
  fn.calls.forEach((c, i) => {
    if (i < before && c.assignedTo?.name === name) def = c;
  });
  return def;
}

/** The SQL object kind each entity class is dropped as (`DROP FUNCTION ...`). */
const SQL_KIND: Readonly<Record<string, string>> = {
  PGFunction: 'function', PGProcedure: 'procedure', PGView: 'view', PGMaterializedView: 'materialized view',
  PGTrigger: 'trigger', PGPolicy: 'policy', PGExtension: 'extension',
};

function identify(def: ParsedCall): { key: string; label: string; sqlDropKey?: string } | undefined {
  const cls = methodOf(def.callee);
  const schema = literalName(argAt(def, 0, 'schema'));
  const signature = literalName(argAt(def, 1, 'signature'));
  if (schema === undefined || signature === undefined) return undefined;
  const name = `${schema}.${signature}`;
  const kind = SQL_KIND[cls];
  // A function's signature holds its arguments; the object's name is what comes before them.
  const bare = signature.split('(')[0]?.trim().replace(/"/g, '').toLowerCase();
  return { key: `${cls}:${name.toLowerCase().replace(/\s+/g, '')}`, label: `${cls} ${name}`, ...(kind && bare ? { sqlDropKey: `${kind}:${bare}` } : {}) };
}

const SQL_DROP = /^DROP\s+(FUNCTION|PROCEDURE|VIEW|MATERIALIZED\s+VIEW|TRIGGER|POLICY|EXTENSION)\s+(?:IF\s+EXISTS\s+)?((?:"[^"]+"|[\w$]+)(?:\s*\.\s*(?:"[^"]+"|[\w$]+))*)/i;

/**
 * The entities a function drops with SQL instead of `drop_entity` (`op.execute("DROP FUNCTION IF EXISTS
 * f(timestamptz)")`, Polar's downgrade): `kind:bare name` keys, as `EntityOp.sqlDropKey`.
 */
export function sqlDroppedEntities(m: Migration, fn: MigrationFunction): Set<string> {
  const out = new Set<string>();
  for (const executed of m.executedSql) {
    if (executed.function !== fn.name) continue;
    for (const statement of sqlStatements(executed.sql)) {
      const d = SQL_DROP.exec(statement);
      if (!d) continue;
      const name = (d[2] ?? '').split('.').pop()?.trim().replace(/"/g, '').toLowerCase();
      if (name) out.add(`${(d[1] ?? '').toLowerCase().replace(/\s+/g, ' ')}:${name}`);
    }
  }
  return out;
}

/** The alembic_utils entity operations of a function, in order. */
export function entityOps(m: Migration, fn: MigrationFunction): EntityOp[] {
  const out: EntityOp[] = [];
  // Most functions call none of the methods: one look at their call names instead of a test per call.
  if (!callNames(m, fn).entity) return out;
  fn.calls.forEach((call, i) => {
    const method = methodOf(call.callee);
    if (!METHODS.has(method) || !/^(op|batch_op)\./.test(call.callee)) return;
    const arg = call.args[0] ?? call.kwargs.find((k) => k.name === 'entity')?.value;
    let id: { key: string; label: string } | undefined;
    if (arg?.kind === 'call') id = identify(arg.call);
    else if (arg?.kind === 'name') {
      const def = definitionOf(fn, arg.name, i);
      id = (def && identify(def)) ?? { key: `var:${arg.name}`, label: arg.name };
    }
    if (id) out.push({ method: method as EntityMethod, call, ...id });
  });
  return out;
}
