// Which revision(s) a new revision sits on, as `alembic revision` / `alembic merge` decide it:
// the single head; with several heads the one the user chose (Alembic's `--head`); or, for a
// merge, a tuple of heads.

export interface DownRevisionChoice {
  /** The current heads of the project, in any order. */
  heads: readonly string[];
  /** A head the user picked, or several heads to merge. */
  chosenHead?: string | readonly string[];
  /** The template is a merge revision: without a choice it merges every head. */
  merge: boolean;
}

export class DownRevisionError extends Error {
  constructor(message: string, readonly heads: readonly string[]) {
    super(message);
    this.name = 'DownRevisionError';
  }
}

/** `null` (a first revision), one head id, or a tuple of head ids (a merge). */
export type DownRevision = string | readonly string[] | null;

export function chooseDownRevision(choice: DownRevisionChoice): DownRevision {
  const heads = [...new Set(choice.heads)];
  const chosen = choice.chosenHead === undefined ? undefined
    : typeof choice.chosenHead === 'string' ? [choice.chosenHead] : [...new Set(choice.chosenHead)];
  for (const id of chosen ?? []) {
    if (!heads.includes(id)) {
      // Alembic refuses the same way: a new revision on a non-head would start a new branch.
      throw new DownRevisionError(`revision ${id} is not a head (heads: ${heads.join(', ') || 'none'}); ` +
        'a new revision can only follow a head', heads);
    }
  }
  if (choice.merge) {
    const parents = chosen ?? heads;
    if (parents.length < 2) {
      throw new DownRevisionError(`a merge needs at least two heads; ${heads.length === 1 ? 'there is one head' : `${parents.length} chosen`}` +
        ` (${heads.join(', ') || 'none'})`, heads);
    }
    return parents;
  }
  if (chosen !== undefined && chosen.length > 0) return chosen.length === 1 ? chosen[0] ?? null : chosen;
  if (heads.length === 0) return null;
  if (heads.length === 1) return heads[0] ?? null;
  throw new DownRevisionError(`the project has ${heads.length} heads (${heads.join(', ')}): choose the head ` +
    'the new revision follows, or create a merge revision', heads);
}

/** The docstring's `Revises:` text: Alembic's comma format (`a, b`, empty for none). */
export function revisesText(down: DownRevision): string {
  return down === null ? '' : typeof down === 'string' ? down : down.join(', ');
}
