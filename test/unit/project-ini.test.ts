// The .ini reader against configparser's behaviour (expected values checked with Python's configparser).
import assert from 'node:assert/strict';
import { iniGet, MAX_INTERPOLATED_LENGTH, parseIni } from '../../server/src/core/project/ini';

const get = (text: string, key: string, section = 'alembic'): string | undefined => {
  const r = iniGet(parseIni(text, { here: '/proj' }), section, key);
  return r === undefined ? undefined : r.ok ? r.value : `ERR ${r.message}`;
};

describe('project: ini (configparser semantics)', () => {
  it('interpolates %(here)s, lower-cases keys, accepts ":" and "%%"', () => {
    const text = '[alembic]\nscript_location = %(here)s/migrations\nSQLAlchemy.URL: postgresql://u:p@h/db\n; comment\n# comment\nfile_template = %%(year)d_%%(rev)s\n';
    assert.equal(get(text, 'script_location'), '/proj/migrations');
    assert.equal(get(text, 'sqlalchemy.url'), 'postgresql://u:p@h/db');
    assert.equal(get(text, 'file_template'), '%(year)d_%(rev)s');
    assert.equal(get(text, 'here'), '/proj');
  });

  it('joins indented continuation lines, keeps blank lines inside, drops comment lines', () => {
    const text = '[alembic]\nversion_locations =\n    %(here)s/a\n\n    %(here)s/b\n  # not part\nnext = 1\n';
    assert.equal(get(text, 'version_locations'), '\n/proj/a\n\n/proj/b');
    assert.equal(get(text, 'next'), '1');
  });

  it('reads [DEFAULT] and interpolates recursively', () => {
    const text = '[DEFAULT]\nbase = /srv\n[alembic]\nscript_location = %(base)s/m\nnested = %(script_location)s/versions\n';
    assert.equal(get(text, 'script_location'), '/srv/m');
    assert.equal(get(text, 'nested'), '/srv/m/versions');
  });

  it('has no inline comments and splits at the first delimiter', () => {
    assert.equal(get('[alembic]\nscript_location = migrations # not a comment\n', 'script_location'), 'migrations # not a comment');
    assert.equal(get('[alembic]\na:b = c\n', 'a'), 'b = c');
  });

  it('reports interpolation errors like configparser', () => {
    assert.match(get('[alembic]\nurl = postgresql://u:p%word@h/db\n', 'url') ?? '', /^ERR '%' must be followed by '%' or '\('/);
    assert.match(get('[alembic]\nx = %(nope)s\n', 'x') ?? '', /^ERR Bad value substitution.*'nope'/);
    assert.match(get('[alembic]\nx = %(x)s\n', 'x') ?? '', /^ERR Recursion limit exceeded/);
  });

  it('treats duplicates and a missing section header as fatal', () => {
    assert.match(parseIni('[alembic]\na = 1\na = 2\n').problems[0]?.message ?? '', /DuplicateOptionError/);
    assert.match(parseIni('[a]\n[a]\n').problems[0]?.message ?? '', /DuplicateSectionError/);
    const noHeader = parseIni('a = 1\n[alembic]\n');
    assert.equal(noHeader.problems[0]?.line, 1);
    assert.match(noHeader.problems[0]?.message ?? '', /MissingSectionHeaderError/);
    assert.equal(get('[alembic]\nnodelimiter\nx = 1\n', 'x'), '1', 'a malformed line does not hide the others');
    assert.match(parseIni('[alembic]\nnodelimiter\n').problems[0]?.message ?? '', /ParsingError/);
  });

  it('handles CRLF and keeps section names case-sensitive', () => {
    const ini = parseIni('[Alembic]\r\nx = 1\r\n[alembic]\r\nx = 2\r\n');
    assert.deepEqual(iniGet(ini, 'Alembic', 'x'), { ok: true, value: '1' });
    assert.deepEqual(iniGet(ini, 'alembic', 'X'), { ok: true, value: '2' });
    assert.equal(iniGet(ini, 'missing', 'x'), undefined);
  });

  it('reports a value that expands beyond the cap instead of building it', () => {
    // Each level repeats the one below eight times: 8 characters at the bottom make 2 MB six levels up.
    const levels = ['l0 = xxxxxxxx', ...Array.from({ length: 6 }, (_, i) => `l${i + 1} = ${`%(l${i})s`.repeat(8)}`)];
    const text = `[alembic]\n${levels.join('\n')}\nscript_location = %(l6)s\n`;
    const started = performance.now();
    const r = iniGet(parseIni(text), 'alembic', 'script_location');
    assert.ok(performance.now() - started < 200, 'stopped early');
    assert.deepEqual(r, {
      ok: false,
      message: `option 'script_location' in section 'alembic' expands to more than ${MAX_INTERPOLATED_LENGTH} characters ` +
        'through %(name)s references (configparser would try to build it and run out of memory)',
    });
    // References to empty values produce nothing, and are still bounded.
    const empty = ['e0 =', ...Array.from({ length: 9 }, (_, i) => `e${i + 1} = ${`%(e${i})s`.repeat(8)}`)];
    const r2 = iniGet(parseIni(`[alembic]\n${empty.join('\n')}\nx = %(e9)s\n`), 'alembic', 'x');
    assert.match(r2 && !r2.ok ? r2.message : '', /expands to more than/);
    assert.equal(get(`[alembic]\nx = ${'y'.repeat(MAX_INTERPOLATED_LENGTH)}\n`, 'x')?.length, MAX_INTERPOLATED_LENGTH, 'up to the cap is fine');
  });

  it('parses lines with long runs of spaces in linear time', () => {
    const spaces = ' '.repeat(80_000);
    const started = performance.now();
    const bad = parseIni(`[alembic]\na${spaces}b\n`);
    const key = get(`[alembic]\nkey${spaces}=${spaces}value${spaces}tail${spaces}\n`, 'key');
    const folded = get(`[alembic]\nx =\n${spaces}a${spaces}b\n`, 'x');
    assert.ok(performance.now() - started < 300, `took ${Math.round(performance.now() - started)} ms`);
    assert.equal(bad.problems.length, 1);
    assert.match(bad.problems[0]?.message ?? '', /^cannot parse line "a {119}…" \(80002 characters\) \(configparser ParsingError\)$/);
    assert.equal(key, `value${spaces}tail`);
    assert.equal(folded, `\na${spaces}b`);
  });

  it('strips what Python\'s str.strip() strips, and nothing else', () => {
    assert.equal(get('[alembic]\nx = \u3000\u00a0a\u2003\x1f\n', 'x'), 'a');
    assert.equal(get('[alembic]\nx = \ufeffa\n', 'x'), '\ufeffa', 'a BOM is not whitespace to Python');
  });

  it('never quotes the value in interpolation errors: it may hold a password', () => {
    for (const [text, key] of [
      ['[alembic]\nsqlalchemy.url = postgresql://u:s3cr%et@h/db\n', 'sqlalchemy.url'],
      ['[alembic]\npw = s3cr%(et\nsqlalchemy.url = postgresql://u:%(pw)s@h/db\n', 'sqlalchemy.url'],
    ] as const) {
      const message = get(text, key) ?? '';
      assert.match(message, /^ERR /);
      assert.doesNotMatch(message, /s3cr|%et|et@h/, message);
    }
    assert.equal(
      get('[alembic]\npw = s3cr%et\nsqlalchemy.url = postgresql://u:%(pw)s@h/db\n', 'sqlalchemy.url'),
      "ERR '%' must be followed by '%' or '(' at character 5 of option 'pw', reached from option 'sqlalchemy.url' in section 'alembic' (write a literal '%' as '%%')",
    );
  });

  it('masks passwords in the lines it quotes', () => {
    const ini = parseIni('sqlalchemy.url = postgresql://app:s3cret@h/db\n[alembic]\n');
    assert.equal(ini.problems[0]?.message,
      'File contains no section headers: "sqlalchemy.url = postgresql://app:***@h/db" (configparser MissingSectionHeaderError)');
    const long = parseIni(`[alembic]\npostgresql://app:${'s'.repeat(200)}@h/db\n`);
    assert.doesNotMatch(long.problems[0]?.message ?? '', /sss/);
  });
});
