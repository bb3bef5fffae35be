// File names, dates, revision ids and down_revision choices, against values Python and Alembic
// produce (worked out with Alembic 1.8's algorithm; the integration tier compares with the real one).
import assert from 'node:assert/strict';
import {
  DownRevisionError, FileTemplateError, chooseDownRevision, dateParts, newRevisionId, normalizeFileTemplate,
  pyPercentFormat, pyRepr, pyRevisionLiteral, pythonDateString, revisesText, revisionFileName, revisionSlug,
} from '../../server/src/core/templates';

describe('templates: Python repr and literals', () => {
  it("matches Python's repr() for strings, None, tuples", () => {
    assert.equal(pyRepr('abc'), "'abc'");
    assert.equal(pyRepr("it's"), '"it\'s"');
    assert.equal(pyRepr('a\x00b\u200bc\té\'"\u{1F600}\x7f\u2028 \u00a0'), "'a\\x00b\\u200bc\\té\\'\"\u{1F600}\\x7f\\u2028 \\xa0'");
    assert.equal(pyRepr(null), 'None');
    assert.equal(pyRepr(['a']), "('a',)");
    assert.equal(pyRepr(['a', 'b']), "('a', 'b')");
    assert.equal(pyRepr([]), '()');
  });

  it('writes down_revision literals in the templates\' double-quote style', () => {
    assert.equal(pyRevisionLiteral(null), 'None');
    assert.equal(pyRevisionLiteral('ab"c'), '"ab\\"c"');
    assert.equal(pyRevisionLiteral(['a', 'b']), '("a", "b")');
    assert.equal(revisesText(['a', 'b']), 'a, b');
    assert.equal(revisesText(null), '');
  });
});

describe('templates: slug and file_template like Alembic\'s _rev_path', () => {
  it('builds the slug from the word runs of the message, lower-cased, cut at a word boundary', () => {
    assert.equal(revisionSlug('Add some Column to the Üsers table, now!'), 'add_some_column_to_the_üsers_table_now');
    assert.equal(revisionSlug('Add some Column to the Üsers table, now!', 10), 'add_some_');
    assert.equal(revisionSlug('données: été 2024 — café'), 'données_été_2024_café');
    assert.equal(revisionSlug('a'.repeat(50)), `${'a'.repeat(40)}_`);
    assert.equal(revisionSlug('日本語のテスト メッセージ', 10), '日本語のテスト_');
    assert.equal(revisionSlug('Ⅻ ² ½ ٣'), 'ⅻ_²_½_٣');
    assert.equal(revisionSlug('   '), '');
    assert.equal(revisionSlug('x_y z', 0), 'x_y_z', 'truncate_slug_length 0 means 40');
  });

  it("formats like Python's % with a mapping", () => {
    const values = { year: 2024, month: 5, day: 6, rev: 'abc', second: 9, epoch: 1714979289 };
    assert.equal(pyPercentFormat('%(year)d/%(month)s-%(month).2d-%(day)02d|%(rev)5s|%(rev)-14s|%(rev).3s|%(second)+d|%(epoch)s|%%', values),
      '2024/5-05-06|  abc|abc           |abc|+9|1714979289|%');
    assert.equal(pyPercentFormat('%(rev)r', { rev: "it's" }), '"it\'s"');
  });

  it('fails like Python on tokens Alembic does not provide, %d of a string, and stray %', () => {
    assert.throws(() => pyPercentFormat('%(rev)d', { rev: 'x' }), (e: unknown) => e instanceof FileTemplateError && /a number is required, not str/.test(e.message));
    assert.throws(() => pyPercentFormat('%(foo)s', { rev: 'x' }), /unknown token %\(foo\)s/);
    assert.throws(() => pyPercentFormat('%s', { rev: 'x' }), /format requires a mapping/);
    assert.throws(() => pyPercentFormat('100%', { rev: 'x' }), /incomplete format/);
  });

  it('undoubles the %% of raw alembic.ini text, and only then', () => {
    assert.equal(normalizeFileTemplate('%%(rev)s_%%(slug)s'), '%(rev)s_%(slug)s');
    assert.equal(normalizeFileTemplate('%(rev)s_%(slug)s'), '%(rev)s_%(slug)s');
    assert.equal(normalizeFileTemplate('%(rev)s_%%_%(slug)s'), '%(rev)s_%%_%(slug)s');
  });

  const now = new Date(2024, 0, 2, 3, 4, 5, 0);
  it('uses the default template %(rev)s_%(slug)s', () => {
    assert.equal(revisionFileName({ revision: '1975ea83b712', message: 'create account table', now }), '1975ea83b712_create_account_table.py');
  });

  it('fills every date token from local time, and epoch from the instant', () => {
    const name = revisionFileName({
      revision: 'r1', message: 'M', now,
      fileTemplate: '%(year)d_%(month).2d_%(day).2d_%(hour).2d%(minute).2d%(second).2d_%(epoch)s_%(rev)s_%(slug)s',
    });
    assert.equal(name, `2024_01_02_030405_${Math.floor(now.getTime() / 1000)}_r1_m.py`);
  });

  it('uses the wall clock of the configured timezone', () => {
    const instant = new Date(Date.UTC(2024, 6, 1, 22, 30, 0));
    const t = '%(year)d-%(month).2d-%(day).2d_%(hour).2d%(minute).2d_%(rev)s';
    assert.equal(revisionFileName({ revision: 'r', message: '', now: instant, timezone: 'UTC', fileTemplate: t }), '2024-07-01_2230_r.py');
    assert.equal(revisionFileName({ revision: 'r', message: '', now: instant, timezone: 'Asia/Tokyo', fileTemplate: t }), '2024-07-02_0730_r.py');
    assert.throws(() => revisionFileName({ revision: 'r', message: '', now: instant, timezone: 'Mars/Olympus' }), /unknown timezone 'Mars\/Olympus'/);
  });
});

describe('templates: create date as Python prints it', () => {
  it('omits zero microseconds and prints milliseconds as microseconds', () => {
    assert.equal(pythonDateString(dateParts(new Date(2024, 0, 2, 3, 4, 5, 0))), '2024-01-02 03:04:05');
    assert.equal(pythonDateString(dateParts(new Date(2024, 0, 2, 3, 4, 5, 7))), '2024-01-02 03:04:05.007000');
  });

  it('adds the UTC offset when a timezone is configured (an aware datetime)', () => {
    const instant = new Date(Date.UTC(2024, 0, 15, 12, 0, 0, 250));
    assert.equal(pythonDateString(dateParts(instant, 'UTC')), '2024-01-15 12:00:00.250000+00:00');
    assert.equal(pythonDateString(dateParts(instant, 'America/New_York')), '2024-01-15 07:00:00.250000-05:00');
    assert.equal(pythonDateString(dateParts(instant, 'Asia/Kolkata')), '2024-01-15 17:30:00.250000+05:30');
  });
});

describe('templates: revision ids', () => {
  it('are 12 lower-case hex digits, different each time', () => {
    const ids = Array.from({ length: 200 }, newRevisionId);
    for (const id of ids) assert.match(id, /^[0-9a-f]{12}$/);
    assert.equal(new Set(ids).size, ids.length);
  });
});

describe('templates: choosing down_revision', () => {
  it('no head: a first revision (None); one head: that head', () => {
    assert.equal(chooseDownRevision({ heads: [], merge: false }), null);
    assert.equal(chooseDownRevision({ heads: ['a'], merge: false }), 'a');
    assert.equal(chooseDownRevision({ heads: ['a'], chosenHead: 'a', merge: false }), 'a');
  });

  it('several heads: the chosen one, or an error that names them', () => {
    assert.equal(chooseDownRevision({ heads: ['a', 'b'], chosenHead: 'b', merge: false }), 'b');
    assert.throws(() => chooseDownRevision({ heads: ['a', 'b'], merge: false }),
      (e: unknown) => e instanceof DownRevisionError && e.heads.join() === 'a,b' && /choose the head/.test(e.message));
    assert.throws(() => chooseDownRevision({ heads: ['a', 'b'], chosenHead: 'c', merge: false }), /c is not a head/);
  });

  it('a merge: every head, or the chosen ones; never fewer than two', () => {
    assert.deepEqual(chooseDownRevision({ heads: ['a', 'b', 'c'], merge: true }), ['a', 'b', 'c']);
    assert.deepEqual(chooseDownRevision({ heads: ['a', 'b', 'c'], chosenHead: ['c', 'a'], merge: true }), ['c', 'a']);
    assert.throws(() => chooseDownRevision({ heads: ['a'], merge: true }), /a merge needs at least two heads; there is one head/);
    assert.throws(() => chooseDownRevision({ heads: ['a', 'b'], chosenHead: ['a'], merge: true }), /at least two heads/);
  });
});
