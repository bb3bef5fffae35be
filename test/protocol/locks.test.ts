// The lock of each operation over the real protocol: the hover over an `op.*` / `batch_op.*` call,
// the inlay hints behind `alembic.inlayHints.locks`, and the PostgreSQL version they answer for
// (the setting, `[tool.alembic-lint] postgres-version`, the connected server the client read, else 13).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  DidChangeConfigurationNotification, DidOpenTextDocumentNotification, HoverRequest, type InlayHint, InlayHintRefreshRequest,
  InlayHintRequest, type MarkupContent,
} from 'vscode-languageserver-protocol/node';
import { AppliedStateRequest, ProjectsRequest } from '../../common/protocol';
import { startTestServer, type TestServer, uriOf } from './lspClient';

const MIGRATION = `"""locks

Revision ID: a1
"""
from alembic import op
import sqlalchemy as sa

revision = "a1"
down_revision = None


def upgrade():
    op.add_column("users", sa.Column("token", sa.Float(), server_default=sa.text("random()")))
    op.add_column("users", sa.Column("level", sa.Integer(), server_default="0"))
    with op.batch_alter_table("users") as batch_op:
        batch_op.create_index("ix_users_level", ["level"])
    op.execute("ALTER TYPE mood ADD VALUE 'sad'")


def downgrade():
    pass
`;

const lineOf = (needle: string): number => MIGRATION.split('\n').findIndex((l) => l.includes(needle));

function project(ini: string, pyproject?: string): { root: string; file: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-locks-'));
  const versions = path.join(root, 'migrations', 'versions');
  fs.mkdirSync(versions, { recursive: true });
  fs.writeFileSync(path.join(root, 'alembic.ini'), `[alembic]\nscript_location = migrations\n${ini}`);
  fs.writeFileSync(path.join(root, 'migrations', 'env.py'), '');
  if (pyproject !== undefined) fs.writeFileSync(path.join(root, 'pyproject.toml'), pyproject);
  const file = path.join(versions, 'a1_locks.py');
  fs.writeFileSync(file, MIGRATION);
  return { root, file };
}

const CAPABILITIES = {
  workspace: { workspaceFolders: true, configuration: true, inlayHint: { refreshSupport: true }, didChangeConfiguration: { dynamicRegistration: true } },
  textDocument: { hover: { contentFormat: ['markdown', 'plaintext'] }, inlayHint: {} },
};

describe('lock hover and inlay hints (protocol)', function () {
  this.timeout(60_000);
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0)) await f();
  });

  async function start(ini: string, settings: Record<string, unknown> = {}, pyproject?: string, capabilities: object = CAPABILITIES): Promise<{ server: TestServer; file: string }> {
    const { root, file } = project(ini, pyproject);
    const server = await startTestServer(root, settings, {}, { capabilities });
    cleanup.push(async () => {
      await server.stop();
      fs.rmSync(root, { recursive: true, force: true });
    });
    await server.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: uriOf(file), languageId: 'python', version: 1, text: MIGRATION } });
    return { server, file };
  }

  async function hoverText(server: TestServer, file: string, needle: string): Promise<string | undefined> {
    const line = lineOf(needle);
    const character = (MIGRATION.split('\n')[line] ?? '').indexOf(needle) + 2;
    const hover = await server.connection.sendRequest(HoverRequest.type, { textDocument: { uri: uriOf(file) }, position: { line, character } });
    return (hover?.contents as MarkupContent | undefined)?.value;
  }

  async function hints(server: TestServer, file: string): Promise<InlayHint[]> {
    return (await server.connection.sendRequest(InlayHintRequest.type, {
      textDocument: { uri: uriOf(file) }, range: { start: { line: 0, character: 0 }, end: { line: 40, character: 0 } },
    })) ?? [];
  }

  it('says the lock, what it blocks and the rewrite over an operation, for PostgreSQL 13 by default', async () => {
    const { server, file } = await start('sqlalchemy.url = postgresql://app@localhost/app\n');
    const volatile = await hoverText(server, file, 'op.add_column("users", sa.Column("token"');
    assert.match(volatile ?? '', /\*\*Lock:\*\* ACCESS EXCLUSIVE on users — blocks reads and writes; rewrites the table/, volatile);
    assert.match(volatile ?? '', /PostgreSQL 13 \(the default \(13\)\)/);
    const constant = await hoverText(server, file, 'op.add_column("users", sa.Column("level"');
    assert.match(constant ?? '', /ACCESS EXCLUSIVE on users — blocks reads and writes\n/, 'a constant default does not rewrite since 11');
    assert.match(constant ?? '', /Since PostgreSQL 11/);
    const batch = await hoverText(server, file, 'batch_op.create_index');
    assert.match(batch ?? '', /SHARE on users — blocks writes; reads go on; scans the table/);
    const enumValue = await hoverText(server, file, 'op.execute');
    assert.match(enumValue ?? '', /no lock on any table/);
    assert.doesNotMatch(enumValue ?? '', /cannot run inside a transaction/);
    // A revision id keeps its own hover; a line without an operation has none.
    assert.equal(await hoverText(server, file, 'def upgrade'), undefined);
  });

  it('answers for the version of alembic.postgresVersion, and again when it changes', async () => {
    const settings: Record<string, unknown> = { postgresVersion: 10 };
    const { server, file } = await start('', settings);
    const before = await hoverText(server, file, 'op.add_column("users", sa.Column("level"');
    assert.match(before ?? '', /ACCESS EXCLUSIVE on users — blocks reads and writes; rewrites the table/, 'before 11 a default rewrites');
    assert.match(before ?? '', /PostgreSQL 10 \(the alembic\.postgresVersion setting\)/);
    assert.match(await hoverText(server, file, 'op.execute') ?? '', /cannot run inside a transaction/, 'ADD VALUE outside a transaction before 12');
    settings.postgresVersion = 16;
    await server.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    await server.connection.sendRequest(ProjectsRequest, {});
    const after = await hoverText(server, file, 'op.add_column("users", sa.Column("level"');
    assert.doesNotMatch(after ?? '', /rewrites the table/);
    assert.match(after ?? '', /PostgreSQL 16 \(the alembic\.postgresVersion setting\)/);
  });

  it('takes the connected server\'s version the client reports, unless pyproject.toml names one', async () => {
    const { server, file } = await start('');
    const [p] = (await server.connection.sendRequest(ProjectsRequest, {})).projects;
    assert.ok(p);
    await server.connection.sendRequest(AppliedStateRequest, { projectId: p.id, versionTable: [], serverVersion: '10.23 (Debian 10.23-1)' });
    const fromServer = await hoverText(server, file, 'op.add_column("users", sa.Column("level"');
    assert.match(fromServer ?? '', /PostgreSQL 10 \(the connected server \(PostgreSQL 10\)\)/);
    assert.match(fromServer ?? '', /rewrites the table/);

    const pinned = await start('', {}, '[tool.alembic-lint]\npostgres-version = 15\n');
    const [q] = (await pinned.server.connection.sendRequest(ProjectsRequest, {})).projects;
    assert.ok(q);
    await pinned.server.connection.sendRequest(AppliedStateRequest, { projectId: q.id, versionTable: [], serverVersion: '10.23' });
    assert.match(await hoverText(pinned.server, pinned.file, 'op.add_column("users", sa.Column("level"') ?? '', /PostgreSQL 15 \(.*pyproject\.toml \\?\[tool\.alembic-lint\\?\] postgres-version\)/);
  });

  it('says nothing of locks for a project on another database', async () => {
    const { server, file } = await start('sqlalchemy.url = mysql://app@localhost/app\n');
    assert.equal(await hoverText(server, file, 'op.add_column("users", sa.Column("token"'), undefined);
  });

  it('shows inlay hints only with alembic.inlayHints.locks, and refreshes them when it changes', async () => {
    const settings: Record<string, unknown> = {};
    const { server, file } = await start('', settings);
    assert.match(server.sent(), /"inlayHintProvider":true/);
    let refreshes = 0;
    server.connection.onRequest(InlayHintRefreshRequest.type, () => { refreshes++; });
    // Answered after the startup index, which pulls the settings: the change below is a change.
    assert.deepEqual(await hints(server, file), [], 'off by default');
    settings.inlayHints = { locks: true };
    await server.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    await server.connection.sendRequest(ProjectsRequest, {});
    await server.waitFor('the inlay hint refresh', () => refreshes > 0);
    const shown = await hints(server, file);
    assert.deepEqual(shown.map((h) => [h.position.line, h.label]), [
      [lineOf('sa.Column("token"'), 'ACCESS EXCLUSIVE on users — blocks reads and writes; rewrites the table'],
      [lineOf('sa.Column("level"'), 'ACCESS EXCLUSIVE on users — blocks reads and writes'],
      [lineOf('batch_op.create_index'), 'SHARE on users — blocks writes; reads go on; scans the table'],
      [lineOf('op.execute'), 'no lock on any table'],
    ]);
    // At the end of the call, after its closing parenthesis.
    const first = shown[0];
    assert.equal(first?.position.character, (MIGRATION.split('\n')[lineOf('sa.Column("token"')] ?? '').length);
  });

  it('offers no inlay hints to a client without them, and plain text hovers to a client without Markdown', async () => {
    const { server, file } = await start('', { inlayHints: { locks: true } }, undefined, {
      workspace: { workspaceFolders: true, configuration: true }, textDocument: { hover: { contentFormat: ['plaintext'] } },
    });
    const init = server.sent().split('Content-Length').find((m) => m.includes('"capabilities"')) ?? '';
    assert.doesNotMatch(init, /inlayHintProvider/);
    const text = await hoverText(server, file, 'op.add_column("users", sa.Column("token"');
    assert.match(text ?? '', /^Lock: ACCESS EXCLUSIVE on users — blocks reads and writes; rewrites the table/);
    assert.doesNotMatch(text ?? '', /\*\*|`/);
  });
});
