// sqlite-alter-without-batch against the real Alembic on a real SQLite file (a scratch copy of the
// sqlite-project fixture, whose env.py sets render_as_batch=True): every finding of the bad fixture
// fails on its own (the others fixed), with Alembic's or SQLite's own error; the bad fixture with
// every quick fix applied upgrades and downgrades; so does the good fixture.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { applyEdits, quickFixes } from '../../server/src/core/fixes';
import { copyFixture, fixturePath } from '../support/paths';
import { runAlembic, type PythonResult } from '../support/python';
import { fileFindings, fixtureProject } from '../unit/ruleFixtures';

const RULE = 'sqlite-alter-without-batch';
const fixture = (name: string): string => fs.readFileSync(fixturePath('rules', RULE, name), 'utf8');

/** A scratch SQLite project holding one migration: upgrade, downgrade, and what each said. */
class SqliteProject {
  readonly dir = copyFixture('sqlite-project');
  readonly ini = path.join(this.dir, 'alembic.ini');

  constructor(migration: string) {
    const versions = path.join(this.dir, 'migrations', 'versions');
    for (const f of fs.readdirSync(versions)) fs.rmSync(path.join(versions, f), { recursive: true, force: true });
    fs.writeFileSync(path.join(versions, 'm.py'), migration);
  }

  alembic(...args: string[]): PythonResult {
    return runAlembic(this.ini, args);
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The rule's findings in `text`, with the trimmed first line of each (what identifies it across edits). */
function own(text: string): { line: string; finding: ReturnType<typeof fileFindings>[number] }[] {
  const lines = text.split('\n');
  return fileFindings('/p/m.py', text).filter((f) => f.rule === RULE)
    .map((finding) => ({ line: (lines[finding.range.start.line] ?? '').trim(), finding }));
}

/** `text` with the rule's quick fix applied to every finding but the one on `keep`. */
function fixAllBut(text: string, keep: string | undefined): string {
  const project = fixtureProject(text);
  assert.ok(project);
  for (let guard = 0; guard < 50; guard++) {
    const next = own(text).find((o) => o.line !== keep);
    if (!next) return text;
    const fix = quickFixes({ rule: RULE, range: next.finding.range, text, path: '/p/m.py', project })[0];
    assert.ok(fix, `a fix for: ${next.line}`);
    text = applyEdits(text, fix.edits);
  }
  throw new Error('the fixes do not converge');
}

const CONSTRAINTS = /NotImplementedError: No support for ALTER of constraints in SQLite dialect/;
const ALTER_COLUMN = /sqlite3\.OperationalError\) near "ALTER": syntax error/;

describe('sqlite-alter-without-batch on a real SQLite file with the real Alembic', function () {
  this.timeout(120_000);

  it('each finding of the bad fixture fails on its own, though env.py sets render_as_batch=True', () => {
    const bad = fixture('bad_example.py');
    const findings = own(bad);
    assert.equal(findings.length, 8);
    for (const { line, finding } of findings) {
      const p = new SqliteProject(fixAllBut(bad, line));
      try {
        const inDowngrade = finding.range.start.line > bad.split('\n').findIndex((l) => l.startsWith('def downgrade'));
        const up = p.alembic('upgrade', 'head');
        const failed = inDowngrade ? (assert.equal(up.status, 0, up.stderr), p.alembic('downgrade', 'base')) : up;
        assert.notEqual(failed.status, 0, `${line} runs on SQLite`);
        assert.match(failed.stderr, line.includes('alter_column') ? ALTER_COLUMN : CONSTRAINTS, line);
      } finally {
        p.remove();
      }
    }
  });

  it('the bad fixture with every quick fix applied upgrades and downgrades', () => {
    const fixed = fixAllBut(fixture('bad_example.py'), undefined);
    assert.match(fixed, /with op\.batch_alter_table\('orders'\) as batch_op:\n {8}batch_op\.create_foreign_key\('fk_orders_customer', 'customers'/);
    const p = new SqliteProject(fixed);
    try {
      for (const args of [['upgrade', 'head'], ['downgrade', 'base'], ['upgrade', 'head']]) {
        const r = p.alembic(...args);
        assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
      }
      assert.ok(fs.statSync(path.join(p.dir, 'app.db')).size > 0, 'the SQLite file next to alembic.ini');
    } finally {
      p.remove();
    }
  });

  it('the good fixture upgrades and downgrades', () => {
    const p = new SqliteProject(fixture('good_example.py'));
    try {
      for (const args of [['upgrade', 'head'], ['downgrade', 'base']]) {
        const r = p.alembic(...args);
        assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
      }
    } finally {
      p.remove();
    }
  });
});
