// How the server takes its settings over the real protocol: it asks for the `alembic` section at start
// and after each didChangeConfiguration, re-indexes only when a setting the index is built from changed,
// refreshes code lenses for alembic.codeLens, logs values of the wrong type, and never publishes a
// graph-only state once complete findings were shown.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CodeLensRefreshRequest, CodeLensRequest, DidChangeConfigurationNotification, DidOpenTextDocumentNotification,
  type LogMessageParams, MessageType,
} from 'vscode-languageserver-protocol/node';
import { ProjectsRequest } from '../../common/protocol';
import { copyFixture, repoRoot } from '../support/paths';
import { startTestServer, type TestServer, uriOf } from './lspClient';

/** The server's log lines (window/logMessage), oldest first. */
function logLines(server: TestServer): { type: MessageType; message: string }[] {
  return server.notifications.filter((n) => n.method === 'window/logMessage').map((n) => n.params as LogMessageParams);
}
const indexLines = (server: TestServer): string[] => logLines(server).map((l) => l.message).filter((m) => m.startsWith('Indexed '));

/**
 * Tells the server that settings changed, the way vscode-languageclient does for a registered section
 * (the server then asks for them), and waits until it handled that: a request is answered only after
 * the settings work queued before it.
 */
async function settingsChanged(server: TestServer): Promise<void> {
  await server.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
  await server.connection.sendRequest(ProjectsRequest, {});
}

describe('settings over the protocol', function () {
  this.timeout(60_000);

  describe('on the amani project', () => {
    let root = '';
    let server: TestServer | undefined;
    const settings: Record<string, unknown> = {};

    beforeEach(() => {
      root = copyFixture('amani');
      for (const key of Object.keys(settings)) delete settings[key];
    });
    afterEach(async () => {
      await server?.stop();
      server = undefined;
      fs.rmSync(root, { recursive: true, force: true });
    });

    it('indexes once at start, registers for the alembic section, and ignores notifications that change none of its settings', async () => {
      const s = (server = await startTestServer(root, settings, { didChangeConfiguration: { dynamicRegistration: true } }));
      await s.waitFor('the startup index', () => indexLines(s).length > 0);
      await s.waitFor('the registration for settings changes', () => s.registrations.includes('workspace/didChangeConfiguration'));
      // vscode-languageclient sends one notification as soon as the server registers: nothing changed.
      await settingsChanged(s);
      // A setting only the extension reads.
      settings.databaseUrl = 'postgresql://someone@localhost/app';
      await settingsChanged(s);
      assert.equal(indexLines(s).length, 1, indexLines(s).join('\n'));
      assert.deepEqual(logLines(s).filter((l) => l.message.startsWith('Settings')), []);
    });

    it('re-indexes exactly once when alembic.rules changes, and once when alembic.configFile does', async () => {
      const s = (server = await startTestServer(root, settings));
      await s.waitFor('the startup index', () => indexLines(s).length > 0);
      settings.rules = { 'multiple-heads': 'error' };
      await settingsChanged(s);
      assert.equal(indexLines(s).length, 2, indexLines(s).join('\n'));
      assert.ok(logLines(s).some((l) => l.message === 'Settings changed: alembic.rules; re-indexing'), JSON.stringify(logLines(s)));
      // The same rules in another key order are the same setting.
      settings.rules = { 'multiple-heads': 'error' };
      await settingsChanged(s);
      settings.configFile = 'alembic.ini';
      await settingsChanged(s);
      assert.equal(indexLines(s).length, 3, indexLines(s).join('\n'));
    });

    it('alembic.lint.dialect re-indexes and overrides the project\'s dialect: no PostgreSQL findings on MySQL', async () => {
      fs.writeFileSync(path.join(root, 'alembic', 'versions', '006_type_change.py'), [
        "revision = '006_type_change'", "down_revision = '005_merge_notifications'", '', 'from alembic import op', 'import sqlalchemy as sa', '', '',
        'def upgrade():', "    op.alter_column('users', 'age', type_=sa.SmallInteger())", '', '',
        'def downgrade():', "    op.alter_column('users', 'age', type_=sa.Integer())", '',
      ].join('\n'));
      const uri = uriOf(path.join(root, 'alembic', 'versions', '006_type_change.py'));
      const codes = (s: TestServer): unknown[] => (s.diagnostics.get(uri) ?? []).map((d) => d.code);
      const s = (server = await startTestServer(root, settings));
      await s.waitFor('change-column-type on the PostgreSQL project', () => codes(s).includes('change-column-type'));
      settings.lint = { dialect: 'mysql' };
      await settingsChanged(s);
      assert.ok(logLines(s).some((l) => l.message === 'Settings changed: alembic.lint.dialect; re-indexing'), JSON.stringify(logLines(s)));
      await s.waitFor('no change-column-type once the setting says MySQL', () => !codes(s).includes('change-column-type'));
    });

    it('refreshes code lenses for alembic.codeLens without re-indexing, and serves none when it is off', async () => {
      const s = (server = await startTestServer(root, settings, { codeLens: { refreshSupport: true } }));
      let refreshes = 0;
      s.connection.onRequest(CodeLensRefreshRequest.type, () => { refreshes++; });
      await s.waitFor('the startup index', () => indexLines(s).length > 0);
      const file = path.join(root, 'alembic', 'versions', '001_initial_schema.py');
      await s.connection.sendNotification(DidOpenTextDocumentNotification.type, {
        textDocument: { uri: uriOf(file), languageId: 'python', version: 1, text: fs.readFileSync(file, 'utf8') },
      });
      const lenses = () => s.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: uriOf(file) } });
      assert.ok(((await lenses()) ?? []).length > 0, 'code lenses while alembic.codeLens is on (its default)');
      settings.codeLens = false;
      await settingsChanged(s);
      assert.equal(refreshes, 1);
      assert.deepEqual(await lenses(), []);
      assert.equal(indexLines(s).length, 1, indexLines(s).join('\n'));
      assert.ok(logLines(s).some((l) => l.message === 'Settings changed: alembic.codeLens'), JSON.stringify(logLines(s)));
    });

    it('logs values of the wrong type and unknown names once, and uses the defaults for them', async () => {
      Object.assign(settings, { codeLens: 'yes', configFile: 7, rules: { 'multiple-heads': 'loud' }, colour: 'red' });
      const s = (server = await startTestServer(root, settings));
      await s.waitFor('the startup index', () => indexLines(s).length > 0);
      const warnings = () => logLines(s).filter((l) => l.type === MessageType.Warning).map((l) => l.message);
      const expected = [
        /alembic\.configFile: expected a string, got 7; using the default ""/,
        /alembic\.codeLens: expected true or false, got "yes"; using the default true/,
        /unknown setting\(s\) ignored: alembic\.colour/,
        /alembic\.rules: rule 'multiple-heads': "loud" is not a severity/,
      ];
      for (const re of expected) assert.ok(warnings().some((w) => re.test(w)), `${re} among:\n${warnings().join('\n')}`);
      // The project was still found: the bad configFile fell back to "every configuration".
      const { projects } = await s.connection.sendRequest(ProjectsRequest, {});
      assert.equal(projects.length, 1);
      const before = warnings().length;
      await settingsChanged(s);
      assert.equal(warnings().length, before, 'the same problems are not logged again');
    });
  });

  describe('on a project whose file rules outlast the first slice', () => {
    let root = '';
    let server: TestServer | undefined;
    const settings: Record<string, unknown> = {};

    before(() => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-settings-large-'));
      execFileSync(process.execPath, [path.join(repoRoot, 'scripts', 'generate-graph-fixture.mjs'), '--count', '3000', '--out', root], { stdio: 'ignore' });
    });
    after(async () => {
      await server?.stop();
      fs.rmSync(root, { recursive: true, force: true });
    });

    it('keeps the complete findings on show until a re-index has all of its own', async () => {
      const s = (server = await startTestServer(root, settings));
      await s.waitFor('the file rules of the startup index', () => logLines(s).some((l) => l.message.startsWith('File rules done')), 30_000);
      if (!indexLines(s)[0]?.includes('in the background')) {
        // The point of this test is the state between an index and its last rules slice.
        assert.fail(`the startup index finished its rules in the first slice, so there was no state in between to check: ${indexLines(s)[0]}`);
      }
      const fileFinding = 'destructive-upgrade';
      const withFileFinding = new Set([...s.diagnostics].filter(([, ds]) => ds.some((d) => d.code === fileFinding)).map(([uri]) => uri));
      assert.ok(withFileFinding.size > 0, `the generated project has ${fileFinding} findings`);
      const publishedBefore = s.publishes.length;

      settings.rules = { 'multiple-heads': 'error' };
      await settingsChanged(s);
      assert.equal(indexLines(s).length, 2);
      assert.doesNotMatch(indexLines(s)[1] ?? '', /in the background/, 'the re-index published when its rules were done');
      const after = s.publishes.slice(publishedBefore);
      const lost = after.filter((p) => withFileFinding.has(p.uri) && !p.diagnostics.some((d) => d.code === fileFinding));
      assert.deepEqual(lost.map((p) => p.uri), [], `files whose ${fileFinding} finding was taken away during the re-index`);
      // The change itself arrived: the heads are errors now.
      assert.ok(after.some((p) => p.diagnostics.some((d) => d.code === 'multiple-heads' && d.severity === 1)), 'multiple-heads published as an error');
    });
  });
});
