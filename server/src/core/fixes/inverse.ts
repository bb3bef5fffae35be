// The operation that undoes an upgrade operation, as Python source: drop what was created, drop
// added columns, indexes and constraints, drop enum types with checkfirst, rename back, restore
// nullability and types when the upgrade says what they were. Arguments are copied as written
// (`op.f(...)`, variables, quotes), so the downgrade names things exactly as the upgrade did.
// Operations nobody can undo mechanically (drops, data changes, raw SQL) become TODO comments.
import { type EnumFacts, implicitEnums, type SchemaOp } from '../facts/schema';
import type { ArgValue } from '../types';
import { pyString, type SourceText } from './source';

export interface InverseStatement {
  /** One line of Python (no indentation). */
  line: string;
  /** Runs inside `with <header> as <alias>:` (the upgrade's batch block). */
  batch?: { header: string; alias: string };
  /** Runs inside `with op.get_context().autocommit_block():` (a concurrent index). */
  autocommit: boolean;
  /** A comment saying what is left to do by hand. */
  todo: boolean;
}

export interface InverseContext {
  src: SourceText;
  quote: "'" | '"';
}

const TYPE_OF: Record<string, string> = { foreignkey: 'foreignkey', unique: 'unique', check: 'check', primary: 'primary' };

function text(ctx: InverseContext, v: ArgValue | undefined): string | undefined {
  return v ? ctx.src.slice(v.range) : undefined;
}

/** The `with <header> as alias:` header of the batch block an operation is in, as written. */
export function batchHeaderOf(src: SourceText, op: SchemaOp): string | undefined {
  const b = op.batch;
  if (!b) return undefined;
  const re = new RegExp(`^\\s*(?:async\\s+)?with\\s+(.*batch_alter_table\\(.*\\))\\s+as\\s+${b.alias.replace(/\W/g, '')}\\s*:`);
  for (let l = op.call.range.start.line - 1; l >= 0; l--) {
    const m = re.exec(src.line(l));
    if (m?.[1]) return m[1].includes(b.table) ? m[1] : undefined;
  }
  return undefined;
}

function batchOf(ctx: InverseContext, op: SchemaOp): InverseStatement['batch'] {
  const b = op.batch;
  if (!b) return undefined;
  return { header: batchHeaderOf(ctx.src, op) ?? `op.batch_alter_table(${pyString(b.table, ctx.quote)})`, alias: b.alias };
}

function todo(ctx: InverseContext, op: SchemaOp): InverseStatement {
  const first = ctx.src.line(op.call.range.start.line).slice(op.call.range.start.character).trim();
  const shown = first.length > 70 ? `${first.slice(0, 67)}...` : first;
  return { line: `# TODO: undo line ${op.call.range.start.line + 1}: ${shown}`, autocommit: false, todo: true };
}

/** `x.drop(op.get_bind(), checkfirst=True)` for an enum type as the upgrade defines it. */
export function enumDrop(ctx: InverseContext, e: EnumFacts | undefined): string | undefined {
  if (!e) return undefined;
  if (e.moduleVariable) return `${e.moduleVariable}.drop(op.get_bind(), checkfirst=True)`;
  const name = text(ctx, e.nameArg);
  if (!e.definition || name === undefined) return undefined;
  return `${e.definition.callee}(name=${name}).drop(op.get_bind(), checkfirst=True)`;
}

function plain(line: string, batch?: InverseStatement['batch'], autocommit = false): InverseStatement {
  const s: InverseStatement = { line, autocommit, todo: false };
  if (batch) s.batch = batch;
  return s;
}

/**
 * The statements undoing one operation. `withEnum` decides which enum types a create_table created
 * implicitly are dropped with it (a type shared by several tables goes with the first of them).
 */
export function inverseOf(ctx: InverseContext, op: SchemaOp, withEnum: (e: EnumFacts) => boolean = () => true): InverseStatement[] {
  if (op.sql) return [todo(ctx, op)];
  const batch = batchOf(ctx, op);
  const alias = batch?.alias;
  const table = text(ctx, op.tableArg);
  const schema = op.schemaArg ? `, schema=${text(ctx, op.schemaArg)}` : '';
  const name = text(ctx, op.nameArg);
  const q = (s: string): string => pyString(s, ctx.quote);
  switch (op.kind) {
    case 'create_table': {
      if (table === undefined) return [todo(ctx, op)];
      const out = [plain(`op.drop_table(${table}${schema})`)];
      for (const e of implicitEnums(op)) {
        if (!withEnum(e)) continue;
        const drop = enumDrop(ctx, e);
        out.push(drop ? plain(drop) : todo(ctx, op));
      }
      return out;
    }
    case 'add_column': {
      if (name === undefined) return [todo(ctx, op)];
      if (alias) return [plain(`${alias}.drop_column(${name})`, batch)];
      return table === undefined ? [todo(ctx, op)] : [plain(`op.drop_column(${table}, ${name}${schema})`)];
    }
    case 'create_index': {
      if (name === undefined || op.nameArg?.kind === 'none') return [todo(ctx, op)];
      const conc = op.concurrently ? ', postgresql_concurrently=True' : '';
      if (alias) return [plain(`${alias}.drop_index(${name}${conc})`, batch, op.concurrently)];
      const t = table === undefined ? '' : `, table_name=${table}`;
      return [plain(`op.drop_index(${name}${t}${schema}${conc})`, undefined, op.concurrently)];
    }
    case 'create_constraint': {
      // An unnamed constraint gets its name from a naming convention we cannot see.
      if (name === undefined || op.nameArg?.kind === 'none') return [todo(ctx, op)];
      const type = op.constraintType && TYPE_OF[op.constraintType] ? `, type_=${q(TYPE_OF[op.constraintType] ?? '')}` : '';
      if (alias) return [plain(`${alias}.drop_constraint(${name}${type})`, batch)];
      return table === undefined ? [todo(ctx, op)] : [plain(`op.drop_constraint(${name}, ${table}${type}${schema})`)];
    }
    case 'enum_create': {
      const drop = enumDrop(ctx, op.enumType);
      return [drop ? plain(drop) : todo(ctx, op)];
    }
    case 'rename_table': {
      const to = text(ctx, op.newNameArg);
      return table === undefined || to === undefined ? [todo(ctx, op)] : [plain(`op.rename_table(${to}, ${table}${schema})`)];
    }
    case 'alter_column':
      return [alterBack(ctx, op, batch) ?? todo(ctx, op)];
    case 'drop_table':
    case 'drop_column':
    case 'drop_index':
    case 'drop_constraint':
    case 'enum_drop':
    case 'execute':
    case 'other':
      return [todo(ctx, op)];
  }
}

/** alter_column back to what `existing_*` says it was; undefined when the upgrade does not say. */
function alterBack(ctx: InverseContext, op: SchemaOp, batch: InverseStatement['batch']): InverseStatement | undefined {
  const a = op.alter ?? {};
  const column = text(ctx, op.newNameArg) ?? text(ctx, op.nameArg);
  if (column === undefined) return undefined;
  const kw: string[] = [];
  if (op.newNameArg) {
    const old = text(ctx, op.nameArg);
    if (old === undefined) return undefined;
    kw.push(`new_column_name=${old}`);
  }
  if (a.nullable) {
    if (a.nullable.kind !== 'bool') return undefined;
    kw.push(`nullable=${a.nullable.value ? 'False' : 'True'}`);
  }
  if (a.type && a.type.kind !== 'none') {
    if (!a.existingType) return undefined;
    kw.push(`type_=${text(ctx, a.existingType)}`, `existing_type=${text(ctx, a.type)}`);
  } else if (a.existingType) {
    kw.push(`existing_type=${text(ctx, a.existingType)}`);
  }
  if (a.serverDefault) {
    if (!a.existingServerDefault) return undefined;
    kw.push(`server_default=${text(ctx, a.existingServerDefault)}`, `existing_server_default=${text(ctx, a.serverDefault)}`);
  }
  const changes = kw.filter((k) => !k.startsWith('existing_'));
  if (changes.length === 0) return undefined;
  if (batch) return plain(`${batch.alias}.alter_column(${column}, ${kw.join(', ')})`, batch);
  const table = text(ctx, op.tableArg);
  if (table === undefined) return undefined;
  const schema = op.schemaArg ? `, schema=${text(ctx, op.schemaArg)}` : '';
  return plain(`op.alter_column(${table}, ${column}, ${kw.join(', ')}${schema})`);
}

/** Lines of code (indented by `indent`) running the statements in order, grouping `with` blocks. */
export function renderStatements(stmts: readonly InverseStatement[], indent: string, unit: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < stmts.length) {
    const s = stmts[i] as InverseStatement;
    if (!s.autocommit && !s.batch) {
      out.push(indent + s.line);
      i++;
      continue;
    }
    // A run of statements sharing the same block.
    let j = i + 1;
    while (j < stmts.length && stmts[j]?.autocommit === s.autocommit && stmts[j]?.batch?.header === s.batch?.header && stmts[j]?.batch?.alias === s.batch?.alias) j++;
    let inner = indent;
    if (s.autocommit) {
      out.push(`${inner}with op.get_context().autocommit_block():`);
      inner += unit;
    }
    if (s.batch) {
      out.push(`${inner}with ${s.batch.header} as ${s.batch.alias}:`);
      inner += unit;
    }
    for (let k = i; k < j; k++) out.push(inner + (stmts[k] as InverseStatement).line);
    i = j;
  }
  return out;
}
