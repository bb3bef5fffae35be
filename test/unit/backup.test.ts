// Backups without a server: which pg_dump can work with which server (the version comparison the
// backup checks before anything runs), the file names and their reading back, the connection given to
// the libpq programs (password only in PGPASSWORD, never in an argument), and the folder's .gitignore.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  backupFileName, effectiveBackupPolicy, ensureBackupFolder, libpqConnection, listBackups, metadataFromName, resolveBackupFolder,
} from '../../runtime/backup/backup';
import { debianClientPackage, parseToolVersion, serverMajor, versionMismatch } from '../../runtime/backup/pgTools';

describe('backup: pg_dump against the server version', () => {
  it('reads the major version of pg_dump --version, Debian builds and pre-10 ones', () => {
    assert.deepEqual(parseToolVersion('pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n'), { version: '15.18', major: 15 });
    assert.deepEqual(parseToolVersion('pg_restore (PostgreSQL) 17.2'), { version: '17.2', major: 17 });
    assert.deepEqual(parseToolVersion('pg_dump (PostgreSQL) 9.6.24'), { version: '9.6.24', major: 9.6 });
    assert.deepEqual(parseToolVersion('pg_dump (PostgreSQL) 18devel'), { version: '18', major: 18 });
    assert.equal(parseToolVersion('command not found'), undefined);
  });

  it('reads server_version_num as a major version', () => {
    assert.equal(serverMajor(150018), 15);
    assert.equal(serverMajor(170000), 17);
    assert.equal(serverMajor(90624), 9.6);
    assert.equal(serverMajor(100023), 10);
  });

  it('accepts a pg_dump as new as the server or newer, and names the Debian package for an older one', () => {
    const tool = (major: number, version: string) => ({ name: 'pg_dump' as const, path: '/usr/bin/pg_dump', major, version });
    assert.equal(versionMismatch(tool(15, '15.18'), { version: '15.2', major: 15 }), undefined);
    assert.equal(versionMismatch(tool(17, '17.0'), { version: '13.4', major: 13 }), undefined);
    assert.equal(versionMismatch(tool(10, '10.1'), { version: '9.6.24', major: 9.6 }), undefined);
    const older = versionMismatch(tool(15, '15.18'), { version: '16.4', major: 16 });
    assert.ok(older, 'pg_dump 15 against PostgreSQL 16 is refused');
    assert.match(older, /pg_dump 15\.18 \(\/usr\/bin\/pg_dump\) is older than the server \(PostgreSQL 16\.4\)/);
    assert.match(older, /apt-get install postgresql-client-16/);
    assert.ok(versionMismatch(tool(9.5, '9.5.3'), { version: '9.6.1', major: 9.6 }), '9.5 is older than 9.6');
    assert.equal(debianClientPackage(17), 'postgresql-client-17');
  });
});

describe('backup: names, folder, connection', () => {
  const when = new Date('2026-12-01T23:30:05.123Z');

  it('names a backup <database>-<revision>-<timestamp>.dump and reads the name back', () => {
    assert.equal(backupFileName('shop', ['a1b2c3d4e5f6'], when), 'shop-a1b2c3d4e5f6-20261201T233005Z.dump');
    assert.equal(backupFileName('shop', [], when), 'shop-base-20261201T233005Z.dump');
    assert.equal(backupFileName('my db/x', ['aaa', 'bbb'], when), 'my_db_x-aaa+bbb-20261201T233005Z.dump');
    const back = metadataFromName('my-shop-aaa+bbb-20261201T233005Z.dump');
    assert.deepEqual(back && { database: back.database, revisions: back.revisions, createdAt: back.createdAt },
      { database: 'my-shop', revisions: ['aaa', 'bbb'], createdAt: '2026-12-01T23:30:05.000Z' });
    assert.deepEqual(metadataFromName('shop-base-20261201T233005Z.dump')?.revisions, []);
    assert.equal(metadataFromName('notes.dump'), undefined);
  });

  it('puts the default folder in the workspace, git-ignored, and takes absolute paths as they are', () => {
    assert.equal(resolveBackupFolder('', '/ws'), path.join('/ws', '.alembic-backups'));
    assert.equal(resolveBackupFolder('backups/db', '/ws'), path.join('/ws', 'backups/db'));
    assert.equal(resolveBackupFolder('/var/backups/app', '/ws'), '/var/backups/app');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-backup-unit-'));
    try {
      const folder = path.join(dir, '.alembic-backups');
      ensureBackupFolder(folder);
      assert.equal(fs.readFileSync(path.join(folder, '.gitignore'), 'utf8').trim().split('\n').pop(), '*');
      if (process.platform !== 'win32') assert.equal(fs.statSync(folder).mode & 0o777, 0o700);
      // An existing folder is the user's: no .gitignore is written into it.
      const own = path.join(dir, 'own');
      fs.mkdirSync(own);
      ensureBackupFolder(own);
      assert.equal(fs.existsSync(path.join(own, '.gitignore')), false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lists the backups of one database, newest first, from the metadata or the name', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-backup-list-'));
    try {
      const write = (name: string, meta?: object): void => {
        fs.writeFileSync(path.join(dir, name), 'PGDMP');
        if (meta) fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(meta));
      };
      write('shop-aaa-20261201T100000Z.dump', { database: 'shop', host: 'db1', port: 5432, revisions: ['aaa'], createdAt: '2026-12-01T10:00:00.000Z' });
      write('shop-bbb-20261201T110000Z.dump');
      write('shop-ccc-20261201T120000Z.dump', { database: 'shop', host: 'db2', port: 5432, revisions: ['ccc'], createdAt: '2026-12-01T12:00:00.000Z' });
      write('other-aaa-20261201T130000Z.dump');
      fs.writeFileSync(path.join(dir, 'shop-ddd-20261201T140000Z.dump.partial'), '');
      const listed = listBackups(dir, { database: 'shop', host: 'db1', port: 5432 });
      assert.deepEqual(listed.map((b) => b.revisions[0]), ['bbb', 'aaa']);
      assert.equal(listed[0]?.bytes, 5);
      assert.equal(listBackups(dir).length, 4);
      assert.deepEqual(listBackups(path.join(dir, 'missing')), []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives pg_dump the connection in libpq variables, the password only in PGPASSWORD', () => {
    const c = libpqConnection('postgresql+psycopg2://app:s3cr%40t@db.example.com:6543/shop?sslmode=require', { PGDATABASE: 'other', PATH: '/usr/bin' });
    assert.equal(c.env.PGHOST, 'db.example.com');
    assert.equal(c.env.PGPORT, '6543');
    assert.equal(c.env.PGUSER, 'app');
    assert.equal(c.env.PGPASSWORD, 's3cr@t');
    assert.equal(c.env.PGSSLMODE, 'require');
    assert.equal(c.env.PGDATABASE, undefined, 'the URL names the database, not the environment');
    assert.equal(c.dbnameArg, "--dbname=dbname='shop'");
    assert.ok(!c.dbnameArg.includes('s3cr'));
    assert.equal(libpqConnection("postgresql://u@h/it's").dbnameArg, "--dbname=dbname='it\\'s'");
    assert.throws(() => libpqConnection('sqlite:///x.db'), /PostgreSQL/);
  });

  it('backs up protected databases always unless the setting was chosen', () => {
    assert.equal(effectiveBackupPolicy('ask', false, true), 'always');
    assert.equal(effectiveBackupPolicy('ask', false, false), 'ask');
    assert.equal(effectiveBackupPolicy('never', true, true), 'never');
    assert.equal(effectiveBackupPolicy('ask', true, true), 'ask');
  });
});
