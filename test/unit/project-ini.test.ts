// The .ini reader against configparser's behaviour (expected values checked with Python's configparser).
import assert from 'node:assert/strict';
import { iniGet, parseIni } from '../../server/src/core/project/ini';

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
});
