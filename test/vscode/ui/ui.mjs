#!/usr/bin/env node
// The extension as a user sees it: the packaged .vsix installed into a real VS Code (code-server, in
// headless Chromium), on a scratch copy of test/fixtures/amani and a fresh database on the throwaway
// PostgreSQL. Each step drives the UI (activity bar, tree rows and their context menu, the command
// palette by command title, the modal confirmation, an editor hover, the graph webview), checks what
// the screen shows and, where the database changes, what PostgreSQL holds; each leaves a screenshot.
//
//   node test/vscode/ui/ui.mjs            (scripts/test.sh runs it in the vscode tier)
// Env: ALEMBIC_TEST_PG_URL (required: the throwaway server's superuser URL), ALEMBIC_TEST_PYTHON
// (default /usr/bin/python3), SHOTS_DIR (default test-results/screenshots), VSCODE_HOST_SCRIPTS,
// UI_TEST_KEEP=1 keeps the run folder, UI_TEST_VERBOSE=1 prints stacks.
// Prints `N passed, N failed` (one per step) and exits 1 when a step failed.
//
// The database URL reaches the extension as DATABASE_URL in code-server's environment (what env.py and
// the extension's `alembic.databaseUrlEnvVar` default read), not as `alembic.databaseUrl` in the
// workspace settings: the URL carries the throwaway server's password, and a password in settings makes
// the extension ask to move it to secret storage — a toast that belongs to another test.
import fs from 'node:fs';
import path from 'node:path';
import * as host from './lib/host.mjs';
import * as wb from './lib/workbench.mjs';
import { Steps } from './lib/steps.mjs';

const VIEW = 'Revisions';
const started = Date.now();
const since = (t) => `${((Date.now() - t) / 1000).toFixed(1)} s`;
const shotsDir = path.resolve(process.env.SHOTS_DIR || path.join(host.repoRoot, 'test-results', 'screenshots'));
const steps = new Steps(shotsDir);
const cleanups = [];

// A colleague's migration written before the merge: it revises 004, so the project gets a second head.
const SECOND_HEAD = `"""Audit log of admin actions

Revision ID: 006_audit_log
Revises: 004_normalized_email
Create Date: 2025-12-20 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '006_audit_log'
down_revision = '004_normalized_email'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'audit_log',
        sa.Column('id', sa.BigInteger, primary_key=True),
        sa.Column('actor_id', sa.Integer, sa.ForeignKey('users.id'), nullable=False),
        sa.Column('action', sa.Text, nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('audit_log')
`;

const PLAN = [
  ['tree', 'the Alembic view lists the 6 revisions in `alembic history` order, all pending'],
  ['upgrade', 'Alembic: Upgrade to Head (palette) applies all 6; the tree and a toast say so'],
  ['downgradeToHere', 'Downgrade to Here on 002_user_phone (tree context menu), confirmed in the modal'],
  ['sqlPreview', 'Alembic: Preview Upgrade SQL opens the offline SQL and leaves the database alone'],
  ['diagnostic', 'a second head gets a multiple-heads squiggle whose hover names the rule'],
  ['graph', 'Alembic: Show Revision Graph draws the revisions with applied, current and problems marked'],
  ['downgradeOne', 'Alembic: Downgrade One Revision (palette), confirmed in the modal, goes to 001; the graph follows'],
];
const title = (id) => PLAN.find(([i]) => i === id)?.[1] ?? id;

/** The revision id a tree row's label starts with. */
const idOf = (row) => row.label.split(' ')[0];

async function rowsById(page) {
  return new Map((await wb.treeRows(page, VIEW)).map((r) => [idOf(r), r]));
}

/** Waits until the tree shows `current` on exactly the `current` revisions and the expected icons. */
async function treeShowsState(page, { current, applied, pending }, timeout = 30_000) {
  return wb.until(`the tree to show current=${current.join(',')}`, async () => {
    const rows = await rowsById(page);
    const strays = [...rows.keys()].filter((id) => !current.includes(id) && /\bcurrent\b/.test(rows.get(id)?.description ?? ''));
    const ok = strays.length === 0 && current.every((id) => /\bcurrent\b/.test(rows.get(id)?.description ?? '') && rows.get(id)?.icon === 'debug-stackframe')
      && applied.every((id) => rows.get(id)?.icon === 'pass-filled' && !/\bcurrent\b/.test(rows.get(id)?.description ?? ''))
      && pending.every((id) => rows.get(id)?.icon === 'circle-large-outline');
    return ok ? rows : wb.notYet([...rows.values()].map((r) => `${idOf(r)}:${r.icon}:${r.description}`));
  }, { timeout });
}

async function expectVersions(db, expected, timeout = 15_000) {
  return wb.until(`alembic_version to hold ${JSON.stringify(expected)}`, async () => {
    const v = await db.versions();
    return JSON.stringify(v) === JSON.stringify(expected) ? v : wb.notYet(v);
  }, { timeout });
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

async function main() {
  console.log(`screenshots: ${shotsDir}`);
  // Only this test's own earlier pictures go; other UI tests may share the folder.
  for (const f of fs.existsSync(shotsDir) ? fs.readdirSync(shotsDir) : []) {
    if (/^\d\d-[\w-]+\.png$/.test(f)) fs.rmSync(path.join(shotsDir, f));
  }
  const runDir = host.makeRunDir('ui');
  let keep = Boolean(process.env.UI_TEST_KEEP);
  cleanups.push(() => { if (keep || steps.failed > 0) console.log(`run folder kept: ${runDir}`); else fs.rmSync(runDir, { recursive: true, force: true }); });

  // --- setup: a failure here counts every step as failed, with the reason --------------------------
  let page; let db; let workspace; let history;
  try {
    let t = Date.now();
    // The database first: without the throwaway server nothing else is worth doing.
    db = await host.scratchDatabase('ui_amani');
    cleanups.push(() => db.drop());
    host.ensureHost();
    const { vsix, rebuilt } = host.packagedVsix(runDir);
    const csDir = path.join(runDir, 'code-server');
    host.installVsix(csDir, vsix);
    console.log(`setup: .vsix ${rebuilt ? 'repackaged' : 'up to date'} and installed in ${since(t)}`);
    t = Date.now();
    workspace = host.scratchWorkspace(runDir, 'amani', { 'alembic.pythonPath': host.python });
    history = host.alembicHistory(workspace);
    const cs = host.startCodeServer(csDir, workspace, { DATABASE_URL: db.url, PYTHONDONTWRITEBYTECODE: '1' });
    cleanups.push(() => cs.stop());
    const browser = await host.launchBrowser();
    cleanups.push(() => browser.close());
    page = browser.page;
    steps.page = page;
    console.log(`setup: database ${db.name}, workspace ${workspace}, code-server on port ${cs.port}, chromium in ${since(t)}`);
    t = Date.now();
    await wb.openWorkbench(page, cs.url);
    console.log(`setup: workbench loaded in ${since(t)}`);
  } catch (err) {
    console.error(`setup failed: ${err instanceof Error ? err.message : String(err)}`);
    keep = true;
    if (page) await page.screenshot({ path: steps.shotPath(0, 'setup-FAILED') }).catch(() => {});
    steps.failRemaining(PLAN, 'setup failed (see above)');
    return;
  }

  await steps.run('tree', title('tree'), [], async ({ shot }) => {
    await wb.openViewContainer(page, 'Alembic');
    // Wide enough for the labels and their markers.
    await wb.resizeSideBar(page, 760);
    // Rows first appear without the database state; wait until it has been read.
    const rows = await wb.until('6 revisions in the tree, each pending', async () => {
      const r = await wb.treeRows(page, VIEW);
      return r.length === 6 && r.every((row) => / pending$/.test(row.aria)) ? r : wb.notYet(r.map((x) => `${x.label} | ${x.aria}`));
    }, { timeout: 60_000 });
    assert(JSON.stringify(rows.map(idOf)) === JSON.stringify(history),
      `tree order ${rows.map(idOf).join(', ')} is not alembic history's ${history.join(', ')}`);
    const notPending = rows.filter((r) => r.icon !== 'circle-large-outline');
    assert(notPending.length === 0, `rows without the pending icon: ${notPending.map((r) => `${r.label} (${r.icon})`).join(', ')}`);
    const merge = rows.find((r) => idOf(r) === '005_merge_notifications');
    assert(/\bhead\b/.test(merge?.description ?? '') && /\bmerge\b/.test(merge?.description ?? ''), `005 is not marked head and merge: ${merge?.description}`);
    assert(/\bbase\b/.test(rows.at(-1)?.description ?? ''), `001 is not marked base: ${rows.at(-1)?.description}`);
    await shot('tree-pending');
  });

  await steps.run('upgrade', title('upgrade'), ['tree'], async ({ shot }) => {
    await wb.runCommand(page, 'Alembic: Upgrade to Head');
    const toast = await wb.waitForToast(page, /Alembic: Upgraded 6 revisions/);
    assert(toast.includes('005_merge_notifications'), `the toast does not name the last revision: ${toast}`);
    await treeShowsState(page, { current: ['005_merge_notifications'], applied: history.slice(1), pending: [] });
    await expectVersions(db, ['005_merge_notifications']);
    await shot('upgraded');
  });

  await steps.run('downgradeToHere', title('downgradeToHere'), ['upgrade'], async ({ shot }) => {
    await wb.hideToasts(page);
    await wb.contextMenu(page, wb.treeRow(page, VIEW, '002_user_phone '), 'Downgrade to Here');
    const modal = await wb.modalDialog(page);
    assert(modal.message.includes('Downgrade the database to 002_user_phone?'), `modal message: ${modal.message}`);
    assert(modal.detail.includes('4 revision(s) will be undone'), `modal detail: ${modal.detail}`);
    assert(/destroy data/.test(modal.detail) && /drop_table notifications/.test(modal.detail), `the modal names no destructive operation: ${modal.detail}`);
    // alembic.backupBeforeDowngrade is `ask` by default: the backup button stands beside the plain one.
    assert(JSON.stringify([...modal.buttons].sort()) === JSON.stringify(['Back Up and Downgrade', 'Cancel', 'Downgrade']), `modal buttons: ${modal.buttons.join(', ')}`);
    await shot('downgrade-modal');
    await wb.clickDialogButton(page, 'Downgrade');
    await wb.waitForToast(page, /Alembic: Downgraded 4 revisions/);
    await expectVersions(db, ['002_user_phone']);
    await treeShowsState(page, {
      current: ['002_user_phone'], applied: ['001_initial_schema'],
      pending: ['005_merge_notifications', '003_notifications', '004_normalized_email', '003_milestone_status_idx'],
    });
    await wb.hideToasts(page);
    await shot('tree');
  });

  await steps.run('sqlPreview', title('sqlPreview'), ['tree'], async ({ shot }) => {
    await wb.hideToasts(page);
    // From here on the editor needs the room.
    await wb.resizeSideBar(page, 440);
    const before = await db.versions();
    await wb.runCommand(page, 'Alembic: Preview Upgrade SQL');
    const from = before.length === 1 ? before[0] : 'base';
    const tab = await wb.activeTab(page, new RegExp(`^upgrade ${wb.escapeRegExp(from)}\\.\\.head\\.sql$`));
    const text = await wb.until('UPDATE alembic_version in the preview', async () => {
      const t = await wb.visibleEditorText(page);
      return t.includes('UPDATE alembic_version') ? t : wb.notYet(t.slice(0, 300));
    });
    assert(text.includes(`-- Alembic upgrade SQL for ${from}:head`), `no header in the preview: ${text.slice(0, 300)}`);
    const after = await db.versions();
    assert(JSON.stringify(after) === JSON.stringify(before), `the preview changed the database: ${before} -> ${after}`);
    console.log(`    preview: ${tab}`);
    await wb.waitForHighlighting(page);
    await shot('sql-preview');
  });

  await steps.run('diagnostic', title('diagnostic'), ['tree'], async ({ shot }) => {
    await wb.hideToasts(page);
    await wb.resizeSideBar(page, 440);
    fs.writeFileSync(path.join(workspace, 'alembic', 'versions', '006_audit_log.py'), SECOND_HEAD);
    // The language server learns of the new file from the file watcher; the tree follows.
    await wb.until('006_audit_log in the tree with a problem marker', async () => {
      const row = (await rowsById(page)).get('006_audit_log');
      return row && /⚠ \d/.test(row.description) ? row : wb.notYet(row?.description ?? 'no row');
    });
    await wb.quickOpen(page, '006_audit_log.py');
    await wb.activeEditor(page).locator('.squiggly-warning').first().waitFor({ state: 'attached', timeout: 30_000 });
    const hover = await wb.hoverAndRead(page, '.squiggly-warning', /Multiple heads/);
    assert(hover.includes('Multiple heads: 006_audit_log and 005_merge_notifications'), `hover text: ${hover}`);
    assert(hover.includes('multiple-heads'), `the hover does not name the rule: ${hover}`);
    await shot('diagnostic-hover', 250); // the hover's fade-in animation
  });

  /** The graph webview's frame, once the graph step has found it. */
  let graph;
  const graphRows = () => graph.locator('.rows .row').evaluateAll((els) => els.map((e) => ({
    revision: e.getAttribute('data-revision') ?? '', classes: e.className, text: e.textContent ?? '',
  })));

  await steps.run('graph', title('graph'), ['tree'], async ({ shot }) => {
    await page.keyboard.press('Escape'); // the hover
    await wb.runCommand(page, 'Alembic: Show Revision Graph');
    await wb.activeTab(page, /^Revision Graph: amani$/);
    graph = await wb.webviewFrame(page, '.rows .row');
    const revisions = host.alembicHistory(workspace).length;
    const versions = await db.versions();
    const rows = await wb.until(`${revisions} rows in the graph, ${versions.join(', ') || 'none'} current`, async () => {
      const r = await graphRows();
      const current = r.filter((x) => /\bcurrent\b/.test(x.classes)).map((x) => x.revision);
      return r.length === revisions && JSON.stringify(current) === JSON.stringify(versions) ? r : wb.notYet(`${r.length} rows, current ${current}`);
    });
    const circles = await graph.locator('svg.lanes circle.node').count();
    assert(circles === revisions, `${circles} node circles drawn for ${revisions} revisions`);
    if (JSON.stringify(versions) === '["002_user_phone"]') {
      const applied = rows.filter((r) => /\bstate-applied\b/.test(r.classes)).map((r) => r.revision);
      assert(JSON.stringify(applied) === '["001_initial_schema"]', `with the database at 002 the graph marks ${applied} applied`);
    }
    if (revisions > history.length) {
      const flagged = rows.filter((r) => r.text.includes('⚠')).map((r) => r.revision).sort();
      assert(JSON.stringify(flagged) === JSON.stringify(['005_merge_notifications', '006_audit_log']), `problem marks on ${flagged}`);
    }
    await shot('graph');
  });

  await steps.run('downgradeOne', title('downgradeOne'), ['downgradeToHere'], async ({ shot }) => {
    await wb.hideToasts(page);
    await wb.runCommand(page, 'Alembic: Downgrade One Revision');
    const modal = await wb.modalDialog(page);
    assert(modal.message.includes('Downgrade the database to 001_initial_schema?'), `modal message: ${modal.message}`);
    assert(modal.detail.includes('1 revision(s) will be undone') && modal.detail.includes('002_user_phone'), `modal detail: ${modal.detail}`);
    // Its downgrade drops two columns: the modal must say that this destroys data.
    assert(/destroy data/.test(modal.detail) && /drop_column users\.phone_number/.test(modal.detail), `the modal names no destructive operation: ${modal.detail}`);
    await shot('downgrade-one-modal');
    await wb.clickDialogButton(page, 'Downgrade');
    await wb.waitForToast(page, /Alembic: Downgraded 1 revision/);
    await expectVersions(db, ['001_initial_schema']);
    await treeShowsState(page, { current: ['001_initial_schema'], applied: [], pending: history.slice(0, -1) });
    if (steps.passedStep('graph')) {
      await wb.until('the graph to mark 001_initial_schema current', async () => {
        const current = (await graphRows()).filter((r) => /\bcurrent\b/.test(r.classes)).map((r) => r.revision);
        return JSON.stringify(current) === '["001_initial_schema"]' ? current : wb.notYet(current);
      });
    }
    await shot('downgraded-one');
  });
}

let cleaning;
/** Undoes the setup in reverse order, once, whoever asks first (the end of the run or a signal). */
function cleanup() {
  cleaning ??= (async () => {
    for (const undo of [...cleanups].reverse()) {
      try { await undo(); } catch (err) { console.error('cleanup:', err instanceof Error ? err.message : err); }
    }
  })();
  return cleaning;
}
let signalled = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    const code = signal === 'SIGINT' ? 130 : 143;
    if (signalled) process.exit(code); // a second signal: give up waiting
    signalled = true;
    console.error(`ui test: ${signal}: stopping code-server and dropping the database`);
    void cleanup().finally(() => process.exit(code));
  });
}

try {
  await main();
} catch (err) {
  console.error('ui test:', err instanceof Error ? err.stack : err);
  steps.failRemaining(PLAN, 'the test itself failed (see above)');
} finally {
  await cleanup();
}
console.log(`time per step: ${steps.timings()}; total ${since(started)}`);
console.log(`${steps.passed} passed, ${steps.failed} failed`);
process.exit(steps.failed === 0 && steps.passed > 0 ? 0 : 1);
