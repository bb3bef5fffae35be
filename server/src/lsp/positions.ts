// Small helpers over the core's ranges (same shape as LSP's, 0-based) and file URIs.
import { URI } from 'vscode-uri';
import type { Position, Range } from '../core/types';

export function contains(range: Range, pos: Position): boolean {
  const afterStart = pos.line > range.start.line || (pos.line === range.start.line && pos.character >= range.start.character);
  const beforeEnd = pos.line < range.end.line || (pos.line === range.end.line && pos.character <= range.end.character);
  return afterStart && beforeEnd;
}

/** The URI VS Code uses for a file path (vscode-uri encodes exactly like the editor does). */
export function fileUri(path: string): string {
  return URI.file(path).toString();
}

export function uriToPath(uri: string): string | undefined {
  const parsed = URI.parse(uri);
  return parsed.scheme === 'file' ? parsed.fsPath : undefined;
}
