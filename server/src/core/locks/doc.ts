// docs/locks.md as the code has it: scripts/locks-doc.mjs writes it, test/unit/locks-doc.test.ts
// fails when the file in the repository says something else.
import { DOC_VERSIONS, locksMarkdown } from './describe';
import { LOCK_CASES } from './table';

export function locksDoc(): string {
  return locksMarkdown(LOCK_CASES, DOC_VERSIONS);
}
