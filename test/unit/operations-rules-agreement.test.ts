// The downgrade confirmation and the lint agree about what destroys data. For every fixture
// migration (each .py below test/fixtures but env.py and __init__.py) and every downgrade function
// in it, what destructiveOperations(migration, 'downgrade') lists as destroyed is exactly what the
// destructive-operation rules find in that function.
//
// "The destructive-operation rules" are the two rules whose findings say that data is lost:
//   destructive-upgrade  op.drop_table / op.drop_column / batch_op.drop_column of a table or column
//                        the function did not create earlier;
//   destructive-sql      op.execute SQL that drops a table, a schema or a column, truncates, or
//                        deletes without WHERE (of a table or column not created earlier).
// Both read upgrade() only, so the test hands them the migration with one downgrade function as its
// only function, relabelled `upgrade` (the same parsed calls), and reads their raw findings (no
// suppression comments: the dialog does not honour them either). Rules that read drops for other
// reasons are not among them: non-concurrent-index (locks), enum-without-checkfirst (failures),
// downgrade-asymmetry (what a downgrade leaves undone), irreversible-migration (a raising downgrade).
//
// The correspondence, by the start of each range (`line:character`):
//   destructive-upgrade "drops table 'T'" at R    <->  `drop_table T` at R (T `?` when said in words)
//   destructive-upgrade "drops column T.C" at R   <->  `drop_column T.C` at R
//   destructive-sql "<what> (<object>); ..." at R <->  `execute <statement>` lines at R, one per
//                                                      statement, together standing for one loss
//                                                      <kind> <object> per <what>
//   with <what> "drops a table" / "drops a schema" / "drops a column" / "truncates a table" /
//   "deletes every row of a table" for drop_table / drop_schema / drop_column / truncate / delete_all.
// Targets compare in lower case (the dialog shows them as written, the rules as the facts fold
// them); a part the code does not give literally is `?` in a message and left out of a target.
// The first test compares the lines as the dialog shows them (operation, target, place); the
// second the losses each line stands for, which the dialog's SQL text does not spell out.
// The confirmation lists one thing more, enum type drops (`drop enum`, or `execute DROP TYPE ...`),
// which no rule counts as data loss (a type holds no rows); they are left out of the comparison,
// and the second test checks that these, and only these, lines stand for no loss.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { buildRevisionGraph } from '../../server/src/core/graph';
import { type DestructiveOperation, destructiveOperations } from '../../server/src/core/operations';
import { parseMigration } from '../../server/src/core/parse';
import { destructiveSql } from '../../server/src/core/rules/destructive-sql';
import { destructiveUpgrade } from '../../server/src/core/rules/destructive-upgrade';
import type { FileRule } from '../../server/src/core/rules/rule';
import type { Migration, MigrationFunction, Range } from '../../server/src/core/types';
import { fixtureMigrationFiles, fixturesDir } from '../support/paths';

const at = (r: Range): string => `${r.start.line + 1}:${r.start.character}`;

/** A fixture migration with its downgrade functions. */
interface Downgrades {
  file: string;
  migration: Migration;
  text: string;
  functions: MigrationFunction[];
}

function fixtureDowngrades(): Downgrades[] {
  return fixtureMigrationFiles().flatMap((file) => {
    const text = fs.readFileSync(file, 'utf8');
    const migration = parseMigration(text);
    const functions = migration.functions.filter((fn) => fn.kind === 'downgrade');
    return functions.length === 0 ? [] : [{ file, migration, text, functions }];
  });
}

const SQL_WHAT: Record<string, string> = {
  'drops a table': 'drop_table', 'drops a schema': 'drop_schema', 'drops a column': 'drop_column',
  'truncates a table': 'truncate', 'deletes every row of a table': 'delete_all',
};

/** One loss a rule's finding names. */
interface RuleLoss {
  /** The finding's place, `line:character`. */
  place: string;
  /** Found by destructive-sql (so the dialog shows it as `execute`). */
  sql: boolean;
  kind: string;
  object: string;
}

/** `[kind, object]` for each loss a destructive-upgrade or destructive-sql message names. */
function lossesInMessage(rule: string, message: string): [string, string][] {
  if (rule === destructiveUpgrade.id) {
    // A name that is not a literal is said in words; the confirmation's object is then `?` (a table) or columnLabel's words.
    const table = /^upgrade\(\) drops (?:table '(.*)'|a table \(its name is not a literal\)) and every row in it;/.exec(message);
    if (table) return [['drop_table', table[1] ?? '?']];
    const column = /^upgrade\(\) drops (?:column (.+?)|(a column .+?\))) and its data;/.exec(message);
    if (column) return [['drop_column', column[1] ?? column[2] ?? '']];
  } else {
    const sql = /^This SQL (.*): the data is lost and a downgrade cannot restore it\./.exec(message);
    if (sql) {
      return (sql[1] ?? '').split('; ').map((part) => {
        const m = /^(.+?) \((.*)\)$/.exec(part);
        const kind = m ? SQL_WHAT[m[1] ?? ''] : undefined;
        assert.ok(kind, `a ${rule} loss the test cannot read: ${part}`);
        return [kind, m?.[2] ?? ''];
      });
    }
  }
  return assert.fail(`a ${rule} message the test cannot read: ${message}`);
}

/** The migration as the rules would see it if this downgrade were its upgrade. */
function asOnlyUpgrade(migration: Migration, fn: MigrationFunction): Migration {
  return { ...migration, functions: [{ ...fn, kind: 'upgrade' }] };
}

/** What destructive-upgrade and destructive-sql find in one downgrade function. */
function ruleLosses(d: Downgrades, fn: MigrationFunction): RuleLoss[] {
  const migration = asOnlyUpgrade(d.migration, fn);
  const graph = buildRevisionGraph([{ path: d.file, migration }]);
  const rules: FileRule[] = [destructiveUpgrade, destructiveSql];
  return rules.flatMap((rule) => rule.check({ path: d.file, text: d.text, migration, graph }).flatMap((f) =>
    lossesInMessage(rule.id, f.message).map(([kind, object]) => ({ place: at(f.range), sql: rule === destructiveSql, kind, object }))));
}

/** A rule's loss as the dialog shows it: `drop_table users`, `drop_column users.email`, `execute`. */
function asDialogLine(loss: RuleLoss): string {
  if (loss.sql) return `${loss.place} execute`;
  const [table = '?', column] = loss.object.split('.');
  // What the code does not give literally is `?` in a message and no target in the dialog.
  const target = column === undefined ? (table === '?' ? undefined : table)
    : column === '?' ? undefined : table === '?' ? column : `${table}.${column}`;
  return `${loss.place} ${loss.kind}${target === undefined ? '' : ` ${target}`}`;
}

function isEnumDrop(e: DestructiveOperation): boolean {
  return e.operation === 'drop enum' || (e.operation === 'execute' && /^DROP TYPE\b/i.test(e.target ?? ''));
}

const sorted = (xs: string[]): string[] => [...new Set(xs)].sort();

describe('operations: the downgrade confirmation lists what the destructive-operation rules find', function () {
  this.timeout(30_000);
  const downgrades = fixtureDowngrades();

  it('in every fixture migration: the same lines at the same places', () => {
    const disagreements: { file: string; confirmation: string[]; rules: string[] }[] = [];
    for (const d of downgrades) {
      const confirmation = sorted(destructiveOperations(d.migration, 'downgrade').filter((e) => !isEnumDrop(e))
        .map((e) => `${at(e.range)} ${e.operation === 'execute' ? 'execute' : `${e.operation}${e.target === undefined ? '' : ` ${e.target.toLowerCase()}`}`}`));
      const rules = sorted(d.functions.flatMap((fn) => ruleLosses(d, fn)).map(asDialogLine));
      if (JSON.stringify(confirmation) !== JSON.stringify(rules)) disagreements.push({ file: path.relative(fixturesDir, d.file), confirmation, rules });
    }
    assert.deepEqual(disagreements, [], `${disagreements.length} of ${downgrades.length} migrations disagree`);
    assert.ok(downgrades.length >= 300, `only ${downgrades.length} fixture migrations with a downgrade`);
  });

  it('in every fixture migration: the same losses behind the lines', () => {
    const disagreements: { file: string; confirmation: string[]; rules: string[] }[] = [];
    const kinds = new Set<string>();
    for (const d of downgrades) {
      const entries = destructiveOperations(d.migration, 'downgrade');
      for (const e of entries) {
        const what = `${path.relative(fixturesDir, d.file)} ${at(e.range)} ${e.operation} ${e.target ?? ''}`;
        assert.equal(e.losses.length === 0, isEnumDrop(e), `${what}: only an enum type drop stands for no loss`);
      }
      const confirmation = sorted(entries.flatMap((e) => e.losses.map((l) => `${at(e.range)} ${l.kind} ${l.object}`)));
      const found = d.functions.flatMap((fn) => ruleLosses(d, fn));
      for (const l of found) kinds.add(l.kind);
      const rules = sorted(found.map((l) => `${l.place} ${l.kind} ${l.object}`));
      if (JSON.stringify(confirmation) !== JSON.stringify(rules)) disagreements.push({ file: path.relative(fixturesDir, d.file), confirmation, rules });
    }
    assert.deepEqual(disagreements, [], `${disagreements.length} of ${downgrades.length} migrations disagree`);
    // Every kind of loss the fixtures' downgrades show takes part (none truncates or drops a schema).
    for (const kind of ['drop_table', 'drop_column', 'delete_all']) assert.ok(kinds.has(kind), `no fixture downgrade loses data by ${kind}`);
  });
});
