// The language server's features over the real protocol, on a scratch copy of the amani fixture:
// custom requests, navigation, completion, and diagnostics that follow edits across files.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  CompletionRequest, DefinitionRequest, DidChangeTextDocumentNotification, DidChangeWatchedFilesNotification,
  DidCloseTextDocumentNotification, DidOpenTextDocumentNotification, DocumentSymbolRequest, FileChangeType,
  HoverRequest, type Location, ReferencesRequest, WorkspaceSymbolRequest, CodeLensRequest, CodeActionRequest,
} from 'vscode-languageserver-protocol/node';
import {
  OperationsRequest, type OperationsResult, ProjectsRequest, type ProjectsResult, ResolveRevisionRequest,
  type ResolveRevisionResult, RevisionGraphRequest, type RevisionGraphResult,
} from '../../common/protocol';
import { copyFixture } from '../support/paths';
import { startTestServer, type TestServer, uriOf } from './lspClient';

describe('language server features (protocol)', function () {
  this.timeout(30_000);
  let root = '';
  let versions = '';
  let server: TestServer;
  const file = (name: string) => path.join(versions, name);
  const open = async (p: string, text = fs.readFileSync(p, 'utf8'), version = 1) => {
    await server.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: uriOf(p), languageId: 'python', version, text } });
  };
  const change = async (p: string, text: string, version: number) => {
    await server.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: uriOf(p), version }, contentChanges: [{ text }] });
  };
  const codes = (p: string) => (server.diagnostics.get(uriOf(p)) ?? []).map((d) => d.code);
  const positionOf = (p: string, needle: string, offset = 1) => {
    const lines = fs.readFileSync(p, 'utf8').split('\n');
    const line = lines.findIndex((l) => l.includes(needle));
    assert.ok(line >= 0, `${needle} not in ${p}`);
    return { line, character: (lines[line] ?? '').indexOf(needle) + offset };
  };

  before(async () => {
    root = copyFixture('amani');
    versions = path.join(root, 'alembic', 'versions');
    server = await startTestServer(root);
  });
  after(async () => {
    await server.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('lists the project and its graph in alembic history order', async () => {
    const { projects } = await server.connection.sendRequest(ProjectsRequest, {});
    assert.equal(projects.length, 1);
    assert.equal(projects[0]?.configFile, path.join(root, 'alembic.ini'));
    assert.deepEqual(projects[0]?.heads, ['005_merge_notifications']);
    const graph = await server.connection.sendRequest(RevisionGraphRequest, { projectId: projects[0]?.id });
    const order = graph.nodes.map((n) => n.revision);
    assert.equal(order[0], '005_merge_notifications');
    assert.equal(order[order.length - 1], '001_initial_schema');
    assert.equal(new Set(order).size, 6);
    const merge = graph.nodes.find((n) => n.revision === '005_merge_notifications');
    assert.ok(merge?.isMerge && merge.isHead);
    const fork = graph.nodes.find((n) => n.revision === '002_user_phone');
    assert.ok(fork?.isBranchPoint);
    assert.deepEqual([...(fork?.children ?? [])].sort(), ['003_milestone_status_idx', '003_notifications']);
    // every child comes before its parent
    for (const n of graph.nodes) for (const p of n.parents) assert.ok(order.indexOf(n.revision) < order.indexOf(p), `${n.revision} before ${p}`);
  });

  it('goes to the definition of a parent and hovers it', async () => {
    const merge = file('005_merge_notifications.py');
    await open(merge);
    const pos = positionOf(merge, "'004_normalized_email'", 3);
    const defs = await server.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri: uriOf(merge) }, position: pos }) as Location[];
    assert.equal(defs.length, 1);
    assert.equal(defs[0]?.uri, uriOf(file('004_normalized_email.py')));
    assert.equal(defs[0]?.range.start.line, positionOf(file('004_normalized_email.py'), "revision = '").line);
    const hover = await server.connection.sendRequest(HoverRequest.type, { textDocument: { uri: uriOf(merge) }, position: pos });
    const text = JSON.stringify(hover?.contents ?? '');
    assert.match(text, /004\\\\?_normalized\\\\?_email|004_normalized_email/);
    assert.match(text, /Children/);
  });

  it('finds the children of a branch point as references', async () => {
    const p = file('002_user_phone.py');
    await open(p);
    const refs = await server.connection.sendRequest(ReferencesRequest.type, {
      textDocument: { uri: uriOf(p) }, position: positionOf(p, "revision = '002", 13), context: { includeDeclaration: false },
    }) as Location[];
    assert.deepEqual(refs.map((r) => path.basename(new URL(r.uri).pathname)).sort(), ['003_milestone_status_idx.py', '003_notifications.py']);
  });

  it('completes revision ids inside down_revision, heads first, on a half-typed file', async () => {
    const p = file('006_new.py');
    const text = `"""new\n\nRevision ID: 006_new\n"""\nrevision = '006_new'\ndown_revision = '`;
    await open(p, text);
    const items = await server.connection.sendRequest(CompletionRequest.type, { textDocument: { uri: uriOf(p) }, position: { line: 5, character: 17 } });
    const list = Array.isArray(items) ? items : items?.items ?? [];
    const sorted = [...list].sort((a, b) => (a.sortText ?? '').localeCompare(b.sortText ?? ''));
    assert.equal(sorted[0]?.label, '005_merge_notifications');
    assert.ok(list.some((i) => i.label === '001_initial_schema'));
    assert.ok(!list.some((i) => i.label === '006_new'), 'a file does not offer itself');
    await server.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri: uriOf(p) } });
  });

  it('reports a second head on both heads and clears it when repointed', async () => {
    const p = file('006_second_head.py');
    const body = (parent: string) => `"""second head\n\nRevision ID: 006_second_head\nRevises: ${parent}\n"""\nrevision = '006_second_head'\ndown_revision = '${parent}'\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n`;
    await open(p, body('004_normalized_email'));
    await server.waitFor('multiple-heads on both heads', () =>
      codes(p).includes('multiple-heads') && codes(file('005_merge_notifications.py')).includes('multiple-heads'));
    const found = server.diagnostics.get(uriOf(p))?.find((d) => d.code === 'multiple-heads');
    const message = typeof found?.message === 'string' ? found.message : JSON.stringify(found?.message);
    assert.match(message, /005_merge_notifications/);
    await change(p, body('005_merge_notifications'), 2);
    await server.waitFor('multiple-heads cleared', () =>
      !codes(p).includes('multiple-heads') && !codes(file('005_merge_notifications.py')).includes('multiple-heads'));
    // Closing an unsaved new file takes it out of the graph again.
    await server.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri: uriOf(p) } });
    await server.waitFor('006 out of the diagnostics', () => (server.diagnostics.get(uriOf(p)) ?? []).length === 0);
  });

  it('flags an unknown parent on its line while typing and clears it', async () => {
    const p = file('004_normalized_email.py');
    const original = fs.readFileSync(p, 'utf8');
    await open(p, original);
    await change(p, original.replace("down_revision = '003_milestone_status_idx'", "down_revision = '003_nope'"), 2);
    await server.waitFor('unknown-revision', () => codes(p).includes('unknown-revision'));
    const d = server.diagnostics.get(uriOf(p))?.find((x) => x.code === 'unknown-revision');
    assert.equal(d?.range.start.line, positionOf(p, 'down_revision = ').line);
    assert.ok(d?.codeDescription?.href.endsWith('docs/rules/unknown-revision.md'));
    const actions = await server.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri: uriOf(p) }, range: d!.range, context: { diagnostics: [d!] },
    });
    assert.ok((actions ?? []).some((a) => a.title.includes('Suppress unknown-revision')));
    await change(p, original, 3);
    await server.waitFor('unknown-revision cleared', () => !codes(p).includes('unknown-revision'));
  });

  it('resolves command targets the way Alembic does', async () => {
    const { projects } = await server.connection.sendRequest(ProjectsRequest, {});
    const projectId = projects[0]?.id ?? '';
    const resolve = (target: string, current?: string[]) =>
      server.connection.sendRequest(ResolveRevisionRequest, { projectId, target, ...(current ? { current } : {}) });
    assert.deepEqual(await resolve('head'), { ok: true, revisions: ['005_merge_notifications'] });
    assert.deepEqual(await resolve('004_n'), { ok: true, revisions: ['004_normalized_email'] });
    const ambiguous = await resolve('003_');
    assert.equal(ambiguous.ok, false);
    assert.deepEqual(await resolve('+1', ['001_initial_schema']), { ok: true, revisions: ['002_user_phone'] });
    const missing = await resolve('zzzz');
    assert.ok(!missing.ok && /zzzz/.test(missing.message));
  });

  it('lists destructive operations of a downgrade', async () => {
    const { projects } = await server.connection.sendRequest(ProjectsRequest, {});
    const r = await server.connection.sendRequest(OperationsRequest, {
      projectId: projects[0]?.id ?? '', revisions: ['001_initial_schema'], function: 'downgrade',
    });
    const tables = r.operations.filter((o) => o.operation === 'drop_table').map((o) => o.target);
    for (const t of ['users', 'projects', 'link_tokens', 'ledger_entries']) assert.ok(tables.includes(t), `drop_table ${t}`);
    assert.ok(r.operations.some((o) => o.operation === 'drop enum'), 'drops an enum');
  });

  it('names the tables a run changes, for the snapshots of a very large schema, and none when it cannot', async () => {
    const { projects } = await server.connection.sendRequest(ProjectsRequest, {});
    const projectId = projects[0]?.id ?? '';
    const of = async (revisions: string[], fn: 'upgrade' | 'downgrade'): Promise<string[] | undefined> =>
      (await server.connection.sendRequest(OperationsRequest, { projectId, revisions, function: fn })).tables;
    assert.deepEqual(await of(['002_user_phone'], 'upgrade'), ['users']);
    assert.deepEqual(await of(['002_user_phone'], 'downgrade'), ['users']);
    const initial = await of(['001_initial_schema'], 'downgrade');
    for (const t of ['users', 'projects', 'link_tokens', 'ledger_entries']) assert.ok(initial?.includes(t), `${t} in ${JSON.stringify(initial)}`);
    assert.equal(await of(['no_such_revision'], 'upgrade'), undefined, 'a revision with no file: no table list, so the snapshots are whole');
  });

  it('offers symbols and code lenses', async () => {
    const p = file('002_user_phone.py');
    const symbols = await server.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: uriOf(p) } }) ?? [];
    const names = symbols.map((s) => s.name);
    for (const n of ['revision', 'down_revision', 'upgrade', 'downgrade']) assert.ok(names.includes(n), n);
    const ws = await server.connection.sendRequest(WorkspaceSymbolRequest.type, { query: 'phone' }) ?? [];
    assert.ok(ws.some((s) => s.name.startsWith('002_user_phone')));
    const lenses = await server.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: uriOf(p) } }) ?? [];
    assert.ok(lenses.some((l) => l.command?.command === 'alembic.upgradeToHere'));
  });

  it('picks up a migration created on disk through watched-file events', async () => {
    const p = file('007_disk.py');
    fs.writeFileSync(p, `revision = '007_disk'\ndown_revision = '005_merge_notifications'\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n`);
    await server.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: uriOf(p), type: FileChangeType.Created }] });
    const changes = () => server.notifications.filter((n) => n.method === 'alembic/graphChanged').length;
    const before = changes();
    await server.waitFor('007 in the graph', () => changes() > before);
    const { projects } = await server.connection.sendRequest(ProjectsRequest, {});
    assert.ok(projects[0]?.heads.includes('007_disk'));
    fs.rmSync(p);
    await server.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: uriOf(p), type: FileChangeType.Deleted }] });
    const beforeDelete = changes();
    await server.waitFor('007 gone', () => changes() > beforeDelete);
    const after = await server.connection.sendRequest(ProjectsRequest, {});
    assert.ok(!after.projects[0]?.heads.includes('007_disk'));
  });

  it('drops a file deleted on disk from the graph even while an editor still holds it', async () => {
    const p = file('008_open_then_deleted.py');
    const text = `revision = '008_open_then_deleted'\ndown_revision = '005_merge_notifications'\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n`;
    fs.writeFileSync(p, text);
    await open(p, text);
    const changes = () => server.notifications.filter((n) => n.method === 'alembic/graphChanged').length;
    const heads = async () => (await server.connection.sendRequest(ProjectsRequest, {})).projects[0]?.heads ?? [];
    assert.ok((await heads()).includes('008_open_then_deleted'));
    fs.rmSync(p);
    const before = changes();
    await server.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: uriOf(p), type: FileChangeType.Deleted }] });
    await server.waitFor('the graph change', () => changes() > before);
    assert.deepEqual(await heads(), ['005_merge_notifications']);
    await server.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri: uriOf(p) } });
  });

  // Editors report a folder deleted in one go (rm -r, the explorer) as the folder only: nothing about
  // the alembic.ini or the migrations it held. Last here: it deletes the fixture's versions folder.
  it('drops what a deleted folder held: a whole project, or the migrations of one', async () => {
    const changes = () => server.notifications.filter((n) => n.method === 'alembic/graphChanged').length;
    const projects = async () => (await server.connection.sendRequest(ProjectsRequest, {})).projects;
    const until = async (what: string, predicate: () => Promise<boolean>): Promise<void> => {
      for (const deadline = Date.now() + 10_000; !(await predicate());) {
        if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const second = path.join(root, 'second');
    fs.mkdirSync(path.join(second, 'migrations', 'versions'), { recursive: true });
    fs.writeFileSync(path.join(second, 'alembic.ini'), '[alembic]\nscript_location = %(here)s/migrations\n');
    fs.writeFileSync(path.join(second, 'migrations', 'versions', 'a1_first.py'), "revision = 'a1'\ndown_revision = None\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n");
    await server.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: uriOf(path.join(second, 'alembic.ini')), type: FileChangeType.Created }] });
    await until('the second project', async () => (await projects()).length === 2);
    fs.rmSync(second, { recursive: true, force: true });
    await server.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: uriOf(second), type: FileChangeType.Deleted }] });
    await until('the second project gone', async () => (await projects()).length === 1);
    assert.equal((await projects())[0]?.configFile, path.join(root, 'alembic.ini'));

    const before = changes();
    fs.rmSync(versions, { recursive: true, force: true });
    await server.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: uriOf(versions), type: FileChangeType.Deleted }] });
    await server.waitFor('the graph change', () => changes() > before);
    assert.deepEqual((await projects())[0]?.heads, [], 'no migration left in the graph');
  });
});
