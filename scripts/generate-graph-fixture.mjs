#!/usr/bin/env node
// Writes test/fixtures/graph-300/: an Alembic project with 300 revisions shaped like a long-lived
// team project, for the revision graph picture's tests and figures. Deterministic (seeded PRNG, fixed
// dates), so re-running it rewrites the same files; the output is committed.
//
//   node scripts/generate-graph-fixture.mjs [--count 300] [--out test/fixtures/graph-300]
//
// Shape: a trunk labelled `core` from one base; feature branches forking off the trunk's tip, up to
// three open at once, each closed by a merge revision (a few merges close two branches at once); some
// feature branches carry a branch label; an independent `analytics` branch with its own base that
// `depends_on` a trunk revision and stays a second head. A few revisions drop columns in upgrade(),
// so the picture has warnings to show.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..');

function parseArgs(argv) {
  const opts = { count: 300, out: path.join(repoRoot, 'test', 'fixtures', 'graph-300') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--count') opts.count = Number(argv[++i]);
    else if (a === '--out') opts.out = path.resolve(argv[++i] ?? '');
    else throw new Error(`generate-graph-fixture: unknown argument ${a}`);
  }
  if (!Number.isInteger(opts.count) || opts.count < 20) throw new Error('generate-graph-fixture: --count must be an integer of at least 20');
  return opts;
}

/** mulberry32: small, deterministic. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TABLES = ['users', 'accounts', 'invoices', 'orders', 'order_items', 'payments', 'projects', 'tasks', 'comments', 'tags', 'events', 'audit_log'];
const COLUMNS = ['note', 'status', 'priority', 'archived_at', 'external_ref', 'locale', 'score', 'owner_id', 'due_on', 'color', 'source', 'version'];
const FEATURES = ['billing', 'search', 'sharing', 'exports', 'reminders', 'webhooks', 'audit', 'quotas', 'imports', 'teams', 'reports', 'themes'];

/**
 * The revisions, oldest first: { id, parents, labels, dependsOn, message, kind } where kind says
 * what the body does. History order (newest first) is the reverse.
 */
export function generateHistory(count, seed = 300) {
  const r = rng(seed);
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const used = new Set();
  const newId = () => {
    for (;;) {
      let s = '';
      for (let i = 0; i < 12; i++) s += '0123456789abcdef'[Math.floor(r() * 16)];
      if (!used.has(s)) { used.add(s); return s; }
    }
  };
  const revisions = [];
  const add = (rev) => { revisions.push(rev); return rev.id; };
  const change = () => {
    const table = pick(TABLES);
    const column = `${pick(COLUMNS)}_${revisions.length}`;
    const kind = r() < 0.025 ? 'drop' : r() < 0.3 ? 'table' : 'column';
    const message = kind === 'drop' ? `drop ${column} from ${table}` : kind === 'table' ? `create ${table}_${revisions.length} table` : `add ${column} to ${table}`;
    return { kind, table, column, message };
  };

  let trunk = add({ id: newId(), parents: [], labels: ['core'], dependsOn: [], ...change(), kind: 'table', message: 'initial schema' });
  /** Open feature branches: { tip, name, left } (revisions still to write before the merge). */
  const open = [];
  let analytics;
  const analyticsStart = Math.floor(count * 0.15);
  while (revisions.length < count) {
    const remaining = count - revisions.length;
    // Close branches early enough that the last revisions land on the trunk.
    const mustClose = open.filter((b) => b.left <= 0 || remaining <= open.length + 2);
    if (mustClose.length > 0) {
      // Sometimes a branch nearly done is merged in the same revision: a merge of three lines.
      const closing = [mustClose[0]];
      const nearlyDone = open.find((b) => b !== mustClose[0] && b.left <= 3);
      if (nearlyDone && r() < 0.6) closing.push(nearlyDone);
      trunk = add({
        id: newId(), parents: [trunk, ...closing.map((b) => b.tip)], labels: [], dependsOn: [], kind: 'merge', table: '', column: '',
        message: `merge ${closing.map((b) => b.name).join(' and ')} into core`,
      });
      for (const b of closing) open.splice(open.indexOf(b), 1);
      continue;
    }
    if (revisions.length === analyticsStart) {
      const base = trunk;
      analytics = add({ id: newId(), parents: [], labels: ['analytics'], dependsOn: [base], ...change(), kind: 'table', message: 'analytics: event store' });
      continue;
    }
    const roll = r();
    if (analytics && roll < 0.08) {
      const c = change();
      analytics = add({ id: newId(), parents: [analytics], labels: [], dependsOn: [], ...c, message: `analytics: ${c.message}` });
    } else if (open.length < 3 && roll < 0.2 && remaining > 12) {
      const name = `${pick(FEATURES)}_${revisions.length}`;
      const labelled = r() < 0.35;
      const c = change();
      const tip = add({ id: newId(), parents: [trunk], labels: labelled ? [name] : [], dependsOn: [], ...c, message: `${name}: ${c.message}` });
      open.push({ tip, name, left: 1 + Math.floor(r() * 11) });
    } else if (open.length > 0 && roll < 0.65) {
      const b = pick(open);
      const c = change();
      b.tip = add({ id: newId(), parents: [b.tip], labels: [], dependsOn: [], ...c, message: `${b.name}: ${c.message}` });
      b.left--;
    } else {
      trunk = add({ id: newId(), parents: [trunk], labels: [], dependsOn: [], ...change() });
    }
  }
  return revisions;
}

function pyTuple(ids) {
  if (ids.length === 0) return 'None';
  if (ids.length === 1) return `'${ids[0]}'`;
  return `(${ids.map((i) => `'${i}'`).join(', ')})`;
}

function body(rev) {
  switch (rev.kind) {
    case 'table':
      return {
        up: [
          `op.create_table(`,
          `        '${rev.table}_${rev.column.replace(/\W/g, '_')}',`,
          `        sa.Column('id', sa.Integer(), primary_key=True),`,
          `        sa.Column('name', sa.String(length=200), nullable=False),`,
          `    )`,
        ].join('\n'),
        down: `op.drop_table('${rev.table}_${rev.column.replace(/\W/g, '_')}')`,
      };
    case 'column':
      return {
        up: `op.add_column('${rev.table}', sa.Column('${rev.column}', sa.String(length=100), nullable=True))`,
        down: `op.drop_column('${rev.table}', '${rev.column}')`,
      };
    case 'drop':
      return {
        up: `op.drop_column('${rev.table}', '${rev.column}')`,
        down: `op.add_column('${rev.table}', sa.Column('${rev.column}', sa.String(length=100), nullable=True))`,
      };
    default:
      return { up: 'pass', down: 'pass' };
  }
}

function migrationFile(rev, date) {
  const { up, down } = body(rev);
  return `"""${rev.message}

Revision ID: ${rev.id}
Revises: ${rev.parents.join(', ')}
Create Date: ${date}

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '${rev.id}'
down_revision = ${pyTuple(rev.parents)}
branch_labels = ${rev.labels.length ? `(${rev.labels.map((l) => `'${l}'`).join(', ')},)` : 'None'}
depends_on = ${pyTuple(rev.dependsOn)}


def upgrade() -> None:
    ${up}


def downgrade() -> None:
    ${down}
`;
}

const INI = `# A generated project (scripts/generate-graph-fixture.mjs): 300 revisions for the revision graph picture.
[alembic]
script_location = alembic
prepend_sys_path = .
version_path_separator = os
sqlalchemy.url = postgresql://graph@localhost/graph300

[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARN
handlers = console
qualname =

[logger_sqlalchemy]
level = WARN
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
`;

const ENV_PY = `"""Alembic environment of the generated graph-300 project: DATABASE_URL or sqlalchemy.url."""
import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or config.get_main_option("sqlalchemy.url")


if context.is_offline_mode():
    context.configure(url=database_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = engine_from_config({"sqlalchemy.url": database_url()}, prefix="sqlalchemy.", poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            context.configure(connection=connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()
`;

const MAKO = `"""\${message}

Revision ID: \${up_revision}
Revises: \${down_revision | comma,n}
Create Date: \${create_date}

"""
from alembic import op
import sqlalchemy as sa
\${imports if imports else ""}

# revision identifiers, used by Alembic.
revision = \${repr(up_revision)}
down_revision = \${repr(down_revision)}
branch_labels = \${repr(branch_labels)}
depends_on = \${repr(depends_on)}


def upgrade() -> None:
    \${upgrades if upgrades else "pass"}


def downgrade() -> None:
    \${downgrades if downgrades else "pass"}
`;

function slug(message) {
  return message.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '').slice(0, 40);
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const revisions = generateHistory(opts.count);
  const versions = path.join(opts.out, 'alembic', 'versions');
  fs.rmSync(opts.out, { recursive: true, force: true });
  fs.mkdirSync(versions, { recursive: true });
  fs.writeFileSync(path.join(opts.out, 'alembic.ini'), INI);
  fs.writeFileSync(path.join(opts.out, 'alembic', 'env.py'), ENV_PY);
  fs.writeFileSync(path.join(opts.out, 'alembic', 'script.py.mako'), MAKO);
  // Fixed dates, a few hours apart, so the files are the same on every run.
  let t = Date.UTC(2023, 0, 2, 9, 0, 0);
  for (const rev of revisions) {
    t += (3 + (parseInt(rev.id.slice(0, 2), 16) % 40)) * 3600_000;
    const date = new Date(t).toISOString().replace('T', ' ').replace('Z', '000');
    fs.writeFileSync(path.join(versions, `${rev.id}_${slug(rev.message)}.py`), migrationFile(rev, date));
  }
  const merges = revisions.filter((r) => r.parents.length > 1).length;
  const labelled = revisions.filter((r) => r.labels.length > 0).length;
  console.log(`generate-graph-fixture: ${revisions.length} revisions (${merges} merges, ${labelled} with branch labels) in ${path.relative(process.cwd(), opts.out) || opts.out}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
