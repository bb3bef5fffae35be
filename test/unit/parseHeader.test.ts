// parseMigrationHeader reads module-level facts without reading function bodies. Whatever a body holds,
// what comes after it must be read exactly as parseMigration reads it: these are the places where
// reading less could lose its way (strings, prefixes, brackets, continuations, recoveries).
import assert from 'node:assert/strict';
import { parseMigration, parseMigrationHeader } from '../../server/src/core/parse';
import type { Migration, RevisionValue } from '../../server/src/core/types';

function show(v: RevisionValue | undefined): string {
  if (!v) return '-';
  if (v.kind === 'string') return v.value;
  if (v.kind === 'none') return 'None';
  if (v.kind === 'sequence') return `[${v.items.map((i) => i.value).join(',')}]`;
  return `?${v.text}`;
}

function headerFacts(m: Migration): Partial<Migration> {
  const { revision, downRevision, branchLabels, dependsOn, docstring, comments, lineCount, syntaxProblems } = m;
  return { revision, downRevision, branchLabels, dependsOn, docstring, comments, lineCount, syntaxProblems };
}

/** Both parses agree, and the revision is what Python would end up with. */
function expectRevision(text: string, revision: string): void {
  const full = parseMigration(text);
  const header = parseMigrationHeader(text);
  assert.equal(show(full.revision?.value), revision, 'full parse');
  assert.deepEqual(headerFacts(header), headerFacts(full));
}

describe('parseMigrationHeader', () => {
  it('reads the revision variables, docstring and comments, and no function', () => {
    const text = '"""Add users\n\nRevision ID: a1\nRevises: \n"""\nrevision = "a1"  # id\ndown_revision = None\n\n\ndef upgrade():\n    # a comment in a body\n    op.create_table("users")\n\n\ndef downgrade():\n    op.drop_table("users")\n';
    const m = parseMigrationHeader(text);
    assert.equal(m.headerOnly, true);
    assert.equal(show(m.revision?.value), 'a1');
    assert.equal(show(m.downRevision?.value), 'None');
    assert.equal(m.docstring?.message, 'Add users');
    assert.deepEqual(m.functions, []);
    assert.deepEqual(m.comments.map((c) => c.text), [' id', ' a comment in a body']);
    assert.equal(parseMigration(text).headerOnly, undefined);
    assert.deepEqual(headerFacts(m), headerFacts(parseMigration(text)));
  });

  it('sees through triple-quoted strings in bodies that hold column-0 assignments', () => {
    expectRevision('revision = "a"\ndef upgrade():\n    op.execute("""\nrevision = "b"\n""")\n', 'a');
    expectRevision('revision = "a"\ndef upgrade():\n    x = rb\'\'\'\nrevision = "b"\n\'\'\'\nrevision = "c"\n', 'c');
  });

  it('keeps a body line open while a bracket is, and matches brackets as the tokenizer does', () => {
    expectRevision('revision = "a"\ndef upgrade():\n    op.f(\nrevision = "b"\n    )\n', 'a');
    // A stray closer of another kind leaves the bracket open.
    expectRevision('revision = "a"\ndef upgrade():\n    op.f(]\nrevision = "b"\n', 'a');
    expectRevision('revision = "a"\ndef upgrade():\n    op.f([)\nrevision = "b"\n', 'b');
  });

  it('closes brackets by force at a column-0 def, class or decorator', () => {
    expectRevision('revision = "a"\ndef upgrade():\n    op.f(\ndef downgrade():\n    pass\nrevision = "b"\n', 'b');
    expectRevision('revision = "a"\ndef upgrade():\n    op.f(\n@dec\ndef downgrade():\n    pass\nrevision = "c"\n', 'c');
  });

  it('follows backslash continuations', () => {
    expectRevision('revision = "a"\ndef upgrade():\n    x = 1 + \\\nrevision\n', 'a');
    expectRevision('revision = "a"\ndef upgrade():\n    x = 1 + \\\ndef downgrade():\n    pass\nrevision = "b"\n', 'b');
  });

  it('reads string prefixes, f-string fields and numbers as the tokenizer does', () => {
    // `1.f` is a number, so the string after it is no f-string and its `{` opens nothing.
    expectRevision('revision = "a"\ndef upgrade():\n    x = 1.f"{\'" + """\nrevision = "b"\n"""\n', 'a');
    expectRevision('revision = "a"\ndef upgrade():\n    x = f"""{\n"x"}\nrevision = "b"\n"""\nrevision = "c"\n', 'c');
    expectRevision('revision = "a"\ndef upgrade():\n    x = xf"\nrevision = "b"\n', 'b');
  });

  it('recovers from unterminated strings in bodies like a full parse', () => {
    expectRevision('revision = "a"\ndef upgrade():\n    x = "abc\nrevision = "b"\n', 'b');
    expectRevision('revision = "a"\ndef upgrade():\n    x = """abc\nrevision = "b"\ndef downgrade():\n    pass\nrevision = "c"\n', 'c');
  });

  it('skips class bodies, but not what follows a decorator line', () => {
    expectRevision('revision = "a"\nclass X:\n    revision = "b"\n', 'a');
    expectRevision('revision = "a"\n@dec\n    revision = "b"\n', '?"b"');
  });
});
