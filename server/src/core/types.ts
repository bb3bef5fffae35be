// The facts the core reads out of migration files and projects. Pure data: no LSP, no vscode.
// Positions are 0-based lines and UTF-16 columns, the same as LSP, so the glue passes them through.

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** A string literal with where it stands in the file. */
export interface StringAt {
  value: string;
  range: Range;
}

/**
 * The value assigned to one of the revision variables (`revision`, `down_revision`, ...).
 * `unresolved` is anything the parser will not evaluate (a name, a call, an f-string, a concatenation):
 * it is reported, never guessed.
 */
export type RevisionValue =
  | { kind: 'none'; range: Range }
  | { kind: 'string'; value: string; range: Range }
  | { kind: 'sequence'; items: StringAt[]; range: Range }
  | { kind: 'unresolved'; text: string; range: Range };

export interface RevisionAssignment {
  /** `revision`, `down_revision`, `branch_labels` or `depends_on`. */
  name: RevisionVariable;
  /** Range of the variable's name on the assignment line. */
  nameRange: Range;
  value: RevisionValue;
}

export type RevisionVariable = 'revision' | 'down_revision' | 'branch_labels' | 'depends_on';

/** The module docstring's Alembic header. Every field is optional: users edit these freely. */
export interface DocstringHeader {
  range: Range;
  /** First non-empty line of the docstring, the revision message. */
  message?: string;
  revisionId?: StringAt;
  /** Ids after `Revises:`, comma separated in the header. */
  revises?: StringAt[];
  createDate?: string;
}

/** A literal or expression passed to a call, kept as far as the parser understands it. */
export type ArgValue =
  | { kind: 'string'; value: string; range: Range }
  | { kind: 'number'; text: string; range: Range }
  | { kind: 'bool'; value: boolean; range: Range }
  | { kind: 'none'; range: Range }
  /** A dotted name, such as `sa.Integer` or `user_role`. */
  | { kind: 'name'; name: string; range: Range }
  /** A nested call, such as `op.f("ix_users_email")`, `sa.Column(...)` or `sa.text("...")`. */
  | { kind: 'call'; call: ParsedCall; range: Range }
  /** A list or tuple display. */
  | { kind: 'sequence'; items: ArgValue[]; range: Range }
  /** Anything else (arithmetic, f-strings, lambdas, subscripts ...): its source text. */
  | { kind: 'other'; text: string; range: Range };

export interface KeywordArg {
  name: string;
  nameRange: Range;
  value: ArgValue;
}

export interface ParsedCall {
  /**
   * The dotted callee path as written: `op.create_table`, `batch_op.add_column`, `user_role.drop`,
   * `sa.Enum`. For a call on a call result (`sa.Enum(...).create(bind)`) the receiver's callee is
   * followed by `()`: `sa.Enum().create`, and `receiver` holds the inner call.
   */
  callee: string;
  calleeRange: Range;
  /** Whole call, from the callee's first character to the closing parenthesis. */
  range: Range;
  args: ArgValue[];
  kwargs: KeywordArg[];
  /** `**kwargs` / `*args` present: the argument list is not complete. */
  hasStarArgs: boolean;
  /** For `x(...).method(...)`: the call `x(...)`. */
  receiver?: ParsedCall;
  /**
   * For a statement `name = call(...)` inside a migration function (`bind = op.get_bind()`,
   * `user_role = postgresql.ENUM(...)`): the variable the result is bound to.
   */
  assignedTo?: { name: string; range: Range };
  /**
   * When the call is inside `with op.batch_alter_table("t") as batch_op:` (any alias), the table
   * name of that block and the alias.
   */
  batch?: { table: string; alias: string };
  /** Inside `with op.get_context().autocommit_block():` (at any depth). */
  inAutocommitBlock: boolean;
  /**
   * The conditions of the enclosing `if`/`elif`/`else` blocks and of earlier `if ...: return` guards of
   * the same block, outermost first: the call runs only when every one of them comes out as `holds`.
   * Absent when the call runs unconditionally.
   */
  guards?: readonly BranchGuard[];
  /**
   * In the body of a `try:` whose `except` handlers never raise (`except Exception: print(...)`): when
   * the call fails, the migration goes on as if it had not run. Absent otherwise.
   */
  inSwallowingTry?: boolean;
}

/** One condition a call's branch depends on, as source text (`bind.dialect.name == "mysql"`). */
export interface BranchGuard {
  condition: string;
  /** The call runs when the condition is true (`if`), or when it is false (`else`, after `if ...: return`). */
  holds: boolean;
}

/** `name = <expression>` in a migration function whose value may tell the dialect (`dialect = bind.dialect.name`). */
export interface LocalAssignment {
  name: string;
  expression: string;
}

export type MigrationFunctionKind = 'upgrade' | 'downgrade';

export interface MigrationFunction {
  /** `upgrade`, `downgrade`, or `upgrade_<engine>` / `downgrade_<engine>` of multi-database templates. */
  name: string;
  kind: MigrationFunctionKind;
  /** The `<engine>` part of `upgrade_<engine>`, absent for plain `upgrade`/`downgrade`. */
  engine?: string;
  /** From `def` (or its first decorator) to the end of the body. */
  range: Range;
  /** The function name after `def`. */
  nameRange: Range;
  /** The `def` line from `def` to the end of that line (where diagnostics go). */
  defLineRange: Range;
  /** Range of the body (first to last statement), absent when the body is missing (half-typed). */
  bodyRange?: Range;
  /** Only `pass`, `...`, docstrings and comments. */
  isEmpty: boolean;
  /** The body's first real statement is a `raise` (a declared one-way migration). */
  raises: boolean;
  /**
   * Every call in the body at statement level or nested in a `with`/`if`/`for` block, in source order.
   * Calls nested as arguments of another call are inside that call's `args`/`kwargs`, not here.
   */
  calls: ParsedCall[];
  /** Assignments that mention `dialect` or `engine`, for reading dialect branches; absent when none. */
  dialectAssignments?: LocalAssignment[];
  /** The `def` line declares parameters (`def upgrade(engine_name):` of the multi-database template). */
  hasParameters?: true;
}

/** Another module-level function of the file (a helper `upgrade()` may call), read the same way. */
export type HelperFunction = Omit<MigrationFunction, 'kind' | 'engine'>;

/** A module-level `name = sa.Enum(...)` / `postgresql.ENUM(...)` / `ENUM(...)`. */
export interface EnumVariable {
  name: string;
  nameRange: Range;
  call: ParsedCall;
}

/** A SQL string executed by `op.execute("...")`, `op.execute(sa.text("..."))` or on the connection (`conn.execute(sa.text("..."))`). */
export interface ExecutedSql {
  sql: string;
  /** The executing call (`op.execute`, `conn.execute`, `conn.exec_driver_sql`). */
  call: ParsedCall;
  /** Range of the string literal. */
  range: Range;
  function: string;
}

export interface Comment {
  /** Text after `#`, not trimmed. */
  text: string;
  range: Range;
}

export interface Migration {
  revision?: RevisionAssignment;
  downRevision?: RevisionAssignment;
  branchLabels?: RevisionAssignment;
  dependsOn?: RevisionAssignment;
  docstring?: DocstringHeader;
  functions: MigrationFunction[];
  /**
   * Module-level functions that are not migration functions, by name (the last `def` wins), including
   * `upgrade_x` when the file has a plain `upgrade()`: then it is a helper, not a per-engine upgrade.
   * Absent in a header parse and when there are none.
   */
  helpers?: ReadonlyMap<string, HelperFunction>;
  enumVariables: EnumVariable[];
  executedSql: ExecutedSql[];
  comments: Comment[];
  /** Number of lines in the text (a final line without newline counts). */
  lineCount: number;
  /** Places the tokenizer or extractor had to recover from (unclosed bracket, unterminated string). */
  syntaxProblems: { message: string; range: Range }[];
  /**
   * Only the module-level facts were read (`parseMigrationHeader`): `functions`, `enumVariables` and
   * `executedSql` are empty whatever the file holds.
   */
  headerOnly?: true;
  /**
   * The module defines `downgrade` (or `downgrade_<engine>`) at column 0: known from a header parse
   * too, so a rule can tell a project that writes no downgrades at all.
   */
  definesDowngrade?: true;
}

export type Severity = 'error' | 'warning' | 'information' | 'hint';
/** A severity or `off`, as users write it in settings and pyproject.toml. */
export type SeveritySetting = Severity | 'off';

/** A finding of the core, before the LSP glue or the CLI turn it into their own shape. */
export interface Finding {
  /** Absolute path of the file the finding is in. */
  path: string;
  range: Range;
  severity: Severity;
  /** The rule id, kebab-case. */
  rule: string;
  message: string;
  /** Other places involved (the other head, the other file claiming the same id ...). */
  related?: { path: string; range: Range; message: string }[];
  /** Extra facts for quick fixes (for example the current head for `multiple-heads`). */
  data?: Record<string, unknown>;
}
