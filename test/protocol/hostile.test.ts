// The language server on a workspace built to hang or crash it, next to a healthy project: the
// healthy project must still get its diagnostics, the others their problems, and the server must
// keep answering. Everything hostile is made at test time in a temporary folder.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HoverRequest } from 'vscode-languageserver-protocol/node';
import { ProjectsRequest, RevisionGraphRequest } from '../../common/protocol';
import { MAX_SOURCE_BYTES } from '../../server/src/fs/readFiles';
import { fixturePath } from '../support/paths';
import { migrationText } from '../unit/graphSupport';
import { startTestServer, type TestServer, uriOf } from './lspClient';

const migration = (revision: string, down: string | null): string => migrationText(revision, down);

describe('language server on hostile workspace files (protocol)', function () {
  this.timeout(30_000);
  let ws = '';
  let server: TestServer;
  const at = (...parts: string[]): string => path.join(ws, ...parts);

  /** A project folder under the workspace: alembic.ini with `ini` after [alembic], env.py, versions/ files. */
  const project = (name: string, ini: string, files: Record<string, string | Buffer>, env = ''): string => {
    const versions = at(name, 'migrations', 'versions');
    fs.mkdirSync(versions, { recursive: true });
    fs.writeFileSync(at(name, 'alembic.ini'), `[alembic]\nscript_location = %(here)s/migrations\n${ini}\n`);
    fs.writeFileSync(at(name, 'migrations', 'env.py'), env);
    for (const [file, content] of Object.entries(files)) fs.writeFileSync(path.join(versions, file), content);
    return versions;
  };

  before(async () => {
    ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-hostile-ws-')));
    fs.cpSync(fixturePath('graph-duplicate'), at('healthy'), { recursive: true });
    const levels = ['l0 = xxxxxxxx', ...Array.from({ length: 9 }, (_, i) => `l${i + 1} = ${`%(l${i})s`.repeat(8)}`)];
    project('bomb', `${levels.join('\n')}\nversion_locations = %(l9)s`, { 'a.py': migration('a1', null) });
    project('spaces', `a${' '.repeat(80_000)}b`, { 'a.py': migration('s1', null) });
    project('env', '', { 'a.py': migration('e1', null) }, 'context.configure(connection=c)\n'.repeat(50_000));
    const links = project('links', 'recursive_version_locations = true', {
      'a.py': migration('k1', null),
      'b.py': Buffer.from(`${migration('k2', 'k1')}# caf\xe9\n`, 'latin1'),
      'huge.py': Buffer.alloc(MAX_SOURCE_BYTES + 1, 0x20),
    });
    fs.symlinkSync('.', path.join(links, 'loop'));
    fs.symlinkSync('..', path.join(links, 'up'));
    fs.symlinkSync('nowhere.py', path.join(links, 'dangling.py'));
    execFileSync('mkfifo', [path.join(links, 'pipe.py')]);
    server = await startTestServer(ws);
  });
  after(async () => {
    await server?.stop();
    fs.rmSync(ws, { recursive: true, force: true });
  });

  it('publishes the healthy project\'s diagnostics and reports each hostile project\'s problems', async () => {
    const second = at('healthy', 'migrations', 'versions', 'd1d1d1d10002_second.py');
    await server.waitFor('diagnostics on the healthy project', () => (server.diagnostics.get(uriOf(second)) ?? []).length > 0, 5000);
    assert.ok(server.diagnostics.get(uriOf(second))?.some((d) => d.code === 'duplicate-revision'));

    const { projects } = await server.connection.sendRequest(ProjectsRequest, {});
    const byName = new Map(projects.map((p) => [path.basename(p.root), p]));
    assert.deepEqual([...byName.keys()].sort(), ['bomb', 'env', 'healthy', 'links', 'spaces']);
    assert.deepEqual(byName.get('healthy')?.problems, []);
    assert.match(byName.get('bomb')?.problems.join('\n') ?? '', /option 'version_locations' in section 'alembic' expands to more than 100000 characters/);
    assert.match(byName.get('spaces')?.problems.join('\n') ?? '', /alembic\.ini:3: cannot parse line "a {119}…" \(80002 characters\) \(configparser ParsingError\)/);
    assert.deepEqual(byName.get('env')?.problems, []);
    assert.equal(byName.get('env')?.revisionCount, 1);

    const links = byName.get('links');
    const versions = at('links', 'migrations', 'versions');
    assert.deepEqual(links?.problems, [
      `${path.join(versions, 'b.py')}: is not valid UTF-8 (line ${migration('k2', 'k1').split('\n').length}: byte 0xe9) and declares no other encoding: Python refuses to import it (SyntaxError), and so Alembic fails`,
      `${path.join(versions, 'dangling.py')}: is a symbolic link to nowhere.py, which does not exist`,
      `${path.join(versions, 'huge.py')}: is 10 MB; alembic-lint reads files of up to 10 MB: not checked`,
      `${path.join(versions, 'pipe.py')}: is not a regular file (a pipe, socket or device): not read`,
    ]);
    const logged = server.notifications.filter((n) => n.method === 'window/logMessage').map((n) => (n.params as { message: string }).message);
    for (const problem of [...(byName.get('bomb')?.problems ?? []), ...(links?.problems ?? [])]) {
      assert.ok(logged.includes(problem), `the output channel shows: ${problem}`);
    }
    const graph = await server.connection.sendRequest(RevisionGraphRequest, { projectId: links?.id });
    assert.deepEqual(graph.nodes.map((n) => n.revision), ['k2', 'k1'], 'each migration once, behind the links too');
    assert.deepEqual([...server.diagnostics.entries()].filter(([uri, ds]) => uri.includes('/links/') && ds.some((d) => d.code === 'duplicate-revision')), []);
  });

  it('keeps answering requests', async () => {
    const second = at('healthy', 'migrations', 'versions', 'd1d1d1d10002_second.py');
    const line = fs.readFileSync(second, 'utf8').split('\n').findIndex((l) => l.startsWith('revision'));
    const hover = await server.connection.sendRequest(HoverRequest.type, { textDocument: { uri: uriOf(second) }, position: { line, character: 13 } });
    assert.ok(hover, 'a hover on the healthy project');
    assert.doesNotMatch(server.stderr(), /FATAL|heap out of memory|RangeError/);
  });
});
