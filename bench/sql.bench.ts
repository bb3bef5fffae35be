// What reading SQL strings with PostgreSQL's parser costs: loading the WebAssembly module (cold, in
// this fresh process), and reading every SQL string of the generated 10,000-revision project of
// rules.bench and of the real projects checked out in /tmp/realworld (when there), with the parser
// and with the regular expressions. The strings are those the rules read (`executedSql` of the full
// parse). Each reader's time is the median of three passes, after a first pass that warms the JIT
// (the parser's own memo is cleared between passes, as it is for a new process).
import fs from 'node:fs';
import path from 'node:path';
import { regexOperations, sqlOperations } from '../server/src/core/facts/sql';
import { mayRunSql, setSqlParser, sqlParser } from '../server/src/core/facts/sqlParser';
import { parseMigration } from '../server/src/core/parse';
import { loadSqlParser } from '../server/src/fs/sqlParser';
import { generateProject } from './rules.bench';

const REALWORLD = '/tmp/realworld';

function pyFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...pyFiles(p));
    else if (e.name.endsWith('.py') && /(?:^|\/)(?:versions|migrations|alembic)\//.test(p)) out.push(p);
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

function timeReader(sqls: string[], read: (s: string) => unknown): number {
  const parse = sqlParser();
  const pass = (): number => {
    // A new generation clears the parser's memo: every pass parses for real.
    setSqlParser(parse);
    const t = performance.now();
    for (const s of sqls) read(s);
    return performance.now() - t;
  };
  pass();
  return median([pass(), pass(), pass()]);
}

function row(name: string, texts: string[]): string {
  const sqls = texts.flatMap((t) => parseMigration(t).executedSql.map((e) => e.sql));
  const needing = texts.filter(mayRunSql).length;
  const parsed = timeReader(sqls, sqlOperations);
  const regex = timeReader(sqls, regexOperations);
  const ops = sqls.reduce((n, s) => n + sqlOperations(s).length, 0);
  const fromParser = sqls.reduce((n, s) => n + sqlOperations(s).filter((o) => o.parsed).length, 0);
  return `${name.padEnd(22)} ${String(texts.length).padStart(6)} files ${String(needing).padStart(5)} ask for the parser ` +
    `${String(sqls.length).padStart(6)} SQL strings ${String(ops).padStart(5)} ops (${fromParser} by the parser)  ` +
    `parser ${parsed.toFixed(1)} ms, regex ${regex.toFixed(1)} ms`;
}

export async function run(): Promise<void> {
  const load = await loadSqlParser();
  console.log(`PostgreSQL's parser: ${load.loaded ? `loaded in ${load.ms} ms (cold process)` : `not loaded: ${load.reason ?? ''}`}`);
  if (!load.loaded) return;
  console.log(row('generated 10,000', [...generateProject(10_000).values()]));
  if (!fs.existsSync(REALWORLD)) {
    console.log(`(${REALWORLD} is not here: no figures for the real projects)`);
    return;
  }
  for (const name of fs.readdirSync(REALWORLD).sort()) {
    const dir = path.join(REALWORLD, name);
    if (!fs.statSync(dir).isDirectory()) continue;
    console.log(row(name, pyFiles(dir).map((p) => fs.readFileSync(p, 'utf8'))));
  }
}
