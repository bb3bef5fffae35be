// The server as editors other than VS Code speak to it (issue 20): URIs written the Neovim/eglot way,
// no workspaceFolders capability, settings pushed or answered with null, no dynamic registration,
// plain-text-only hover, a root below the project, files created on disk with nobody watching for it.
// Each client here declares only what that editor declares (Neovim 0.7.2, eglot 1.9).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type ClientCapabilities, type CodeAction, CodeActionRequest, CodeLensRequest, CompletionRequest, type Diagnostic,
  DidChangeConfigurationNotification, DidOpenTextDocumentNotification, HoverRequest, type LogMessageParams, type MarkupContent,
} from 'vscode-languageserver-protocol/node';
import { ProjectsRequest } from '../../common/protocol';
import { repoRoot } from '../support/paths';
import { type ClientOptions, editorStyleUri, startTestServer, type TestServer } from './lspClient';

/**
 * What Neovim 0.7.2's built-in client declares for the features used here: no dynamic registration, and
 * no workspace/configuration (settings come only pushed, as nvim-lspconfig pushes them in on_init).
 */
const NEOVIM_07: ClientCapabilities = {
  workspace: { workspaceFolders: true, applyEdit: true },
  textDocument: {
    hover: { contentFormat: ['markdown', 'plaintext'] },
    completion: { completionItem: { documentationFormat: ['markdown', 'plaintext'] } },
    publishDiagnostics: { relatedInformation: true },
  },
};
/** Neovim 0.8 and later also answer workspace/configuration (null for a section nobody set). */
const NEOVIM_08: ClientCapabilities = { ...NEOVIM_07, workspace: { ...NEOVIM_07.workspace, configuration: true } };
/** What eglot 1.9 declares without markdown-mode: no workspaceFolders, plain-text hover, watching offered. */
const EGLOT_19: ClientCapabilities = {
  workspace: { configuration: true, applyEdit: true, didChangeWatchedFiles: { dynamicRegistration: true } },
  textDocument: {
    hover: { contentFormat: ['plaintext'] },
    completion: { completionItem: {} },
    publishDiagnostics: { relatedInformation: false },
  },
};
/**
 * eglot from 1.10 on, which also declares workspaceFolders: the tests of other defects use it so that
 * each fails for its own defect only.
 */
const EGLOT_WITH_FOLDERS: ClientCapabilities = { ...EGLOT_19, workspace: { ...EGLOT_19.workspace, workspaceFolders: true } };

const BASE = `"""base\n\nRevision ID: aaaa00000001\nRevises:\n"""\nrevision = "aaaa00000001"\ndown_revision = None\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n`;
/** A child that creates a table and has no downgrade(): a missing-downgrade finding on its `def upgrade` line. */
const childWithoutDowngrade = (revision: string, parent: string): string =>
  `"""child ${revision}\n\nRevision ID: ${revision}\nRevises: ${parent}\n"""\nfrom alembic import op\n\nrevision = "${revision}"\ndown_revision = "${parent}"\n\n\ndef upgrade():\n    op.create_table("things_${revision}")\n`;

/** A project in a folder named `folderName` inside a fresh temporary folder (no repository above it). */
function makeProject(folderName: string): { root: string; versions: string; child: string } {
  const root = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-editors-')), folderName);
  const versions = path.join(root, 'migrations', 'versions');
  fs.mkdirSync(versions, { recursive: true });
  fs.writeFileSync(path.join(root, 'alembic.ini'), '[alembic]\nscript_location = %(here)s/migrations\n');
  fs.writeFileSync(path.join(root, 'migrations', 'env.py'), '');
  fs.writeFileSync(path.join(versions, 'aaaa_base.py'), BASE);
  const child = path.join(versions, 'bbbb_child.py');
  fs.writeFileSync(child, childWithoutDowngrade('bbbb00000002', 'aaaa00000001'));
  return { root, versions, child };
}

const logLines = (s: TestServer): string[] =>
  s.notifications.filter((n) => n.method === 'window/logMessage').map((n) => (n.params as LogMessageParams).message);
const indexLines = (s: TestServer): string[] => logLines(s).filter((m) => m.startsWith('Indexed '));
/** The last diagnostics published for a path, whatever the URI's spelling. */
function diagnosticsOf(s: TestServer, file: string): Diagnostic[] | undefined {
  for (let i = s.publishes.length - 1; i >= 0; i--) {
    const p = s.publishes[i];
    if (p && fileURLToPath(p.uri) === file) return p.diagnostics;
  }
  return undefined;
}
const hasFinding = (s: TestServer, file: string, rule: string): boolean => !!diagnosticsOf(s, file)?.some((d) => d.code === rule);

async function openAs(s: TestServer, uri: string, file: string): Promise<void> {
  await s.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'python', version: 1, text: fs.readFileSync(file, 'utf8') } });
}

/** The position of the parent id in `down_revision = "…"`. */
function parentPosition(file: string): { line: number; character: number } {
  const line = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.startsWith('down_revision'));
  return { line, character: 'down_revision = "'.length + 2 };
}

describe('other editors\' clients (protocol, issue 20)', function () {
  this.timeout(30_000);
  let server: TestServer | undefined;
  const made: string[] = [];
  const project = (folderName: string) => {
    const p = makeProject(folderName);
    made.push(path.dirname(p.root));
    return p;
  };
  const start = async (root: string, client: ClientOptions, settings: Record<string, unknown> = {}): Promise<TestServer> =>
    (server = await startTestServer(root, settings, {}, client));
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps an open file whose URI is written the Neovim way (unescaped + ( ) @ , \' ; =, lower-case hex) in the graph', async () => {
    const { root, child } = project("proj+1 (1) @home, a'b;c=d ä");
    const s = await start(root, { capabilities: NEOVIM_07, rootUri: editorStyleUri(root), initializationOptions: {} });
    const uri = editorStyleUri(child);
    assert.match(uri, /proj\+1%20\(1\)%20@home,%20a'b;c=d%20%c3%a4/, 'the URI is spelled the way Neovim spells it');
    await s.waitFor('the startup index', () => indexLines(s).length > 0);
    await openAs(s, uri, child);
    // A request is answered after pending edits were analysed: the open text is in the graph by then.
    const hover = await s.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: parentPosition(child) });
    assert.ok(hover, `a hover over the parent id; server log:\n${logLines(s).join('\n')}`);
    assert.ok(hasFinding(s, child, 'missing-downgrade'), `the open file keeps its diagnostics: ${JSON.stringify(diagnosticsOf(s, child))}`);
    const completion = await s.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: parentPosition(child) });
    const labels = (Array.isArray(completion) ? completion : completion?.items ?? []).map((i) => i.label);
    assert.ok(labels.includes('aaaa00000001'), `completion in down_revision: ${JSON.stringify(labels)}`);
    const actions = await s.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri }, range: diagnosticsOf(s, child)?.[0]?.range ?? assert.fail('no diagnostic'),
      context: { diagnostics: diagnosticsOf(s, child) ?? [] },
    });
    assert.ok((actions ?? []).length > 0, 'code actions for the open file');
  });

  it('indexes for a client without the workspace.workspaceFolders capability (eglot 1.9), from rootUri alone', async () => {
    const { root, child } = project('plain');
    const s = await start(root, { capabilities: EGLOT_19, workspaceFolders: false, initializationOptions: {} });
    await s.waitFor('missing-downgrade on the unopened child', () => hasFinding(s, child, 'missing-downgrade'));
    assert.deepEqual(logLines(s).filter((m) => /failed/.test(m)), []);
  });

  it('takes settings pushed in didChangeConfiguration (params.settings.alembic, as nvim-lspconfig sends them) from a client that also answers pulls', async () => {
    const { root, child } = project('pushed');
    // Neovim answers the pull with null when the section is only in what lspconfig pushes.
    const s = await start(root, { capabilities: NEOVIM_08, pulledSection: 'null', initializationOptions: {} });
    await s.waitFor('missing-downgrade', () => hasFinding(s, child, 'missing-downgrade'));
    await s.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { alembic: { rules: { 'missing-downgrade': 'off' } } } });
    await s.waitFor('missing-downgrade gone after the push', () => diagnosticsOf(s, child)?.length === 0);
    assert.equal(indexLines(s).length, 2, indexLines(s).join('\n'));
    // The same push again (Sublime pushes on every settings save): nothing changed, nothing re-indexed.
    await s.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { alembic: { rules: { 'missing-downgrade': 'off' } } } });
    await s.connection.sendRequest(ProjectsRequest, {});
    assert.equal(indexLines(s).length, 2, indexLines(s).join('\n'));
  });

  it('keeps initializationOptions when the pulled configuration is null (eglot, Neovim ≥ 0.8), and an empty push re-indexes nothing', async () => {
    const { root, child } = project('pulled-null');
    const s = await start(root, { capabilities: NEOVIM_08, pulledSection: 'null', initializationOptions: { rules: { 'missing-downgrade': 'off' } } });
    await s.waitFor('the startup index', () => indexLines(s).length > 0);
    // eglot and lspconfig push their (here empty) settings as soon as they connect.
    await s.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    await s.connection.sendRequest(ProjectsRequest, {});
    assert.equal(hasFinding(s, child, 'missing-downgrade'), false, `the rule stays off: ${JSON.stringify(diagnosticsOf(s, child))}`);
    assert.equal(indexLines(s).length, 1, indexLines(s).join('\n'));
  });

  it('finds the project above the opened file when the root is the versions folder outside any repository, and logs the alembic.ini it uses', async () => {
    const { root, versions, child } = project('outside-git');
    const s = await start(versions, { capabilities: EGLOT_WITH_FOLDERS, initializationOptions: {} });
    await s.waitFor('the startup index', () => indexLines(s).length > 0);
    await openAs(s, editorStyleUri(child), child);
    await s.waitFor('missing-downgrade on the opened child', () => hasFinding(s, child, 'missing-downgrade'));
    const ini = path.join(root, 'alembic.ini');
    assert.ok(logLines(s).some((m) => m === `Using ${ini} for ${child}: found above the opened file`), logLines(s).join('\n'));
  });

  it('stops the upward search at the first repository root', async () => {
    const { root } = project('outer');
    const repo = path.join(root, 'repo');
    const file = path.join(repo, 'migrations', 'versions', 'cccc_inner.py');
    fs.mkdirSync(path.join(repo, '.git'), { recursive: true });
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, childWithoutDowngrade('cccc00000003', 'aaaa00000001'));
    const s = await start(path.dirname(file), { capabilities: EGLOT_WITH_FOLDERS, initializationOptions: {} });
    await s.waitFor('the startup index', () => indexLines(s).length > 0);
    await openAs(s, editorStyleUri(file), file);
    await s.waitFor('the log of the search', () => logLines(s).some((m) => m.startsWith(`No alembic.ini (or pyproject.toml with [tool.alembic]) above ${file}`)));
    assert.equal((await s.connection.sendRequest(ProjectsRequest, {})).projects.length, 0);
  });

  it('registers nothing dynamically for a client that offers no dynamic registration (Neovim 0.7), and watches the versions folder itself', async () => {
    const { root, versions } = project('no-registration');
    const s = await start(root, { capabilities: NEOVIM_07, initializationOptions: {} });
    await s.waitFor('the startup index', () => indexLines(s).length > 0);
    await s.connection.sendRequest(ProjectsRequest, {});
    assert.deepEqual(s.registrations, []);
    // What `alembic revision` does: a new file on disk, no editor involved.
    const created = path.join(versions, 'dddd_created.py');
    fs.writeFileSync(created, childWithoutDowngrade('dddd00000004', 'bbbb00000002'));
    await s.waitFor('missing-downgrade on the file created on disk', () => hasFinding(s, created, 'missing-downgrade'));
  });

  it('watches the folders below a recursive version location too', async () => {
    const { root, versions } = project('recursive');
    fs.appendFileSync(path.join(root, 'alembic.ini'), 'recursive_version_locations = true\n');
    const nested = path.join(versions, '2024');
    fs.mkdirSync(nested);
    const s = await start(root, { capabilities: NEOVIM_07, initializationOptions: {} });
    await s.waitFor('the startup index', () => indexLines(s).length > 0);
    await s.connection.sendRequest(ProjectsRequest, {});
    const created = path.join(nested, 'eeee_nested.py');
    fs.writeFileSync(created, childWithoutDowngrade('eeee00000005', 'bbbb00000002'));
    await s.waitFor('missing-downgrade on the file created in a nested folder', () => hasFinding(s, created, 'missing-downgrade'));
  });

  it('asks a client that offers dynamic file watching (eglot) to watch, and registers no configuration change it did not offer', async () => {
    const { root } = project('watching');
    const s = await start(root, { capabilities: EGLOT_WITH_FOLDERS, initializationOptions: {} });
    await s.waitFor('the watcher registration', () => s.registrations.includes('workspace/didChangeWatchedFiles'));
    assert.deepEqual(s.registrations, ['workspace/didChangeWatchedFiles']);
  });

  it('registers no watcher with a client that says it watches the files itself (the VS Code extension)', async () => {
    const { root } = project('vscode-watches');
    // The default client is VS Code's: it offers dynamic registration and sends clientWatchesFiles.
    const s = (server = await startTestServer(root, {}, { didChangeWatchedFiles: { dynamicRegistration: true } }));
    await s.waitFor('the startup index', () => indexLines(s).length > 0);
    await s.connection.sendRequest(ProjectsRequest, {});
    assert.deepEqual(s.registrations.filter((m) => m === 'workspace/didChangeWatchedFiles'), []);
  });

  it('hovers in plain text for a client that offers only plaintext, and sends no rule link without codeDescriptionSupport', async () => {
    const { root, child } = project('plaintext');
    const s = await start(root, { capabilities: EGLOT_WITH_FOLDERS, initializationOptions: {} });
    await s.waitFor('missing-downgrade', () => hasFinding(s, child, 'missing-downgrade'));
    assert.equal(diagnosticsOf(s, child)?.[0]?.codeDescription, undefined);
    const uri = editorStyleUri(child);
    await openAs(s, uri, child);
    const hover = await s.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: parentPosition(child) });
    const contents = hover?.contents as MarkupContent | undefined;
    assert.equal(contents?.kind, 'plaintext');
    assert.doesNotMatch(contents?.value ?? '', /\*\*|`/);
    assert.match(contents?.value ?? '', /^base\n\naaaa00000001 · base/);
  });

  it('returns code actions only for the diagnostics the requested range touches', async () => {
    const { root, versions, child } = project('ranges');
    const other = path.join(versions, 'cccc_sibling.py');
    fs.writeFileSync(other, childWithoutDowngrade('cccc00000003', 'aaaa00000001'));
    const s = await start(root, { capabilities: EGLOT_WITH_FOLDERS, initializationOptions: {} });
    await s.waitFor('multiple-heads and missing-downgrade', () => hasFinding(s, child, 'missing-downgrade') && hasFinding(s, child, 'multiple-heads'));
    const uri = editorStyleUri(child);
    await openAs(s, uri, child);
    const all = diagnosticsOf(s, child) ?? [];
    const target = all.find((d) => d.code === 'missing-downgrade') ?? assert.fail('no missing-downgrade');
    assert.ok(all.some((d) => d.range.start.line !== target.range.start.line), 'the diagnostics are on different lines');
    // eglot sends every diagnostic of the file with the range at the cursor.
    const actions = (await s.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: target.range, context: { diagnostics: all } })) ?? [];
    const codes = new Set(actions.flatMap((a) => (a as CodeAction).diagnostics?.map((d) => d.code) ?? []));
    assert.deepEqual([...codes], ['missing-downgrade']);
  });

  it('answers a code action request whose context.diagnostics is null (eglot when flymake has none at point)', async () => {
    const { root, child } = project('null-diagnostics');
    const s = await start(root, { capabilities: EGLOT_WITH_FOLDERS, initializationOptions: {} });
    const uri = editorStyleUri(child);
    await openAs(s, uri, child);
    const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    // The protocol says an array; eglot 1.9 sends null, which must not fail the request.
    const context = { diagnostics: null } as unknown as { diagnostics: Diagnostic[] };
    assert.deepEqual(await s.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range, context }), []);
  });

  it('offers CodeLenses only to a client that says it runs their commands', async () => {
    const { root, child } = project('lenses');
    const s = await start(root, { capabilities: NEOVIM_07, initializationOptions: {} });
    const uri = editorStyleUri(child);
    await openAs(s, uri, child);
    await s.waitFor('the startup index', () => indexLines(s).length > 0);
    assert.deepEqual(await s.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } }), []);
  });

  for (const [name, command] of [
    ['alembic-language-server (no arguments: stdio)', [path.join(repoRoot, 'dist', 'server.js')]],
    ['alembic-lint lsp', [path.join(repoRoot, 'dist', 'cli.js'), 'lsp']],
  ] as const) {
    it(`serves an editor when started as ${name}`, async () => {
      const { root, child } = project('command');
      // Run as the package's bin runs it: the file itself, through its #! line.
      const s = await start(root, { capabilities: NEOVIM_07, command: [...command], initializationOptions: {} });
      await s.waitFor('missing-downgrade', () => hasFinding(s, child, 'missing-downgrade'));
    });
  }
});
