// The command line of `alembic-language-server` (dist/server.js): any editor starts it with `--stdio`,
// VS Code with `--node-ipc`; with no transport named it speaks over stdio, which is what a user typing
// the bare command in an editor's configuration means.
import { PACKAGE_VERSION } from '../../../common/packageInfo';

const TRANSPORTS = /^--(stdio|node-ipc|socket=\d+|pipe=.+)$/;

export const SERVER_USAGE = `Usage: alembic-language-server [--stdio | --node-ipc | --socket=PORT | --pipe=NAME]

The Alembic language server: diagnostics, hover, definition, references, completion, symbols and quick
fixes for Alembic migrations, over the Language Server Protocol. Default transport: --stdio.
Editor configurations: docs/editors.md. Also started as \`alembic-lint lsp\`.`;

/**
 * What to do with these arguments: start with the given argv (a transport always named, as
 * vscode-languageserver reads it from process.argv), or print and exit.
 */
export function serverCommandLine(args: readonly string[]): { start: string[] } | { print: string; exitCode: number } {
  if (args.includes('--help') || args.includes('-h')) return { print: SERVER_USAGE, exitCode: 0 };
  if (args.includes('--version') || args.includes('-V')) return { print: `alembic-language-server ${PACKAGE_VERSION}`, exitCode: 0 };
  // --clientProcessId is what vscode-languageclient adds; anything else unknown is a typo worth naming.
  const unknown = args.filter((a) => !TRANSPORTS.test(a) && !/^--clientProcessId(=\d+)?$/.test(a) && !/^\d+$/.test(a));
  if (unknown.length > 0) return { print: `alembic-language-server: unknown argument(s) ${unknown.join(' ')}\n\n${SERVER_USAGE}`, exitCode: 2 };
  return { start: args.some((a) => TRANSPORTS.test(a)) ? [...args] : ['--stdio', ...args] };
}
