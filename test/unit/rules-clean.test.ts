// Projects written carefully produce no finding at all from any registered rule (graph and file
// rules): the amani fixture (a real team's style) and rules-clean (every safe pattern the rules
// recommend; test/integration/fixesRoundTrip.test.ts runs it against PostgreSQL).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { buildRevisionGraph } from '../../server/src/core/graph';
import { parseMigration } from '../../server/src/core/parse';
import { allRules, runRules } from '../../server/src/core/rules';
import type { Finding } from '../../server/src/core/types';
import { fixturePath } from '../support/paths';
import { loadFolderConfig } from '../../server/src/core/project/discover';
import { nodeFileSystem } from '../../server/src/fs/nodeFileSystem';

async function projectFindings(root: string, versions: string): Promise<Finding[]> {
  // The project as discovery reads it: its env.py sets lock_timeout for every migration.
  const project = await loadFolderConfig(nodeFileSystem, root);
  assert.ok(project?.envSetsLockTimeout, `${root}: env.py sets lock_timeout`);
  const files = fs.readdirSync(versions).filter((f) => f.endsWith('.py')).map((f) => path.join(versions, f));
  assert.ok(files.length > 0, `${versions} has migrations`);
  const texts = new Map(files.map((f) => [f, fs.readFileSync(f, 'utf8')]));
  const graph = buildRevisionGraph(files.map((f) => ({ path: f, migration: parseMigration(texts.get(f) ?? '') })));
  return runRules({ graph, texts, project });
}

const show = (fs: Finding[]): string[] => fs.map((f) => `${path.basename(f.path)}:${f.range.start.line + 1} ${f.severity} ${f.rule}: ${f.message}`);

describe('rules: clean projects get no finding', () => {
  it('runs the migration rules (not only the graph rules)', () => {
    assert.ok(allRules.filter((r) => r.kind === 'file').length >= 13);
  });

  for (const [name, root, versions] of [
    ['amani', fixturePath('amani'), fixturePath('amani', 'alembic', 'versions')],
    ['rules-clean', fixturePath('rules-clean'), fixturePath('rules-clean', 'migrations', 'versions')],
  ] as const) {
    it(`${name}: nothing at all, at any severity`, async () => {
      assert.deepEqual(show(await projectFindings(root, versions)), []);
    });
  }
});
