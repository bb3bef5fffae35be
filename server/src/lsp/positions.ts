// Small helpers over the core's ranges (same shape as LSP's, 0-based) and file URIs.
import { URI } from 'vscode-uri';

export { contains } from '../core/positions';

/** The URI VS Code uses for a file path (vscode-uri encodes exactly like the editor does). */
export function fileUri(path: string): string {
  return URI.file(path).toString();
}

export function uriToPath(uri: string): string | undefined {
  const parsed = URI.parse(uri);
  return parsed.scheme === 'file' ? parsed.fsPath : undefined;
}
