// The by-hand enum swap (rename the old type away, create the new one, change every column to it with
// `ALTER COLUMN ... TYPE ... USING`, drop the old one), read for enum-value-rewrite, which reports the
// rewrite once per type, and for change-column-type, which then leaves those columns alone.
import { isEnumCallee, kwarg, literalName } from './args';
import { functionPairs, schemaOpsOn } from './functions';
import { QNAME, sqlName, sqlStatements } from './sql';
import type { ArgValue, Migration, MigrationFunction, ParsedCall } from '../types';

const RENAME_TYPE = new RegExp(String.raw`^ALTER\s+TYPE\s+(${QNAME})\s+RENAME\s+TO\s+(${QNAME})`, 'i');
/** A recreated type needs a type renamed by SQL, which needs the word in the SQL text (most files have none). */
export const RENAME = /RENAME/i;
const CREATE_ENUM = new RegExp(String.raw`^CREATE\s+TYPE\s+(${QNAME})\s+AS\s+ENUM\b`, 'i');
const ALTER_TABLE = new RegExp(String.raw`^ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(${QNAME})`, 'i');
const COLUMN_TYPE = new RegExp(String.raw`\bALTER\s+(?:COLUMN\s+)?(${QNAME})\s+(?:SET\s+DATA\s+)?TYPE\s+(${QNAME})`, 'gi');

/** The enum name of an `alter_column(type_=...)` value: an inline `sa.Enum(name=...)` or a variable bound to one. */
function enumNameOf(m: Migration, fn: MigrationFunction, v: ArgValue | undefined): string | undefined {
  let def: ParsedCall | undefined;
  if (v?.kind === 'call' && isEnumCallee(v.call.callee)) def = v.call;
  else if (v?.kind === 'name') {
    def = fn.calls.find((c) => c.assignedTo?.name === v.name && isEnumCallee(c.callee)) ?? m.enumVariables.find((e) => e.name === v.name)?.call;
  }
  return def ? literalName(kwarg(def, 'name'))?.toLowerCase() : undefined;
}

/** A type the function recreates by hand, the tables it rewrites, and their columns (`table.column`, when named). */
export interface EnumRecreation {
  type: string;
  call: ParsedCall;
  tables: Set<string>;
  columns: Set<string>;
}

/**
 * The by-hand pattern: a type renamed (`ALTER TYPE t RENAME TO t_old`, or a new type renamed into
 * place), an enum created under a name involved in a rename, and columns changed to it.
 */
export function enumRecreations(m: Migration, fn: MigrationFunction): EnumRecreation[] {
  const renamed = new Set<string>();
  const created = new Map<string, ParsedCall>();
  const changed = new Map<string, { tables: Set<string>; columns: Set<string> }>();
  const addColumn = (type: string, table: string | undefined, column: string | undefined): void => {
    const c = changed.get(type) ?? { tables: new Set<string>(), columns: new Set<string>() };
    c.tables.add(table ?? '?');
    if (table !== undefined && column !== undefined) c.columns.add(`${table}.${column}`);
    changed.set(type, c);
  };
  for (const op of schemaOpsOn(m, fn, 'postgresql')) {
    if (op.kind === 'enum_create' && op.name !== undefined && !created.has(op.name)) created.set(op.name, op.call);
    if (op.kind === 'alter_column' && !op.sql) {
      const t = enumNameOf(m, fn, op.alter?.type);
      if (t !== undefined) addColumn(t, op.table, op.name);
    }
  }
  for (const e of m.executedSql) {
    if (!fn.calls.includes(e.call)) continue;
    for (const s of sqlStatements(e.sql)) {
      let r: RegExpExecArray | null;
      if ((r = RENAME_TYPE.exec(s))) {
        renamed.add(sqlName(r[1] ?? ''));
        renamed.add(sqlName(r[2] ?? ''));
      } else if ((r = CREATE_ENUM.exec(s))) {
        const n = sqlName(r[1] ?? '');
        if (!created.has(n)) created.set(n, e.call);
      } else if ((r = ALTER_TABLE.exec(s))) {
        const table = sqlName(r[1] ?? '');
        for (const c of s.matchAll(COLUMN_TYPE)) addColumn(sqlName(c[2] ?? ''), table, sqlName(c[1] ?? ''));
      }
    }
  }
  const out: EnumRecreation[] = [];
  for (const [type, call] of created) {
    const c = changed.get(type);
    if (renamed.has(type) && c && c.tables.size > 0) out.push({ type, call, ...c });
  }
  return out;
}

/**
 * The columns (`table.column`) an upgrade changes to an enum type it recreates by hand: this rule
 * reports their rewrite once, on the type, so change-column-type does not report each column again.
 */
export function columnsOfRecreatedEnums(m: Migration): Set<string> {
  const out = new Set<string>();
  if (!m.executedSql.some((e) => RENAME.test(e.sql))) return out;
  for (const { upgrade } of functionPairs(m)) for (const r of enumRecreations(m, upgrade)) for (const c of r.columns) out.add(c);
  return out;
}
