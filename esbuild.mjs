// Bundles the extension (client), the language server, the CLI and the benchmarks, and transpiles
// the test suites for mocha.
//   node esbuild.mjs               development build: source maps, not minified
//   node esbuild.mjs --production  minified, no source maps (what the .vsix ships)
//   node esbuild.mjs --watch       development build, rebuilt on change
//   node esbuild.mjs --tests       also transpile client/, server/ and test/ file by file into out/
import asc from 'assemblyscript/asc';
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';

const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');
const tests = args.has('--tests');

/**
 * The tokenizer's body scanner (server/wasm/skipBody.ts, AssemblyScript) compiled to WebAssembly, as
 * base64 for the __SKIP_BODY_WASM__ constant of server/src/core/parse/codeUnits.ts.
 */
async function compileBodyScanner() {
  let binary;
  const stderr = [];
  const { error } = await asc.main(
    ['server/wasm/skipBody.ts', '-O3', '--runtime', 'stub', '--noAssert', '--initialMemory', '5', '--outFile', 'skipBody.wasm'],
    {
      writeFile: (name, contents) => { if (name.endsWith('.wasm')) binary = contents; },
      stderr: { write: (text) => { stderr.push(String(text)); return true; } },
      stdout: { write: () => true },
    },
  );
  if (error || !binary) throw new Error(`AssemblyScript failed on server/wasm/skipBody.ts: ${error?.message ?? 'no output'}\n${stderr.join('')}`);
  return Buffer.from(binary).toString('base64');
}

const define = { __SKIP_BODY_WASM__: JSON.stringify(await compileBodyScanner()) };

const common = {
  define,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: production,
  sourcemap: production ? false : 'linked',
  logLevel: 'warning',
  // pg optionally requires pg-native; it is never installed and never used.
  external: ['pg-native'],
};

/**
 * For code that runs in VS Code's extension host. Node (21 and later) has a global `navigator`; the
 * extension host replaces it with a getter that reports a PendingMigrationError against the calling
 * extension (in the extension host log) and returns undefined. pg reads `navigator` when it loads, to
 * detect Cloudflare Workers (`isCloudflareRuntime` in pg/lib/stream.js). Compiled to `undefined`, the
 * name gives pg what the getter would give, without calling the getter; in plain Node pg decides the
 * same either way (not Cloudflare), so only the code the extension host loads needs it.
 */
const extensionHostDefine = { ...define, navigator: 'undefined' };

const bundles = [
  { entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode', 'pg-native'], define: extensionHostDefine },
  // Both are commands too (package.json bin) that any editor runs with Node 18 or later.
  { entryPoints: ['server/src/server.ts'], outfile: 'dist/server.js', target: 'node18', banner: { js: '#!/usr/bin/env node' } },
  { entryPoints: ['cli/main.ts'], outfile: 'dist/cli.js', target: 'node18', banner: { js: '#!/usr/bin/env node' } },
];
// The revision graph webview's script runs in the browser, not in Node.
if (fs.existsSync('client/webview/graph.ts')) {
  bundles.push({
    entryPoints: ['client/webview/graph.ts'], outfile: 'dist/webview/graph.js',
    platform: 'browser', target: 'es2022', format: 'iife', external: [],
  });
}

function listTs(dir) {
  const out = [];
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (['fixtures', 'host', 'node_modules'].includes(entry.name)) continue;
      out.push(...listTs(p));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/**
 * out/'s one copy of pg, built like the copy inside dist/extension.js (extensionHostDefine): the vscode
 * tier loads out/ files into the extension host, where node_modules/pg would report the navigator
 * error that the shipped bundle no longer does. Placed as if vendor/pg.js were a source file.
 */
const PG_FOR_TESTS_SOURCE = path.resolve('vendor', 'pg.js');

/**
 * For the file-by-file build: every import stays a require() of its own output file, except JSON,
 * which is inlined as the bundles inline it (common/settings.ts reads package.json, and from out/ a
 * require('../package.json') would look for out/package.json), and pg, which is out/'s own copy.
 */
const onlyJsonInlined = {
  name: 'only-json-inlined',
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point' || args.path.endsWith('.json')) return undefined;
      if (args.path === 'pg') {
        const relative = path.relative(path.dirname(args.importer), PG_FOR_TESTS_SOURCE);
        return { path: relative.startsWith('.') ? relative : `./${relative}`, external: true };
      }
      return { path: args.path, external: true };
    });
  },
};

/**
 * PostgreSQL's parser (libpg-query) reads its WebAssembly module from the folder of the script that
 * holds its loader: for the bundles that is dist/. Shipped as a file (1.7 MB, 0.34 MB in the .vsix)
 * rather than embedded, so the server and the CLI share one copy and a project without SQL never
 * reads it (server/src/fs/sqlParser.ts loads it on demand).
 */
function copySqlParserModule() {
  fs.mkdirSync('dist', { recursive: true });
  fs.copyFileSync(path.join('node_modules', 'libpg-query', 'wasm', 'libpg-query.wasm'), path.join('dist', 'libpg-query.wasm'));
}

async function buildAll() {
  const started = Date.now();
  // Stale outputs (source maps of an earlier dev build) must not reach a production .vsix.
  if (production) fs.rmSync('dist', { recursive: true, force: true });
  await Promise.all(bundles.map((b) => esbuild.build({ ...common, ...b })));
  for (const command of ['dist/cli.js', 'dist/server.js']) if (fs.existsSync(command)) fs.chmodSync(command, 0o755);
  copySqlParserModule();
  if (tests) {
    // File by file, keeping the folder layout, so that tests import the modules they test and
    // the vscode tier can require('vscode') inside the extension host.
    await esbuild.build({
      entryPoints: [...listTs('common'), ...listTs('runtime'), ...listTs('cli'), ...listTs('client'), ...listTs('server/src'), ...listTs('test'), ...listTs('bench')],
      outdir: 'out', outbase: '.', bundle: true, plugins: [onlyJsonInlined], platform: 'node', target: 'node20', format: 'cjs',
      sourcemap: 'inline', logLevel: 'warning', define,
    });
    await esbuild.build({
      stdin: { contents: "module.exports = require('pg');", resolveDir: '.', sourcefile: 'vendor/pg.js' },
      outfile: path.join('out', path.relative(process.cwd(), PG_FOR_TESTS_SOURCE)),
      bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning',
      external: ['pg-native'], define: extensionHostDefine,
    });
  }
  console.log(`esbuild: ${production ? 'production' : 'development'} build${tests ? ' + tests' : ''} in ${Date.now() - started} ms`);
}

if (watch) {
  const contexts = await Promise.all(bundles.map((b) => esbuild.context({ ...common, ...b })));
  await Promise.all(contexts.map((c) => c.watch()));
  copySqlParserModule();
  console.log('esbuild: watching for changes');
} else {
  await buildAll();
}
