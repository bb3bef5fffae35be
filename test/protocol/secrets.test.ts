// What the server sends never holds a database password: a verbose trace (alembic.trace.server) logs
// every message, and the projects request used to carry sqlalchemy.url whole.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ProjectsRequest, RevisionGraphRequest } from '../../common/protocol';
import { fixturePath } from '../support/paths';
import { startTestServer, type TestServer } from './lspClient';

describe('language server: no password over the wire (protocol)', function () {
  this.timeout(30_000);
  let ws = '';
  let server: TestServer;

  before(async () => {
    ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-secrets-ws-')));
    fs.cpSync(fixturePath('graph-linear'), path.join(ws, 'linear'), { recursive: true });
    const ini = path.join(ws, 'linear', 'alembic.ini');
    fs.writeFileSync(ini, fs.readFileSync(ini, 'utf8').replace(/^sqlalchemy\.url = .*$/m, 'sqlalchemy.url = postgresql://app:Sup3r-s3cret@db/app'));
    // A broken ini whose problem quotes a line holding a password.
    fs.mkdirSync(path.join(ws, 'broken', 'migrations', 'versions'), { recursive: true });
    fs.writeFileSync(path.join(ws, 'broken', 'alembic.ini'), 'sqlalchemy.url = postgresql://app:An0ther-s3cret@db/app\n[alembic]\nscript_location = migrations\n');
    server = await startTestServer(ws);
  });
  after(async () => {
    await server?.stop();
    fs.rmSync(ws, { recursive: true, force: true });
  });

  it('masks sqlalchemy.url and the lines quoted in problems, and says a password was masked', async () => {
    const { projects } = await server.connection.sendRequest(ProjectsRequest, {});
    const linear = projects.find((p) => path.basename(p.root) === 'linear');
    assert.equal(linear?.sqlalchemyUrl, 'postgresql://app:***@db/app');
    assert.equal(linear?.sqlalchemyUrlMasked, true);
    const broken = projects.find((p) => path.basename(p.root) === 'broken');
    assert.match(broken?.problems.join('\n') ?? '', /File contains no section headers: "sqlalchemy\.url = postgresql:\/\/app:\*\*\*@db\/app"/);
    await server.connection.sendRequest(RevisionGraphRequest, { projectId: linear?.id });
    const sent = server.sent();
    assert.match(sent, /alembic\/graphChanged|"result"/, 'the capture holds the messages');
    assert.doesNotMatch(sent, /Sup3r-s3cret|An0ther-s3cret/);
  });
});
