// The project model the language server and the CLI share: files in, graph and findings out, protocol
// shapes (ProjectInfo, RevisionGraphResult) for the client.
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadConfigFile } from '../../server/src/core/project';
import { ProjectModel } from '../../server/src/core/project/model';
import { nodeFileSystem } from '../../server/src/fs/nodeFileSystem';
import { fixturePath } from '../support/paths';
import { migrationText } from './graphSupport';
import { wireOf } from '../../server/src/lsp/wire';

async function load(name: string): Promise<ProjectModel> {
  const config = await loadConfigFile(nodeFileSystem, fixturePath(name, 'alembic.ini'));
  assert.ok(config);
  return ProjectModel.load(nodeFileSystem, config);
}

describe('project: model', () => {
  it('describes the project for alembic/projects', async () => {
    const info = wireOf(await load('graph-linear')).info();
    assert.equal(info.id, fixturePath('graph-linear', 'alembic.ini'));
    assert.equal(info.kind, 'ini');
    assert.equal(info.scriptLocation, fixturePath('graph-linear', 'migrations'));
    assert.deepEqual(info.versionLocations, [fixturePath('graph-linear', 'migrations', 'versions')]);
    assert.equal(info.versionTable, 'linear_version');
    assert.equal(info.sqlalchemyUrl, 'postgresql://user:***@localhost/graph_linear', 'the password never goes over the wire');
    assert.equal(info.sqlalchemyUrlMasked, true);
    assert.doesNotMatch(JSON.stringify(info), /secret/);
    assert.equal(info.revisionCount, 3);
    assert.deepEqual(info.heads, ['3c4d5e6f7081']);
    assert.deepEqual(info.problems, []);
  });

  it('reads a configuration file given by a relative path as Alembic does (`here` is absolute)', async () => {
    const relative = path.relative(process.cwd(), fixturePath('graph-linear', 'alembic.ini'));
    assert.ok(!path.isAbsolute(relative));
    const config = await loadConfigFile(nodeFileSystem, relative);
    assert.ok(config);
    assert.equal(config.id, fixturePath('graph-linear', 'alembic.ini'));
    assert.deepEqual(config.versionLocationPaths, [fixturePath('graph-linear', 'migrations', 'versions')]);
    assert.equal(wireOf(await ProjectModel.load(nodeFileSystem, config)).info().revisionCount, 3);
  });

  it('gives alembic/revisionGraph nodes in history order with flags, labels and finding counts', async () => {
    const model = await load('graph-branches');
    const result = wireOf(model).revisionGraph(model.findings());
    assert.deepEqual(result.nodes.map((n) => n.revision), [
      'ff0000000008', 'ff0000000009', 'ee0000000007', 'dd0000000006', 'bb0000000004', 'bb0000000003', 'cc0000000005', 'aa0000000002', 'aa0000000001',
    ]);
    const merge = result.nodes.find((n) => n.revision === 'dd0000000006');
    assert.deepEqual([merge?.isMerge, merge?.parents, merge?.message], [true, ['bb0000000004', 'cc0000000005'], 'merge left and right']);
    const head = result.nodes[0];
    assert.deepEqual([head?.isHead, head?.worstSeverity, head?.diagnosticCount], [true, 'warning', 1]);
    assert.equal(head?.uri, `file://${head?.path}`);
    assert.deepEqual(result.nodes.find((n) => n.revision === 'aa0000000002')?.children, ['bb0000000003', 'cc0000000005']);
    assert.deepEqual(result.bases, ['aa0000000001']);
  });

  it('updates graph and findings as files change, appear and disappear', async () => {
    const model = await load('graph-linear');
    const dir = fixturePath('graph-linear', 'migrations', 'versions');
    const extra = path.join(dir, '4d5e6f708192_extra.py');
    assert.ok(model.setFile(extra, migrationText('4d5e6f708192', '2b3c4d5e6f70')));
    assert.deepEqual(model.graph.heads, ['3c4d5e6f7081', '4d5e6f708192']);
    assert.equal(model.findings().filter((f) => f.rule === 'multiple-heads').length, 2);
    // An edit that keeps ids and edges (comment added): same heads, finding moved with the line.
    const before = model.findings().find((f) => f.path === extra)?.range.start.line ?? -1;
    model.setFile(extra, `# a comment\n${migrationText('4d5e6f708192', '2b3c4d5e6f70')}`);
    assert.equal(model.findings().find((f) => f.path === extra)?.range.start.line, before + 1);
    model.setFile(extra, migrationText('4d5e6f708192', '3c4d5e6f7081'));
    assert.deepEqual(model.graph.heads, ['4d5e6f708192']);
    assert.deepEqual(model.findings(), []);
    assert.ok(model.removeFile(extra));
    assert.deepEqual(model.graph.heads, ['3c4d5e6f7081']);
    assert.equal(model.setFile(path.join(dir, 'sub', 'x.py'), ''), false, 'not recursive: subfolders are not loaded');
  });
});
