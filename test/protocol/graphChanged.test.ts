// `alembic/graphChanged` names what changed: after the first index every project (and that the set of
// projects may have changed), after an edit only the edited file's project, so that the client asks
// for that one graph and not for every project's.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DidChangeTextDocumentNotification, DidOpenTextDocumentNotification } from 'vscode-languageserver-protocol/node';
import { GraphChangedNotification, type GraphChangedParams, ProjectsRequest } from '../../common/protocol';
import { fixturePath } from '../support/paths';
import { startTestServer, type TestServer, uriOf } from './lspClient';

describe('alembic/graphChanged (protocol)', function () {
  this.timeout(30_000);
  let root = '';
  let server: TestServer;
  const changes = (): GraphChangedParams[] =>
    server.notifications.filter((n) => n.method === GraphChangedNotification.method).map((n) => n.params as GraphChangedParams);

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-graph-changed-'));
    fs.cpSync(fixturePath('graph-linear'), path.join(root, 'linear'), { recursive: true });
    fs.cpSync(fixturePath('graph-branches'), path.join(root, 'branches'), { recursive: true });
    server = await startTestServer(root);
  });
  after(async () => {
    await server.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('names every project after the index, and only the edited project after an edit', async () => {
    await server.waitFor('the first graphChanged', () => changes().length > 0);
    const { projects } = await server.connection.sendRequest(ProjectsRequest, {});
    assert.equal(projects.length, 2);
    const first = changes()[0];
    assert.equal(first?.projectsChanged, true);
    assert.deepEqual([...(first?.projectIds ?? [])].sort(), projects.map((p) => p.id).sort());

    const linear = projects.find((p) => p.root === path.join(root, 'linear')) ?? assert.fail('no linear project');
    const file = path.join(root, 'linear', 'migrations', 'versions', '1a2b3c4d5e6f_create_users.py');
    const text = fs.readFileSync(file, 'utf8');
    const seen = changes().length;
    await server.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: uriOf(file), languageId: 'python', version: 1, text } });
    // A new message in the docstring changes what the tree shows for that revision.
    await server.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: uriOf(file), version: 2 }, contentChanges: [{ text: text.replace('"""create users', '"""create the users table') }],
    });
    await server.waitFor('the graphChanged after the edit', () => changes().length > seen);
    const afterEdit = changes()[seen];
    assert.deepEqual(afterEdit?.projectIds, [linear.id]);
    assert.equal(afterEdit?.projectsChanged, undefined);
  });
});
