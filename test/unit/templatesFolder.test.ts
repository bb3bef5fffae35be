// A new revision lies inside its versions folder, whatever the workspace's file_template says: a template
// that climbs out (`../../.ipython/profile_default/startup/%%(rev)s`), an absolute one or a drive is
// refused before any text is made; subfolders stay allowed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRevisionFromTemplate, escapesFolder, loadTemplateLibrary, TemplateError } from '../../server/src/core/templates';
import { repoRoot } from '../support/paths';

const libraryDir = path.join(repoRoot, 'migrations-templates');
const library = loadTemplateLibrary(fs.readFileSync(path.join(libraryDir, 'manifest.json'), 'utf8'), (f) => fs.readFileSync(path.join(libraryDir, f), 'utf8'));
const empty = library.find((t) => t.id === 'empty') ?? assert.fail('no empty template');

const create = (fileTemplate: string) => createRevisionFromTemplate({
  template: empty, answers: { message: 'hello' }, heads: [], now: new Date(2024, 0, 2), revisionId: 'abc123def456',
  project: { versionLocation: '/work/app/migrations/versions', fileTemplate },
});

describe('templates: the new file stays inside its versions folder', () => {
  for (const hostile of [
    '../../../../.ipython/profile_default/startup/%%(rev)s',
    '%%(rev)s/../../../escape',
    '/etc/profile.d/%%(rev)s',
    '\\\\server\\share\\%%(rev)s',
    'C:%%(rev)s',
  ]) {
    it(`refuses file_template ${JSON.stringify(hostile)}`, () => {
      assert.throws(() => create(hostile), (e: unknown) => e instanceof TemplateError && /inside its versions folder/.test(e.message));
    });
  }

  it('keeps the usual templates and subfolders', () => {
    assert.equal(create('%%(rev)s_%%(slug)s').path, '/work/app/migrations/versions/abc123def456_hello.py');
    assert.equal(create('%%(year)d/%%(rev)s').path, '/work/app/migrations/versions/2024/abc123def456.py');
    assert.equal(escapesFolder('2024/01/x.py'), undefined);
    assert.equal(escapesFolder('a..b.py'), undefined);
  });
});
