// Language features over the indexed model: definition, references, hover, completion, symbols,
// CodeLens. Pure functions of (model, file, position) → LSP shapes, so protocol tests cover them.
import path from 'node:path';
import {
  type CodeLens, type CompletionItem, CompletionItemKind, type DocumentSymbol, type Hover, type Location,
  MarkupKind, SymbolKind, type SymbolInformation, type TextEdit,
} from 'vscode-languageserver/node';
import type { Position, Range, RevisionAssignment, StringAt } from '../core/types';
import { markdownCode, markdownText } from '../../../common/markdown';
import { CODE_LENS_COMMANDS, NEW_REVISION_SENTENCE, releaseSentence, type RevisionInfo } from '../../../common/protocol';
import type { IndexedFile, IndexedProject, WorkspaceModel } from './model';
import { contains, fileUri } from './positions';
import { lockHover } from './locks';

/** Where an id is written: the file's own `revision`, a parent, a dependency or the docstring header. */
export type IdRole = 'revision' | 'down_revision' | 'depends_on' | 'docstring';

export interface IdAt {
  id: string;
  range: Range;
  role: IdRole;
}

function stringsOf(a: RevisionAssignment | undefined): StringAt[] {
  if (!a) return [];
  const v = a.value;
  if (v.kind === 'string') return [{ value: v.value, range: v.range }];
  if (v.kind === 'sequence') return v.items;
  return [];
}

/** Every revision id written in a file, with its role. */
export function idsInFile(file: IndexedFile): IdAt[] {
  const m = file.header;
  const out: IdAt[] = [];
  for (const s of stringsOf(m.revision)) out.push({ id: s.value, range: s.range, role: 'revision' });
  for (const s of stringsOf(m.downRevision)) out.push({ id: s.value, range: s.range, role: 'down_revision' });
  for (const s of stringsOf(m.dependsOn)) out.push({ id: s.value, range: s.range, role: 'depends_on' });
  if (m.docstring?.revisionId) out.push({ id: m.docstring.revisionId.value, range: m.docstring.revisionId.range, role: 'docstring' });
  for (const s of m.docstring?.revises ?? []) out.push({ id: s.value, range: s.range, role: 'docstring' });
  return out;
}

export function idAt(file: IndexedFile, pos: Position): IdAt | undefined {
  return idsInFile(file).find((x) => contains(x.range, pos));
}

/** A written id to a node: exact id, else a unique prefix, else a branch label (`depends_on` may name one). */
export function nodeFor(project: IndexedProject, id: string): RevisionInfo | undefined {
  const exact = project.nodes.get(id);
  if (exact) return exact;
  const resolved = project.resolve(id);
  if (resolved.ok && resolved.revisions.length === 1 && resolved.revisions[0]) return project.nodes.get(resolved.revisions[0]);
  return undefined;
}

function locationOf(node: RevisionInfo): Location {
  return { uri: fileUri(node.path), range: node.revisionRange };
}

export function definition(model: WorkspaceModel, path: string, pos: Position): Location[] {
  const hit = model.file(path);
  if (!hit) return [];
  const at = idAt(hit.file, pos);
  if (!at) return [];
  const node = nodeFor(hit.project, at.id);
  return node ? [locationOf(node)] : [];
}

/** Children and dependents of the revision under the cursor (and its declaration if asked). */
export function references(model: WorkspaceModel, path: string, pos: Position, includeDeclaration: boolean): Location[] {
  const hit = model.file(path);
  if (!hit) return [];
  const at = idAt(hit.file, pos);
  if (!at) return [];
  const target = nodeFor(hit.project, at.id);
  if (!target) return [];
  const out: Location[] = [];
  if (includeDeclaration) out.push(locationOf(target));
  for (const file of hit.project.files.values()) {
    for (const x of idsInFile(file)) {
      if (x.role !== 'down_revision' && x.role !== 'depends_on') continue;
      if (x.id === target.revision || nodeFor(hit.project, x.id)?.revision === target.revision) {
        out.push({ uri: file.uri, range: x.range });
      }
    }
  }
  return out;
}

/**
 * The hover over a revision id, or over an operation (the lock it takes). `markdown` false (a client whose `hover.contentFormat` lacks Markdown,
 * such as eglot without markdown-mode) gets plain text: Markdown there shows as raw `**` and backticks.
 */
export function hover(model: WorkspaceModel, path: string, pos: Position, markdown = true): Hover | undefined {
  const hit = model.file(path);
  if (!hit) return undefined;
  const at = idAt(hit.file, pos);
  // Elsewhere in the file, an operation's lock (lsp/locks.ts).
  if (!at) return lockHover(model, path, pos, markdown);
  const node = nodeFor(hit.project, at.id);
  const kind = markdown ? MarkupKind.Markdown : MarkupKind.PlainText;
  if (!node) {
    return { range: at.range, contents: { kind, value: `No revision ${markdown ? markdownCode(at.id) : at.id} in this project.` } };
  }
  return { range: at.range, contents: { kind, value: describeNode(hit.project, node, markdown) } };
}

export function describeNode(project: IndexedProject, node: RevisionInfo, markdown = true): string {
  const code = markdown ? markdownCode : (s: string) => s;
  const text = markdown ? markdownText : (s: string) => s;
  // Markdown breaks a line only at two trailing spaces; plain text keeps its line breaks as they are.
  const br = markdown ? '  ' : '';
  const ids = (xs: readonly string[]) => (xs.length ? xs.map(code).join(', ') : '—');
  const flags = [node.isHead && 'head', node.isBase && 'base', node.isMerge && 'merge point', node.isBranchPoint && 'branch point']
    .filter(Boolean).join(', ');
  const title = text(node.message ?? '(no message)');
  const lines = [
    markdown ? `**${title}**` : title,
    '',
    `${code(node.revision)}${flags ? ` · ${flags}` : ''}${node.createDate ? ` · ${text(node.createDate)}` : ''}`,
    '',
    `Parents: ${ids(node.parents)}${br}`,
    `Children: ${ids(node.children)}${br}`,
  ];
  if (node.dependencies.length) lines.push(`Depends on: ${ids(node.dependencies)}${br}`);
  if (node.dependents.length) lines.push(`Needed by: ${ids(node.dependents)}${br}`);
  if (node.branchLabels.length) lines.push(`Branch labels: ${node.branchLabels.map(text).join(', ')}${br}`);
  lines.push(`Heads reachable: ${ids(project.headsAbove(node.revision))}`);
  if (node.released) lines.push('', text(releaseSentence(node.released)));
  else if (node.isNew) lines.push('', text(NEW_REVISION_SENTENCE));
  lines.push('', `File: ${code(path.relative(project.info.root, node.path) || node.path)}`);
  return lines.join('\n');
}

/**
 * Completion of revision ids inside a `down_revision` / `depends_on` string, heads first. Works on
 * half-typed text: the line up to the cursor decides, not the parse.
 */
export function completion(model: WorkspaceModel, path: string, text: string, pos: Position, markdown = true): CompletionItem[] {
  const hit = model.file(path);
  if (!hit) return [];
  const context = stringContext(text, pos, hit.file);
  if (!context) return [];
  const project = hit.project;
  const own = stringsOf(hit.file.header.revision)[0]?.value;
  const heads = new Set(project.heads);
  const items: CompletionItem[] = [];
  project.historyOrder.forEach((rev, i) => {
    if (rev === own) return;
    const node = project.nodes.get(rev);
    if (!node) return;
    const edit: TextEdit = { range: context.range, newText: rev };
    items.push({
      label: rev,
      kind: CompletionItemKind.Reference,
      detail: `${heads.has(rev) ? 'head · ' : ''}${node.message ?? ''}`,
      documentation: { kind: markdown ? MarkupKind.Markdown : MarkupKind.PlainText, value: describeNode(project, node, markdown) },
      sortText: `${heads.has(rev) ? '0' : '1'}${String(i).padStart(6, '0')}`,
      filterText: `${rev} ${node.message ?? ''}`,
      textEdit: edit,
    });
  });
  return items;
}

/** The cursor is inside a string literal that is part of a `down_revision` or `depends_on` value. */
function stringContext(text: string, pos: Position, file: IndexedFile): { range: Range } | undefined {
  const lines = text.split(/\r?\n/);
  const line = lines[pos.line] ?? '';
  const before = line.slice(0, pos.character);
  // Inside a string: an odd number of quotes of one kind before the cursor on this line.
  const quote = /(['"])([^'"]*)$/.exec(before);
  if (!quote) return undefined;
  const quoteCount = (before.match(new RegExp(quote[1] === '"' ? '"' : "'", 'g')) ?? []).length;
  if (quoteCount % 2 === 0) return undefined;
  const startChar = pos.character - (quote[2]?.length ?? 0);
  const after = line.slice(pos.character);
  const endOffset = after.search(/['"]/);
  const endChar = endOffset === -1 ? pos.character : pos.character + endOffset;
  const range: Range = { start: { line: pos.line, character: startChar }, end: { line: pos.line, character: endChar } };
  // Which assignment is this? The parse when it covers the position, else the nearest preceding
  // module-level `name ... =` line (a tuple over several lines, being typed).
  const m = file.header;
  for (const a of [m.downRevision, m.dependsOn]) {
    if (a && contains(a.value.range, pos)) return { range };
  }
  for (let l = pos.line; l >= 0 && l > pos.line - 20; l--) {
    const t = lines[l] ?? '';
    const assign = /^(down_revision|depends_on|revision|branch_labels)\b[^=]*=/.exec(t);
    if (assign) return assign[1] === 'down_revision' || assign[1] === 'depends_on' ? { range } : undefined;
    if (l < pos.line && /^\S/.test(t) && !/^[)\]]/.test(t)) return undefined;
  }
  return undefined;
}

export function documentSymbols(model: WorkspaceModel, path: string): DocumentSymbol[] {
  const hit = model.file(path);
  if (!hit) return [];
  const m = hit.file.migration;
  const out: DocumentSymbol[] = [];
  for (const a of [m.revision, m.downRevision, m.branchLabels, m.dependsOn]) {
    if (!a) continue;
    const detail = a.value.kind === 'string' ? a.value.value
      : a.value.kind === 'sequence' ? a.value.items.map((i) => i.value).join(', ')
        : a.value.kind === 'none' ? 'None' : a.value.text;
    const range = { start: a.nameRange.start, end: a.value.range.end };
    out.push({ name: a.name, detail, kind: SymbolKind.Constant, range, selectionRange: a.nameRange });
  }
  for (const f of m.functions) {
    out.push({
      name: f.name, detail: f.isEmpty ? 'empty' : f.raises ? 'raises' : `${f.calls.length} call(s)`,
      kind: SymbolKind.Function, range: f.range, selectionRange: f.nameRange,
    });
  }
  return out;
}

export function workspaceSymbols(model: WorkspaceModel, query: string): SymbolInformation[] {
  const q = query.toLowerCase();
  const out: SymbolInformation[] = [];
  for (const project of model.projects()) {
    for (const rev of project.historyOrder) {
      const node = project.nodes.get(rev);
      if (!node) continue;
      const name = `${rev} ${node.message ?? ''}`.trim();
      if (q && !name.toLowerCase().includes(q)) continue;
      out.push({ name, kind: SymbolKind.Constant, location: locationOf(node), containerName: project.info.root });
      if (out.length >= 500) return out;
    }
  }
  return out;
}

/** CodeLens above `def upgrade`: run or preview up to this revision (the client's commands). */
export function codeLenses(model: WorkspaceModel, path: string): CodeLens[] {
  const hit = model.file(path);
  if (!hit) return [];
  const revision = stringsOf(hit.file.header.revision)[0]?.value;
  if (!revision || !hit.project.nodes.has(revision)) return [];
  const arg = { projectId: hit.project.info.id, revision };
  const out: CodeLens[] = [];
  for (const f of hit.file.migration.functions) {
    if (f.kind !== 'upgrade') continue;
    const range = f.defLineRange;
    out.push(
      { range, command: { title: 'Upgrade to Here', command: CODE_LENS_COMMANDS.upgradeToHere, arguments: [arg] } },
      { range, command: { title: 'Preview SQL', command: CODE_LENS_COMMANDS.previewSqlToHere, arguments: [arg] } },
    );
  }
  return out;
}
