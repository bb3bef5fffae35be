// Code actions for the server's own diagnostics: each finding's rule's quick fix from the core (built
// on the document's current text, so a stale diagnostic gets no fix rather than a wrong one), and
// a suppression comment for any rule.
import { type CodeAction, type CodeActionParams, CodeActionKind, type Diagnostic, type Position, type Range, type TextEdit } from 'vscode-languageserver/node';
import { type HeadsContext, quickFixes } from '../core/fixes';
import { parseMigration } from '../core/parse';
import type { IndexedProject, WorkspaceModel } from './model';
import { fileUri } from './positions';

export function codeActions(model: WorkspaceModel, path: string, text: string, params: CodeActionParams): CodeAction[] {
  // Clients such as eglot send every diagnostic of the file, or of the line, whatever the range asked
  // about: only those the range touches get actions.
  // `diagnostics` is required, yet some clients send null (eglot, when flymake has none at point).
  const ours = (params.context?.diagnostics ?? []).filter((d) => d.source === 'alembic' && typeof d.code === 'string' && touches(d.range, params.range));
  const indexed = model.file(path);
  if (ours.length === 0 || !indexed) return [];
  const uri = fileUri(path);
  const lines = text.split(/\r?\n/);
  const migration = parseMigration(text);
  // Graph rules' fixes decide from the project's heads; found once for every diagnostic here.
  const heads = headsContext(indexed.project, path);
  const actions: CodeAction[] = [];
  for (const d of ours) {
    for (const fix of quickFixes({ rule: String(d.code), range: d.range, text, path, migration, heads, project: indexed.project.config, data: d.data })) {
      const action: CodeAction = { title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [d], edit: { changes: { [uri]: fix.edits } } };
      if (fix.isPreferred) action.isPreferred = true;
      actions.push(action);
    }
  }
  for (const d of ours) actions.push(suppressLine(uri, lines, d));
  return actions;
}

/** The heads of the file's project, with the one this file defines as `self`. */
function headsContext(project: IndexedProject, path: string): HeadsContext | undefined {
  const info = (revision: string) => {
    const n = project.nodes.get(revision);
    return n ? { revision, parents: n.parents, ...(n.createDate ? { createDate: n.createDate } : {}) } : undefined;
  };
  const heads = project.heads.flatMap((h) => info(h) ?? []);
  const selfNode = [...project.nodes.values()].find((n) => n.path === path && n.isHead);
  const self = selfNode && info(selfNode.revision);
  if (!self) return undefined;
  return { self, heads, childrenOf: (r) => project.nodes.get(r)?.children ?? [] };
}

/** `# alembic-lint: disable=<rule>` at the end of the diagnostic's first line (merged into one there). */
function suppressLine(uri: string, lines: string[], d: Diagnostic): CodeAction {
  const rule = String(d.code);
  const lineNo = d.range.start.line;
  const line = lines[lineNo] ?? '';
  const existing = /#\s*alembic-lint:\s*disable=([\w,-]+)\s*$/.exec(line);
  let edit: TextEdit;
  if (existing) {
    const start = line.length - existing[0].length;
    edit = { range: { start: { line: lineNo, character: start }, end: { line: lineNo, character: line.length } }, newText: `# alembic-lint: disable=${existing[1]},${rule}` };
  } else {
    const pad = line.trimEnd().length;
    edit = { range: { start: { line: lineNo, character: pad }, end: { line: lineNo, character: line.length } }, newText: `  # alembic-lint: disable=${rule}` };
  }
  return { title: `Suppress ${rule} on this line`, kind: CodeActionKind.QuickFix, diagnostics: [d], edit: { changes: { [uri]: [edit] } } };
}

/** Whether two ranges overlap or meet (an empty range at a diagnostic's edge touches it). */
function touches(a: Range, b: Range): boolean {
  const before = (x: Position, y: Position) => x.line < y.line || (x.line === y.line && x.character < y.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}
