// The manifest users see: names the issues fix, every command in category "Alembic", settings with a
// markdownDescription, and a walkthrough whose steps each run a command and complete when it ran.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../support/paths';

interface Manifest {
  name: string; displayName: string; bin: Record<string, string>; activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: string; restrictedConfigurations: string[] } };
  contributes: {
    commands: { command: string; title: string; category: string }[];
    configuration: { properties: Record<string, { markdownDescription?: string }> };
    viewsContainers: { activitybar: { id: string; title: string }[] };
    views: Record<string, { id: string; name: string }[]>;
    walkthroughs: { steps: { id: string; description: string; completionEvents: string[]; media: { markdown: string } }[] }[];
  };
}

const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as Manifest;

describe('package.json', () => {
  it('keeps the names users and tools depend on', () => {
    assert.equal(pkg.name, 'alembic-migrations');
    assert.equal(pkg.displayName, 'Alembic Migrations');
    assert.equal(pkg.bin['alembic-lint'], './dist/cli.js');
    assert.ok(pkg.activationEvents.includes('workspaceContains:**/alembic.ini'));
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.deepEqual(pkg.contributes.viewsContainers.activitybar.map((c) => [c.id, c.title]), [['alembic', 'Alembic']]);
    assert.deepEqual(pkg.contributes.views.alembic?.map((v) => [v.id, v.name]), [['alembic.revisions', 'Revisions']]);
  });

  it('ignores the workspace\'s value in Restricted Mode for every setting that picks a file, a program, a database or protection', () => {
    // A committed .vscode/settings.json of an untrusted workspace must not point the server at any file,
    // choose the Python that runs, name the database, or switch protected databases off.
    for (const name of ['alembic.configFile', 'alembic.pythonPath', 'alembic.databaseUrl', 'alembic.databaseUrlEnvVar', 'alembic.protectedDatabases']) {
      assert.ok(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations.includes(name), `${name} is not in restrictedConfigurations`);
    }
  });

  it('names every command alembic.<verb> in category Alembic, and documents every setting', () => {
    for (const c of pkg.contributes.commands) {
      assert.match(c.command, /^alembic\.[a-z][A-Za-z]+$/, c.command);
      assert.equal(c.category, 'Alembic', c.command);
    }
    for (const [key, prop] of Object.entries(pkg.contributes.configuration.properties)) {
      assert.match(key, /^alembic\.[a-zA-Z.]+$/);
      assert.ok(prop.markdownDescription && prop.markdownDescription.length > 20, `${key} has a markdownDescription`);
    }
  });

  it('has a walkthrough whose every step runs a command and completes when it did', () => {
    const steps = pkg.contributes.walkthroughs[0]?.steps ?? [];
    assert.ok(steps.length >= 6);
    for (const step of steps) {
      const link = /\]\(command:([\w.]+)/.exec(step.description);
      assert.ok(link, `${step.id} has a button`);
      const command = link[1] ?? '';
      const settingLink = /openSettings\?%5B%22([\w.]+)%22%5D/.exec(step.description);
      const completes = step.completionEvents.some((e) =>
        e === `onCommand:${command}` || (settingLink && e === `onSettingChanged:${settingLink[1]}`) ||
        (command.startsWith('workbench.view.extension.alembic') && e === 'onView:alembic.revisions'));
      assert.ok(completes, `${step.id}: a completion event matches its button (${command})`);
      assert.ok(fs.existsSync(path.join(repoRoot, step.media.markdown)), `${step.media.markdown} exists`);
    }
  });
});
