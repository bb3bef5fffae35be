// "Verify Round Trip…" inside the real VS Code: one revision of the amani project on a scratch database
// of the throwaway server; the report opens, and the scratch database is gone afterwards.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import * as vscode from 'vscode';
import { testServerUrl, withClient } from '../../support/pg';
import { extensionApi, forgetDatabase, scriptWarnings, useScratchDatabase, waitFor } from '../support';

interface VerifyResult { report: { ok: boolean; error?: string; scratch?: { location: string }; revisions: { revision: string; status: string }[] }; reportFile: string }

async function verifyDatabaseNames(): Promise<string[]> {
  return withClient(testServerUrl(), async (c) => (await c.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE '%verify%'")).rows.map((r) => r.datname));
}

describe('Verify Round Trip', function () {
  this.timeout(180_000);

  it('verifies a revision on a scratch database, reports it, and drops the scratch database', async () => {
    const api = await extensionApi();
    await waitFor('the project', () => api.services.store.projects[0]?.graph);
    const projectId = api.services.store.projects[0]?.info.id ?? '';
    const db = await useScratchDatabase(api);
    try {
      const result = await vscode.commands.executeCommand<{ report: { ok: boolean; revisions: { revision: string; status: string }[] }; reportFile: string }>(
        'alembic.verifyRoundTrip', { projectId, revision: '002_user_phone' });
      assert.ok(result, 'the command returns its report');
      assert.equal(result.report.ok, true, JSON.stringify(result.report.revisions));
      assert.deepEqual(result.report.revisions.map((r) => [r.revision, r.status]), [['002_user_phone', 'passed']]);
      assert.match(fs.readFileSync(result.reportFile, 'utf8'), /002_user_phone/);
      const leftovers = await withClient(testServerUrl(), async (c) => (await c.query("SELECT datname FROM pg_database WHERE datname LIKE '%verify%'")).rowCount);
      assert.equal(leftovers, 0, 'no scratch database left');
      const version = await withClient(db.url, async (c) => (await c.query("SELECT to_regclass('alembic_version') AS t")).rows[0]?.t);
      assert.equal(version, null, "the user's database was never migrated");
    } finally {
      await forgetDatabase(db);
    }
  });

  it('asks before it creates a scratch database on the server of a protected database, and offers a local PostgreSQL', async () => {
    const api = await extensionApi();
    await waitFor('the project', () => api.services.store.projects[0]?.graph);
    const projectId = api.services.store.projects[0]?.info.id ?? '';
    const db = await useScratchDatabase(api);
    const settings = vscode.workspace.getConfiguration('alembic');
    await settings.update('protectedDatabases', ['127.0.0.1/vscode_*'], vscode.ConfigurationTarget.Global);
    const run = async (answer: string | undefined): Promise<{ result: VerifyResult | undefined; asked: { message: string; detail?: string }[] }> => {
      const script = scriptWarnings(api, answer);
      try {
        const result = await vscode.commands.executeCommand<VerifyResult | undefined>('alembic.verifyRoundTrip', { projectId, revision: '002_user_phone' });
        return { result, asked: script.asked };
      } finally {
        script.restore();
      }
    };
    try {
      // Cancelled: nothing runs, nothing is created.
      const cancelled = await run(undefined);
      assert.equal(cancelled.result, undefined);
      assert.equal(cancelled.asked.length, 1);
      assert.match(cancelled.asked[0]?.message ?? '', /Verify on the server of a protected database \(127\.0\.0\.1\)\?/);
      assert.match(cancelled.asked[0]?.detail ?? '', new RegExp(`127\\.0\\.0\\.1/${db.name} matches alembic\\.protectedDatabases \\("127\\.0\\.0\\.1/vscode_\\*"\\)`));
      assert.match(cancelled.asked[0]?.detail ?? '', /throwaway PostgreSQL on this machine can be used instead/);
      assert.deepEqual(await verifyDatabaseNames(), []);

      const local = await run('Use a Local PostgreSQL');
      assert.equal(local.result?.report.ok, true, JSON.stringify(local.result?.report));
      assert.equal(local.result?.report.scratch?.location, 'local');

      const onServer = await run('Create It on 127.0.0.1');
      assert.equal(onServer.result?.report.ok, true, JSON.stringify(onServer.result?.report));
      assert.equal(onServer.result?.report.scratch?.location, 'server');
      assert.deepEqual(await verifyDatabaseNames(), [], 'no scratch database left');
      const version = await withClient(db.url, async (c) => (await c.query("SELECT to_regclass('alembic_version') AS t")).rows[0]?.t);
      assert.equal(version, null, "the protected database itself was never migrated");
    } finally {
      await settings.update('protectedDatabases', undefined, vscode.ConfigurationTarget.Global);
      await forgetDatabase(db);
    }
  });
});
