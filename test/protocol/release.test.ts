// Released and new revisions over the real protocol, on git repositories the test builds: the server
// publishes the graph's diagnostics first, then reads git (in JavaScript while the workspace is not
// known to be trusted) and drops the file-rule warnings of released revisions; the wire nodes and the
// hover say which revisions are released and why.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DidChangeConfigurationNotification, HoverRequest, type MarkupContent } from 'vscode-languageserver-protocol/node';
import { ProjectsRequest, RebasePlanRequest, RevisionGraphRequest, type RevisionGraphResult, WorkspaceTrustNotification } from '../../common/protocol';
import {
  git, type GitProject, makeDivergedGitProject, makeGitProject, openGitProject, migrationText, PROBLEM_DOWNGRADE, PROBLEM_UPGRADE, revisionFileName, revisionId,
} from '../support/gitProject';
import { startTestServer, type TestServer, uriOf } from './lspClient';

const FILE_RULE = 'add-not-null-column-without-default';

describe('released and new revisions (protocol)', function () {
  this.timeout(60_000);
  let project: GitProject;
  let server: TestServer;
  const settings: Record<string, unknown> = {};
  const fileRuleCount = (name: string): number => (server.diagnostics.get(uriOf(path.join(project.versions, name))) ?? []).filter((d) => d.code === FILE_RULE).length;
  const logs = (): string[] => server.notifications.filter((n) => n.method === 'window/logMessage').map((n) => (n.params as { message: string }).message);
  const graph = async (): Promise<RevisionGraphResult> => {
    const { projects } = await server.connection.sendRequest(ProjectsRequest, {});
    return server.connection.sendRequest(RevisionGraphRequest, { projectId: projects[0]?.id });
  };

  before(async () => {
    project = makeGitProject({ withProblems: true });
    project.git('checkout', '-q', '-b', 'feature');
    project.write(revisionFileName(4), migrationText(revisionId(4), revisionId(3), { upgrade: PROBLEM_UPGRADE, downgrade: PROBLEM_DOWNGRADE }));
    project.commit('feature: r4 with a problem');
    server = await startTestServer(project.root, settings);
  });
  after(async () => {
    await server.stop();
    fs.rmSync(project.root, { recursive: true, force: true });
  });

  it('warns on the new revision only, once the release is known; reads git objects while untrusted', async () => {
    await server.waitFor('the release to be applied', () => fileRuleCount(revisionFileName(4)) === 1 && fileRuleCount(revisionFileName(1)) === 0);
    for (const k of [1, 2, 3]) assert.equal(fileRuleCount(revisionFileName(k)), 0, `released r${k} has no file-rule warning`);
    assert.ok(logs().some((m) => /Released revisions found in \d+ ms \(git objects read in JavaScript: the workspace is not trusted\)/.test(m)), logs().join('\n'));
  });

  it('marks new revisions in the graph and says in the hover why a revision is released', async () => {
    const g = await graph();
    const byId = new Map(g.nodes.map((n) => [n.revision, n]));
    assert.equal(byId.get(revisionId(4))?.isNew, true);
    assert.equal(byId.get(revisionId(3))?.isNew, false);
    assert.deepEqual(byId.get(revisionId(3))?.released, { kind: 'base', ref: 'main', mergeBase: project.git('rev-parse', 'main').trim() });
    const r4 = path.join(project.versions, revisionFileName(4));
    const line = fs.readFileSync(r4, 'utf8').split('\n').findIndex((l) => l.startsWith('down_revision'));
    const hover = await server.connection.sendRequest(HoverRequest.type, { textDocument: { uri: uriOf(r4) }, position: { line, character: 18 } });
    // The Markdown escapes punctuation: read it as the plain text it shows.
    const text = ((hover?.contents as MarkupContent | undefined)?.value ?? '').replace(/\\(.)/g, '$1');
    assert.match(text, /Released: unchanged since [0-9a-f]{12}, where this branch left main\. Databases may have run it: write a new revision instead/);
  });

  it('scope all brings the released warnings back without re-indexing; a trusted workspace runs git', async () => {
    await server.connection.sendNotification(WorkspaceTrustNotification, { trusted: true });
    // Nested, as VS Code sends the section.
    settings.lint = { scope: 'all' };
    await server.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: {} });
    await server.waitFor('warnings on released revisions', () => fileRuleCount(revisionFileName(1)) === 1);
    assert.ok(logs().some((m) => /Released revisions found in \d+ ms \(git\)/.test(m)), logs().join('\n'));
    assert.ok(!logs().some((m) => /re-indexing/.test(m)), 'a release setting does not re-index');
  });

  it('outside a git repository: every revision is new, and the server says once why and how to set since', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-nogit-'));
    fs.cpSync(project.root, root, { recursive: true, filter: (src) => path.basename(src) !== '.git' });
    const other = await startTestServer(root);
    try {
      const shown = (): string[] => other.notifications.filter((n) => n.method === 'window/showMessage').map((n) => (n.params as { message: string }).message);
      await other.waitFor('the note', () => shown().length > 0);
      assert.equal(shown().length, 1);
      assert.match(shown()[0] ?? '', /is not in a git repository: every revision counts as new.*alembic\.lint\.since/);
      const uri = uriOf(path.join(root, 'migrations', 'versions', revisionFileName(1)));
      await other.waitFor('file-rule warnings on every revision', () => (other.diagnostics.get(uri) ?? []).some((d) => d.code === FILE_RULE));
    } finally {
      await other.stop();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('released and new revisions follow git (protocol)', function () {
  this.timeout(60_000);
  let project: GitProject;
  let server: TestServer;

  before(async () => {
    project = makeGitProject({ withProblems: true });
    // r4 is written but not committed: new, so its file-rule warning shows
    project.write(revisionFileName(4), migrationText(revisionId(4), revisionId(3), { upgrade: PROBLEM_UPGRADE, downgrade: PROBLEM_DOWNGRADE }));
    server = await startTestServer(project.root);
  });
  after(async () => {
    await server.stop();
    fs.rmSync(project.root, { recursive: true, force: true });
  });

  it('a commit on the base branch releases the revision, with no message from the client', async () => {
    const r4 = uriOf(path.join(project.versions, revisionFileName(4)));
    const warned = (): boolean => (server.diagnostics.get(r4) ?? []).some((d) => d.code === FILE_RULE);
    await server.waitFor('the uncommitted revision to warn', warned);
    project.commit('r4 released on main');
    await server.waitFor('the committed revision to be released', () => !warned());
    const logged = server.notifications.filter((n) => n.method === 'window/logMessage').map((n) => (n.params as { message: string }).message);
    assert.ok(logged.some((m) => /^Git refs changed \(.*main.*\): finding released revisions again$/.test(m)), logged.join('\n'));
  });

  it('a fetch that moves the base makes the merge warning appear on the branch', async () => {
    // upstream: the released history; the clone's feature branch adds r5 on r4
    const clone = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-clone-'));
    git(os.tmpdir(), 'clone', '-q', `file://${project.root}`, clone);
    const branch = openGitProject(clone);
    branch.git('checkout', '-q', '-b', 'feature');
    branch.write(revisionFileName(5), migrationText(revisionId(5), revisionId(4)));
    branch.commit('feature: r5');
    const other = await startTestServer(clone);
    try {
      const r5 = uriOf(path.join(branch.versions, revisionFileName(5)));
      const mergeWarned = (): boolean => (other.diagnostics.get(r5) ?? []).some((d) => d.code === 'multiple-heads-after-merge');
      await other.waitFor('the release', () => other.notifications.some((n) => n.method === 'window/logMessage' && /Released revisions found/.test((n.params as { message: string }).message)));
      assert.equal(mergeWarned(), false, 'the base has no other head yet');
      // main moves on upstream with its own revision on r4; the clone sees it only by fetching
      project.write('0009_cccc00000009.py', migrationText('cccc00000009', revisionId(4)));
      project.commit('main: its own r9 on r4');
      branch.git('fetch', '-q', 'origin');
      await other.waitFor('multiple-heads-after-merge after the fetch', mergeWarned);
    } finally {
      await other.stop();
      fs.rmSync(clone, { recursive: true, force: true });
    }
  });
});

describe('alembic/rebasePlan (protocol)', function () {
  this.timeout(60_000);
  let project: GitProject;
  let server: TestServer;
  const projectId = async (): Promise<string> => (await server.connection.sendRequest(ProjectsRequest, {})).projects[0]?.id ?? '';

  before(async () => {
    project = makeDivergedGitProject();
    server = await startTestServer(project.root);
  });
  after(async () => {
    await server.stop();
    fs.rmSync(project.root, { recursive: true, force: true });
  });

  it('plans the oldest new revision onto the base head, with the same edits as the quick fix', async () => {
    const r4 = path.join(project.versions, revisionFileName(4));
    await server.waitFor('multiple-heads-after-merge', () => (server.diagnostics.get(uriOf(r4)) ?? []).some((d) => d.code === 'multiple-heads-after-merge'));
    const plan = await server.connection.sendRequest(RebasePlanRequest, { projectId: await projectId() });
    assert.ok(plan.ok, plan.ok ? '' : plan.message);
    assert.equal(plan.revision, revisionId(4));
    assert.deepEqual(plan.oldParents, [revisionId(3)]);
    assert.equal(plan.base, 'main');
    assert.equal(plan.baseHead, 'cccc00000009');
    assert.equal(plan.uri, uriOf(r4));
    assert.deepEqual(plan.edits.map((e) => e.newText).sort(), ["'cccc00000009'", 'cccc00000009']);
  });

  it('says why when there is nothing to rebase', async () => {
    const plan = await server.connection.sendRequest(RebasePlanRequest, { projectId: 'no-such-project' });
    assert.deepEqual(plan, { ok: false, message: 'no project no-such-project' });
    project.git('checkout', '-q', 'main');
    await server.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: {} });
    const other = await startTestServer(project.root);
    try {
      const id = (await other.connection.sendRequest(ProjectsRequest, {})).projects[0]?.id ?? '';
      await other.waitFor('the release', () => other.notifications.some((n) => n.method === 'window/logMessage' && /Released revisions found/.test((n.params as { message: string }).message)));
      const none = await other.connection.sendRequest(RebasePlanRequest, { projectId: id });
      assert.deepEqual(none, { ok: false, message: 'nothing to rebase: merging this branch into main leaves a single head' });
    } finally {
      await other.stop();
    }
  });
});
