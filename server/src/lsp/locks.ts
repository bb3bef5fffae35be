// The lock each operation takes, as a hover over an `op.*` / `batch_op.*` call and as inlay hints
// (`alembic.inlayHints.locks`). The words come from core/locks, the same code docs/locks.md is
// generated from; the version is the project's (ProjectConfig.postgresVersion and where it was read).
import { type Hover, type InlayHint, MarkupKind } from 'vscode-languageserver/node';
import { type CallLocks, callLocks, callLocksAt } from '../core/locks/classify';
import { type DescribedLock, describeItem } from '../core/locks/describe';
import type { Position, Range } from '../core/types';
import { markdownCode, markdownText } from '../../../common/markdown';
import { mayBePostgres } from '../core/facts/dialect';
import type { IndexedProject, WorkspaceModel } from './model';

/** The PostgreSQL version the lock information answers for, and where it was read; none off PostgreSQL. */
function postgresOf(project: IndexedProject): { version: number; source: string } | undefined {
  const c = project.config;
  return c && mayBePostgres(c.dialect) ? { version: c.postgresVersion, source: c.postgresVersionSource } : undefined;
}

function described(c: CallLocks, version: number): DescribedLock[] {
  return c.items.flatMap((item) => describeItem(item, version) ?? []);
}

/** The hover over an operation; undefined when the position is on none, or the project is not on PostgreSQL. */
export function lockHover(model: WorkspaceModel, path: string, pos: Position, markdown = true): Hover | undefined {
  const hit = model.file(path);
  const pg = hit && postgresOf(hit.project);
  if (!hit || !pg) return undefined;
  const at = callLocksAt(hit.file.migration, pos);
  if (!at) return undefined;
  const locks = described(at, pg.version);
  if (locks.length === 0) return undefined;
  const text = markdown ? markdownText : (s: string) => s;
  const lines: string[] = [];
  for (const l of locks) {
    lines.push(markdown ? `**Lock:** ${text(l.text)}` : `Lock: ${l.text}`);
    if (l.claim.note) lines.push('', text(l.claim.note));
    lines.push('');
  }
  const ids = [...new Set(locks.flatMap((l) => l.cases.map((c) => c.id)))];
  lines.push(`PostgreSQL ${pg.version} (${text(pg.source)}) · ${ids.map((id) => (markdown ? markdownCode(id) : id)).join(', ')} in docs/locks.md`);
  return { range: at.range, contents: { kind: markdown ? MarkupKind.Markdown : MarkupKind.PlainText, value: lines.join('\n') } };
}

/** One hint after each operation in the range, with the hover's first line. */
export function lockInlayHints(model: WorkspaceModel, path: string, range: Range): InlayHint[] {
  const hit = model.file(path);
  const pg = hit && postgresOf(hit.project);
  if (!hit || !pg) return [];
  const out: InlayHint[] = [];
  for (const c of callLocks(hit.file.migration)) {
    if (c.range.end.line < range.start.line || c.range.start.line > range.end.line) continue;
    const texts = described(c, pg.version).map((l) => l.text);
    if (texts.length === 0) continue;
    out.push({ position: c.range.end, label: texts.join(' · '), paddingLeft: true });
  }
  return out;
}
