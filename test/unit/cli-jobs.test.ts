// alembic-lint check on more than one thread (cli/checkWorker.ts): the findings must be the same with
// any number of threads, also where a rule's answer rests on the schema model (whose states are made
// from effects that other threads parsed), and the default goes parallel only for a large full check.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { shardsOf, threadsFor, PARALLEL_MIN_FILES } from '../../cli/checkWorker';
import { repoRoot } from '../support/paths';

const CLI = path.join(repoRoot, 'dist', 'cli.js');

function check(dir: string, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'check', dir, '--format', 'json', '--fail-on', 'never', ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A chain of `n` migrations. Each third one creates a table, the next adds a NOT NULL column to it and
 * the next changes a column's type and adds a unique constraint: the lock rules stay quiet on a table
 * created in the same deploy (every revision is new here: no git), which only the schema model knows,
 * from the effects of a revision that another thread parsed. Every 7th one alters a table no revision
 * created as well (an existing one: the rules speak), every 11th runs SQL (PostgreSQL's parser reads it).
 */
function writeProject(dir: string, n: number): void {
  const versions = path.join(dir, 'migrations', 'versions');
  fs.mkdirSync(versions, { recursive: true });
  fs.writeFileSync(path.join(dir, 'alembic.ini'), '[alembic]\nscript_location = migrations\nsqlalchemy.url = postgresql://localhost/app\n');
  const id = (i: number): string => (0xa00000000000 + i).toString(16);
  for (let i = 0; i < n; i++) {
    const table = `t_${i - (i % 3)}`;
    const legacy = i % 7 === 6 ? `\n    op.add_column("legacy_${i}", sa.Column("flag", sa.Boolean(), nullable=False))\n    op.create_index("ix_legacy_${i}", "legacy_${i}", ["flag"])` : '';
    const body = i % 3 === 0
        ? `    op.create_table("${table}", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("name", sa.String(50)))`
        : i % 3 === 1
          ? `    op.add_column("${table}", sa.Column("c${i}", sa.Integer(), nullable=False))`
          : `    op.alter_column("${table}", "name", type_=sa.Text())\n    op.create_unique_constraint("uq_${table}", "${table}", ["name"])`;
    const sql = i % 11 === 10 ? `\n    op.execute("ALTER TABLE legacy_sql_${i} ADD COLUMN x integer NOT NULL; CREATE INDEX ix_sql_${i} ON legacy_sql_${i} (x)")` : '';
    fs.writeFileSync(path.join(versions, `${id(i)}_step_${i}.py`), [
      `"""step ${i}`, '', `Revision ID: ${id(i)}`, `Revises: ${i === 0 ? '' : id(i - 1)}`, 'Create Date: 2024-01-01 00:00:00', '', '"""',
      'from alembic import op', 'import sqlalchemy as sa', '',
      `revision = "${id(i)}"`, `down_revision = ${i === 0 ? 'None' : `"${id(i - 1)}"`}`, 'branch_labels = None', 'depends_on = None', '', '',
      'def upgrade():', body + legacy + sql, '', '', 'def downgrade():', '    pass', '',
    ].join('\n'));
  }
}

describe('cli: check on several threads', function () {
  this.timeout(120_000);
  let dir: string;

  before(() => {
    assert.ok(fs.existsSync(CLI), `${CLI} is missing: run node esbuild.mjs first`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-lint-jobs-'));
    writeProject(dir, PARALLEL_MIN_FILES + 200);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('gives the same findings on 1, 2 and 3 threads, schema-model answers included', () => {
    const one = check(dir, '--scope', 'all', '--jobs', '1');
    assert.equal(one.code, 0, one.stderr);
    const found = (JSON.parse(one.stdout) as { diagnostics: { rule: string; path: string }[] }).diagnostics;
    // The model's answers show: rules speak on the tables no revision created, and not on the others.
    const lockRules = found.filter((d) => d.rule === 'lock-timeout-missing');
    assert.ok(lockRules.length > 100, `lock-timeout-missing found ${lockRules.length} times`);
    const step = (p: string): number => Number(/_(\d+)\.py$/.exec(p)?.[1]);
    const wrong = lockRules.filter((d) => step(d.path) % 7 !== 6 && step(d.path) % 11 !== 10);
    assert.deepEqual(wrong.slice(0, 3), [], 'only the revisions altering tables that no revision created');
    assert.ok(found.some((d) => d.rule === 'unique-constraint-on-existing-table') === false, 'the unique constraints are on tables this deploy created');
    for (const jobs of ['2', '3']) {
      const many = check(dir, '--scope', 'all', '--jobs', jobs);
      assert.equal(many.code, 0, many.stderr);
      assert.equal(many.stderr, one.stderr, `--jobs ${jobs}: stderr`);
      assert.equal(many.stdout, one.stdout, `--jobs ${jobs}: the same report`);
    }
  });

  it('the default: threads for a full check of a large project, one otherwise, and the same report', () => {
    assert.equal(threadsFor(undefined, PARALLEL_MIN_FILES - 1), 1);
    assert.equal(threadsFor('auto', PARALLEL_MIN_FILES - 1), 1);
    assert.equal(threadsFor('auto', PARALLEL_MIN_FILES), Math.min(4, os.availableParallelism()));
    assert.equal(threadsFor(3, 10), 3, 'what --jobs asks for, whatever the size');
    const auto = check(dir, '--scope', 'all');
    assert.equal(auto.stdout, check(dir, '--scope', 'all', '--jobs', '1').stdout);
  });

  it('deals the files out in turn, each to one shard, the main thread\'s (the last) smaller', () => {
    const files = Array.from({ length: 1000 }, (_, i) => `/p/${i}.py`);
    const shards = shardsOf(files, 3);
    assert.equal(shards.reduce((n, s) => n + s.size, 0), 1000);
    assert.equal(new Set(shards.flatMap((s) => [...s])).size, 1000, 'no file in two shards');
    const [a, b, main] = shards.map((s) => s.size);
    assert.ok(main !== undefined && a !== undefined && b !== undefined && main < a && main < b && Math.abs(a - b) <= 1, `sizes ${a}, ${b}, ${main}`);
    assert.deepEqual(shardsOf(files, 1)[0]?.size, 1000);
  });

  it('--jobs takes a number or auto, for check only', () => {
    for (const bad of [['--jobs', '0'], ['--jobs', 'many'], ['--jobs', '-1']]) {
      const r = check(dir, ...bad);
      assert.equal(r.code, 2, bad.join(' '));
      assert.match(r.stderr, /--jobs/);
    }
    const graph = spawnSync(process.execPath, [CLI, 'graph', dir, '--jobs', '2'], { encoding: 'utf8' });
    assert.equal(graph.status, 2);
    assert.match(graph.stderr, /for check only/);
  });
});
