// Every snippet, expanded the way VS Code expands it with its default values, is valid Python inside
// a migration function (module level for the enum definition).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../support/paths';
import { runPython } from '../support/python';

interface Snippet { prefix: string; body: string[] }

/**
 * Expands a TextMate snippet with every placeholder at its default: `${1:text}` (nested allowed),
 * `${1|a,b|}` (first choice), `${1}` / `$1` (the value placeholder 1 got), `$0` (nothing).
 */
function expandSnippet(body: string): string {
  const values = new Map<string, string>();
  let i = 0;
  const parse = (until?: string): string => {
    let out = '';
    while (i < body.length) {
      const ch = body[i] ?? '';
      if (until && ch === until) return out;
      if (ch === '\\' && i + 1 < body.length) { out += body[i + 1]; i += 2; continue; }
      if (ch !== '$') { out += ch; i++; continue; }
      const simple = /^\$(\d+)/.exec(body.slice(i));
      if (simple) { out += values.get(simple[1] ?? '') ?? ''; i += simple[0].length; continue; }
      const open = /^\$\{(\d+)([:|}])/.exec(body.slice(i));
      assert.ok(open, `unexpected $ at ${i} in ${body}`);
      const index = open[1] ?? '';
      i += open[0].length;
      if (open[2] === '}') { out += values.get(index) ?? ''; continue; }
      if (open[2] === '|') {
        const end = body.indexOf('|}', i);
        const value = body.slice(i, end).split(',')[0] ?? '';
        i = end + 2;
        values.set(index, value);
        out += value;
        continue;
      }
      const value = parse('}');
      i++; // the closing brace
      values.set(index, value);
      out += value;
    }
    return out;
  };
  return parse();
}

describe('templates: snippets expand to valid Python', function () {
  this.timeout(30_000);
  const snippets = Object.values(JSON.parse(fs.readFileSync(path.join(repoRoot, 'snippets', 'migrations.code-snippets'), 'utf8')) as Record<string, Snippet>);

  it('the expander mirrors and nests like VS Code', () => {
    assert.equal(expandSnippet('op.create_index("${3:ix_${1:t}_${2:c}}", "${1}", ["$2"])$0'), 'op.create_index("ix_t_c", "t", ["c"])');
    assert.equal(expandSnippet('x=${1|False,True|} y=$1'), 'x=False y=False');
  });

  it('every snippet compiles in its place in a migration module', () => {
    const moduleLevel = new Set(['alembic-enum-define']);
    const indent = (text: string) => text.split('\n').map((l) => `    ${l}`).join('\n');
    const parts = [
      'from alembic import op', 'import sqlalchemy as sa', 'from sqlalchemy.dialects import postgresql', '',
      ...snippets.filter((s) => moduleLevel.has(s.prefix)).map((s) => expandSnippet(s.body.join('\n'))),
      '',
      ...snippets.filter((s) => !moduleLevel.has(s.prefix)).map((s, n) => `def use_${n}():\n${indent(expandSnippet(s.body.join('\n')))}\n`),
    ];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-snippets-'));
    try {
      const file = path.join(dir, 'snippets_expanded.py');
      fs.writeFileSync(file, parts.join('\n'));
      const r = runPython(undefined, ['-m', 'py_compile', file]);
      assert.equal(r.status, 0, `${r.stderr}\n${parts.join('\n')}`);
      // Not only syntax: the module imports and every name it uses at import time exists.
      const run = runPython(`import runpy; runpy.run_path(${JSON.stringify(file)})`, []);
      assert.equal(run.status, 0, run.stderr);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    assert.ok(snippets.length >= 12);
  });
});
