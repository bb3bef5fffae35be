// Entry point of the language server bundle (dist/server.js, the `alembic-language-server` command):
// speaks LSP over stdio (default) or node IPC.
import { serverCommandLine } from './lsp/commandLine';
import { startServer } from './lsp/startServer';

const command = serverCommandLine(process.argv.slice(2));
if ('print' in command) {
  (command.exitCode === 0 ? process.stdout : process.stderr).write(`${command.print}\n`);
  process.exitCode = command.exitCode;
} else {
  // vscode-languageserver picks its transport from process.argv.
  process.argv = [...process.argv.slice(0, 2), ...command.start];
  startServer();
}
