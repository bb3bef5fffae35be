// What a database's version table means, asked of the server: the client reads the table's rows and the
// server's core (the same resolver as for targets) says what is current, applied, pending and what a
// downgrade would undo, so that the tree, the confirmation and Alembic agree.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { AppliedStateRequest, DowngradePlanRequest, ProjectsRequest } from '../../common/protocol';
import { copyFixture } from '../support/paths';
import { startTestServer, type TestServer } from './lspClient';

describe('database state requests (protocol)', function () {
  this.timeout(30_000);
  let root = '';
  let server: TestServer;
  let projectId = '';
  const USERS = '1a2b3c4d5e6f';
  const POSTS = '2b3c4d5e6f70';
  const TAGS = '3c4d5e6f7081';

  before(async () => {
    root = copyFixture('graph-linear');
    server = await startTestServer(root);
    projectId = (await server.connection.sendRequest(ProjectsRequest, {})).projects[0]?.id ?? assert.fail('no project');
  });
  after(async () => {
    await server.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('reads the version table as Alembic would: prefixes, unknown ids, ancestors applied', async () => {
    const mid = await server.connection.sendRequest(AppliedStateRequest, { projectId, versionTable: ['2b3c'] });
    assert.deepEqual(mid.current, [POSTS]);
    assert.deepEqual(mid.applied, [POSTS, USERS]);
    assert.deepEqual(mid.pending, [TAGS]);
    assert.equal(mid.atHead, false);
    const stray = await server.connection.sendRequest(AppliedStateRequest, { projectId, versionTable: [TAGS, 'ffff00001111'] });
    assert.deepEqual(stray.unknown, ['ffff00001111']);
    assert.match(stray.warnings.join('\n'), /ffff00001111, which no migration file defines/);
    const empty = await server.connection.sendRequest(AppliedStateRequest, { projectId, versionTable: [] });
    assert.equal(empty.atBase, true);
    assert.deepEqual(empty.pending, [TAGS, POSTS, USERS]);
  });

  it('says what a downgrade undoes: the applied revisions above the target, newest first', async () => {
    const toUsers = await server.connection.sendRequest(DowngradePlanRequest, { projectId, target: USERS, versionTable: [TAGS] });
    assert.deepEqual(toUsers.undone, [TAGS, POSTS]);
    const toBase = await server.connection.sendRequest(DowngradePlanRequest, { projectId, target: 'base', versionTable: [POSTS] });
    assert.deepEqual(toBase.undone, [POSTS, USERS]);
    const nothing = await server.connection.sendRequest(DowngradePlanRequest, { projectId, target: TAGS, versionTable: [TAGS] });
    assert.deepEqual(nothing.undone, []);
  });
});
