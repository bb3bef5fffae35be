// What a rule may ask the static schema model about the revision it checks (FileRuleContext.schema),
// and the helper the lock rules use: is this an existing table? A rule that asks gets answers about
// the schema *before* the revision's upgrade (or after it, for a downgrade); the answers it got are
// recorded with its findings, so that an edit of an earlier revision re-runs the file's rules only
// when one of them changed.
import type { ColumnTypeInfo } from '../facts/columnTypes';
import { columnType, enumChangedBy, enumPresence, type Presence, type SchemaReplay, tableOrigin, type TableOrigin } from './model';

export type { Presence, TableOrigin } from './model';
export { SchemaReplay } from './model';
export { downgradeEffects, revisionEffects, tablesTouched, type Effect } from './effects';

export interface SchemaAt {
  /** The revision the questions are about. */
  readonly revision: string;
  /** The column's type before this revision; undefined when not known. */
  columnTypeBefore(table: string, column: string): ColumnTypeInfo | undefined;
  /** Whether the enum type exists before this revision's upgrade. */
  enumBefore(name: string): Presence;
  /** Whether it exists after this revision's upgrade (what its downgrade starts from). */
  enumAfter(name: string): Presence;
  /** The revision that last created or dropped the type before this one, when known. */
  enumChangedBefore(name: string): string | undefined;
  /** Where the table comes from, before this revision. */
  tableOrigin(table: string): TableOrigin;
}

/** Answers of the model at one revision, recorded as a rule asks them. */
export class RecordedSchemaAt implements SchemaAt {
  readonly answers: [question: string, answer: string][] = [];

  constructor(
    readonly revision: string,
    private readonly replay: SchemaReplay,
    private readonly isNew: ((revision: string) => boolean) | undefined,
  ) {}

  private note<T>(question: string, answer: T): T {
    this.answers.push([question, JSON.stringify(answer) ?? 'undefined']);
    return answer;
  }

  columnTypeBefore(table: string, column: string): ColumnTypeInfo | undefined {
    return this.note(`type\0${table}\0${column}`, columnType(this.replay.before(this.revision), table, column));
  }

  enumBefore(name: string): Presence {
    return this.note(`enum<\0${name}`, enumPresence(this.replay.before(this.revision), name));
  }

  enumAfter(name: string): Presence {
    return this.note(`enum>\0${name}`, enumPresence(this.replay.after(this.revision), name));
  }

  enumChangedBefore(name: string): string | undefined {
    return this.note(`enumBy\0${name}`, enumChangedBy(this.replay.before(this.revision), name));
  }

  tableOrigin(table: string): TableOrigin {
    return this.note(`origin\0${table}`, tableOrigin(this.replay.before(this.revision), table, this.revision, this.isNew));
  }

  /** Whether `other` (the model now) gives every answer this one gave. */
  sameAnswersAs(other: SchemaAt): boolean {
    for (const [q, a] of this.answers) {
      const [kind = '', x = '', y = ''] = q.split('\0');
      const now = kind === 'type' ? other.columnTypeBefore(x, y)
        : kind === 'enum<' ? other.enumBefore(x)
          : kind === 'enum>' ? other.enumAfter(x)
            : kind === 'enumBy' ? other.enumChangedBefore(x)
              : other.tableOrigin(x);
      if ((JSON.stringify(now) ?? 'undefined') !== a) return false;
    }
    return true;
  }
}

/**
 * Whether `table` is an existing table at the rule's revision: one that holds rows and takes traffic
 * while the migration runs, so a lock on it matters. True when it was created by an earlier revision
 * already released (or by any earlier revision when releases are not known) or before the history
 * began; false when a new revision of the same deploy created it; undefined when the model cannot tell
 * (an unknown answer must not produce a warning). Without a model (a file checked on its own) every
 * table the revision does not create itself counts as existing, as before the model. A table the same
 * function created earlier is the caller's to check (`opsInContext(...).newTable`).
 */
export function isExistingTable(ctx: { schema?: SchemaAt | undefined }, table: string): boolean | undefined {
  if (!ctx.schema) return true;
  const origin = ctx.schema.tableOrigin(table);
  return origin === 'existing' ? true : origin === 'this-deploy' ? false : undefined;
}
