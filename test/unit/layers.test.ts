// The layers are folders, and this test holds the arrows between them (docs/ARCHITECTURE.md draws them):
// every import of every source file is resolved, and one that crosses an arrow the table below does not
// allow fails here with the file, the import and the rule it breaks. Packages are held too: `vscode`
// only in the client, the LSP libraries only in the LSP glue, `pg` and child processes only in runtime.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../support/paths';

interface Layer {
  /** Folder (or file) relative to the repository root; the longest matching one owns a file. */
  folder: string;
  /** What its files may import from other layers: folders or files, relative to the root. */
  mayImport: string[];
  /** Packages (and `node:` modules) it may import; a trailing `*` matches a prefix. */
  packages: string[];
  why: string;
}

const NODE_PURE = ['node:path', 'node:buffer', 'node:util'];

const LAYERS: Layer[] = [
  { folder: 'common', mayImport: ['package.json'], packages: ['vscode-jsonrpc'], why: 'the wire types both sides share: nothing of either side' },
  {
    folder: 'server/src/core', mayImport: ['common/redact.ts'], packages: [...NODE_PURE, 'smol-toml'],
    why: 'pure analysis: no I/O, no editor, no wire format (only the shared password masking of common/redact.ts)',
  },
  {
    folder: 'server/src/fs', mayImport: ['server/src/core'], packages: [...NODE_PURE, 'node:fs', 'libpg-query'],
    why: "Node's file system for core's FileSystem interface, and the loading of PostgreSQL's parser (a WebAssembly module read from a file)",
  },
  {
    folder: 'server/src/git', mayImport: ['server/src/core'], packages: ['node:*', 'isomorphic-git'],
    why: 'reads git (released and new revisions): Debian\'s git with safe options, or the objects in JavaScript',
  },
  {
    folder: 'server/src/lsp', mayImport: ['server/src/core', 'server/src/fs', 'server/src/git', 'common'],
    packages: [...NODE_PURE, 'node:fs', 'vscode-languageserver*', 'vscode-uri'], why: 'the LSP glue, and the only place core nodes become wire nodes',
  },
  { folder: 'server/src/server.ts', mayImport: ['server/src/lsp'], packages: [], why: "the server's entry point" },
  {
    folder: 'runtime', mayImport: ['common', 'server/src/core', 'server/src/fs'],
    packages: ['node:*', 'pg', 'mysql2', 'sql.js', 'dotenv'], why: 'code that runs things (Alembic, the database, verify), without an editor',
  },
  {
    folder: 'cli', mayImport: ['server/src/core', 'server/src/fs', 'server/src/git', 'server/src/lsp/wire.ts', 'runtime', 'common', 'package.json'],
    packages: ['node:*'], why: 'alembic-lint: core and runtime without an editor',
  },
  {
    folder: 'client/src', mayImport: ['common', 'runtime', 'package.json'],
    packages: ['node:*', 'vscode', 'vscode-languageclient*', '@vscode/python-extension'], why: 'VS Code only; it asks the server about migrations',
  },
  { folder: 'client/webview', mayImport: ['common/graphViewMessages.ts', 'media'], packages: [], why: 'browser code: shares only the message types' },
];

const SOURCE_ROOTS = ['common', 'runtime', 'cli', 'client/src', 'client/webview', 'server/src'];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(repoRoot, dir), { withFileTypes: true })) {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(rel));
    else if (/\.(ts|mts)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

function layerOf(rel: string): Layer | undefined {
  let best: Layer | undefined;
  for (const l of LAYERS) {
    if ((rel === l.folder || rel.startsWith(`${l.folder}/`)) && (!best || l.folder.length > best.folder.length)) best = l;
  }
  return best;
}

/** Every module specifier: static imports and re-exports, dynamic `import()` and `require()`. */
function specifiers(text: string): string[] {
  const out: string[] = [];
  const re = /(?:^|[\s;])(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)|\brequire\(\s*['"]([^'"]+)['"]\s*\)/gm;
  for (const m of text.matchAll(re)) out.push(m[1] ?? m[2] ?? m[3] ?? m[4] ?? '');
  return out.filter(Boolean);
}

/** A relative specifier as the bundler resolves it: the file, `.ts`, or the folder's index.ts. */
function resolveRelative(fromRel: string, spec: string): string {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(fromRel), spec));
  for (const candidate of [base, `${base}.ts`, `${base}/index.ts`]) {
    const abs = path.join(repoRoot, candidate);
    if (fs.existsSync(abs) && fs.statSync(abs).isFile()) return candidate;
  }
  return base;
}

const packageName = (spec: string): string => spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.startsWith('node:') ? spec : spec.split('/')[0] ?? spec;
const within = (rel: string, allowed: string): boolean => rel === allowed || rel.startsWith(`${allowed}/`);
const packageAllowed = (name: string, allowed: readonly string[]): boolean =>
  allowed.some((a) => (a.endsWith('*') ? name.startsWith(a.slice(0, -1)) : name === a));

/** The arrows each file breaks, as readable lines. */
function violations(): string[] {
  const out: string[] = [];
  for (const root of SOURCE_ROOTS) {
    for (const file of sourceFiles(root)) {
      const layer = layerOf(file);
      if (!layer) {
        out.push(`${file}: in no layer (add its folder to the table in test/unit/layers.test.ts and to docs/ARCHITECTURE.md)`);
        continue;
      }
      for (const spec of specifiers(fs.readFileSync(path.join(repoRoot, file), 'utf8'))) {
        if (spec.startsWith('.')) {
          const target = resolveRelative(file, spec);
          if (layerOf(target) === layer) continue;
          if (!layer.mayImport.some((a) => within(target, a))) {
            out.push(`${file}: imports ${target} (${layer.folder} may import only ${layer.mayImport.join(', ') || 'its own files'}: ${layer.why})`);
          }
        } else if (!packageAllowed(packageName(spec), layer.packages)) {
          out.push(`${file}: imports the package ${spec} (${layer.folder} may import ${layer.packages.join(', ') || 'no package'}: ${layer.why})`);
        }
      }
    }
  }
  return out;
}

describe('layers: imports follow the arrows of docs/ARCHITECTURE.md', () => {
  it('no source file imports across an arrow the layer table does not allow', () => {
    assert.deepEqual(violations(), []);
  });

  it('the check sees real imports (a crossing written into a scratch file is caught)', () => {
    const scratch = path.join(repoRoot, 'server', 'src', 'core', '__layers_probe.ts');
    fs.writeFileSync(scratch, "import type { ProjectInfo } from '../../../common/protocol';\nimport * as vscode from 'vscode';\nexport type X = ProjectInfo | typeof vscode;\n");
    try {
      const found = violations().filter((v) => v.startsWith('server/src/core/__layers_probe.ts'));
      assert.equal(found.length, 2, found.join('\n'));
    } finally {
      fs.rmSync(scratch, { force: true });
    }
  });

  it('every layer in the table exists and is named in docs/ARCHITECTURE.md', () => {
    const doc = fs.readFileSync(path.join(repoRoot, 'docs', 'ARCHITECTURE.md'), 'utf8');
    for (const l of LAYERS) {
      assert.ok(fs.existsSync(path.join(repoRoot, l.folder)), `${l.folder} does not exist`);
      assert.ok(doc.includes(l.folder), `docs/ARCHITECTURE.md does not name ${l.folder}`);
    }
  });
});
