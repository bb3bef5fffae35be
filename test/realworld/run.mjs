#!/usr/bin/env node
// Re-runs the labelled real-world findings against the current rules. The projects are public Alembic
// repositories (test/realworld/projects.json) checked out at their commits under $REALWORLD_DIR
// (default /tmp/realworld/<name>); CI has none of them, so a project that is not there is skipped and
// named. Runs dist/cli.js (build it first: node esbuild.mjs) and prints, per rule and in total, how
// the labelled warnings and errors fare: precision = TP / (TP + FP) over what is still reported at
// warning or error; noise still at warning counts against the "95% true" goal as not-true; a labelled
// TP no longer reported at warning or error is lost. Exit 1 when a TP is lost.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const dir = process.env.REALWORLD_DIR ?? '/tmp/realworld';
const { projects } = JSON.parse(fs.readFileSync(path.join(here, 'projects.json'), 'utf8'));
const { labels } = JSON.parse(fs.readFileSync(path.join(here, 'labels.json'), 'utf8'));
const cli = path.join(repoRoot, 'dist', 'cli.js');
if (!fs.existsSync(cli)) {
  console.error('dist/cli.js is missing: run node esbuild.mjs first');
  process.exit(2);
}

const key = (project, file, line, rule) => `${project}\t${file}\t${line}\t${rule}`;
const reported = new Map();
const present = new Set();
let unlabelled = 0;
let warnings = 0;
/** Warnings and errors per rule, labelled or not. */
const warningsByRule = new Map();
let revisions = 0;
for (const p of projects) {
  const root = path.join(dir, p.name);
  if (!fs.existsSync(path.join(root, p.check))) {
    console.log(`skipped ${p.name}: not checked out at ${root} (git clone https://github.com/${p.repo} and check out ${p.commit})`);
    continue;
  }
  present.add(p.name);
  let out;
  try {
    // --scope all: the labels judge the rules on every revision, released or new (a checkout of the
    // project's main branch would otherwise have every revision released, and no file rule would run).
    out = execFileSync(process.execPath, [cli, 'check', path.join(root, p.check), '--format', 'json', '--fail-on', 'never', '--scope', 'all'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  } catch (err) {
    out = err.stdout ?? '';
  }
  const result = JSON.parse(out);
  revisions += result.summary.revisions;
  for (const d of result.diagnostics) {
    if (d.severity !== 'warning' && d.severity !== 'error') continue;
    warnings++;
    warningsByRule.set(d.rule, (warningsByRule.get(d.rule) ?? 0) + 1);
    const rel = path.relative(root, d.path).split(path.sep).join('/');
    const k = key(p.name, rel, d.line, d.rule);
    reported.set(k, d.severity);
  }
}

const byRule = new Map();
const lost = [];
const noiseAtWarning = [];
for (const l of labels) {
  if (!present.has(l.project)) continue;
  const k = key(l.project, l.path, l.line, l.rule);
  const s = byRule.get(l.rule) ?? { TP: 0, FP: 0, noise: 0, quieted: 0 };
  if (reported.has(k)) {
    s[l.label]++;
    if (l.label === 'noise') noiseAtWarning.push(l);
  }
  else {
    s.quieted++;
    if (l.label === 'TP') lost.push(l);
  }
  byRule.set(l.rule, s);
}
const labelled = new Set(labels.map((l) => key(l.project, l.path, l.line, l.rule)));
for (const k of reported.keys()) if (!labelled.has(k)) unlabelled++;

const total = { TP: 0, FP: 0, noise: 0, quieted: 0 };
const per100 = (n) => (100 * n / Math.max(1, revisions)).toFixed(1);
console.log('rule'.padEnd(40), 'TP'.padStart(4), 'FP'.padStart(4), 'noise'.padStart(6), 'not at warning'.padStart(15), 'warnings/100'.padStart(13));
for (const [rule, s] of [...byRule].sort()) {
  console.log(rule.padEnd(40), String(s.TP).padStart(4), String(s.FP).padStart(4), String(s.noise).padStart(6), String(s.quieted).padStart(15), per100(warningsByRule.get(rule) ?? 0).padStart(13));
  for (const f of Object.keys(total)) total[f] += s[f];
}
const judged = total.TP + total.FP + total.noise;
const pct = (a, b) => (b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(1)}%`);
console.log(`labelled and still reported at warning or error: ${judged}; precision TP/(TP+FP) ${pct(total.TP, total.TP + total.FP)}; true TP/(TP+FP+noise) ${pct(total.TP, judged)}`);
console.log(`warnings and errors on ${present.size} projects (${revisions} revisions): ${warnings}, ${(100 * warnings / Math.max(1, revisions)).toFixed(1)} per 100 migrations; ${unlabelled} not labelled`);
for (const [rule, n] of [...warningsByRule].sort()) if (!byRule.has(rule)) console.log(`${rule}: ${n} warnings (${per100(n)} per 100 migrations), none labelled`);
for (const l of noiseAtWarning) console.log(`noise at warning: ${l.project} ${l.path}:${l.line} ${l.rule}: ${l.reason}`);
for (const l of lost) console.log(`LOST TP ${l.project} ${l.path}:${l.line} ${l.rule}: ${l.reason}`);
console.log(`${lost.length === 0 ? 'no labelled true finding lost' : `${lost.length} labelled true findings lost`}`);
process.exit(lost.length === 0 ? 0 : 1);
