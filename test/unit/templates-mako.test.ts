import assert from 'node:assert/strict';
import { alembicNamespace, renderScriptMako, type AlembicScriptVariables } from '../../server/src/core/templates';

const vars: AlembicScriptVariables = {
  message: 'add things', up_revision: 'abc123', down_revision: ['h1', 'h2'], branch_labels: null,
  depends_on: null, create_date: '2024-01-02 03:04:05.000006',
};
const render = (text: string, extra: Partial<AlembicScriptVariables> = {}) => renderScriptMako(text, alembicNamespace({ ...vars, ...extra }));
const ok = (text: string, extra: Partial<AlembicScriptVariables> = {}): string => {
  const r = render(text, extra);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return r.text;
};
const unsupported = (text: string): string => {
  const r = render(text);
  assert.ok(!r.ok, 'expected the template to be refused');
  return r.reason;
};

describe('templates: the script.py.mako subset', () => {
  it('prints names with str(), repr() and the comma filter like Alembic', () => {
    assert.equal(ok('${message}|${up_revision}|${down_revision | comma,n}|${create_date}'), 'add things|abc123|h1, h2|2024-01-02 03:04:05.000006');
    assert.equal(ok('${repr(up_revision)} ${repr(down_revision)} ${repr(branch_labels)} ${down_revision}'), "'abc123' ('h1', 'h2') None ('h1', 'h2')");
    assert.equal(ok('${down_revision | comma,n}', { down_revision: null }), '');
    assert.equal(ok('${repr(down_revision)}', { down_revision: 'x' }), "'x'");
    assert.equal(ok('${comma(down_revision)}'), 'h1, h2');
  });

  it('conditional expressions over names Alembic leaves undefined for a plain revision', () => {
    const text = '${imports if imports else ""}|${upgrades if upgrades else "pass"}|${downgrades if downgrades else \'pass\'}';
    assert.equal(ok(text), '|pass|pass');
    assert.equal(ok(text, { downgrades: 'raise X' }), '|pass|raise X');
    assert.equal(ok('${"a" if not imports and message else "b"}${"c" if branch_labels is None else "d"}'), 'ac');
    assert.equal(ok('${message == "add things"} ${message != \'x\'} ${(branch_labels or "none")}'), 'True True none');
  });

  it('drops ## comment lines and <%doc> blocks, keeps <%text> raw, joins lines ending in a backslash', () => {
    const text = '## a comment\n  ## indented comment\n<%doc>\n${nothing}\n</%doc>\nA ${message} \\\ncontinued\n<%text>${raw} % not control</%text>\n%% literal\n';
    assert.equal(ok(text), '\nA add things continued\n${raw} % not control\n% literal\n');
  });

  it('% if / elif / else / endif, nested, consuming their lines', () => {
    const text = '% if imports:\nI\n% elif message:\nM\n%   if not upgrades:\nnested\n%   endif\n% else:\nE\n% endif\nend\n';
    assert.equal(ok(text), 'M\nnested\nend\n');
    assert.equal(ok(text, { imports: 'import x' }), 'I\nend\n');
  });

  it('ignores a <%! %> block that only imports', () => {
    assert.equal(ok('<%!\nimport re\nfrom os import path\n\n%>"""${message}"""'), '"""add things"""');
  });

  it('reads control lines and <%! %> blocks from the workspace in linear time', () => {
    const spaces = ' '.repeat(80_000);
    const started = performance.now();
    const text = ok(`% if message${spaces}:\nyes\n% endif${spaces}\n<%!\nimport re${spaces}\nfrom os import path${spaces}# why${spaces}\n%>.`);
    const refused = unsupported(`<%!\nimport re${spaces}!\n%>`);
    assert.ok(performance.now() - started < 500, `took ${Math.round(performance.now() - started)} ms`);
    assert.equal(text, 'yes\n.');
    assert.match(refused, /block with code other than imports/);
  });

  it('the filters trim and h', () => {
    assert.equal(ok('[${"  x  " | trim}] ${"<a & \'b\'>" | h}'), "[x] &lt;a &amp; &#39;b&#39;&gt;");
  });

  it('keeps plain $ and < that start no construct', () => {
    assert.equal(ok('cost $5 < 6 <b>\n'), 'cost $5 < 6 <b>\n');
  });

  it('refuses what it cannot do without Python, saying what and where', () => {
    assert.match(unsupported('a\n% for x in imports:\n${x}\n% endfor\n'), /line 2: the control line '% for \.\.\.' is not supported/);
    assert.match(unsupported('${config.get_main_option("databases")}'), /attribute access on 'config'/);
    assert.match(unsupported('${context}'), /the name 'context'/);
    assert.match(unsupported('<%!\nimport re\nx = 1\n%>'), /block with code other than imports/);
    assert.match(unsupported('<% x = 1 %>'), /a Python block/);
    assert.match(unsupported('<%def name="f()">x</%def>'), /the <%def> tag/);
    assert.match(unsupported('<%include file="x"/>'), /the <%include> tag/);
    assert.match(unsupported('${upgrades}'), /undefined/);
    // UNDEFINED is not None in Mako: Alembic itself fails on this for a plain `alembic revision`.
    assert.match(unsupported('${imports if imports is not None else ""}'), /'imports if imports is not None else ""' is undefined/);
    assert.match(unsupported('${message | u}'), /the filter 'u'/);
    assert.match(unsupported('${repr(create_date)}'), /repr\(\) of the create date/);
    assert.match(unsupported('${message'), /not closed/);
    assert.match(unsupported('% if message:\nx\n'), /without % endif/);
    assert.match(unsupported('${message[0]}'), /indexing 'message'/);
    assert.match(unsupported('x\n  %% y\n'), /line 2: an indented %% line is not supported/);
  });
});
