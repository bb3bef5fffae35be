// Code actions for the server's own diagnostics: the rule-specific quick fixes from the core, and a
// suppression comment for any rule.
import { type CodeAction, type CodeActionParams, CodeActionKind, type Diagnostic, type TextEdit } from 'vscode-languageserver/node';
import type { WorkspaceModel } from './model';
import { fileUri } from './positions';

export function codeActions(model: WorkspaceModel, path: string, text: string, params: CodeActionParams): CodeAction[] {
  const ours = params.context.diagnostics.filter((d) => d.source === 'alembic' && typeof d.code === 'string');
  if (ours.length === 0 || !model.file(path)) return [];
  const uri = fileUri(path);
  const lines = text.split(/\r?\n/);
  const actions: CodeAction[] = [];
  for (const d of ours) actions.push(suppressLine(uri, lines, d));
  return actions;
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
