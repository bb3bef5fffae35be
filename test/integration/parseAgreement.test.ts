// Our reading of the revision variables against Python's own: for every migration under
// test/fixtures, one Python process parses all files with `ast` and reports, per variable, the literal
// Alembic would see (str, None, tuple/list of str) or "unresolved" for anything else. Our parser must
// give the same values, and must call unresolved exactly what Python calls a non-literal.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseMigration } from '../../server/src/core/parse';
import type { Migration, RevisionValue } from '../../server/src/core/types';
import { fixtureMigrationFiles, fixturesDir } from '../support/paths';
import { runPython, testPython } from '../support/python';

/**
 * Mirrors the rules of our parser: module-level Assign/AnnAssign/AugAssign; an assignment inside a
 * module-level compound statement (if/try/for/with ...) or an unpacking target is unresolved; the last
 * one wins; def and class bodies never count.
 */
const PY_READER = String.raw`
import ast, json, sys

VARS = ("revision", "down_revision", "branch_labels", "depends_on")
UNRESOLVED = {"kind": "unresolved"}

def literal(node):
    if isinstance(node, ast.Constant):
        if node.value is None:
            return {"kind": "none"}
        if isinstance(node.value, str):
            return {"kind": "string", "value": node.value}
        return None
    if isinstance(node, (ast.Tuple, ast.List)):
        items = []
        for e in node.elts:
            if not (isinstance(e, ast.Constant) and isinstance(e.value, str)):
                return None
            items.append(e.value)
        return {"kind": "sequence", "items": items}
    return None

def bound_names(target):
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, (ast.Tuple, ast.List)):
        for e in target.elts:
            yield from bound_names(e)
    elif isinstance(target, ast.Starred):
        yield from bound_names(target.value)

def value_of(node, nested):
    if nested:
        return UNRESOLVED
    return literal(node) or UNRESOLVED

def walk(body, nested, out):
    for s in body:
        if isinstance(s, ast.Assign):
            for t in s.targets:
                if isinstance(t, ast.Name):
                    if t.id in VARS:
                        out[t.id] = value_of(s.value, nested)
                else:
                    for n in bound_names(t):
                        if n in VARS:
                            out[n] = UNRESOLVED
        elif isinstance(s, ast.AnnAssign):
            if s.value is not None and isinstance(s.target, ast.Name) and s.target.id in VARS:
                out[s.target.id] = value_of(s.value, nested)
        elif isinstance(s, ast.AugAssign):
            if isinstance(s.target, ast.Name) and s.target.id in VARS:
                out[s.target.id] = UNRESOLVED
        elif isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            pass
        else:
            for field in ("body", "orelse", "finalbody"):
                walk(getattr(s, field, None) or [], True, out)
            for h in getattr(s, "handlers", None) or []:
                walk(h.body, True, out)
            for c in getattr(s, "cases", None) or []:
                walk(c.body, True, out)

result = {}
for path in sys.argv[1:]:
    try:
        with open(path, "rb") as f:
            tree = ast.parse(f.read(), filename=path)
    except (SyntaxError, ValueError) as e:
        result[path] = {"error": "%s: %s" % (type(e).__name__, e)}
        continue
    out = {}
    walk(tree.body, False, out)
    result[path] = {"vars": out}
json.dump(result, sys.stdout)
`;

type PyValue = { kind: 'none' } | { kind: 'string'; value: string } | { kind: 'sequence'; items: string[] } | { kind: 'unresolved' };
type PyResult = { error: string } | { vars: Partial<Record<string, PyValue>> };

function ours(v: RevisionValue | undefined): PyValue | undefined {
  if (!v) return undefined;
  switch (v.kind) {
    case 'none': return { kind: 'none' };
    case 'string': return { kind: 'string', value: v.value };
    case 'sequence': return { kind: 'sequence', items: v.items.map((i) => i.value) };
    case 'unresolved': return { kind: 'unresolved' };
  }
}

const FIELDS: [string, keyof Pick<Migration, 'revision' | 'downRevision' | 'branchLabels' | 'dependsOn'>][] = [
  ['revision', 'revision'], ['down_revision', 'downRevision'], ['branch_labels', 'branchLabels'], ['depends_on', 'dependsOn'],
];

describe('parser agreement with Python ast', function () {
  this.timeout(60_000);

  it('reads the same revision variables as Python for every fixture migration', () => {
    const files = fixtureMigrationFiles();
    assert.ok(files.length > 0, `no .py files under ${fixturesDir}`);
    const r = runPython(PY_READER, files);
    assert.equal(r.status, 0, `${testPython()} failed: ${r.stderr}`);
    const py = JSON.parse(r.stdout) as Record<string, PyResult>;

    const mismatches: string[] = [];
    const skipped: string[] = [];
    let compared = 0;
    let values = 0;
    const kinds: Record<string, number> = {};
    for (const file of files) {
      const res = py[file];
      assert.ok(res, `Python said nothing about ${file}`);
      const rel = path.relative(fixturesDir, file);
      const m = parseMigration(fs.readFileSync(file, 'utf8'));
      if ('error' in res) {
        // Not Python at all: Alembic could not load it either, so there is nothing to agree on.
        skipped.push(`${rel} (${res.error})`);
        continue;
      }
      compared++;
      for (const [pyName, field] of FIELDS) {
        const want = res.vars[pyName];
        const got = ours(m[field]?.value);
        if (want) {
          values++;
          kinds[want.kind] = (kinds[want.kind] ?? 0) + 1;
        }
        if (JSON.stringify(got) !== JSON.stringify(want)) {
          const raw = m[field]?.value;
          mismatches.push(`${rel} ${pyName}: python ${JSON.stringify(want)}, ours ${JSON.stringify(got)}${raw?.kind === 'unresolved' ? ` (${raw.text})` : ''}`);
        }
      }
    }
    console.log(`      ${compared} files compared, ${values} values (${Object.entries(kinds).map(([k, n]) => `${n} ${k}`).join(', ')})`);
    for (const s of skipped) console.log(`      not compared, Python cannot parse it: ${s}`);
    assert.deepEqual(mismatches, []);
    // Our own fixtures alone hold every kind of value; the comparison must have seen them.
    for (const k of ['string', 'none', 'sequence', 'unresolved']) assert.ok((kinds[k] ?? 0) > 0, `no ${k} value compared`);
    assert.ok(skipped.every((s) => !s.startsWith(`parser${path.sep}`) || s.startsWith(`parser${path.sep}broken_`)), skipped.join('\n'));
  });
});
