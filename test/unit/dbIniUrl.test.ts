// The client reads sqlalchemy.url from the ini itself when the server masked its password: the same
// value the server would have sent, password included, and nothing else when it was not masked.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { iniSqlalchemyUrl } from '../../runtime/db/iniUrl';
import { loadConfigFile } from '../../server/src/core/project';
import { ProjectModel } from '../../server/src/core/project/model';
import { nodeFileSystem } from '../../server/src/fs/nodeFileSystem';
import { wireOf } from '../../server/src/lsp/wire';

describe('client: sqlalchemy.url from the ini', () => {
  let dir = '';
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-iniurl-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const info = async (url: string) => {
    const ini = path.join(dir, 'alembic.ini');
    fs.writeFileSync(ini, `[DEFAULT]\npw = p%%40ss\n[alembic]\nscript_location = %(here)s/m\nsqlalchemy.url = ${url}\n`);
    const config = await loadConfigFile(nodeFileSystem, ini);
    assert.ok(config);
    return wireOf(new ProjectModel(config)).info();
  };

  it('reads the password the server did not send, interpolated as the server reads it', async () => {
    const project = await info('postgresql://app:%(pw)s@db/app');
    assert.equal(project.sqlalchemyUrl, 'postgresql://app:***@db/app');
    assert.equal(iniSqlalchemyUrl(project), 'postgresql://app:p%40ss@db/app');
  });

  it('takes the URL as sent when nothing was masked, and nothing from an ini it cannot read', async () => {
    const plain = await info('postgresql://app@db/app');
    assert.equal(plain.sqlalchemyUrlMasked, undefined);
    assert.equal(iniSqlalchemyUrl(plain, () => assert.fail('no read needed')), 'postgresql://app@db/app');
    const masked = await info('postgresql://app:pw@db/app');
    assert.equal(iniSqlalchemyUrl(masked, () => undefined), undefined);
  });
});
