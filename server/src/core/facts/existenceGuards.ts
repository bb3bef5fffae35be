// Calls that run only when what they create is missing: `if not column_exists("t", "c"):`,
// `if not inspector.has_table("t"):`, `if "t" not in tables:`, or the `else:` of the positive check.
// Faraday's upgrades guard every add_column and create_unique_constraint so; their downgrades leave
// those in place on purpose, and the next upgrade skips them instead of failing with "already exists".
import type { BranchGuard, ParsedCall } from '../types';

/** A call of an existence check: `column_exists(`, `_table_exists(`, `has_table(`, `inspector.has_index(`. */
const EXISTENCE_CALL = /(?:^|[^\w.])(?:[\w.]*\.)?(?:\w*_exists?|exists?|has_(?:table|column|index|constraint|sequence|schema)\w*)\s*\(/i;
/** A string literal looked up in something: `"t" in tables`, `'c' not in [c["name"] for c in cols]`. */
const LITERAL_IN = /^\s*[rRuU]?(["'])[^"'\n]+\1\s+(not\s+)?in\b/;

/** The guard lets the call run only when the object it names is absent. */
function absentOnly(g: BranchGuard): boolean {
  const negated = /^\s*not\b/.test(g.condition);
  if (EXISTENCE_CALL.test(g.condition)) return negated === g.holds;
  const m = LITERAL_IN.exec(g.condition);
  if (m) return (m[2] !== undefined) === g.holds;
  return false;
}

/** Whether `call` runs only when some existence check found its object missing. */
export function runsOnlyIfMissing(call: ParsedCall): boolean {
  return call.guards?.some(absentOnly) ?? false;
}
