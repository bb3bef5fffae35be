// The typed `alembic.*` settings (common/settings.ts) against the manifest users see: one field per
// setting package.json declares, its default taken from there, and values of the wrong type replaced by
// that default with a line saying so.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  changedEditorSettings, editorSettingDefaults, editorSettingNames, type EditorSettings, isWindowScoped,
  parseEditorSettings, readEditorSettings,
} from '../../common/settings';
import { repoRoot } from '../support/paths';

interface DeclaredSetting { default?: unknown; scope?: string; markdownDescription?: string }

// Read from disk rather than imported, so the test does not share the module's view of the manifest.
const declared = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, DeclaredSetting> } };
}).contributes.configuration.properties;
const declaredNames = Object.keys(declared).map((key) => key.replace(/^alembic\./, ''));

describe('editor settings (alembic.*)', () => {
  it('has a field in the reader, and a markdownDescription, for every alembic.* setting of package.json', () => {
    for (const [key, setting] of Object.entries(declared)) {
      assert.match(key, /^alembic\./, `${key} lives in the alembic section`);
      const name = key.slice('alembic.'.length);
      assert.ok((editorSettingNames as string[]).includes(name), `${key} has a field in EditorSettings`);
      assert.ok(name in readEditorSettings(() => undefined).settings, `the reader returns ${key}`);
      assert.ok((setting.markdownDescription ?? '').length > 20, `${key} has a markdownDescription`);
    }
    assert.deepEqual([...editorSettingNames].sort(), [...declaredNames].sort(), 'no field without a setting in package.json');
  });

  it("takes every default from package.json, and gives them for settings nobody set", () => {
    for (const name of editorSettingNames) {
      assert.deepEqual(editorSettingDefaults[name], declared[`alembic.${name}`]?.default, `default of alembic.${name}`);
    }
    const { settings, problems } = readEditorSettings(() => undefined);
    assert.deepEqual(settings, editorSettingDefaults);
    assert.deepEqual(problems, []);
    // The setting the client and the manifest once disagreed about.
    assert.deepEqual(settings.protectedDatabases, ['*prod*', '*production*']);
  });

  it('knows which settings VS Code keeps per window', () => {
    for (const name of editorSettingNames) {
      assert.equal(isWindowScoped(name), declared[`alembic.${name}`]?.scope === 'window', `alembic.${name}`);
    }
  });

  it('uses values of the right type, trimmed', () => {
    const given: EditorSettings = {
      configFile: ' sub/alembic.ini ', rules: { 'multiple-heads': 'error' }, pythonPath: '/usr/bin/python3',
      databaseUrl: 'postgresql://u@h/db', databaseUrlEnvVar: 'APP_DB', versionTable: 'versions', versionTableSchema: 'meta',
      protectedDatabases: ['db.example.com/*'], refreshInterval: 30, codeLens: false, 'lint.dialect': 'mysql', 'trace.server': 'verbose',
      'lint.base': 'upstream/develop', 'lint.since': 'abc123', 'lint.scope': 'all', postgresVersion: 15, 'inlayHints.locks': true,
      backupBeforeDowngrade: 'always', backupFolder: '/var/backups/app', lockTimeout: '5s', statementTimeout: '1min',
    };
    const { settings, problems } = readEditorSettings((name) => given[name]);
    assert.deepEqual(problems, []);
    assert.deepEqual(settings, { ...given, configFile: 'sub/alembic.ini' });
  });

  it('replaces a value of the wrong type by the default and says so', () => {
    const wrong: Record<string, unknown> = {
      configFile: 3, rules: ['error'], codeLens: 'no', refreshInterval: -5, protectedDatabases: 'prod',
      databaseUrlEnvVar: '  ', 'trace.server': 'loud', 'lint.scope': 'everything', 'lint.base': 7,
      backupBeforeDowngrade: 'sometimes',
    };
    const { settings, problems } = readEditorSettings((name) => wrong[name]);
    assert.deepEqual(settings, editorSettingDefaults);
    const named = (name: string) => problems.filter((p) => p.startsWith(`alembic.${name}: `));
    for (const name of Object.keys(wrong)) assert.equal(named(name).length, 1, `one problem for alembic.${name}: ${problems.join(' | ')}`);
    assert.match(named('codeLens')[0] ?? '', /expected true or false, got "no"; using the default true/);
    assert.match(named('refreshInterval')[0] ?? '', /at least 0, got -5; using the default 0/);
    assert.match(named('databaseUrlEnvVar')[0] ?? '', /using the default "DATABASE_URL"/);
    assert.match(named('trace.server')[0] ?? '', /one of "off", "messages", "verbose"/);
  });

  it('keeps the good parts of a list or a map and names the bad ones', () => {
    const { settings, problems } = readEditorSettings((name) => ({
      rules: { 'multiple-heads': 'error', 'docstring-mismatch': 2 },
      protectedDatabases: ['*prod*', 7],
    } as Record<string, unknown>)[name]);
    assert.deepEqual(settings.rules, { 'multiple-heads': 'error' });
    assert.deepEqual(settings.protectedDatabases, ['*prod*']);
    assert.equal(problems.length, 2, problems.join(' | '));
    assert.match(problems.join('\n'), /alembic\.rules: 'docstring-mismatch': 2 is not a string/);
  });

  it('parses the section as LSP carries it: nested dotted names, unknown names reported', () => {
    const { settings, problems } = parseEditorSettings({ codeLens: false, trace: { server: 'messages', client: 'x' }, colour: 'red' });
    assert.equal(settings.codeLens, false);
    assert.equal(settings['trace.server'], 'messages');
    assert.deepEqual(problems, ['unknown setting(s) ignored: alembic.trace.client, alembic.colour']);
    assert.deepEqual(parseEditorSettings(null), { settings: editorSettingDefaults, problems: [] });
    const notAnObject = parseEditorSettings('codeLens');
    assert.deepEqual(notAnObject.settings, editorSettingDefaults);
    assert.match(notAnObject.problems[0] ?? '', /arrived as "codeLens", not an object/);
  });

  it('names the settings that changed, comparing maps by content', () => {
    const before = { ...editorSettingDefaults, rules: { a: 'error', b: 'off' } };
    assert.deepEqual(changedEditorSettings(before, { ...before, rules: { b: 'off', a: 'error' } }), []);
    assert.deepEqual(changedEditorSettings(before, { ...before, rules: { a: 'error' }, codeLens: false }), ['rules', 'codeLens']);
  });
});
