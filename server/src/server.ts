// Entry point of the language server bundle (dist/server.js): speaks LSP over stdio or node IPC.
import { startServer } from './lsp/startServer';

startServer();
