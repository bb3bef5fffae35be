import assert from 'node:assert/strict';
import fs from 'node:fs';
import { parseMigration } from '../../server/src/core/parse';
import type { ArgValue, Migration, MigrationFunction, ParsedCall, Range, RevisionValue } from '../../server/src/core/types';
import { fixturePath } from '../support/paths';

/** The document text a range covers, with LSP line semantics (\n, \r\n and \r end lines). */
function textAt(text: string, r: Range): string {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) starts.push(i + 1);
  }
  const off = (p: { line: number; character: number }): number => {
    const s = starts[p.line];
    assert.ok(s !== undefined, `line ${p.line} outside the document`);
    return s + p.character;
  };
  return text.slice(off(r.start), off(r.end));
}

function fixture(name: string): { text: string; m: Migration } {
  const text = fs.readFileSync(fixturePath('parser', name), 'utf8');
  return { text, m: parseMigration(text) };
}

/** A compact view of a revision value: `'abc'`, `None`, `['a','b']`, `?text`. */
function show(v: RevisionValue | undefined): string {
  if (!v) return '-';
  switch (v.kind) {
    case 'none': return 'None';
    case 'string': return `'${v.value}'`;
    case 'sequence': return `[${v.items.map((i) => `'${i.value}'`).join(',')}]`;
    case 'unresolved': return `?${v.text}`;
  }
}

function vars(m: Migration): Record<string, string> {
  return {
    revision: show(m.revision?.value),
    down_revision: show(m.downRevision?.value),
    branch_labels: show(m.branchLabels?.value),
    depends_on: show(m.dependsOn?.value),
  };
}

function fn(m: Migration, name: string): MigrationFunction {
  const f = m.functions.find((x) => x.name === name);
  assert.ok(f, `no function ${name} in ${m.functions.map((x) => x.name).join(', ')}`);
  return f;
}

function callees(f: MigrationFunction): string[] {
  return f.calls.map((c) => c.callee);
}

function call(f: MigrationFunction, callee: string, nth = 0): ParsedCall {
  const c = f.calls.filter((x) => x.callee === callee)[nth];
  assert.ok(c, `no call ${callee} #${nth} in ${callees(f).join(', ')}`);
  return c;
}

/** A compact view of an argument: 'x' for strings, numbers/bools/None as written, call(...) etc. */
function arg(v: ArgValue | undefined): string {
  if (!v) return '-';
  switch (v.kind) {
    case 'string': return JSON.stringify(v.value);
    case 'number': return v.text;
    case 'bool': return v.value ? 'True' : 'False';
    case 'none': return 'None';
    case 'name': return v.name;
    case 'call': return `${v.call.callee}(${[...v.call.args.map(arg), ...v.call.kwargs.map((k) => `${k.name}=${arg(k.value)}`)].join(', ')})`;
    case 'sequence': return `[${v.items.map(arg).join(', ')}]`;
    case 'other': return `<${v.text}>`;
  }
}

function argsOf(c: ParsedCall): string {
  return [...c.args.map(arg), ...c.kwargs.map((k) => `${k.name}=${arg(k.value)}`)].join(', ');
}

const HEAD = 'from alembic import op\nimport sqlalchemy as sa\n\n';

describe('parseMigration: revision variables', () => {
  it('reads the plain Alembic template', () => {
    const { text, m } = fixture('non_hex_ids.py');
    assert.deepEqual(vars(m), { revision: "'001_initial_schema'", down_revision: 'None', branch_labels: "['core']", depends_on: 'None' });
    assert.equal(textAt(text, m.revision!.nameRange), 'revision');
    assert.equal(textAt(text, m.revision!.value.range), "'001_initial_schema'");
    assert.equal(textAt(text, m.branchLabels!.value.range), "('core',)");
  });

  it('reads annotated forms, multi-line merge tuples with comments, and lists', () => {
    const { text, m } = fixture('merge_multiline.py');
    assert.deepEqual(vars(m), { revision: "'c0ffee000001'", down_revision: "['aaa111','bbb222','ccc333']", branch_labels: 'None', depends_on: "['ddd444']" });
    const down = m.downRevision!.value;
    assert.equal(down.kind, 'sequence');
    if (down.kind === 'sequence') {
      // Each element keeps its own range: diagnostics and go-to-definition point at one id.
      assert.deepEqual(down.items.map((i) => textAt(text, i.range)), ["'aaa111'", '"bbb222"', "'ccc333'"]);
    }
    assert.equal(textAt(text, m.downRevision!.nameRange), 'down_revision');
  });

  it('reads PEP 604 annotations and ignores an annotation without a value', () => {
    const { m } = fixture('annotated_pipe.py');
    assert.deepEqual(vars(m), { revision: "'7e57ab1e0001'", down_revision: "'7e57ab1e0000'", branch_labels: "'feature_x'", depends_on: 'None' });
    assert.deepEqual(vars(parseMigration('revision: str\ndown_revision: Optional[str]\n')), {
      revision: '-', down_revision: '-', branch_labels: '-', depends_on: '-',
    });
  });

  it('reads chained assignments and implicit string concatenation', () => {
    const { text, m } = fixture('chained_and_concat.py');
    assert.deepEqual(vars(m), { revision: "'abcdef123456'", down_revision: "'123456abcdef'", branch_labels: 'None', depends_on: 'None' });
    assert.equal(textAt(text, m.dependsOn!.nameRange), 'depends_on');
    assert.equal(textAt(text, m.revision!.value.range), '"abcdef"\n            "123456"');
  });

  it('treats every other shape as a value', () => {
    const cases: [string, string][] = [
      ['"a"', "'a'"],
      ["('a')", "'a'"],
      ["(('a'))", "'a'"],
      ['(None)', 'None'],
      ["'a', 'b'", "['a','b']"],
      ["('a',)", "['a']"],
      ['()', '[]'],
      ['[]', '[]'],
      ["['a', ('b'), 'c' 'd',]", "['a','b','cd']"],
      ["u'a'", "'a'"],
      ["r'a\\b'", "'a\\b'"],
      ["'a\\x41\\u00e9\\n'", "'aAé\n'"],
    ];
    for (const [src, want] of cases) assert.equal(show(parseMigration(`revision = ${src}\n`).revision?.value), want, src);
  });

  it('leaves anything else unresolved, with its source text', () => {
    const cases = [
      'some_name', 'get_id()', '"a" + "b"', 'f"abc"', "b'abc'", '42', 'True', "{'a'}", "('a', None)", "(x, 'a')",
      "'a' if x else 'b'", '"\\N{BULLET}"', 'lambda: "a"', "[*xs, 'a']",
    ];
    for (const src of cases) {
      const v = parseMigration(`down_revision = ${src}\n`).downRevision?.value;
      assert.equal(v?.kind, 'unresolved', src);
      if (v?.kind === 'unresolved') assert.equal(v.text, src);
    }
    const { m } = fixture('unresolved_values.py');
    assert.deepEqual(vars(m), {
      revision: '?os.environ.get("REVISION", "dynamic0001")', down_revision: '?BASE', branch_labels: '?"a" + "b"', depends_on: '?(BASE, "x")',
    });
  });

  it('reports a half-typed assignment as unresolved with an empty range after the =', () => {
    const text = 'revision = ';
    const m = parseMigration(text);
    assert.equal(m.revision?.value.kind, 'unresolved');
    assert.deepEqual(m.revision?.value.range, { start: { line: 0, character: 10 }, end: { line: 0, character: 10 } });
  });

  it('lets the last module-level assignment win and marks conditional ones unresolved', () => {
    const { m } = fixture('last_wins_nested.py');
    assert.deepEqual(vars(m), { revision: "'second'", down_revision: "'parent01'", branch_labels: '?None', depends_on: '?"only_on_the_future"' });
  });

  it('marks unpacking and augmented assignments unresolved', () => {
    assert.deepEqual(vars(parseMigration('revision, down_revision = "a", "b"\nbranch_labels = None\nbranch_labels += ("x",)\n')), {
      revision: '?"a", "b"', down_revision: '?"a", "b"', branch_labels: '?("x",)', depends_on: '-',
    });
    // Subscripts and attributes are not the variables themselves.
    assert.deepEqual(vars(parseMigration('x[revision] = 1\nself.down_revision = 2\nrevision.x = 3\n')), {
      revision: '-', down_revision: '-', branch_labels: '-', depends_on: '-',
    });
  });

  it('never counts assignments in docstrings, comments, strings, f-strings, functions or classes', () => {
    const { m } = fixture('traps_text.py');
    assert.deepEqual(vars(m), { revision: "'4f3c2a1b9d8e'", down_revision: "'9a8b7c6d5e4f'", branch_labels: 'None', depends_on: 'None' });
    assert.deepEqual(m.functions.map((f) => f.name), ['upgrade', 'downgrade']);
  });

  it('does not read keyword arguments, comparisons, walrus or lambda defaults as assignments', () => {
    const m = parseMigration('f(revision="x")\nrevision == "y"\n(down_revision := "z")\nbranch_labels = lambda depends_on="w": 1\n');
    assert.deepEqual(vars(m), { revision: '-', down_revision: '-', branch_labels: '?lambda depends_on="w": 1', depends_on: '-' });
  });

  it('reads statements separated by semicolons', () => {
    assert.deepEqual(vars(parseMigration('revision = "a"; down_revision = None;branch_labels="b"\n')), {
      revision: "'a'", down_revision: 'None', branch_labels: "'b'", depends_on: '-',
    });
  });
});

describe('parseMigration: docstring header', () => {
  it('reads message, Revision ID, Revises and Create Date with ranges', () => {
    const { text, m } = fixture('merge_multiline.py');
    const d = m.docstring!;
    assert.equal(d.message, 'merge heads');
    assert.equal(d.revisionId?.value, 'c0ffee000001');
    assert.equal(textAt(text, d.revisionId!.range), 'c0ffee000001');
    assert.deepEqual(d.revises?.map((r) => r.value), ['aaa111', 'bbb222', 'ccc333']);
    assert.deepEqual(d.revises?.map((r) => textAt(text, r.range)), ['aaa111', 'bbb222', 'ccc333']);
    assert.equal(d.createDate, '2024-06-01 09:30:00.000000');
    assert.ok(textAt(text, d.range).startsWith('"""merge heads'));
    assert.ok(textAt(text, d.range).endsWith('"""'));
  });

  it('reads an empty Revises: as no ids, and keeps fields optional', () => {
    const { m } = fixture('non_hex_ids.py');
    assert.deepEqual(m.docstring?.revises, []);
    assert.equal(m.docstring?.revisionId?.value, '001_initial_schema');
    const bare = parseMigration('"""just a message"""\nrevision = "a"\n');
    assert.deepEqual({ ...bare.docstring, range: undefined }, { range: undefined, message: 'just a message' });
    const noMessage = parseMigration('"""\nRevision ID: abc\n"""\n');
    assert.equal(noMessage.docstring?.message, undefined);
    assert.equal(noMessage.docstring?.revisionId?.value, 'abc');
  });

  it('only takes the first statement, and not an f-string or bytes', () => {
    assert.equal(parseMigration('import x\n"""Revision ID: abc"""\n').docstring, undefined);
    assert.equal(parseMigration('f"""Revision ID: abc"""\n').docstring, undefined);
    assert.equal(parseMigration('b"""Revision ID: abc"""\n').docstring, undefined);
    assert.equal(parseMigration('# comment\n\n"""Revision ID: abc"""\n').docstring?.revisionId?.value, 'abc');
  });

  it('keeps exact ranges with CRLF line endings and a BOM', () => {
    for (const name of ['crlf.py', 'bom_tabs.py']) {
      const { text, m } = fixture(name);
      assert.equal(textAt(text, m.docstring!.revisionId!.range), m.revision?.value.kind === 'string' ? m.revision.value.value : '', name);
      assert.deepEqual(m.docstring!.revises!.map((r) => textAt(text, r.range)), [m.docstring!.revises![0]!.value], name);
    }
  });
});

describe('parseMigration: functions', () => {
  it('finds upgrade and downgrade with their ranges', () => {
    const { text, m } = fixture('enums_and_sql.py');
    const up = fn(m, 'upgrade');
    assert.equal(up.kind, 'upgrade');
    assert.equal(up.engine, undefined);
    assert.equal(textAt(text, up.nameRange), 'upgrade');
    assert.equal(textAt(text, up.defLineRange), 'def upgrade() -> None:');
    assert.ok(textAt(text, up.range).startsWith('def upgrade() -> None:\n    bind = op.get_bind()'));
    assert.ok(textAt(text, up.range).endsWith('op.execute(f"DROP TABLE IF EXISTS {name}")'));
    assert.ok(textAt(text, up.bodyRange!).startsWith('bind = op.get_bind()'));
    assert.equal(up.isEmpty, false);
    assert.equal(up.raises, false);
    const down = fn(m, 'downgrade');
    assert.ok(textAt(text, down.range).endsWith('user_role.drop(op.get_bind(), checkfirst=True)'));
  });

  it('finds upgrade_<engine> / downgrade_<engine> of the multi-database template', () => {
    const { m } = fixture('multidb.py');
    assert.deepEqual(m.functions.map((f) => [f.name, f.kind, f.engine ?? '']), [
      ['upgrade', 'upgrade', ''], ['downgrade', 'downgrade', ''],
      ['upgrade_engine1', 'upgrade', 'engine1'], ['downgrade_engine1', 'downgrade', 'engine1'],
      ['upgrade_engine2', 'upgrade', 'engine2'], ['downgrade_engine2', 'downgrade', 'engine2'],
    ]);
    assert.deepEqual(callees(fn(m, 'upgrade_engine1')), ['op.create_table']);
    assert.equal(fn(m, 'upgrade_engine2').isEmpty, true);
  });

  it('ignores other functions, nested functions and methods', () => {
    const m = parseMigration('def upgraded():\n    pass\ndef upgrade_():\n    pass\nclass X:\n    def upgrade(self):\n        pass\ndef f():\n    def downgrade():\n        pass\n');
    assert.deepEqual(m.functions, []);
  });

  it('tells empty bodies: pass, ..., docstrings and comments only', () => {
    const bodies = ['pass', '...', '"""Nothing."""', '# just a comment\n    pass', '"""doc"""\n    pass\n    # trailing', 'pass; ...'];
    for (const b of bodies) {
      const f = fn(parseMigration(`def upgrade():\n    ${b}\n`), 'upgrade');
      assert.equal(f.isEmpty, true, b);
      assert.equal(f.raises, false, b);
    }
    for (const b of ['op.drop_table("t")', 'pass\n    x = 1', 'if False:\n        pass']) {
      assert.equal(fn(parseMigration(`def upgrade():\n    ${b}\n`), 'upgrade').isEmpty, false, b);
    }
    const { m } = fixture('annotated_pipe.py');
    assert.equal(fn(m, 'upgrade').isEmpty, true);
  });

  it('tells a body whose first real statement is raise', () => {
    assert.equal(fn(fixture('annotated_pipe.py').m, 'downgrade').raises, true);
    assert.equal(fn(parseMigration('def downgrade():\n    """One way."""\n    raise NotImplementedError()\n'), 'downgrade').raises, true);
    assert.equal(fn(parseMigration('def downgrade():\n    op.drop_table("t")\n    raise Exception()\n'), 'downgrade').raises, false);
  });

  it('reads one-line bodies, decorators, async defs and a missing body', () => {
    const { text, m } = fixture('chained_and_concat.py');
    const down = fn(m, 'downgrade');
    assert.equal(textAt(text, down.bodyRange!), 'pass');
    assert.equal(down.isEmpty, true);
    assert.equal(fn(m, 'upgrade').isEmpty, true);

    const src = '@decorator(1)\n@other\ndef upgrade():\n    op.f()\n\nasync def downgrade():\n    pass\n';
    const dm = parseMigration(src);
    assert.ok(textAt(src, fn(dm, 'upgrade').range).startsWith('@decorator(1)\n@other\ndef upgrade'));
    assert.equal(textAt(src, fn(dm, 'upgrade').defLineRange), 'def upgrade():');
    assert.equal(textAt(src, fn(dm, 'downgrade').nameRange), 'downgrade');

    const half = parseMigration('def upgrade():\n');
    assert.equal(fn(half, 'upgrade').bodyRange, undefined);
    assert.equal(fn(half, 'upgrade').isEmpty, true);
  });

  it('takes the def line only up to the end of its first line', () => {
    const src = 'def upgrade(\n    engine_name: str,\n) -> None:  # note\n    pass\n';
    const f = fn(parseMigration(src), 'upgrade');
    assert.equal(textAt(src, f.defLineRange), 'def upgrade(');
    assert.equal(textAt(src, f.bodyRange!), 'pass');
  });
});

describe('parseMigration: calls', () => {
  const { text, m } = fixture('enums_and_sql.py');
  const up = fn(m, 'upgrade');

  it('lists statement-level calls in source order, including inside if/for/with', () => {
    assert.deepEqual(callees(up), [
      'op.get_bind', 'user_role.create', 'sa.Enum().create', 'op.create_table', 'op.batch_alter_table', 'batch_op.add_column',
      'batch_op.create_index', 'op.get_context().autocommit_block', 'op.execute', 'op.execute', 'op.execute', 'op.execute', 'op.execute',
    ]);
  });

  it('reads literal, name, nested-call, sequence and star arguments', () => {
    assert.equal(argsOf(call(up, 'user_role.create')), 'bind, checkfirst=True');
    const ct = call(up, 'op.create_table');
    assert.deepEqual(ct.args.map(arg), [
      '"members"',
      'sa.Column("id", sa.Integer(), nullable=False)',
      'sa.Column("role", user_role, nullable=False)',
      'sa.Column("status", status, server_default=sa.text("\'new\'"))',
      'sa.PrimaryKeyConstraint("id", name=op.f("pk_members"))',
    ]);
    assert.equal(ct.hasStarArgs, true);
    assert.equal(textAt(text, ct.calleeRange), 'op.create_table');
    assert.ok(textAt(text, ct.range).startsWith('op.create_table(\n'));
    assert.ok(textAt(text, ct.range).endsWith("**{'comment': 'members'},\n    )"));
    const first = ct.args[0]!;
    assert.equal(textAt(text, first.range), "'members'");
    const idx = call(up, 'batch_op.create_index');
    assert.equal(argsOf(idx), '"ix_members_mood", ["mood"], unique=False');
    assert.equal(textAt(text, idx.kwargs[0]!.nameRange), 'unique');
  });

  it('reads numbers, negative numbers, None and other expressions', () => {
    const f = fn(parseMigration(`${HEAD}def upgrade():\n    op.f(1, -2, 3.5, None, x + 1, "a" f"b", lambda: 1, (1), (1, 2), [x for x in y], b"x")\n`), 'upgrade');
    assert.equal(argsOf(f.calls[0]!), '1, -2, 3.5, None, <x + 1>, <"a" f"b">, <lambda: 1>, 1, [1, 2], [<x for x in y>], <b"x">');
  });

  it('reads method calls on call results with their receiver', () => {
    const c = call(up, 'sa.Enum().create');
    assert.equal(c.receiver?.callee, 'sa.Enum');
    assert.equal(argsOf(c.receiver!), '"x", "y", name="xy"');
    assert.equal(argsOf(c), 'op.get_bind(), checkfirst=False');
    assert.equal(textAt(text, c.range), "sa.Enum('x', 'y', name='xy').create(op.get_bind(), checkfirst=False)");
    const chained = fn(parseMigration('def upgrade():\n    a(1).b.c(2).d(3)\n'), 'upgrade');
    assert.deepEqual(callees(chained), ['a().b.c().d']);
    assert.equal(chained.calls[0]?.receiver?.receiver?.callee, 'a');
  });

  it('records the variable a call result is bound to', () => {
    assert.deepEqual(call(up, 'op.get_bind').assignedTo?.name, 'bind');
    assert.equal(textAt(text, call(up, 'op.get_bind').assignedTo!.range), 'bind');
    assert.equal(call(up, 'user_role.create').assignedTo, undefined);
    const f = fn(parseMigration('def upgrade():\n    t = sa.table("t").alias("x")\n    n = op.get_bind().dialect.name\n'), 'upgrade');
    assert.equal(f.calls[0]?.assignedTo?.name, 't');
    // The result of op.get_bind() is not what `n` holds.
    assert.equal(f.calls[1]?.callee, 'op.get_bind');
    assert.equal(f.calls[1]?.assignedTo, undefined);
  });

  it('sets batch on calls inside `with op.batch_alter_table(...) as alias:`, at any depth', () => {
    assert.equal(call(up, 'op.batch_alter_table').batch, undefined);
    assert.deepEqual(call(up, 'batch_op.add_column').batch, { table: 'members', alias: 'batch_op' });
    assert.deepEqual(call(up, 'batch_op.create_index').batch, { table: 'members', alias: 'batch_op' });
    // Nested calls in arguments carry the context too.
    const col = call(up, 'batch_op.add_column').args[0];
    assert.ok(col?.kind === 'call' && col.call.batch?.table === 'members');
    assert.equal(call(up, 'op.execute').batch, undefined);
    const down = fn(m, 'downgrade');
    assert.deepEqual(call(down, 'b.drop_column').batch, { table: 'members', alias: 'b' });
    assert.equal(call(down, 'op.drop_table').batch, undefined);
  });

  it('reads batch blocks written in other ways', () => {
    const src = 'def upgrade():\n' +
      '    with op.batch_alter_table(table_name="k") as bo: bo.drop_column("a")\n' +
      '    with (op.batch_alter_table("p") as b1, op.batch_alter_table("q") as b2):\n' +
      '        b2.drop_column("c")\n' +
      '    with op.batch_alter_table(name) as b:\n' +
      '        with op.get_context().autocommit_block():\n' +
      '            b.drop_column("d")\n' +
      '        b.drop_column("e")\n' +
      '    op.drop_column("t", "f")\n';
    const f = fn(parseMigration(src), 'upgrade');
    const byArg = (v: string): ParsedCall => f.calls.find((c) => c.args.some((a) => a.kind === 'string' && a.value === v))!;
    assert.deepEqual(byArg('a').batch, { table: 'k', alias: 'bo' });
    assert.deepEqual(byArg('c').batch, { table: 'q', alias: 'b2' });
    assert.deepEqual(byArg('d').batch, { table: 'name', alias: 'b' });
    assert.equal(byArg('d').inAutocommitBlock, true);
    assert.equal(byArg('e').inAutocommitBlock, false);
    assert.deepEqual(byArg('e').batch, { table: 'name', alias: 'b' });
    assert.equal(byArg('f').batch, undefined);
  });

  it('sets inAutocommitBlock inside `with op.get_context().autocommit_block():` only', () => {
    const inside = up.calls.filter((c) => c.inAutocommitBlock).map((c) => argsOf(c));
    assert.deepEqual(inside, ['"ALTER TYPE user_role ADD VALUE \'owner\'"']);
    const ctx = fn(parseMigration('def upgrade():\n    ctx = op.get_context()\n    with ctx.autocommit_block():\n        op.execute("x")\n'), 'upgrade');
    assert.equal(call(ctx, 'op.execute').inAutocommitBlock, true);
  });

  it('finds calls after an attribute access on a call and in conditions', () => {
    const f = fn(parseMigration('def upgrade():\n    if op.get_context().dialect.name == "postgresql" and has(x):\n        op.g()\n    for t in tables(): op.h(t)\n'), 'upgrade');
    assert.deepEqual(callees(f), ['op.get_context', 'has', 'op.g', 'tables', 'op.h']);
  });

  it('ignores comments between arguments and spaces in dotted callees', () => {
    const src = 'def upgrade():\n    op . create_table(  # the table\n        "t",  # name\n        # nothing here\n        schema="s",\n    )\n';
    const c = fn(parseMigration(src), 'upgrade').calls[0]!;
    assert.equal(c.callee, 'op.create_table');
    assert.equal(argsOf(c), '"t", schema="s"');
  });
});

describe('parseMigration: enums, SQL, comments', () => {
  it('lists module-level enum variables', () => {
    const { text, m } = fixture('enums_and_sql.py');
    assert.deepEqual(m.enumVariables.map((e) => [e.name, e.call.callee, argsOf(e.call)]), [
      ['user_role', 'postgresql.ENUM', '"admin", "member", name="user_role", create_type=False'],
      ['status', 'sa.Enum', '"new", "done", name="status"'],
      ['mood', 'ENUM', '"happy", "sad", name="mood"'],
      ['kind', 'sa.dialects.postgresql.ENUM', '"a", "b", name="kind"'],
    ]);
    assert.equal(textAt(text, m.enumVariables[0]!.nameRange), 'user_role');
    const none = parseMigration('import enum\nColor = enum.Enum("Color", "RED")\ndef upgrade():\n    e = sa.Enum("a", name="e")\nx = sa.Enum("a").with_variant(y)\n');
    assert.deepEqual(none.enumVariables, []);
  });

  it('lists SQL passed to op.execute, plain, concatenated, triple-quoted and through text()', () => {
    const { text, m } = fixture('enums_and_sql.py');
    assert.deepEqual(m.executedSql.map((s) => [s.function, s.sql]), [
      ['upgrade', "ALTER TYPE user_role ADD VALUE 'owner'"],
      ['upgrade', "UPDATE members SET status = 'done' WHERE id = :id"],
      ['upgrade', '\n        UPDATE members\n        SET role = \'admin\'\n        WHERE id = 1\n    '],
      ['upgrade', 'DELETE FROM members WHERE id < 0'],
    ]);
    assert.equal(textAt(text, m.executedSql[3]!.range), '"DELETE FROM members "\n        \'WHERE id < 0\'');
    assert.equal(m.executedSql[0]!.call.callee, 'op.execute');
    const kw = parseMigration('def downgrade():\n    op.execute(sqltext="DROP TYPE x")\n');
    assert.deepEqual(kw.executedSql.map((s) => [s.function, s.sql]), [['downgrade', 'DROP TYPE x']]);
  });

  it('normalises CRLF inside SQL strings as Python does', () => {
    const { m } = fixture('crlf.py');
    assert.deepEqual(m.executedSql.map((s) => s.sql), ['\n        SELECT 1\n    ']);
  });

  it('lists every comment with the text after #', () => {
    const src = '# alembic-lint: disable=unknown-revision\nrevision = "a"  #trailing \ndef upgrade():\n    x = (1,  # inside\n    )\n';
    const m = parseMigration(src);
    assert.deepEqual(m.comments.map((c) => c.text), [' alembic-lint: disable=unknown-revision', 'trailing ', ' inside']);
    assert.deepEqual(m.comments.map((c) => textAt(src, c.range)), ['# alembic-lint: disable=unknown-revision', '#trailing ', '# inside']);
  });
});

describe('parseMigration: positions and recovery', () => {
  it('counts columns in UTF-16 code units', () => {
    const src = 'x = "😀é"; revision = "r1"\n';
    const m = parseMigration(src);
    assert.deepEqual(m.revision?.nameRange.start, { line: 0, character: 11 });
    assert.equal(textAt(src, m.revision!.value.range), '"r1"');
  });

  it('reads a file with a BOM and tab indentation', () => {
    const { text, m } = fixture('bom_tabs.py');
    assert.equal(text.charCodeAt(0), 0xfeff);
    assert.deepEqual(vars(m), { revision: "'b0b0b0b0b0b0'", down_revision: "'a0a0a0a0a0a0'", branch_labels: 'None', depends_on: 'None' });
    assert.deepEqual(callees(fn(m, 'upgrade')), ['op.add_column', 'op.drop_column']);
    assert.equal(textAt(text, fn(m, 'upgrade').calls[1]!.range), 'op.drop_column("t", "d")');
  });

  it('reads CRLF files with exact ranges', () => {
    const { text, m } = fixture('crlf.py');
    assert.ok(text.includes('\r\n'));
    assert.deepEqual(vars(m), { revision: "'c1c1c1c1c1c1'", down_revision: "['c0c0c0c0c0c0','c0c0c0c0c0c1']", branch_labels: 'None', depends_on: 'None' });
    assert.equal(textAt(text, fn(m, 'upgrade').defLineRange), 'def upgrade():');
    assert.equal(m.lineCount, text.split('\r\n').length - 1);
  });

  it('reads old Mac CR-only line endings like LF', () => {
    const lf = fixture('enums_and_sql.py');
    const text = lf.text.replace(/\n/g, '\r');
    const m = parseMigration(text);
    assert.deepEqual(vars(m), vars(lf.m));
    assert.deepEqual(callees(fn(m, 'upgrade')), callees(fn(lf.m, 'upgrade')));
    assert.deepEqual(fn(m, 'upgrade').range, fn(lf.m, 'upgrade').range);
    assert.equal(textAt(text, call(fn(m, 'downgrade'), 'op.drop_table').range), "op.drop_table('members')");
  });

  it('marks the calls of a try body whose handlers never raise, and only those', () => {
    const text = [
      'def upgrade():',
      '    try:',
      '        op.create_table("a")',
      '        with op.batch_alter_table("b") as batch_op:',
      '            batch_op.add_column(x)',
      '    except Exception as exc:',
      '        print(exc)',
      '    else:',
      '        op.create_index("ix_else", "a", ["id"])',
      '    op.create_table("after")',
      '    try:',
      '        op.create_table("reraised")',
      '    except ProgrammingError as exc:',
      '        if "exists" not in str(exc):',
      '            raise',
      '    try:',
      '        op.create_table("finally_only")',
      '    finally:',
      '        log.info("done")',
      '    try:',
      '        try:',
      '            op.create_table("inner")',
      '        except ValueError:',
      '            raise',
      '    except Exception:',
      '        pass',
      '    try: op.create_table("one_line")',
      '    except Exception: pass',
      '',
    ].join('\n');
    const marked = fn(parseMigration(text), 'upgrade').calls.map((c) => `${c.callee}${c.inSwallowingTry ? ' swallowed' : ''}`);
    assert.deepEqual(marked, [
      'op.create_table swallowed', 'op.batch_alter_table swallowed', 'batch_op.add_column swallowed', 'print',
      'op.create_index', 'op.create_table', 'op.create_table', 'str', 'op.create_table', 'log.info',
      // The outer try swallows what the inner one lets through.
      'op.create_table swallowed', 'op.create_table swallowed',
    ]);
  });

  it('keeps every fact before and after an unclosed call in upgrade', () => {
    const { text, m } = fixture('broken_half_typed.py');
    assert.deepEqual(vars(m), { revision: "'ha1f00000001'", down_revision: "'ha1f00000000'", branch_labels: 'None', depends_on: "'after_the_break'" });
    assert.deepEqual(m.functions.map((f) => f.name), ['upgrade', 'downgrade']);
    assert.deepEqual(callees(fn(m, 'downgrade')), ['op.drop_table']);
    const ct = call(fn(m, 'upgrade'), 'op.create_table');
    assert.equal(arg(ct.args[0]), '"half"');
    assert.deepEqual(m.syntaxProblems.map((p) => [p.message, textAt(text, p.range)]), [["'(' was never closed", '('], ["'(' was never closed", '(']]);
  });

  it('keeps every fact around unterminated strings', () => {
    const { m } = fixture('broken_unterminated.py');
    assert.deepEqual(vars(m), { revision: "'0dd0dd0dd0dd'", down_revision: 'None', branch_labels: "'still_read'", depends_on: '-' });
    assert.deepEqual(m.functions.map((f) => f.name), ['upgrade', 'downgrade']);
    // The broken statement itself (an open call swallowing the next line) is lost, nothing else.
    assert.deepEqual(m.executedSql.map((s) => [s.function, s.sql]), [['downgrade', 'SELECT 3']]);
    assert.deepEqual(callees(fn(m, 'upgrade')), ['op.execute']);
    assert.deepEqual(m.syntaxProblems.map((p) => p.message), [
      'unterminated string literal', 'unterminated triple-quoted string literal', "'(' was never closed", "'(' was never closed",
    ]);
  });

  it('counts lines as the Migration type defines them', () => {
    assert.equal(parseMigration('').lineCount, 0);
    assert.equal(parseMigration('a').lineCount, 1);
    assert.equal(parseMigration('a\n').lineCount, 1);
    assert.equal(parseMigration('a\nb').lineCount, 2);
    assert.equal(parseMigration('a\r\nb\r\n').lineCount, 2);
  });

  it('never throws on fragments', () => {
    for (const s of ['', 'def', 'def upgrade(', 'def upgrade():\n    with', 'revision:', '@', 'with op.batch_alter_table(', 'revision = (', 'revision = ("a",', '\\']) {
      assert.doesNotThrow(() => parseMigration(s), s);
      assert.doesNotThrow(() => parseMigration(`def upgrade():\n    ${s}`), s);
    }
  });
});
