import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The repository root: the nearest folder above this file holding package.json (works from out/ too). */
export const repoRoot: string = (() => {
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'alembic-migrations') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no alembic-migrations package.json above ${__dirname}`);
    dir = parent;
  }
})();

export const fixturesDir = path.join(repoRoot, 'test', 'fixtures');

export function fixturePath(...parts: string[]): string {
  return path.join(fixturesDir, ...parts);
}

/** A scratch copy of a fixture project in a fresh temporary folder; tests may change it freely. */
export function copyFixture(name: string): string {
  const dest = fs.mkdtempSync(path.join(os.tmpdir(), `alembic-fixture-${name}-`));
  fs.cpSync(fixturePath(name), dest, { recursive: true });
  return dest;
}

/** Every .py file below `dir`, sorted. */
export function pythonFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...pythonFilesUnder(p));
    else if (e.name.endsWith('.py')) out.push(p);
  }
  return out.sort();
}

/** Every migration file of the fixtures: each .py below test/fixtures but env.py and __init__.py. */
export function fixtureMigrationFiles(): string[] {
  return pythonFilesUnder(fixturesDir).filter((p) => path.basename(p) !== 'env.py' && path.basename(p) !== '__init__.py');
}
