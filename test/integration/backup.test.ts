// Backups with the real pg_dump and pg_restore against the throwaway PostgreSQL: a backup before a
// downgrade that drops a table with rows, and the restore that brings the rows and the version back; a
// backup that fails stops the downgrade and says why (a wrong password, and pg_dump's own refusal).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as cmd from '../../runtime/alembic/commandArguments';
import { interpretRun } from '../../runtime/alembic/results';
import { afterBackup, backupDatabase, BackupError, listBackups, restoreBackup } from '../../runtime/backup/backup';
import { findTool, probeTool, serverMajor } from '../../runtime/backup/pgTools';
import { createScratchDatabase, testServerUrl, withClient, type ScratchDatabase } from '../support/pg';
import { project, psql, runnerFor, tables, versions, type Project } from './runner-support';

const B = 'b2c3d4e5f6a7';
const C = 'c3d4e5f6a7b8';

describe('backup and restore with pg_dump and pg_restore', function () {
  this.timeout(90_000);
  let db: ScratchDatabase;
  let p: Project;
  let folder: string;
  beforeEach(async () => {
    db = await createScratchDatabase('backup');
    p = project('runner-linear');
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-backups-'));
  });
  afterEach(async () => {
    await db.drop();
    p.remove();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('uses a pg_dump and pg_restore as new as the throwaway server', async () => {
    const num = await withClient(testServerUrl(), async (c) => Number((await c.query<{ n: string }>("SELECT current_setting('server_version_num') AS n")).rows[0]?.n));
    const server = { version: String(num), major: serverMajor(num) };
    for (const name of ['pg_dump', 'pg_restore'] as const) {
      const found = await findTool(name, server);
      assert.ok(found.ok, found.ok ? '' : found.message);
      assert.ok(found.tool.major >= server.major, `${found.tool.path} ${found.tool.version} against server ${num}`);
      assert.deepEqual(await probeTool(name, found.tool.path), found.tool);
    }
  });

  it('backs up, downgrades away a table with rows, and the restore brings back the rows and the version', async () => {
    const r = runnerFor(p, db.url);
    assert.equal(interpretRun(await r.run(cmd.upgrade({ target: 'head' })), { versionDirs: [p.versionsDir] }).status, 'success');
    assert.equal(psql(db.url, "INSERT INTO widgets (id, name) VALUES (1, 'w'); INSERT INTO gadgets (id, widget_id) SELECT g, 1 FROM generate_series(1, 250) g;").status, 0);
    const progress: string[] = [];
    const log: string[] = [];
    const { backup, result } = await afterBackup(
      { databaseUrl: db.url, folder, revisions: [C], onProgress: (m) => progress.push(m), log: (l) => log.push(l) },
      async () => interpretRun(await r.run(cmd.downgrade({ target: '-1' })), { versionDirs: [p.versionsDir] }),
    );
    assert.equal(result.status, 'success', result.message);
    assert.match(path.basename(backup.file), new RegExp(`^${db.name}-${C}-\\d{8}T\\d{6}Z\\.dump$`));
    assert.equal(fs.readFileSync(backup.file).subarray(0, 5).toString(), 'PGDMP', 'custom format');
    assert.ok(progress.some((m) => /dumping contents of table "public\.gadgets"/.test(m)), progress.join('\n'));
    const password = new URL(db.url).password;
    assert.ok(log.length > 0 && log.every((l) => !l.includes(password)), 'no password in the commands logged');
    assert.deepEqual(await versions(db.url), [B]);
    assert.deepEqual(await tables(db.url), ['widgets']);

    const listed = listBackups(folder, { database: db.name });
    assert.deepEqual(listed.map((b) => [b.file, b.revisions]), [[backup.file, [C]]]);
    assert.equal(listed[0]?.bytes, backup.bytes);

    await restoreBackup({ databaseUrl: db.url, file: backup.file });
    assert.deepEqual(await versions(db.url), [C]);
    assert.deepEqual(await tables(db.url), ['gadgets', 'widgets']);
    const n = await withClient(db.url, async (c) => Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM gadgets')).rows[0]?.n));
    assert.equal(n, 250);
    // Restoring again over the restored database works too (--clean --if-exists).
    await restoreBackup({ databaseUrl: db.url, file: backup.file });
    assert.deepEqual(await versions(db.url), [C]);
  });

  it('a wrong password stops the downgrade before it runs, and says why', async () => {
    const r = runnerFor(p, db.url);
    await r.run(cmd.upgrade({ target: 'head' }));
    const wrong = new URL(db.url);
    wrong.password = 'not-the-password';
    let ran = false;
    await assert.rejects(afterBackup({ databaseUrl: wrong.toString(), folder, revisions: [C] }, async () => { ran = true; }), (e: unknown) => {
      assert.ok(e instanceof BackupError);
      assert.match(e.message, /[Pp]assword authentication failed/);
      assert.ok(!e.message.includes('not-the-password'));
      return true;
    });
    assert.equal(ran, false);
    assert.deepEqual(await versions(db.url), [C]);
    assert.deepEqual(fs.readdirSync(folder).filter((f) => f.endsWith('.dump') || f.endsWith('.partial')), []);
  });

  it("pg_dump's own failure (no permission on a table) stops the downgrade with pg_dump's words, and leaves no file", async () => {
    const r = runnerFor(p, db.url);
    await r.run(cmd.upgrade({ target: 'head' }));
    const role = `${db.name}_reader`;
    assert.equal(psql(db.url, `CREATE ROLE ${role} LOGIN PASSWORD 'reader-pw'; GRANT SELECT ON widgets TO ${role};`).status, 0);
    try {
      const reader = new URL(db.url);
      reader.username = role;
      reader.password = 'reader-pw';
      let ran = false;
      await assert.rejects(afterBackup({ databaseUrl: reader.toString(), folder, revisions: [C] }, async () => { ran = true; }), (e: unknown) => {
        assert.ok(e instanceof BackupError && e.code === 'failed', String(e));
        assert.match(e.message, /pg_dump of .* failed \(exit 1\): .*permission denied for table (gadgets|alembic_version)/);
        assert.ok(!e.message.includes('reader-pw'));
        return true;
      });
      assert.equal(ran, false);
      assert.deepEqual(fs.readdirSync(folder).filter((f) => f !== '.gitignore'), [], 'no partial dump is left');
      assert.deepEqual(await versions(db.url), [C]);
    } finally {
      await withClient(db.url, (c) => c.query(`DROP OWNED BY ${role}`));
      await withClient(testServerUrl(), (c) => c.query(`DROP ROLE ${role}`));
    }
  });

  it('a cancelled backup keeps nothing and the downgrade does not run', async () => {
    const r = runnerFor(p, db.url);
    await r.run(cmd.upgrade({ target: 'head' }));
    const abort = new AbortController();
    let ran = false;
    const pending = afterBackup({ databaseUrl: db.url, folder, revisions: [C], signal: abort.signal, onProgress: () => abort.abort() }, async () => { ran = true; });
    await assert.rejects(pending, (e: unknown) => e instanceof BackupError && e.code === 'cancelled');
    assert.equal(ran, false);
    assert.deepEqual(fs.readdirSync(folder).filter((f) => f !== '.gitignore'), []);
  });

  it('refuses a backup file that does not exist', async () => {
    await assert.rejects(restoreBackup({ databaseUrl: db.url, file: path.join(folder, 'nope.dump') }), /does not exist/);
    await assert.rejects(backupDatabase({ databaseUrl: 'sqlite:///x.db', folder, revisions: [] }), /PostgreSQL/);
  });
});
