// The template requests over the real protocol: "New Revision from Template…" asks the server for the
// library, for each answer's suggestion and check, and for the new file's text (the client only writes it).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ProjectsRequest, RenderTemplateRequest, TemplateAnswerRequest, TemplatesRequest } from '../../common/protocol';
import { copyFixture } from '../support/paths';
import { startTestServer, type TestServer } from './lspClient';

describe('template requests (protocol)', function () {
  this.timeout(30_000);
  let root = '';
  let server: TestServer;

  before(async () => {
    root = copyFixture('graph-linear');
    server = await startTestServer(root);
  });
  after(async () => {
    await server.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('lists the library with each template\'s questions in order', async () => {
    const library = await server.connection.sendRequest(TemplatesRequest, {});
    assert.ok(!('problem' in library), 'the library loads');
    const createTable = library.templates.find((t) => t.id === 'create-table') ?? assert.fail('no create-table template');
    assert.deepEqual(createTable.questions.map((q) => q.name), ['table', 'column', 'column_type', 'index_name', 'message']);
    assert.equal(createTable.merge, false);
  });

  it('suggests answers from earlier ones and checks each answer with the core\'s rules', async () => {
    const ask = (question: string, answers: Record<string, string>, value?: string) =>
      server.connection.sendRequest(TemplateAnswerRequest, { templateId: 'create-table', question, answers, ...(value !== undefined ? { value } : {}) });
    assert.equal((await ask('index_name', { table: 'projects', column: 'name' })).suggested, 'ix_projects_name');
    assert.ok((await ask('table', {}, 'not a name')).problem, 'a table name with spaces is refused');
    assert.equal((await ask('table', {}, 'projects')).problem, undefined);
    assert.ok((await ask('no_such_question', {})).problem);
  });

  it('makes the new revision in the project\'s versions folder, following the head', async () => {
    const { projects } = await server.connection.sendRequest(ProjectsRequest, {});
    const project = projects[0] ?? assert.fail('no project');
    const created = await server.connection.sendRequest(RenderTemplateRequest, {
      projectId: project.id, templateId: 'create-table',
      answers: { table: 'projects', column: 'name', column_type: 'sa.String(255)', index_name: 'ix_projects_name', message: 'create projects table' },
    });
    assert.ok(created.ok, created.ok ? '' : created.message);
    assert.equal(path.dirname(created.path), project.versionLocations[0]);
    assert.match(created.text, /down_revision[^\n]*3c4d5e6f7081/);
    assert.match(created.text, new RegExp(`revision[^\\n]*${created.revision}`));
    assert.ok(!fs.existsSync(created.path), 'the server writes nothing');
    const bad = await server.connection.sendRequest(RenderTemplateRequest, { projectId: project.id, templateId: 'create-table', answers: { table: 'x y' } });
    assert.equal(bad.ok, false);
  });
});

describe('template requests: a hostile file_template (protocol)', function () {
  this.timeout(30_000);
  let root = '';
  let server: TestServer;

  before(async () => {
    root = copyFixture('graph-linear');
    const ini = path.join(root, 'alembic.ini');
    fs.writeFileSync(ini, fs.readFileSync(ini, 'utf8').replace('[alembic]\n', '[alembic]\nfile_template = ../../../../.ipython/profile_default/startup/%%(rev)s\n'));
    server = await startTestServer(root);
  });
  after(async () => {
    await server.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('makes no file outside the versions folder: the request is refused with the reason', async () => {
    const { projects } = await server.connection.sendRequest(ProjectsRequest, {});
    const project = projects[0] ?? assert.fail('no project');
    assert.match(project.fileTemplate ?? '', /ipython/);
    const created = await server.connection.sendRequest(RenderTemplateRequest, { projectId: project.id, templateId: 'empty', answers: { message: 'x' } });
    assert.equal(created.ok, false);
    assert.match(created.ok ? '' : created.message, /inside its versions folder/);
  });
});
