// The revision graph and the resolver agree with the real Alembic (/usr/bin/python3, Alembic 1.8) on every
// fixture project under test/fixtures: heads, bases, every edge and dependency, branch labels, history
// order, and a table of resolver targets (results and error texts). Error fixtures must make Alembic fail
// or warn the way our diagnostics say.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildRevisionGraph, historyOrder, RevisionResolver, outcome, type RevisionGraph } from '../../server/src/core/graph';
import { discoverProjects, listRevisionFiles, type ProjectConfig } from '../../server/src/core/project';
import { ProjectModel } from '../../server/src/core/project/model';
import { parseMigration } from '../../server/src/core/parse';
import { runRules } from '../../server/src/core/rules';
import { nodeFileSystem } from '../../server/src/fs/nodeFileSystem';
import { fixturesDir } from '../support/paths';
import { runPython } from '../support/python';

// Loads the project with Alembic and answers the questions in the JSON on stdin.
// Alembic 1.8 lists a version folder with os.listdir (file-system order) and has no
// recursive_version_locations; newer Alembic (>= 1.10) walks the folder, files sorted by name, subfolders
// after them, when that option is true. `_list_py_dir` is replaced by that newer listing so that load
// order (which decides tie-breaks and error-message order) is deterministic and recursion is covered;
// which files load is unchanged for non-recursive projects (checked against the unpatched listing).
const PY = String.raw`
import json, os, sys, warnings
req = json.load(open(sys.argv[1]))
ini = req["ini"]
os.chdir(os.path.dirname(ini))
from alembic.config import Config
from alembic.script import ScriptDirectory, Script
from alembic.script import revision as revmod
from alembic import util

def result(fn):
    try:
        r = fn()
        return {"ok": [None if x is None else x if isinstance(x, str) else x.revision for x in r]}
    except (revmod.RevisionError, util.CommandError) as e:
        return {"error": type(e).__name__, "message": str(e), "cause": str(e.__cause__) if e.__cause__ else None}
    except AssertionError as e:
        return {"error": "AssertionError", "message": str(e)}

def load(recursive):
    cfg = Config(ini)
    sd = ScriptDirectory.from_config(cfg)
    if req["patchListing"]:
        orig = Script._list_py_dir
        def listing(cls, scriptdir, path):
            out = []
            for root, dirs, files in os.walk(path, topdown=True):
                rel = os.path.relpath(root, path)
                for f in sorted(files):
                    if not (f.startswith(".#") or f.startswith("__init__")):
                        out.append(f if rel == "." else os.path.join(rel, f))
                if not recursive:
                    break
                dirs[:] = sorted(d for d in dirs if not d.endswith("__pycache__"))
            return out
        Script._list_py_dir = classmethod(listing)
    return sd

out = {}
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    sd = load(req["recursive"])
    rm = sd.revision_map
    try:
        rm.heads
        out["loadError"] = None
    except Exception as e:
        out["loadError"] = {"type": type(e).__name__, "message": str(e)}
    out["warnings"] = [str(w.message) for w in caught]
if out["loadError"] is None:
    revs = []
    for key, r in rm._revision_map.items():
        if r is None or key != r.revision:
            continue
        revs.append({
            "revision": r.revision,
            "path": os.path.realpath(r.path),
            "down": list(r._versioned_down_revisions),
            "deps": list(r._resolved_dependencies),
            "normalizedDeps": sorted(r._normalized_resolved_dependencies),
            "children": sorted(r.nextrev),
            "allNext": sorted(r._all_nextrev),
            "ownLabels": list(r._orig_branch_labels),
            "labels": sorted(r.branch_labels),
            "isHead": r.is_head, "isRealHead": r._is_real_head, "isBase": r.is_base, "isRealBase": r._is_real_base,
            "isMerge": r.is_merge_point, "isBranchPoint": r.is_branch_point, "isRealBranchPoint": r._is_real_branch_point,
        })
    out["revisions"] = revs
    out["heads"] = list(rm.heads)
    out["realHeads"] = list(rm._real_heads)
    out["bases"] = list(rm.bases)
    out["realBases"] = list(rm._real_bases)
    try:
        out["history"] = [s.revision for s in sd.walk_revisions()]
    except Exception as e:
        out["history"] = {"error": str(e)}
    out["targets"] = [result(lambda t=t: rm.get_revisions(t)) for t in req["targets"]]
    out["commandTargets"] = [result(lambda t=t: sd.get_revisions(t)) for t in req["targets"]]
    out["upgrades"] = [result(lambda c=c, t=t: rm._parse_upgrade_target(tuple(c), t, True)) for c, t in req["upgrades"]]
    def down(c, t):
        branch, rev = rm._parse_downgrade_target(tuple(c), t, True)
        return (rev,)
    out["downgrades"] = [result(lambda c=c, t=t: down(c, t)) for c, t in req["downgrades"]]
print(json.dumps(out))
`;

interface PyRevision {
  revision: string; path: string; down: string[]; deps: string[]; normalizedDeps: string[]; children: string[];
  allNext: string[]; ownLabels: string[]; labels: string[]; isHead: boolean; isRealHead: boolean; isBase: boolean;
  isRealBase: boolean; isMerge: boolean; isBranchPoint: boolean; isRealBranchPoint: boolean;
}
type PyResult = { ok: (string | null)[] } | { error: string; message: string; cause?: string | null };
interface PyOut {
  loadError: { type: string; message: string } | null;
  warnings: string[];
  revisions?: PyRevision[];
  heads?: string[]; realHeads?: string[]; bases?: string[]; realBases?: string[];
  history?: string[] | { error: string };
  targets?: PyResult[]; commandTargets?: PyResult[]; upgrades?: PyResult[]; downgrades?: PyResult[];
}

function alembic(ini: string, recursive: boolean, patchListing: boolean, targets: string[] = [], upgrades: [string[], string][] = [], downgrades: [string[], string][] = []): PyOut {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'graph-agreement-'));
  const req = path.join(dir, 'request.json');
  try {
    fs.writeFileSync(req, JSON.stringify({ ini, recursive, patchListing, targets, upgrades, downgrades }));
    const r = runPython(PY, [req], { env: { PYTHONDONTWRITEBYTECODE: '1' } });
    assert.equal(r.status, 0, `python failed for ${ini}:\n${r.stderr}`);
    return JSON.parse(r.stdout) as PyOut;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function loadOurs(config: ProjectConfig): Promise<{ graph: RevisionGraph; model: ProjectModel }> {
  const model = await ProjectModel.load(nodeFileSystem, config);
  return { graph: model.graph, model };
}

/** Targets worth asking about for one graph: symbols, ids, prefixes, labels, relative walks, misses. */
function targetTable(graph: RevisionGraph): string[] {
  const ids = [...graph.nodes.keys()];
  const labels = [...graph.labels.keys()];
  const t = new Set<string>(['head', 'heads', 'base', '-1', '-2', '-9', 'zzzz', 'abc', '', '@head', 'nosuchlabel@head']);
  for (const id of ids) {
    t.add(id);
    t.add(id.slice(0, 4));
    t.add(id.slice(0, 3));
    t.add(id.slice(0, 6));
  }
  for (const l of labels) {
    for (const s of [l, `${l}@head`, `${l}@heads`, `${l}@base`, `${l}@-1`, `${l}@${ids[0] ?? ''}`, `${l}@${(ids[ids.length - 1] ?? '').slice(0, 5)}`]) t.add(s);
  }
  if (ids[0]) t.add(`${ids[0]}@head`);
  return [...t];
}

function relativeTables(graph: RevisionGraph): { upgrades: [string[], string][]; downgrades: [string[], string][] } {
  const ids = [...graph.nodes.keys()];
  const labels = [...graph.labels.keys()];
  const currents: string[][] = [[], ...ids.map((i) => [i])];
  if (graph.heads.length > 1) currents.push([...graph.heads]);
  const upgrades: [string[], string][] = [];
  const downgrades: [string[], string][] = [];
  for (const c of currents) {
    for (const t of ['+1', '+2', '+5', '-1', 'head', 'heads']) upgrades.push([c, t]);
    for (const t of ['-1', '-2', '-9', '+1', 'base']) downgrades.push([c, t]);
    for (const l of labels) {
      upgrades.push([c, `${l}@+1`]);
      downgrades.push([c, `${l}@-1`]);
    }
  }
  for (const id of ids) {
    upgrades.push([[], `${id}+1`], [[], `${id}-1`], [[], `${id.slice(0, 5)}+2`]);
    downgrades.push([[], `${id}-1`], [[], `${id}+1`]);
  }
  return { upgrades, downgrades };
}

function ourResult(fn: () => ReturnType<RevisionResolver['getRevisions']>): PyResult {
  const o = outcome(fn);
  return o.ok ? { ok: o.revisions } : { error: o.kind, message: o.message };
}

function compareResults(label: string, ours: PyResult[], theirs: PyResult[], inputs: unknown[]): void {
  const problems: string[] = [];
  ours.forEach((o, i) => {
    const a = theirs[i];
    if (!a) return;
    if ('ok' in a) {
      if (!('ok' in o) || JSON.stringify(o.ok) !== JSON.stringify(a.ok)) problems.push(`${JSON.stringify(inputs[i])}: alembic ${JSON.stringify(a.ok)}, ours ${JSON.stringify(o)}`);
    } else if ('ok' in o) {
      problems.push(`${JSON.stringify(inputs[i])}: alembic ${a.error}: ${a.message}, ours ${JSON.stringify(o.ok)}`);
    } else if (a.error !== 'AssertionError' && o.message !== a.message) {
      problems.push(`${JSON.stringify(inputs[i])}: alembic "${a.message}", ours "${o.message}"`);
    }
  });
  assert.deepEqual(problems, [], `${label}: ${problems.length} disagreements`);
}

describe('revision graph agreement with Alembic', function () {
  this.timeout(120_000);
  const inis: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory() && e.name !== '__pycache__') walk(path.join(dir, e.name));
      else if (e.name === 'alembic.ini') inis.push(path.join(dir, e.name));
    }
  };
  walk(fixturesDir);
  inis.sort();
  const errorFixtures = new Set(['graph-cycle', 'graph-self-loop', 'graph-duplicate', 'graph-unknown-revision', 'graph-invalid-id', 'graph-duplicate-label']);

  it('finds the fixture projects', () => {
    assert.ok(inis.length >= 15, `only ${inis.length} alembic.ini under ${fixturesDir}`);
  });

  for (const ini of inis) {
    const name = path.relative(fixturesDir, path.dirname(ini));
    if (errorFixtures.has(name)) continue;
    it(`${name}: graph, history and resolver equal Alembic's`, async () => {
      const [config] = await discoverProjects(nodeFileSystem, [path.dirname(ini)], { maxDepth: 0 });
      assert.ok(config, `no project at ${ini}`);
      const { graph } = await loadOurs(config);
      const targets = targetTable(graph);
      const { upgrades, downgrades } = relativeTables(graph);
      const py = alembic(ini, config.recursiveVersionLocations, true, targets, upgrades, downgrades);
      assert.equal(py.loadError, null, `Alembic could not load ${ini}: ${JSON.stringify(py.loadError)}`);
      const theirs = py.revisions ?? [];
      assert.ok(theirs.length > 0, 'Alembic loaded no revisions');

      // Which files, and which ids.
      assert.deepEqual([...graph.nodes.keys()].sort(), theirs.map((r) => r.revision).sort(), 'revision ids');
      const resolver = new RevisionResolver(graph);
      for (const r of theirs) {
        const n = graph.nodes.get(r.revision);
        assert.ok(n, r.revision);
        const msg = `revision ${r.revision}`;
        assert.equal(fs.realpathSync(n.path), r.path, `${msg} path`);
        assert.deepEqual(n.file.downRevisions.map((d) => d.value), r.down, `${msg} down_revision`);
        assert.deepEqual(n.dependencies, r.deps, `${msg} dependencies`);
        assert.deepEqual([...resolver.normalizedDependencies(n)].sort(), r.normalizedDeps, `${msg} normalized dependencies`);
        assert.deepEqual([...n.children].sort(), r.children, `${msg} children (nextrev)`);
        assert.deepEqual([...n.children, ...n.dependents].sort(), r.allNext, `${msg} children + dependents (_all_nextrev)`);
        assert.deepEqual(n.ownBranchLabels, r.ownLabels, `${msg} own branch labels`);
        assert.deepEqual(n.branchLabels, r.labels, `${msg} propagated branch labels`);
        assert.deepEqual(
          [n.isHead, n.isRealHead, n.isBase, n.isRealBase, n.isMergePoint, n.isBranchPoint, n.isRealBranchPoint],
          [r.isHead, r.isRealHead, r.isBase, r.isRealBase, r.isMerge, r.isBranchPoint, r.isRealBranchPoint],
          `${msg} flags head/realHead/base/realBase/merge/branch/realBranch`,
        );
      }
      assert.deepEqual(graph.heads, py.heads, 'heads (load order)');
      assert.deepEqual(graph.realHeads, py.realHeads, '_real_heads');
      assert.deepEqual(graph.bases, py.bases, 'bases');
      assert.deepEqual(graph.realBases, py.realBases, '_real_bases');
      assert.deepEqual(historyOrder(graph), py.history, 'alembic history order');

      compareResults('get_revisions', targets.map((t) => ourResult(() => resolver.getRevisions(t))), py.targets ?? [], targets);
      compareResults('_parse_upgrade_target', upgrades.map(([c, t]) => ourResult(() => resolver.parseUpgradeTarget(c, t))), py.upgrades ?? [], upgrades);
      compareResults('_parse_downgrade_target', downgrades.map(([c, t]) => ourResult(() => [resolver.parseDowngradeTarget(c, t).revision])), py.downgrades ?? [], downgrades);
      // What the alembic command prints for the same targets (ScriptDirectory wraps the errors).
      const cmd = targets.map((t) => {
        const o = outcome(() => resolver.getRevisions(t));
        return o.ok ? { ok: o.revisions } : { error: 'CommandError', message: o.commandMessage };
      });
      compareResults('ScriptDirectory.get_revisions', cmd, py.commandTargets ?? [], targets);

      // The patched listing loads the same files as Alembic 1.8's own (recursion aside).
      if (!config.recursiveVersionLocations) {
        const plain = alembic(ini, false, false);
        assert.deepEqual([...(plain.heads ?? [])].sort(), [...(py.heads ?? [])].sort(), 'unpatched Alembic heads');
        assert.equal(plain.revisions?.length, theirs.length, 'unpatched Alembic revision count');
      }
      // And no graph diagnostics where Alembic is happy (apart from multiple heads, which it allows).
      const texts = new Map<string, string>();
      for (const p of await listRevisionFiles(nodeFileSystem, config.versionLocationPaths, config.recursiveVersionLocations)) texts.set(p, fs.readFileSync(p, 'utf8'));
      const errors = runRules({ graph, project: config, texts }).filter((f) => f.severity === 'error');
      assert.deepEqual(errors.map((e) => `${e.rule}: ${e.message}`), [], 'error findings on a project Alembic loads');
    });
  }

  const errorCase = (name: string, expect: (py: PyOut) => void, rule: string): void => {
    it(`${name}: Alembic fails or warns, and ${rule} reports it`, async () => {
      const ini = path.join(fixturesDir, name, 'alembic.ini');
      const [config] = await discoverProjects(nodeFileSystem, [path.dirname(ini)], { maxDepth: 0 });
      assert.ok(config);
      const files = await listRevisionFiles(nodeFileSystem, config.versionLocationPaths, false);
      const texts = new Map(files.map((p) => [p, fs.readFileSync(p, 'utf8')]));
      const graph = buildRevisionGraph(files.map((p) => ({ path: p, migration: parseMigration(texts.get(p) ?? '') })));
      const py = alembic(ini, false, true);
      expect(py);
      const findings = runRules({ graph, project: config, texts }).filter((f) => f.rule === rule);
      assert.ok(findings.length > 0, `no ${rule} finding`);
      assert.ok(findings.every((f) => f.severity === 'error'), JSON.stringify(findings));
    });
  };
  errorCase('graph-cycle', (py) => {
    assert.equal(py.loadError?.type, 'CycleDetected');
    assert.match(py.loadError?.message ?? '', /^Cycle is detected in revisions \(.*c0c0c0c00002.*c0c0c0c00003.*\)$/);
  }, 'revision-cycle');
  errorCase('graph-self-loop', (py) => {
    assert.equal(py.loadError?.type, 'LoopDetected');
    assert.equal(py.loadError?.message, 'Self-loop is detected in revisions (5e1f5e1f0002)');
  }, 'revision-cycle');
  errorCase('graph-duplicate', (py) => {
    assert.ok(py.warnings.includes('Revision d1d1d1d10002 is present more than once'), JSON.stringify(py.warnings));
  }, 'duplicate-revision');
  errorCase('graph-unknown-revision', (py) => {
    assert.ok(py.warnings.some((w) => w.startsWith('Revision 0b0b0b0bffff referenced from') && w.endsWith('is not present')), JSON.stringify(py.warnings));
    assert.equal(py.loadError?.type, 'KeyError');
  }, 'unknown-revision');
  errorCase('graph-invalid-id', (py) => {
    assert.equal(py.loadError?.type, 'RevisionError');
    assert.equal(py.loadError?.message, "Character(s) '-' not allowed in revision identifier '1d1d-1d1d-0002'");
  }, 'invalid-revision-id');
  errorCase('graph-duplicate-label', (py) => {
    assert.equal(py.loadError?.type, 'RevisionError');
    assert.match(py.loadError?.message ?? '', /^Branch name 'shared' in revision 1a1a1a1a000[12] already used by revision 1a1a1a1a000[12]$/);
  }, 'duplicate-branch-label');

  it('our messages quote Alembic where Alembic has words for the problem', async () => {
    const msgs = new Map<string, string>();
    for (const name of ['graph-cycle', 'graph-self-loop', 'graph-invalid-id', 'graph-duplicate']) {
      const [config] = await discoverProjects(nodeFileSystem, [path.join(fixturesDir, name)], { maxDepth: 0 });
      assert.ok(config);
      const model = await ProjectModel.load(nodeFileSystem, config);
      for (const f of model.findings()) msgs.set(`${name}:${f.rule}`, f.message);
    }
    assert.match(msgs.get('graph-cycle:revision-cycle') ?? '', /^Cycle is detected in revisions \(c0c0c0c00002, c0c0c0c00003\)/);
    assert.match(msgs.get('graph-self-loop:revision-cycle') ?? '', /^Self-loop is detected in revisions \(5e1f5e1f0002\)/);
    assert.match(msgs.get('graph-invalid-id:invalid-revision-id') ?? '', /^Character\(s\) '-' not allowed in revision identifier '1d1d-1d1d-0002'/);
    assert.match(msgs.get('graph-duplicate:duplicate-revision') ?? '', /^Revision d1d1d1d10002 is present more than once/);
  });
});
