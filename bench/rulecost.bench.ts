// What each file rule costs on its own, on the generated 10,000-revision projects (index-graph's
// p10000 and the 3 KB-body p10000-rich, read from disk as the CLI reads them): every rule of the
// registry wrapped in a timer, with the schema model's side timed apart and taken out of the rule's
// own time: the questions a rule asks (core/schema, replayed as asked) and the reading of each
// function's schema operations (core/facts/schema.ts), done before the file's first rule. What a rule
// computes first for the others (opsInContext, the call names, ...) counts as that rule's. Best of
// several fresh models per project (`BENCH_TURNS`, default 5): the timers are wall clocks, and on a
// shared machine only the best turn says much. The timers themselves add a few tens of ms.
import path from 'node:path';
import { loadConfigFile } from '../server/src/core/project';
import { ProjectModel } from '../server/src/core/project/model';
import { allRules } from '../server/src/core/rules';
import type { FileRuleContext, Rule } from '../server/src/core/rules/rule';
import { schemaOps } from '../server/src/core/facts/schema';
import type { SchemaAt } from '../server/src/core/schema';
import type { Migration } from '../server/src/core/types';
import { nodeFileSystem } from '../server/src/fs/nodeFileSystem';
import { loadSqlParser } from '../server/src/fs/sqlParser';
import { generate, generateRich } from './index-graph.bench';

interface Turn { own: Map<string, number>; schema: number; ops: number; total: number }

/** A schema view whose questions add their time to `spent` (the rule's own time excludes it). */
function timedSchema(s: SchemaAt, spent: { ms: number }): SchemaAt {
  const time = <A extends unknown[], R>(f: (...a: A) => R) => (...a: A): R => {
    const t = performance.now();
    try {
      return f(...a);
    } finally {
      spent.ms += performance.now() - t;
    }
  };
  return {
    revision: s.revision,
    columnTypeBefore: time((t: string, c: string) => s.columnTypeBefore(t, c)),
    enumBefore: time((n: string) => s.enumBefore(n)),
    enumAfter: time((n: string) => s.enumAfter(n)),
    enumChangedBefore: time((n: string) => s.enumChangedBefore(n)),
    tableOrigin: time((t: string) => s.tableOrigin(t)),
  };
}

async function turn(ini: string): Promise<Turn> {
  const config = await loadConfigFile(nodeFileSystem, ini);
  if (!config) throw new Error(`no project at ${ini}`);
  const own = new Map<string, number>();
  const spent = { ms: 0 };
  let total = 0;
  // The schema operations of each function (core/facts/schema.ts, cached per function) are read before
  // the first rule of a file asks, and timed apart: they belong to the schema model's side.
  const opsRead = new WeakSet<Migration>();
  let ops = 0;
  const rules: Rule[] = allRules.map((r) => {
    if (r.kind !== 'file') return r;
    return {
      ...r,
      check(ctx: FileRuleContext) {
        if (!opsRead.has(ctx.migration)) {
          opsRead.add(ctx.migration);
          const t0 = performance.now();
          for (const fn of ctx.migration.functions) schemaOps(ctx.migration, fn);
          ops += performance.now() - t0;
        }
        const before = spent.ms;
        const c = ctx.schema ? { ...ctx, schema: timedSchema(ctx.schema, spent) } : ctx;
        const t = performance.now();
        const out = r.check(c);
        const dt = performance.now() - t;
        total += dt;
        own.set(r.id, (own.get(r.id) ?? 0) + dt - (spent.ms - before));
        return out;
      },
    };
  });
  const model = await ProjectModel.load(nodeFileSystem, config, { rules });
  if (model.mayRunSql()) await loadSqlParser();
  model.findingsByPath();
  return { own, schema: spent.ms, ops, total };
}

export async function run(): Promise<void> {
  const turns = Number(process.env.BENCH_TURNS) || 5;
  for (const [label, ini] of [['p10000', generate(10_000)], ['p10000-rich', generateRich(10_000)]] as const) {
    const all: Turn[] = [];
    for (let i = 0; i < turns; i++) all.push(await turn(ini));
    const ownTotal = (t: Turn): number => [...t.own.values()].reduce((a, b) => a + b, 0);
    const best = all.reduce((a, b) => (ownTotal(b) < ownTotal(a) ? b : a));
    const first = all[0] as Turn;
    console.log(`${label} (${path.basename(path.dirname(ini))}): rules' own time best ${ownTotal(best).toFixed(0)} ms, first (cold) ${ownTotal(first).toFixed(0)} ms; schema questions ${best.schema.toFixed(0)} ms, schema operations read ${best.ops.toFixed(0)} ms; rules inclusive ${best.total.toFixed(0)} ms`);
    const byRule = [...best.own].sort((a, b) => b[1] - a[1]);
    for (const [id, ms] of byRule.slice(0, 12)) console.log(`  ${id.padEnd(40)} ${ms.toFixed(1)} ms`);
  }
}
