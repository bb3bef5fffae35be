import assert from 'node:assert/strict';
import { listPlaceholders, renderAnswer, splitEnumValues, validateAnswer } from '../../server/src/core/templates';

describe('templates: placeholders', () => {
  it('lists {{names}} in order of first appearance, spaces allowed inside the braces', () => {
    assert.deepEqual(listPlaceholders('{{b}} {{ a }} {{b}} {{Upper}} {not} {{c_1}}'), ['b', 'a', 'c_1']);
  });

  describe('identifiers (table, column, index, enum)', () => {
    const good = ['users', 'user_accounts', '_private', 'Users', 'a1', 'x'.repeat(63)];
    const bad: [string, RegExp][] = [
      ['', /empty/],
      ['1users', /cannot start with a digit/],
      ['user accounts', /only letters/],
      ['user-accounts', /only letters/],
      ['public.users', /only letters/],
      ['"users"', /only letters/],
      ['usérs', /only letters/],
      ['x'.repeat(64), /PostgreSQL cuts names at 63/],
      ['class', /Python keyword/],
    ];
    for (const kind of ['table', 'column', 'index', 'enum', 'identifier'] as const) {
      it(`${kind}: accepts ${good.length} good names and refuses ${bad.length} bad ones with a reason`, () => {
        for (const name of good) assert.equal(validateAnswer(kind, name), undefined, name);
        for (const [name, reason] of bad) assert.match(validateAnswer(kind, name) ?? 'accepted', reason, name);
      });
    }
  });

  describe('enum values', () => {
    it('accepts a comma-separated list or an array, trims each value', () => {
      assert.equal(validateAnswer('enumValues', 'admin, client,freelancer'), undefined);
      assert.equal(validateAnswer('enumValues', ['a', 'in progress', 'ÉTÉ', 'x-y.z']), undefined);
      assert.deepEqual(splitEnumValues(' a ,b '), ['a', 'b']);
      assert.equal(renderAnswer('enumValues', 'admin, client'), '"admin", "client"');
    });

    it('refuses empty lists, empty items, duplicates, quotes, colons and overlong labels', () => {
      assert.match(validateAnswer('enumValues', '') ?? '', /at least one value/);
      assert.match(validateAnswer('enumValues', 'a,,b') ?? '', /empty value/);
      assert.match(validateAnswer('enumValues', 'a, b,') ?? '', /empty value/);
      assert.match(validateAnswer('enumValues', 'a, b, a') ?? '', /'a' is listed twice/);
      assert.match(validateAnswer('enumValues', "a, it's") ?? '', /cannot hold/);
      assert.match(validateAnswer('enumValues', 'a, b"c') ?? '', /cannot hold/);
      assert.match(validateAnswer('enumValues', 'a, x:y') ?? '', /cannot hold/);
      assert.match(validateAnswer('enumValues', 'é'.repeat(32)) ?? '', /63-byte limit/);
      assert.equal(validateAnswer('enumValues', 'é'.repeat(31)), undefined);
    });

    it('one value (enumValue) follows the same rules', () => {
      assert.equal(validateAnswer('enumValue', 'archived'), undefined);
      assert.match(validateAnswer('enumValue', ' archived') ?? '', /starts or ends with a space/);
      assert.match(validateAnswer('enumValue', 'a\\b') ?? '', /cannot hold/);
      assert.match(validateAnswer('enumValue', ['a', 'b']) ?? '', /single value/);
    });
  });

  it('text: one line, no triple quote or backslash (it goes into the docstring)', () => {
    assert.equal(validateAnswer('text', 'Add users table (v2): "quoted" & more'), undefined);
    assert.match(validateAnswer('text', 'two\nlines') ?? '', /one line/);
    assert.match(validateAnswer('text', 'say """hi"""') ?? '', /"""/);
    assert.match(validateAnswer('text', 'C:\\path') ?? '', /backslash/);
    assert.match(validateAnswer('text', '   ') ?? '', /empty/);
  });

  it('sqlType: a sa./postgresql. type with balanced arguments', () => {
    for (const t of ['sa.String(255)', 'sa.Integer()', 'sa.Text', 'sa.Numeric(precision=10, scale=2)', 'postgresql.JSONB()', "sa.Enum('a', 'b', name='x')"]) {
      assert.equal(validateAnswer('sqlType', t), undefined, t);
    }
    assert.match(validateAnswer('sqlType', 'String(255)') ?? '', /start with sa\. or postgresql\./);
    assert.match(validateAnswer('sqlType', 'sa.String(255') ?? '', /a SQLAlchemy type|unbalanced/);
    assert.match(validateAnswer('sqlType', "sa.Enum('a)") ?? '', /unbalanced/);
    assert.match(validateAnswer('sqlType', 'sa.String(255); import os') ?? '', /a SQLAlchemy type|unbalanced/);
    assert.match(validateAnswer('sqlType', 'varchar(255)') ?? '', /sa\. or postgresql\./);
  });

  it('sqlExpression: fits inside sa.text("..."): no double quote, backslash or :bind', () => {
    for (const e of ["'unknown'", '0', 'now()', "now() - interval '1 day'", "lower(email)::text"]) {
      assert.equal(validateAnswer('sqlExpression', e), undefined, e);
    }
    assert.match(validateAnswer('sqlExpression', '"quoted"') ?? '', /cannot hold "/);
    assert.match(validateAnswer('sqlExpression', ':value') ?? '', /bind parameter/);
    assert.match(validateAnswer('sqlExpression', "lower('x'") ?? '', /unbalanced/);
  });

  it('integer: a positive whole number', () => {
    assert.equal(validateAnswer('integer', '1000'), undefined);
    for (const v of ['0', '-5', '1.5', 'ten', '', '01']) assert.ok(validateAnswer('integer', v), v);
  });
});
