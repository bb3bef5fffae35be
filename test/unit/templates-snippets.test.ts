// The snippet file: valid JSON in VS Code's snippet shape, every prefix under `alembic-`, and the
// op.* calls the issue lists, written the safe way (checkfirst, CONCURRENTLY inside autocommit).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../support/paths';

interface Snippet {
  scope: string;
  include: string[];
  prefix: string;
  description: string;
  body: string[];
}

const file = path.join(repoRoot, 'snippets', 'migrations.code-snippets');
const snippets = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Snippet>;
const byPrefix = new Map(Object.values(snippets).map((s) => [s.prefix, s]));
const body = (prefix: string): string => {
  const s = byPrefix.get(prefix);
  assert.ok(s, `a snippet with prefix ${prefix}`);
  return s.body.join('\n');
};

describe('templates: migration snippets', () => {
  it('every snippet is Python-scoped, limited to versions folders, prefixed alembic- and described', () => {
    const all = Object.entries(snippets);
    assert.ok(all.length >= 12);
    for (const [name, s] of all) {
      assert.equal(s.scope, 'python', name);
      assert.match(s.prefix, /^alembic-[a-z-]+$/, name);
      assert.ok(s.description.length > 10, name);
      assert.ok(Array.isArray(s.body) && s.body.every((l) => typeof l === 'string'), name);
      assert.deepEqual(s.include, ['**/versions/*.py', '**/versions/**/*.py'], name);
    }
    assert.equal(byPrefix.size, all.length, 'prefixes are unique');
  });

  it('covers the calls the issue lists', () => {
    assert.match(body('alembic-create-table'), /^op\.create_table\(/);
    assert.match(body('alembic-drop-table'), /^op\.drop_table\(/);
    assert.match(body('alembic-add-column'), /^op\.add_column\(.*nullable=True\)\)/);
    assert.match(body('alembic-drop-column'), /^op\.drop_column\(/);
    for (const p of ['alembic-create-index-concurrently', 'alembic-drop-index-concurrently']) {
      assert.match(body(p), /^with op\.get_context\(\)\.autocommit_block\(\):\n {4}op\.(create|drop)_index\([\s\S]*postgresql_concurrently=True/, p);
    }
    assert.match(body('alembic-enum-define'), /postgresql\.ENUM\(.*create_type=False\)/);
    assert.match(body('alembic-enum-create'), /\.create\(op\.get_bind\(\), checkfirst=True\)/);
    assert.match(body('alembic-enum-drop'), /\.drop\(op\.get_bind\(\), checkfirst=True\)/);
    assert.match(body('alembic-batch-alter-table'), /^with op\.batch_alter_table\(.*\) as batch_op:/);
    assert.match(body('alembic-execute'), /^op\.execute\(sa\.text\(/);
  });

  it('every tab stop ends with $0 or offers the final position, and placeholders are well formed', () => {
    for (const s of Object.values(snippets)) {
      const text = s.body.join('\n');
      assert.match(text, /\$0|\$\{0:/, s.prefix);
      // Balanced ${...}: a broken placeholder shows up literally in the editor.
      let depth = 0;
      for (let i = 0; i < text.length; i++) {
        if (text[i] === '$' && text[i + 1] === '{') { depth++; i++; } else if (text[i] === '}' && depth > 0) depth--;
      }
      assert.equal(depth, 0, s.prefix);
    }
  });
});
