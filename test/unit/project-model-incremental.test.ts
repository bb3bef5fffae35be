// The model's incremental paths against recomputing from scratch: after random edits (bodies, down
// revisions, depends_on, labels, new and deleted files), findings by path, history order and the
// alembic/revisionGraph result equal those of a fresh model over the same texts; the workspace index's
// lazy views agree with them. Also the parser's shared positions and ranges.
import assert from 'node:assert/strict';
import { loadConfigFile, memoryFileSystem, type ProjectConfig } from '../../server/src/core/project';
import { ProjectModel } from '../../server/src/core/project/model';
import { parseMigration } from '../../server/src/core/parse';
import type { Finding } from '../../server/src/core/types';
import { WorkspaceIndex } from '../../server/src/lsp/workspaceIndex';
import { migrationText } from './graphSupport';
import { seededRandom } from '../support/random';
import { wireOf } from '../../server/src/lsp/wire';

const DIR = '/p/migrations/versions';
const INI = '[alembic]\nscript_location = %(here)s/migrations\n';

/** What the old language server computed: every finding grouped by path, an entry per file. */
function grouped(model: ProjectModel): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>();
  for (const p of model.paths()) out.set(p, []);
  for (const f of model.findings()) {
    const list = out.get(f.path) ?? [];
    list.push(f);
    out.set(f.path, list);
  }
  return out;
}

async function configOf(): Promise<ProjectConfig> {
  const config = await loadConfigFile(memoryFileSystem({ '/p/alembic.ini': INI, '/p/migrations/env.py': '' }), '/p/alembic.ini');
  assert.ok(config);
  return config;
}

function body(k: number): string {
  return k % 3 === 0 ? 'op.add_column("t", sa.Column("c", sa.Integer(), nullable=False))' : k % 3 === 1 ? 'op.create_index("ix", "t", ["c"])' : 'pass';
}

function text(rev: string, down: string | string[] | null, opts: { deps?: string; labels?: string; k?: number } = {}): string {
  const base = migrationText(rev, down, { ...(opts.deps ? { deps: opts.deps } : {}), ...(opts.labels ? { labels: opts.labels } : {}) });
  return base.replace('def upgrade():\n    pass', `import sqlalchemy as sa\n\n\ndef upgrade():\n    ${body(opts.k ?? 0)}`);
}

describe('project: incremental model', () => {
  it('gives after random edits what a fresh model gives for the same files', async function () {
    this.timeout(60_000);
    const config = await configOf();
    for (let seed = 1; seed <= 12; seed++) {
      const rnd = seededRandom(seed);
      const texts = new Map<string, string>();
      const ids: string[] = [];
      for (let i = 0; i < 25; i++) {
        const id = `a${seed}r${String(i).padStart(2, '0')}`;
        const down = i === 0 ? null : rnd() < 0.15 && i > 2 ? [ids[i - 1] ?? '', ids[i - 3] ?? ''] : ids[i - 1] ?? null;
        texts.set(`${DIR}/${id}.py`, text(id, down, { k: i, ...(i === 5 ? { labels: 'lib' } : {}) }));
        ids.push(id);
      }
      const model = new ProjectModel(config);
      for (const [p, t] of texts) model.setFile(p, t);
      let before = model.findingsByPath();
      wireOf(model).revisionGraph([...before.values()].flat());
      for (let step = 0; step < 30; step++) {
        const paths = [...texts.keys()];
        const p = paths[Math.floor(rnd() * paths.length)] ?? '';
        const id = p.slice(DIR.length + 1, -3);
        const older = ids.filter((x) => x < id);
        const r = rnd();
        let next: string | undefined;
        if (r < 0.3) next = text(id, older.length > 0 ? older[Math.floor(rnd() * older.length)] ?? null : null, { k: step });
        else if (r < 0.45) next = text(id, older.length > 1 ? [older[0] ?? '', older[older.length - 1] ?? ''] : null, { k: step });
        else if (r < 0.55) next = text(id, older[older.length - 1] ?? null, { deps: rnd() < 0.5 ? 'lib' : older[0] ?? 'nowhere', k: step });
        else if (r < 0.65) next = text(id, 'missing-parent', { k: step });
        else if (r < 0.7) next = undefined;
        else next = `# edited ${step}\n${texts.get(p) ?? ''}`.replace('pass', 'op.drop_table("t")');
        const changed = next !== texts.get(p);
        if (next === undefined) {
          texts.delete(p);
          model.removeFile(p);
        } else {
          texts.set(p, next);
          model.setFile(p, next);
        }
        const fresh = new ProjectModel(config);
        for (const [q, t] of texts) fresh.setFile(q, t);
        const where = `seed ${seed} step ${step}`;
        const byPath = model.findingsByPath();
        assert.deepEqual([...byPath], [...grouped(fresh)], `${where}: findings by path`);
        assert.deepEqual(model.historyOrder(), fresh.historyOrder(), `${where}: history order`);
        const flat = [...byPath.values()].flat();
        assert.deepEqual(wireOf(model).revisionGraph(flat), wireOf(fresh).revisionGraph(flat), `${where}: revision graph`);
        // Nothing changed since: the same map comes back.
        assert.equal(model.findingsByPath(), byPath, `${where}: unchanged findings keep their map`);
        if (changed) assert.notEqual(byPath, before, `${where}: an edit gives a new map`);
        before = byPath;
      }
    }
  });

  it('returns the same tree result while nothing in it changed, a new one when something did', async () => {
    const model = new ProjectModel(await configOf());
    model.setFile(`${DIR}/a1.py`, text('a1', null));
    model.setFile(`${DIR}/b2.py`, text('b2', 'a1', { k: 2 }));
    const flat = (): Finding[] => [...model.findingsByPath().values()].flat();
    const first = wireOf(model).revisionGraph(flat());
    assert.equal(wireOf(model).revisionGraph(flat()), first, 'asked again');
    model.setFile(`${DIR}/b2.py`, text('b2', 'a1', { k: 2 }).replace('def downgrade():', '# note\ndef downgrade():'));
    assert.equal(wireOf(model).revisionGraph(flat()), first, 'a comment below the revision line changes nothing in the tree');
    model.setFile(`${DIR}/b2.py`, text('b2', 'a1', { k: 0 }));
    const withFinding = wireOf(model).revisionGraph(flat());
    assert.notEqual(withFinding, first, 'a new finding changes the node summary');
    assert.ok((withFinding.nodes[0]?.diagnosticCount ?? 0) > 0);
    model.setFile(`${DIR}/b2.py`, text('b2', 'a1', { k: 0 }).replace('"""revision b2', '"""a new message'));
    const renamed = wireOf(model).revisionGraph(flat());
    assert.notEqual(renamed, withFinding);
    assert.equal(renamed.nodes[0]?.message, 'a new message');
    assert.equal(renamed.nodes[1], withFinding.nodes[1], 'the untouched revision keeps its node');
  });

  it('serves handler views lazily with the same content as the model', async () => {
    const files: Record<string, string> = { '/p/alembic.ini': INI, '/p/migrations/env.py': '' };
    files[`${DIR}/a1.py`] = text('a1', null);
    files[`${DIR}/b2.py`] = text('b2', 'a1', { k: 0 });
    files[`${DIR}/c3.py`] = text('c3', 'a1', { k: 1 });
    const index = new WorkspaceIndex(memoryFileSystem(files), () => undefined, ['/p'], { rules: {} });
    assert.ok(await index.reindex());
    const id = index.projectIds()[0] ?? '';
    const project = index.project(id);
    const model = index.model(id);
    assert.ok(project && model);
    assert.deepEqual([...project.nodes.keys()], model.historyOrder(), 'nodes iterate in history order');
    assert.deepEqual(project.historyOrder, model.historyOrder());
    assert.equal(project.nodes.size, 3);
    assert.deepEqual(project.nodes.get('a1')?.children, ['b2', 'c3']);
    assert.equal(project.nodes.get('zz'), undefined);
    assert.equal(project.nodes.has('b2'), true);
    assert.deepEqual([...project.files.keys()], model.paths());
    assert.equal(project.files.get(`${DIR}/b2.py`)?.migration, model.getFile(`${DIR}/b2.py`)?.migration);
    assert.equal(project.findings.get(`${DIR}/b2.py`)?.some((f) => f.rule === 'multiple-heads'), true);
    // An edit: a new view, with the new file and node facts.
    index.updateFile(`${DIR}/c3.py`, text('c3', 'b2'));
    const after = index.project(id);
    assert.notEqual(after, project);
    assert.deepEqual(after?.nodes.get('b2')?.children, ['c3']);
    assert.deepEqual(after?.heads, ['c3']);
    assert.equal(after?.findings.get(`${DIR}/b2.py`)?.some((f) => f.rule === 'multiple-heads'), false);
  });
});

describe('project: header first, file rules later', () => {
  async function model3(): Promise<ProjectModel> {
    const model = new ProjectModel(await configOf());
    model.setFile(`${DIR}/a1.py`, text('a1', null));
    // k 0: an add_column NOT NULL without default (a file-rule finding); two heads (a graph finding).
    model.setFile(`${DIR}/b2.py`, text('b2', 'a1', { k: 0 }));
    model.setFile(`${DIR}/c3.py`, text('c3', 'a1', { k: 1 }));
    return model;
  }

  it('builds the graph from module-level facts and parses bodies only when asked', async () => {
    const model = await model3();
    const file = model.getFile(`${DIR}/b2.py`);
    assert.ok(file);
    assert.equal(file.header.headerOnly, true);
    assert.equal(file.header.functions.length, 0);
    assert.equal(model.graph.nodes.get('b2')?.file.migration, file.header, 'the graph holds the header');
    // File rules parse in full for their run without keeping it on the file.
    assert.ok(model.fileFindings(`${DIR}/b2.py`).some((f) => f.rule === 'add-not-null-column-without-default'));
    assert.equal((file as unknown as { full?: unknown }).full, undefined, 'the full parse is not kept after the rules');
    const full = file.migration;
    assert.deepEqual(full.functions.map((f) => f.name), ['upgrade', 'downgrade']);
    assert.equal(file.migration, full, 'kept once asked for');
    assert.deepEqual(full.revision, file.header.revision);
  });

  it('read in slices with a pause between them, gives the model read in one go', async () => {
    const config = await configOf();
    const files: string[] = [];
    const texts: { text: string }[] = [];
    let down: string | null = null;
    for (let i = 0; i < 7; i++) {
      files.push(`${DIR}/s${i}.py`);
      texts.push({ text: text(`s${i}`, down, { k: i }) });
      down = `s${i}`;
    }
    const read = { files, folderLinks: [], texts };
    let pauses = 0;
    const sliced = await ProjectModel.fromFilesInSlices(config, read, {
      parseAllInFull: true, slice: 3,
      pause: async () => {
        pauses++;
      },
    });
    assert.equal(pauses, 2, 'a pause between slices of 3, 3 and 1 files, none after the last');
    const whole = ProjectModel.fromFiles(config, read, { parseAllInFull: true });
    assert.deepEqual(sliced.paths(), whole.paths());
    assert.deepEqual(sliced.findings(), whole.findings());
    assert.ok(sliced.findings().length > 0, 'the files have findings to compare');
  });

  it('parsing every file in full at once (a full check) gives the same findings and keeps no full parse', async () => {
    const config = await configOf();
    const texts = new Map<string, string>();
    let down: string | null = null;
    for (let i = 0; i < 6; i++) {
      const id = `f${i}`;
      texts.set(`${DIR}/${id}.py`, text(id, down, { k: i }));
      down = id;
    }
    const headerFirst = new ProjectModel(config);
    for (const [p, t] of texts) headerFirst.setFile(p, t);
    const files = [...texts.keys()];
    const read = { files, folderLinks: [], texts: files.map((p) => ({ text: texts.get(p) ?? '' })) };
    const allInFull = ProjectModel.fromFiles(config, read, { parseAllInFull: true });
    const findings = allInFull.findings();
    assert.ok(findings.some((f) => f.rule === 'add-not-null-column-without-default'), 'the file rules ran');
    assert.deepEqual(findings, headerFirst.findings());
    for (const p of files) {
      const file = allInFull.getFile(p);
      assert.ok(file);
      // The full parse served the file's rules and its schema effects, and went with them.
      assert.equal(file.header.headerOnly, true, `${p}: the header`);
      assert.equal(file.header.functions.length, 0, `${p}: no calls kept`);
      assert.equal((file as unknown as { full?: unknown; lent?: unknown }).full, undefined, `${p}: no full parse kept`);
      assert.equal((file as unknown as { full?: unknown; lent?: unknown }).lent, undefined, `${p}: the lent parse was taken`);
    }
  });

  it('gives graph findings only for files whose rules have not run, then completes in slices', async () => {
    const model = await model3();
    const b2 = `${DIR}/b2.py`;
    const partial = model.findingsByPath(undefined, { onlyKnown: true });
    assert.deepEqual(partial.get(b2)?.map((f) => f.rule), ['multiple-heads'], 'graph findings, no file rule yet');
    assert.equal(model.hasFileFindings(b2), false);
    // A deadline already passed: nothing runs.
    assert.equal(model.computeFileFindings(undefined, performance.now() - 1), false);
    assert.equal(model.hasFileFindings(`${DIR}/a1.py`), false);
    assert.equal(model.computeFileFindings(undefined, performance.now() + 60_000), true);
    assert.equal(model.hasFileFindings(b2), true);
    const whole = model.findingsByPath(undefined, { onlyKnown: true });
    assert.notEqual(whole, partial);
    assert.deepEqual(whole.get(b2)?.map((f) => f.rule), ['multiple-heads', 'missing-downgrade', 'add-not-null-column-without-default', 'lock-timeout-missing']);
    const fresh = await model3();
    assert.deepEqual([...whole], [...fresh.findingsByPath()], 'the same as computing everything at once');
    assert.equal(model.findingsByPath(), whole, 'complete now: the same map comes back');
  });

  it('in the workspace index, gives an edited file its findings at once while the others wait', async () => {
    const files: Record<string, string> = { '/p/alembic.ini': INI, '/p/migrations/env.py': '' };
    files[`${DIR}/a1.py`] = text('a1', null);
    files[`${DIR}/b2.py`] = text('b2', 'a1', { k: 1 });
    const index = new WorkspaceIndex(memoryFileSystem(files), () => undefined, ['/p'], { rules: {} });
    assert.ok(await index.reindex());
    const id = index.projectIds()[0] ?? '';
    index.fileRulesPending = true;
    index.updateFile(`${DIR}/b2.py`, text('b2', 'a1', { k: 0 }));
    const findings = index.findingsByPath(id);
    assert.deepEqual(findings.get(`${DIR}/b2.py`)?.map((f) => f.rule), ['missing-downgrade', 'add-not-null-column-without-default', 'lock-timeout-missing']);
    assert.equal(index.model(id)?.hasFileFindings(`${DIR}/a1.py`, index.severities(id)), false, 'the untouched file still waits');
    assert.equal(index.computeFileFindings(60_000), true);
    index.fileRulesPending = false;
    assert.equal(index.model(id)?.hasFileFindings(`${DIR}/a1.py`, index.severities(id)), true);
  });
});

describe('parse: shared positions and ranges', () => {
  it('shares frozen ranges between files and keeps far positions exact', () => {
    const a = parseMigration('revision = "x1"\ndown_revision = None\n');
    const b = parseMigration('revision = "y2"\ndown_revision = None\n');
    assert.equal(a.revision?.nameRange, b.revision?.nameRange, 'same place, same object');
    assert.ok(Object.isFrozen(a.revision?.nameRange) && Object.isFrozen(a.revision?.nameRange.start));
    assert.throws(() => { (a.revision?.nameRange.start as { line: number }).line = 3; }, TypeError);
    // Beyond the shared bounds (line 9,000; column 300): fresh objects, exact values.
    const far = parseMigration(`${'\n'.repeat(9000)}${' '.repeat(0)}revision = "z3"\ndown_revision = ${' '.repeat(300)}None\n`);
    assert.deepEqual(far.revision?.nameRange, { start: { line: 9000, character: 0 }, end: { line: 9000, character: 8 } });
    assert.deepEqual(far.downRevision?.value.range, { start: { line: 9001, character: 316 }, end: { line: 9001, character: 320 } });
  });

  it('gives calls exact lists, empty ones shared and frozen', () => {
    const m = parseMigration('def upgrade():\n    op.create_table("t", sa.Column("id", sa.Integer(), nullable=False))\n');
    const call = m.functions[0]?.calls[0];
    assert.equal(call?.args.length, 2);
    const column = call?.args[1];
    assert.ok(column?.kind === 'call');
    const integer = column.call.args[1];
    assert.ok(integer?.kind === 'call');
    assert.equal(integer.call.args.length, 0);
    assert.ok(Object.isFrozen(integer.call.args) && Object.isFrozen(integer.call.kwargs));
    assert.deepEqual(column.call.kwargs.map((k) => k.name), ['nullable']);
  });
});
