// The project's dialect from what its migrations write for one database: types of
// `sqlalchemy.dialects.postgresql` (`postgresql.UUID`, `JSONB` imported from it), MySQL's types,
// dialect keyword arguments (`postgresql_using=`, `mysql_engine=`, `sqlite_where=`) and SQL only
// PostgreSQL (or MySQL, or SQLite) accepts. The weakest evidence there is: used only when no setting,
// `[tool.alembic-lint] dialect`, `sqlalchemy.url` or env.py literal decides (core/project/model.ts).
// Code in a branch (`if bind.dialect.name == "mysql":`) is no evidence: it says the project runs on
// several databases. Migrations that name more than one database decide nothing.
import type { ArgValue, Migration, ParsedCall } from '../types';
import { parseMigration } from '../parse';

const DIALECTS = ['postgresql', 'mysql', 'sqlite', 'mssql', 'oracle'] as const;

/** A cheap test before the full parse: the text names a dialect module or a dialect keyword. */
const MENTIONS = /\bdialects\b|\b(?:postgresql|mysql|sqlite|mssql|oracle)_\w+\s*=|\bexec(?:ute|_driver_sql)\s*\(/;

/** SQL only one database accepts (as PostgreSQL spells it: `::` casts, extensions, enum values ...). */
const SQL_ONLY: readonly { dialect: string; re: RegExp; what: string }[] = [
  { dialect: 'postgresql', re: /\bCREATE\s+EXTENSION\b/i, what: 'CREATE EXTENSION' },
  { dialect: 'postgresql', re: /\bALTER\s+TYPE\s+\S+\s+ADD\s+VALUE\b/i, what: 'ALTER TYPE ... ADD VALUE' },
  { dialect: 'postgresql', re: /\w::[a-z_]/i, what: 'a :: cast' },
  { dialect: 'postgresql', re: /\bJSONB\b/i, what: 'JSONB' },
  { dialect: 'postgresql', re: /\bINDEX\s+CONCURRENTLY\b/i, what: 'CONCURRENTLY' },
  { dialect: 'postgresql', re: /\bUSING\s+(?:gin|gist|brin)\b/i, what: 'a GIN/GiST/BRIN index' },
  { dialect: 'mysql', re: /\bENGINE\s*=\s*InnoDB\b|\bAUTO_INCREMENT\b|\bMODIFY\s+COLUMN\b/i, what: 'MySQL syntax' },
  { dialect: 'sqlite', re: /\bPRAGMA\b|\bAUTOINCREMENT\b/i, what: 'SQLite syntax' },
];

export interface DialectEvidence {
  dialect: string;
  /** What was seen: `postgresql.JSONB`, `mysql_engine=`, `CREATE EXTENSION`. */
  what: string;
  /**
   * A dialect keyword argument (`postgresql_where=`, `mysql_engine=`): SQLAlchemy ignores it on the
   * other databases, and autogenerate writes it from models made for several, so it says the project
   * may run there, not that this code does. A dialect's type or SQL only it accepts would fail elsewhere.
   */
  weak?: true;
}

/** Names that stand for a dialect module, and names imported from one, in a migration's text. */
function dialectNames(text: string): Map<string, string> {
  const names = new Map<string, string>();
  if (!text.includes('sqlalchemy.dialects')) return names;
  for (const d of DIALECTS) {
    // `from sqlalchemy.dialects import postgresql [as pg]`, `import sqlalchemy.dialects.postgresql as pg`
    const mod = new RegExp(String.raw`^\s*(?:from\s+sqlalchemy\.dialects\s+import\s+(?:[\w\s,]*,\s*)?${d}(?:\s+as\s+(\w+))?|import\s+sqlalchemy\.dialects\.${d}\s+as\s+(\w+))`, 'gm');
    for (const m of text.matchAll(mod)) names.set(m[1] ?? m[2] ?? d, d);
    // `from sqlalchemy.dialects.postgresql import UUID, JSONB as J`
    const from = new RegExp(String.raw`^[ \t]*from\s+sqlalchemy\.dialects\.${d}(?:\.\w+)?\s+import\s+(?:\(([\w\s,]+)\)|([\w \t,]+))`, 'gm');
    for (const m of text.matchAll(from)) {
      for (const part of (m[1] ?? m[2] ?? '').split(',')) {
        const [name, alias] = part.trim().split(/\s+as\s+/);
        const bound = (alias ?? name ?? '').trim();
        if (bound) names.set(bound, `${d}:${(name ?? '').trim()}`);
      }
    }
  }
  return names;
}

/** The dialect a dotted name belongs to, and how to say it; undefined for a plain name. */
function dialectOfName(dotted: string, names: ReadonlyMap<string, string>): DialectEvidence | undefined {
  const path = dotted.replace(/\(\)/g, '');
  const inPath = /(?:^|\.)dialects\.(\w+)\.(\w+)/.exec(path);
  if (inPath && (DIALECTS as readonly string[]).includes(inPath[1] ?? '')) return { dialect: inPath[1] ?? '', what: `${inPath[1]}.${inPath[2]}` };
  const [head = '', second] = path.split('.');
  const bound = names.get(head);
  if (bound === undefined) return undefined;
  const [dialect = '', imported] = bound.split(':');
  // A module alias needs a member (`postgresql.UUID`); an imported name is one (`UUID` from postgresql).
  if (imported === undefined) return second === undefined ? undefined : { dialect, what: `${dialect}.${second}` };
  return { dialect, what: `${imported} from sqlalchemy.dialects.${dialect}` };
}

function* callsOf(call: ParsedCall): Generator<ParsedCall> {
  yield call;
  if (call.receiver) yield* callsOf(call.receiver);
  for (const a of [...call.args, ...call.kwargs.map((k) => k.value)]) yield* callsOfValue(a);
}

function* callsOfValue(v: ArgValue): Generator<ParsedCall> {
  if (v.kind === 'call') yield* callsOf(v.call);
  else if (v.kind === 'sequence') for (const item of v.items) yield* callsOfValue(item);
}

/** Dotted names given as values (`type_=postgresql.JSONB`, `sa.Column("x", JSONB)`). */
function namesOf(call: ParsedCall): string[] {
  const out: string[] = [];
  const visit = (v: ArgValue): void => {
    if (v.kind === 'name') out.push(v.name);
    else if (v.kind === 'sequence') v.items.forEach(visit);
  };
  for (const a of [...call.args, ...call.kwargs.map((k) => k.value)]) visit(a);
  return out;
}

/** What one migration writes for one database, outside dialect branches. */
export function dialectEvidenceOf(text: string, parsed?: Migration): DialectEvidence[] {
  if (!MENTIONS.test(text)) return [];
  const m = parsed ?? parseMigration(text);
  const names = dialectNames(text);
  const out: DialectEvidence[] = [];
  const fns = [...m.functions, ...(m.helpers?.values() ?? [])];
  for (const fn of fns) {
    for (const top of fn.calls) {
      // A branch for one database says the code runs on several: no evidence either way.
      if (top.guards && top.guards.length > 0) continue;
      for (const call of callsOf(top)) {
        const byCallee = dialectOfName(call.callee, names);
        if (byCallee) out.push(byCallee);
        for (const n of namesOf(call)) {
          const byName = dialectOfName(n, names);
          if (byName) out.push(byName);
        }
        for (const k of call.kwargs) {
          const d = /^(postgresql|mysql|sqlite|mssql|oracle)_\w+$/.exec(k.name)?.[1];
          if (d) out.push({ dialect: d, what: `${k.name}=`, weak: true });
        }
      }
    }
  }
  for (const e of m.executedSql) {
    if (e.call.guards && e.call.guards.length > 0) continue;
    for (const s of SQL_ONLY) if (s.re.test(e.sql)) out.push({ dialect: s.dialect, what: s.what });
  }
  // Once each: `ENUM(...).create(...)` names ENUM through the call and its receiver.
  const seen = new Set<string>();
  return out.filter((e) => !seen.has(e.what) && !!seen.add(e.what));
}

/**
 * The one database the migrations write for, with where it was seen (`postgresql.JSONB in
 * versions/abc.py`); undefined when they name none, or several. Code that fails elsewhere (a dialect's
 * types, SQL only one database accepts) decides over dialect keyword arguments, which the other
 * databases ignore: Prefect's SQLite history runs `PRAGMA foreign_keys=OFF` and carries an index's
 * `postgresql_where=` from its models. Keyword arguments decide only when nothing stronger is seen.
 */
export function dialectOfMigrations(files: Iterable<{ path: string; text: string }>): { dialect: string; source: string } | undefined {
  let strong: { dialect: string; what: string; path: string } | undefined;
  let weak: { dialect: string; what: string; path: string } | undefined;
  let weakConflict = false;
  for (const f of files) {
    for (const e of dialectEvidenceOf(f.text)) {
      if (e.weak) {
        if (!weak) weak = { ...e, path: f.path };
        else if (weak.dialect !== e.dialect) weakConflict = true;
      } else if (!strong) strong = { ...e, path: f.path };
      else if (strong.dialect !== e.dialect) return undefined;
    }
  }
  const found = strong ?? (weakConflict ? undefined : weak);
  return found ? { dialect: found.dialect, source: `dialect-specific code in the migrations (${found.what} in ${found.path})` } : undefined;
}
