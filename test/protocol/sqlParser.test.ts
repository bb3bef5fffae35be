// The language server (dist/server.js) reads a project's SQL with PostgreSQL's parser it ships in
// dist/: it says so in its log, and the findings are the parser's (a NOT NULL inside a CHECK is not a
// NOT NULL column, which the regular expressions would take it for). A workspace without SQL never
// loads it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestServer, type TestServer, uriOf } from './lspClient';

const migration = (body: string): string =>
  `from alembic import op\n\nrevision = "a1"\ndown_revision = None\n\n\ndef upgrade():\n${body}\n\n\ndef downgrade():\n    op.drop_column("users", "c")\n`;

function workspace(body: string): { ws: string; file: string } {
  const ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-sql-ws-')));
  const versions = path.join(ws, 'migrations', 'versions');
  fs.mkdirSync(versions, { recursive: true });
  fs.writeFileSync(path.join(ws, 'alembic.ini'), '[alembic]\nscript_location = %(here)s/migrations\n');
  fs.writeFileSync(path.join(ws, 'migrations', 'env.py'), '');
  const file = path.join(versions, 'a1.py');
  fs.writeFileSync(file, migration(body));
  return { ws, file };
}

const logs = (server: TestServer): string[] =>
  server.notifications.filter((n) => n.method === 'window/logMessage').map((n) => (n.params as { message: string }).message);

describe('language server: SQL read with PostgreSQL\'s parser (protocol)', function () {
  this.timeout(30_000);
  const servers: TestServer[] = [];
  const dirs: string[] = [];
  after(async () => {
    for (const s of servers) await s.stop();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  /** A server on a one-migration workspace, once the migration's non-concurrent-index finding is out. */
  const serve = async (body: string): Promise<{ server: TestServer; file: string }> => {
    const { ws, file } = workspace(body);
    dirs.push(ws);
    const server = await startTestServer(ws);
    servers.push(server);
    await server.waitFor('diagnostics', () => (server.diagnostics.get(uriOf(file)) ?? []).some((d) => d.code === 'non-concurrent-index'), 10_000);
    return { server, file };
  };

  it('loads the parser for a project that runs SQL, and its findings are the parser\'s', async () => {
    const { server, file } = await serve('    op.execute("ALTER TABLE users ADD COLUMN c int CHECK (c IS NOT NULL); CREATE INDEX ix ON users (c)")');
    const codes = (server.diagnostics.get(uriOf(file)) ?? []).map((d) => d.code);
    assert.ok(!codes.includes('add-not-null-column-without-default'), `the parser's reading: ${codes.join(', ')}`);
    assert.ok(logs(server).some((l) => /PostgreSQL's parser loaded in \d+ ms/.test(l)), logs(server).join('\n'));
  });

  it('does not load it for a project without SQL', async () => {
    const { server } = await serve('    op.create_index("ix", "users", ["c"])');
    assert.ok(!logs(server).some((l) => /PostgreSQL's parser/.test(l)), logs(server).join('\n'));
  });
});
