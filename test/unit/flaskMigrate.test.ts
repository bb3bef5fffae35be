// Flask-Migrate projects: the analysis finds their migrations folder (an alembic.ini without
// script_location beside Flask-Migrate's env.py), and every run of Alembic's command line is refused
// before it starts with the `flask db` command that runs it, since that env.py needs the Flask app.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { discoverProjects, loadConfigFile, memoryFileSystem } from '../../server/src/core/project';
import { downgrade, upgrade } from '../../runtime/alembic/commandArguments';
import { flaskDbCommand, flaskMigrateDirectoryOf } from '../../runtime/alembic/flaskMigrate';
import { AlembicRunner } from '../../runtime/alembic/runner';

const INI = '# A generic, single database configuration.\n\n[alembic]\n# file_template = %%(rev)s_%%(slug)s\n\n[loggers]\nkeys = root\n';
const ENV = 'from alembic import context\nfrom flask import current_app\n\nconfig = context.config\ntarget_metadata = current_app.extensions["migrate"].db.metadata\n';
const REVISION = 'revision = "a1"\ndown_revision = None\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n';

describe('Flask-Migrate projects', () => {
  it('reads the migrations folder as the script location, as flask db sets it', async () => {
    const files = { '/app/migrations/alembic.ini': INI, '/app/migrations/env.py': ENV, '/app/migrations/versions/a1_first.py': REVISION };
    const [p] = await discoverProjects(memoryFileSystem(files), ['/app']);
    assert.equal(p?.id, '/app/migrations/alembic.ini');
    assert.deepEqual(p?.problems, []);
    assert.equal(p?.flaskMigrate, true);
    assert.equal(p?.scriptLocationPath, '/app/migrations');
    assert.deepEqual(p?.versionLocationPaths, ['/app/migrations/versions']);
    // Without Flask-Migrate's env.py the missing script_location stays Alembic's error.
    const plain = await loadConfigFile(memoryFileSystem({ ...files, '/app/migrations/env.py': 'from alembic import context\n' }), '/app/migrations/alembic.ini');
    assert.match(plain?.problems.join('\n') ?? '', /No 'script_location' key found/);
    assert.equal(plain?.flaskMigrate, undefined);
    // A script_location of its own makes it an Alembic project like any other.
    const own = await loadConfigFile(memoryFileSystem({ ...files, '/app/migrations/alembic.ini': '[alembic]\nscript_location = .\n' }), '/app/migrations/alembic.ini');
    assert.equal(own?.flaskMigrate, undefined);
  });

  it('refuses to run Alembic on it, naming the flask db command, before anything starts', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-flask-'));
    try {
      const migrations = path.join(dir, 'migrations');
      fs.mkdirSync(path.join(migrations, 'versions'), { recursive: true });
      fs.writeFileSync(path.join(migrations, 'alembic.ini'), INI);
      fs.writeFileSync(path.join(migrations, 'env.py'), ENV);
      const ini = path.join(migrations, 'alembic.ini');
      assert.equal(await flaskMigrateDirectoryOf(ini), migrations);
      // A python that does not exist: a run that started would fail differently.
      const run = await new AlembicRunner({ python: path.join(dir, 'no-python'), iniPath: ini }).run(upgrade({ target: 'head' }));
      assert.equal(run.started, false);
      assert.match(run.startError ?? '', /Flask-Migrate's: its env\.py needs the Flask app .* flask db upgrade head \(in /);
      assert.equal(flaskDbCommand(downgrade({ target: '-1' }), '/srv/app/db_migrations'), 'flask db downgrade -1 --directory=/srv/app/db_migrations');
      fs.writeFileSync(ini, '[alembic]\nscript_location = .\n');
      assert.equal(await flaskMigrateDirectoryOf(ini), undefined, 'an ini with its own script_location runs under Alembic');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
