import assert from 'node:assert/strict';
import {
  SF_BYTES, SF_FORMAT, SF_RAW, SF_TRIPLE, SF_UNICODE, SF_UNTERMINATED, tokenize, tokenViews, type TokenStream,
} from '../../server/src/core/parse';

/** `KIND:text` for every token but the final END, layout tokens by kind only. */
function kinds(text: string): string[] {
  return tokenViews(tokenize(text))
    .filter((t) => t.kind !== 'END')
    .map((t) => (t.kind === 'NEWLINE' || t.kind === 'INDENT' || t.kind === 'DEDENT' ? t.kind : `${t.kind}:${t.text}`));
}

function strings(text: string): { text: string; flags: number }[] {
  const ts = tokenize(text);
  const out: { text: string; flags: number }[] = [];
  for (let i = 0; i < ts.count; i++) {
    if (ts.kind[i] === 3) out.push({ text: text.slice(ts.start[i], ts.end[i]), flags: ts.flags[i] ?? 0 });
  }
  return out;
}

function problems(ts: TokenStream): string[] {
  return ts.problems.map((p) => p.message);
}

describe('tokenizer', () => {
  it('splits a simple statement into names, operators, numbers and strings', () => {
    assert.deepEqual(kinds('x = foo(1, "a") + 2.5e-3\n'), [
      'NAME:x', 'OP:=', 'NAME:foo', 'OP:(', 'NUMBER:1', 'OP:,', 'STRING:"a"', 'OP:)', 'OP:+', 'NUMBER:2.5e-3', 'NEWLINE',
    ]);
  });

  it('reads multi-character operators with maximal munch', () => {
    assert.deepEqual(kinds('a **= b // c -> d := e == f != g ... h <<= i >= j\n').filter((k) => k.startsWith('OP')), [
      'OP:**=', 'OP://', 'OP:->', 'OP::=', 'OP:==', 'OP:!=', 'OP:...', 'OP:<<=', 'OP:>=',
    ]);
  });

  it('accepts every string prefix in any case and flags it', () => {
    const src = ['r', 'b', 'u', 'f', 'rb', 'br', 'fr', 'rf', 'R', 'B', 'U', 'F', 'Rb', 'bR', 'fR', 'Rf', 'RB', 'FR']
      .map((p) => `${p}'x'`).join(' ');
    const got = strings(src);
    assert.equal(got.length, 18);
    for (const s of got) {
      const p = s.text.slice(0, s.text.indexOf("'")).toLowerCase();
      assert.equal((s.flags & SF_RAW) !== 0, p.includes('r'), s.text);
      assert.equal((s.flags & SF_BYTES) !== 0, p.includes('b'), s.text);
      assert.equal((s.flags & SF_FORMAT) !== 0, p.includes('f'), s.text);
      assert.equal((s.flags & SF_UNICODE) !== 0, p.includes('u'), s.text);
    }
  });

  it('does not take an invalid prefix or a longer name as a string prefix', () => {
    assert.deepEqual(kinds("ub'x' rr'y' bar'z'\n").slice(0, 6), ['NAME:ub', "STRING:'x'", 'NAME:rr', "STRING:'y'", 'NAME:bar', "STRING:'z'"]);
  });

  it('reads triple-quoted strings across lines, with quotes and escaped quotes inside', () => {
    const src = 'x = """a "quoted" \\""" still\n""" + \'\'\'b\nc\'\'\'\n';
    const got = strings(src);
    assert.deepEqual(got.map((s) => s.text), ['"""a "quoted" \\""" still\n"""', "'''b\nc'''"]);
    assert.ok(got.every((s) => s.flags & SF_TRIPLE));
    assert.deepEqual(kinds(src).filter((k) => k === 'NEWLINE'), ['NEWLINE']);
  });

  it('keeps a raw string open past an escaped quote', () => {
    assert.deepEqual(strings(String.raw`r"a\"b" x`).map((s) => s.text), [String.raw`r"a\"b"`]);
  });

  it('reads f-strings with nested replacement fields, nested quotes, format specs and {{ }}', () => {
    const cases = [
      `f"{x!r:>{width}} {{literal}} {d['k']}"`,
      `f'{"nested " + f"{y:{z}}"}'`,
      // Python 3.12: the same quote inside a replacement field opens a nested string.
      `f"{", ".join(["a", "b"])}"`,
      `f"""{'''tri'''}\n{x}"""`,
      `rf"\\{x}{{}}"`,
      `f"\\N{BULLET} {x}"`,
    ];
    for (const c of cases) {
      const got = strings(`${c} tail`);
      assert.deepEqual(got.map((s) => s.text), [c], c);
      assert.ok(got[0] && got[0].flags & SF_FORMAT);
      assert.deepEqual(kinds(`${c} tail`).slice(1), ['NAME:tail', 'NEWLINE'], c);
    }
  });

  it('keeps comments out of the token stream and records them', () => {
    const src = 'a = 1  # one\n# two\nb = (2,  # three\n     3)\n';
    const ts = tokenize(src);
    const comments: string[] = [];
    for (let k = 0; k < ts.comments.length; k += 2) comments.push(src.slice(ts.comments[k], ts.comments[k + 1]));
    assert.deepEqual(comments, ['# one', '# two', '# three']);
    assert.deepEqual(kinds(src), ['NAME:a', 'OP:=', 'NUMBER:1', 'NEWLINE', 'NAME:b', 'OP:=', 'OP:(', 'NUMBER:2', 'OP:,', 'NUMBER:3', 'OP:)', 'NEWLINE']);
  });

  it('does not end a logical line inside brackets or after a backslash continuation', () => {
    assert.deepEqual(kinds('x = [1,\n  2]\ny = 1 + \\\n  2\n'), [
      'NAME:x', 'OP:=', 'OP:[', 'NUMBER:1', 'OP:,', 'NUMBER:2', 'OP:]', 'NEWLINE',
      'NAME:y', 'OP:=', 'NUMBER:1', 'OP:+', 'NUMBER:2', 'NEWLINE',
    ]);
  });

  it('matches brackets', () => {
    const ts = tokenize('f(a[1], {2: (3)})\n');
    const v = tokenViews(ts);
    for (let i = 0; i < ts.count; i++) {
      const m = ts.match[i] ?? -1;
      if (v[i]?.text.length === 1 && '([{'.includes(v[i]?.text ?? 'x')) {
        assert.ok(m > i);
        assert.equal(ts.match[m], i);
        assert.equal(v[m]?.text, { '(': ')', '[': ']', '{': '}' }[v[i]?.text ?? '(']);
      }
    }
  });

  it('emits INDENT and DEDENT like Python, ignoring blank and comment-only lines', () => {
    const src = 'def f():\n    if x:\n        a\n\n  # comment at another column\n    b\nc\n';
    assert.deepEqual(kinds(src), [
      'NAME:def', 'NAME:f', 'OP:(', 'OP:)', 'OP::', 'NEWLINE',
      'INDENT', 'NAME:if', 'NAME:x', 'OP::', 'NEWLINE',
      'INDENT', 'NAME:a', 'NEWLINE',
      'DEDENT', 'NAME:b', 'NEWLINE',
      'DEDENT', 'NAME:c', 'NEWLINE',
    ]);
  });

  it('closes open blocks at the end of the text', () => {
    assert.deepEqual(kinds('def f():\n    a'), ['NAME:def', 'NAME:f', 'OP:(', 'OP:)', 'OP::', 'NEWLINE', 'INDENT', 'NAME:a', 'NEWLINE', 'DEDENT']);
  });

  it('counts a tab to the next multiple of eight, as Python does', () => {
    assert.deepEqual(kinds('if x:\n\ta\n        b\n'), ['NAME:if', 'NAME:x', 'OP::', 'NEWLINE', 'INDENT', 'NAME:a', 'NEWLINE', 'NAME:b', 'NEWLINE', 'DEDENT']);
  });

  it('treats CRLF and CR like LF', () => {
    const lf = kinds('a = (1,\n 2)\nif a:\n    b\n');
    assert.deepEqual(kinds('a = (1,\r\n 2)\r\nif a:\r\n    b\r\n'), lf);
    assert.deepEqual(kinds('a = (1,\r 2)\rif a:\r    b\r'), lf);
  });

  it('skips a byte order mark', () => {
    assert.deepEqual(kinds('\ufeffx = 1\n'), ['NAME:x', 'OP:=', 'NUMBER:1', 'NEWLINE']);
  });

  it('ends an unterminated single-quoted string at the end of its line and carries on', () => {
    const ts = tokenize('a = "open\nb = 2\n');
    assert.deepEqual(kinds('a = "open\nb = 2\n'), ['NAME:a', 'OP:=', 'STRING:"open', 'NEWLINE', 'NAME:b', 'OP:=', 'NUMBER:2', 'NEWLINE']);
    assert.ok(strings('a = "open\n')[0]!.flags & SF_UNTERMINATED);
    assert.deepEqual(problems(ts), ['unterminated string literal']);
  });

  it('ends an unterminated triple-quoted string before the next column-0 def', () => {
    const src = 'def upgrade():\n    x = """open\n    more\n\ndef downgrade():\n    pass\n';
    const k = kinds(src);
    assert.ok(k.includes('NAME:downgrade'), k.join(' '));
    assert.deepEqual(k.slice(k.indexOf('NAME:def', 1) - 2), ['NEWLINE', 'DEDENT', 'NAME:def', 'NAME:downgrade', 'OP:(', 'OP:)', 'OP::', 'NEWLINE', 'INDENT', 'NAME:pass', 'NEWLINE', 'DEDENT']);
    assert.deepEqual(problems(tokenize(src)), ['unterminated triple-quoted string literal']);
  });

  it('resets open brackets at a column-0 def, class or decorator', () => {
    for (const [head, first] of <[string, string][]>[['def downgrade():', 'NAME:def'], ['class X:', 'NAME:class'], ['@decorator', 'OP:@'], ['async def downgrade():', 'NAME:async']]) {
      const src = `def upgrade():\n    op.create_table("t",\n        sa.Column("id",\n\n${head}\n    pass\n`;
      const ts = tokenize(src);
      const k = kinds(src);
      const at = k.lastIndexOf(first);
      assert.ok(at > 10, `${head}: ${k.join(' ')}`);
      // The broken line was ended and the function's block closed before the new definition.
      assert.deepEqual(k.slice(at - 2, at), ['NEWLINE', 'DEDENT'], head);
      assert.deepEqual(problems(ts), ["'(' was never closed", "'(' was never closed"], head);
    }
  });

  it('does not reset brackets at an indented def or a def-like name', () => {
    const src = 'x = (\n    define,\ndefault)\n';
    assert.deepEqual(problems(tokenize(src)), []);
    assert.deepEqual(kinds(src).filter((k) => k === 'NEWLINE'), ['NEWLINE']);
  });

  it('records unmatched closing brackets and inconsistent dedents without stopping', () => {
    const ts = tokenize('a = 1)\nif a:\n        b\n    c\nd = 2\n');
    assert.deepEqual(problems(ts), ["unmatched ')'", 'unindent does not match any outer indentation level']);
    assert.ok(tokenViews(ts).some((t) => t.text === 'd'));
  });

  it('never throws on hostile input and always ends with END', () => {
    const samples = ['', '\\', '(', ')', '"""', "f'{", "f'{x:{y:{z", 'f"{' + '{'.repeat(5000), '\t\t\f\r\r\n', '\ud800', 'a\\b', '$?`', '0x', '1e', '.'];
    for (const s of samples) {
      const ts = tokenize(s);
      assert.equal(ts.kind[ts.count - 1], 8, JSON.stringify(s));
      for (let i = 0; i < ts.count; i++) {
        assert.ok((ts.start[i] ?? -1) >= 0 && (ts.start[i] ?? 0) <= (ts.end[i] ?? -1) && (ts.end[i] ?? 0) <= s.length, JSON.stringify(s));
      }
    }
  });

  it('never starts or ends a token between CR and LF', () => {
    const samples = ['f"{x:\\\r\n}"\r\n', '"a\\\r\nb"\r\n', '"open\r\nx', "f'{x\r\n", 'a = (1, \\\r\n 2) # c\r\n', '"""a\r\n\r\ndef f():\r\n'];
    for (const s of samples) {
      const ts = tokenize(s);
      const between = (o: number): boolean => s[o - 1] === '\r' && s[o] === '\n';
      for (let i = 0; i < ts.count; i++) {
        assert.ok(!between(ts.start[i] ?? 0) && !between(ts.end[i] ?? 0), `${JSON.stringify(s)} token ${i}`);
      }
      for (const p of ts.problems) assert.ok(!between(p.start) && !between(p.end), JSON.stringify(s));
    }
  });

  it('reads deeply nested f-strings without exhausting the stack', () => {
    const deep = 'f"{' + 'f"{'.repeat(3000) + 'x' + '}"'.repeat(3000) + '}"';
    const ts = tokenize(`${deep} + 1\n`);
    assert.equal(ts.kind[ts.count - 1], 8);
  });
});
