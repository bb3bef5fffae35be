// Writing downgrades: a whole downgrade drafted from the upgrade (missing-downgrade), or the one
// inverse a downgrade lacks (downgrade-asymmetry), placed where reverse order puts it.
import type { MissingInverse } from '../rules/downgrade-asymmetry';
import { functionPairs, hasNoEffect } from '../facts/functions';
import { type EnumFacts, implicitEnums, type SchemaOp, schemaOps } from '../facts/schema';
import type { Migration, ParsedCall } from '../types';
import { bodyIndent, indentUnit, quoteStyle, renamedHeader, statementLines } from './calls';
import { batchHeaderOf, enumDrop, type InverseContext, type InverseStatement, inverseOf, renderStatements } from './inverse';
import { type QuickFix, type SourceText, type TextEdit } from './source';

function enumKey(e: EnumFacts | undefined, name?: string): string | undefined {
  return e?.name ?? name ?? (e?.moduleVariable ? `var:${e.moduleVariable}` : undefined);
}

/** The statements undoing a whole upgrade, last operation first. */
export function inverseOfUpgrade(ctx: InverseContext, ops: readonly SchemaOp[]): InverseStatement[] {
  // An enum type goes with the first operation that creates it: dropping it any earlier fails while
  // another table still uses it.
  const firstCreator = new Map<string, number>();
  for (const op of ops) {
    const keys = op.kind === 'enum_create' ? [enumKey(op.enumType, op.name)] : implicitEnums(op).map((e) => enumKey(e));
    for (const k of keys) if (k !== undefined && !firstCreator.has(k)) firstCreator.set(k, op.index);
  }
  const stmts: InverseStatement[] = [];
  const todoCalls = new Set<ParsedCall>();
  for (const op of [...ops].reverse()) {
    if (op.kind === 'enum_create') {
      const k = enumKey(op.enumType, op.name);
      if (k !== undefined && firstCreator.get(k) !== op.index) continue;
    }
    for (const s of inverseOf(ctx, op, (e) => firstCreator.get(enumKey(e) ?? '') === op.index)) {
      if (s.todo) {
        if (todoCalls.has(op.call)) continue;
        todoCalls.add(op.call);
      }
      stmts.push(s);
    }
  }
  return stmts;
}

/**
 * A downgrade undoing `upgradeName`: replaces the body of an empty downgrade, or inserts the missing
 * function after the upgrade (same header style: annotations, `-> None`). Undefined when nothing in
 * the upgrade can be undone mechanically.
 */
export function generateDowngradeFix(src: SourceText, m: Migration, upgradeName: string): QuickFix | undefined {
  const pair = functionPairs(m).find((p) => p.upgrade.name === upgradeName);
  if (!pair || pair.upgrade.isEmpty) return undefined;
  const up = pair.upgrade;
  const unit = indentUnit(src, m);
  const ctx: InverseContext = { src, quote: quoteStyle(src, m) };
  const stmts = inverseOfUpgrade(ctx, schemaOps(m, up));
  if (!stmts.some((s) => !s.todo)) return undefined;
  const downName = pair.engine === undefined ? 'downgrade' : `downgrade_${pair.engine}`;
  const eol = src.eol;
  let edit: TextEdit;
  const down = pair.downgrade;
  if (down) {
    // Only a downgrade with no effect (empty, or only prints and logs) is replaced.
    if (!hasNoEffect(m, down)) return undefined;
    const defLine = down.defLineRange.start.line;
    const indent = bodyIndent(src, down) ?? src.indentOf(defLine) + unit;
    const lines = renderStatements(stmts, indent, unit);
    const body = down.bodyRange;
    if (body && body.start.line > defLine) {
      edit = { range: body, newText: lines.join(eol).slice(indent.length) };
    } else if (body) {
      // `def downgrade(): pass`: the body moves to its own lines, right after the colon.
      const line = src.line(defLine);
      let k = body.start.character;
      while (k > 0 && /\s/.test(line[k - 1] ?? '')) k--;
      edit = { range: { start: { line: defLine, character: k }, end: body.end }, newText: eol + lines.join(eol) };
    } else {
      const at = src.lineEnd(defLine);
      edit = { range: { start: at, end: at }, newText: eol + lines.join(eol) };
    }
  } else {
    const header = renamedHeader(src, up, downName);
    if (header === undefined) return undefined;
    const defIndent = src.indentOf(up.defLineRange.start.line);
    const indent = bodyIndent(src, up) ?? defIndent + unit;
    const lines = renderStatements(stmts, indent, unit);
    const at = src.lineEnd(up.range.end.line);
    edit = { range: { start: at, end: at }, newText: `${eol}${eol}${eol}${defIndent}${header}${eol}${lines.join(eol)}` };
  }
  return {
    title: `Write ${downName}() undoing ${up.name}() (${stmts.filter((s) => !s.todo).length} operation${stmts.filter((s) => !s.todo).length === 1 ? '' : 's'}${stmts.some((s) => s.todo) ? ', with TODOs' : ''})`,
    edits: [edit],
    isPreferred: true,
  };
}

/** Which upgrade creation (its order) a downgrade operation undoes. */
function undoneOrder(ups: readonly SchemaOp[], d: SchemaOp): number | undefined {
  for (const u of ups) {
    if (u.sql) continue;
    switch (d.kind) {
      case 'drop_table':
        if (u.kind === 'create_table' && u.table !== undefined && u.table === d.table) return u.index;
        break;
      case 'drop_column':
        if (u.kind === 'add_column' && u.table === d.table && u.name !== undefined && u.name === d.name) return u.index;
        break;
      case 'drop_index':
        if (u.kind === 'create_index' && u.name !== undefined && u.name === d.name) return u.index;
        break;
      case 'drop_constraint':
        if (u.kind === 'create_constraint' && u.name !== undefined && u.name === d.name) return u.index;
        break;
      case 'enum_drop': {
        const k = enumKey(d.enumType, d.name);
        if (u.kind === 'enum_create' && k !== undefined && enumKey(u.enumType, u.name) === k) return u.index;
        if (implicitEnums(u).some((e) => enumKey(e) === k)) return u.index - 0.5;
        break;
      }
      default:
        return undefined;
    }
  }
  return undefined;
}

/** The first line of the downgrade-level statement holding `line` (a `with` header for a call inside a block). */
function statementStart(src: SourceText, line: number, indentLength: number, firstLine: number): number {
  for (let l = line; l > firstLine; l--) {
    const t = src.line(l).trim();
    if (t !== '' && !t.startsWith('#') && src.indentOf(l).length <= indentLength) return l;
  }
  return firstLine;
}

const WHAT: Record<MissingInverse['kind'], string> = { table: 'Drop', column: 'Drop', index: 'Drop', constraint: 'Drop', enum: 'Drop' };

/** Inserts the inverse of one operation into the downgrade, before the undoing of anything created earlier. */
export function insertInverseFix(src: SourceText, m: Migration, mi: MissingInverse): QuickFix | undefined {
  const down = mi.pair.downgrade;
  const indent = bodyIndent(src, down);
  // Renamed later in the upgrade: its inverse depends on where the downgrade renames it back.
  if (indent === undefined || !down.bodyRange || mi.renamed) return undefined;
  const ctx: InverseContext = { src, quote: quoteStyle(src, m) };
  let stmts: InverseStatement[];
  if (mi.implicitEnum) {
    const drop = enumDrop(ctx, mi.implicitEnum);
    if (!drop) return undefined;
    stmts = [{ line: drop, autocommit: false, todo: false }];
  } else {
    stmts = inverseOf(ctx, mi.op, () => false);
  }
  if (stmts.length === 0 || stmts.some((s) => s.todo)) return undefined;
  const unit = indentUnit(src, m);
  const ups = schemaOps(m, mi.pair.upgrade);
  let edit: TextEdit | undefined;
  for (const d of schemaOps(m, down)) {
    const order = undoneOrder(ups, d);
    if (order === undefined || order >= mi.order) continue;
    const first = stmts[0];
    if (stmts.length === 1 && first?.batch && d.batch && !first.autocommit && !d.inAutocommitBlock && first.batch.alias === d.batch.alias &&
        statementLines(src, d.call) && first.batch.header === batchHeaderOf(src, d)) {
      // Into the downgrade's own block for the same table, just before that statement.
      const line = d.call.range.start.line;
      edit = { range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: src.indentOf(line) + first.line + src.eol };
      break;
    }
    const lines = renderStatements(stmts, indent, unit);
    const line = statementStart(src, d.call.range.start.line, indent.length, down.bodyRange.start.line);
    edit = { range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: lines.join(src.eol) + src.eol };
    break;
  }
  if (!edit) {
    const at = src.lineEnd(down.bodyRange.end.line);
    edit = { range: { start: at, end: at }, newText: src.eol + renderStatements(stmts, indent, unit).join(src.eol) };
  }
  return { title: `${WHAT[mi.kind]} ${mi.label} in ${down.name}()`, edits: [edit], isPreferred: true };
}
