// parseMigrationHeader reads module-level facts without reading function bodies. Whatever a body holds,
// what comes after it must be read exactly as parseMigration reads it: these are the places where
// reading less could lose its way (strings, prefixes, brackets, continuations, recoveries).
import assert from 'node:assert/strict';
import { headerOf, parseMigration, parseMigrationHeader } from '../../server/src/core/parse';
import type { Migration, RevisionValue } from '../../server/src/core/types';
import { checkSkippedTokens } from '../support/skipBodies';

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

  it('headerOf a full parse is the header parse (what a full check keeps of each file)', () => {
    const texts = [
      '"""Add users\n\nRevision ID: a1\nRevises: b0\nCreate Date: 2024-01-01\n"""\nrevision = "a1"  # id\ndown_revision = "b0"\n' +
        'branch_labels = ("x",)\ndepends_on = None\nimport sqlalchemy as sa\nstatus = sa.Enum("a", name="s")\n\n\ndef helper():\n' +
        '    op.execute("SELECT 1")\n\n\ndef upgrade():\n    # a comment in a body\n    op.create_table("users")\n    helper()\n\n\n' +
        'def downgrade():\n    op.drop_table("users")\n',
      'revision = "a"\n',
      '',
      'revision = f"{x}"\ndown_revision = ("a", "b")\ndef upgrade(:\n    op.f(\n',
    ];
    for (const text of texts) {
      assert.deepEqual(headerOf(parseMigration(text)), parseMigrationHeader(text), JSON.stringify(text.slice(0, 40)));
    }
    assert.ok(parseMigration(texts[0] ?? '').functions.length > 0, 'the full parse has functions to leave out');
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

  describe('passing over function bodies without tokenizing them', () => {
    /** Both parses agree, the tokens around the bodies are the same, and `skipped` bodies were passed over. */
    function expectSkipped(text: string, skipped: number, revision = 'a'): void {
      expectRevision(text, revision);
      const s = checkSkippedTokens(text, JSON.stringify(text));
      assert.equal(s.skipped, skipped, `${s.skipped} of ${s.bodies} bodies skipped in ${JSON.stringify(text)}`);
    }
    const head = 'revision = "a"\n';

    it('passes over ordinary bodies, keeping their comments in order', () => {
      const text = `${head}\n\ndef upgrade() -> None:\n    # first\n    op.create_table(\n        "t",  # second\n        sa.Column("id", sa.Integer()),\n    )\n    if x:\n        for y in z:\n            pass\n    elif q != 2:\n        pass\n\n\ndef downgrade():\n    op.drop_table('t')  # third\n`;
      expectSkipped(text, 2);
      assert.deepEqual(parseMigrationHeader(text).comments.map((c) => c.text), [' first', ' second', ' third']);
    });

    it('follows CRLF and CR line ends, tabs, async defs, nested defs, decorators and a body at the end of the text', () => {
      expectSkipped(`${head}def upgrade():\r\n    x = 1\r\n\r\n    y = (\r\n2)\r\nrevision = "b"\r\n`, 1, 'b');
      expectSkipped(`${head}def upgrade():\r    x = 1\rrevision = "b"\r`, 1, 'b');
      expectSkipped(`${head}def upgrade():\n\tif x:\n\t\ty = 1\n\tz = 2\n`, 1);
      expectSkipped(`${head}async def upgrade():\n    @dec\n    def inner():\n        return 1\n    await inner()`, 1);
      expectSkipped(`${head}def upgrade():  # the header may end in a comment\n    pass\n# a column-0 comment stays in the body\n    pass\nrevision = "b"\n`, 1, 'b');
    });

    it('reads strings with every prefix, f-string fields with quotes, and continuation lines across column 0', () => {
      expectSkipped(`${head}def upgrade():\n    op.execute("""\nrevision = "b"\n""")\n    x = rb'''\ndef f(): pass\n'''\n    y = f"{d["k"]}" + t'{x:{w}}' + Rb"\\"" + '\\'' + u'\\\n'\n`, 1);
      expectSkipped(`${head}def upgrade():\n    x = [\n1,\n]\n    y = 1 + \\\n2\n    z = 3\nrevision = "b"\n`, 1, 'b');
      // Letters after digits belong to the number: `1.f"` is a number and a plain string.
      expectSkipped(`${head}def upgrade():\n    x = 1.f"{'" + 0x1f'"' + 1rb"\\\\"\nrevision = "b"\n`, 1, 'b');
    });

    it('leaves to the tokenizer what it reports or recovers from, and what the skip does not follow', () => {
      const bodies = [
        'x = "open\n', // unterminated string
        'x = """open\n', // unterminated triple-quoted string
        'x = (]\n', // mismatched bracket
        'x = )\n', // closer without opener
        'x = (\n', // bracket open at the next column-0 line
        'x = $\n', 'x = ?\n', 'x = `\n', 'x = !\n', 'x = \0\n', // invalid characters
        'x = 1 \\ 2\n', // backslash not ending a line
        'if a:\n        b\n      c\n', // dedent to no outer level
        'x = 1\n\f    y = 2\n', // form feed in indentation
        'naïve = 1\n', 'x = "ok" + é\n', // non-ASCII code
      ];
      for (const body of bodies) {
        expectSkipped(`${head}def upgrade():\n    ${body}def downgrade():\n    pass\n`, 1);
      }
      // An empty body (Python refuses it) and a body of blank lines at the end are the tokenizer's too.
      expectSkipped(`${head}def upgrade():\nrevision = "b"\n`, 0, 'b');
      expectSkipped(`${head}def upgrade():\n\n   \n`, 0);
      // Non-ASCII text inside strings and comments is no reason to stop.
      expectSkipped(`${head}def upgrade():\n    x = "naïve ☃ 😀"  # ünïcode\n`, 1);
    });

    it('skips only bodies of column-0 functions whose header line ends with a colon', () => {
      expectSkipped(`${head}def upgrade(): pass\nclass X:\n    y = 1\nif a:\n    def f():\n        pass\n`, 0);
      expectSkipped(`${head}def upgrade(\n    x,\n) -> None:\n    pass\n`, 1);
    });
  });
});
