// "Verify Round Trip…" inside the real VS Code: one revision of the amani project on a scratch database
// of the throwaway server; the report opens, and the scratch database is gone afterwards.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import * as vscode from 'vscode';
import { testServerUrl, withClient } from '../../support/pg';
import { extensionApi, forgetDatabase, useScratchDatabase, waitFor } from '../support';

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
});
