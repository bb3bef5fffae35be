// A fresh revision id like Alembic's `uuid.uuid4().hex[-12:]`: 12 lower-case hex digits.

/** 12 random hex digits, from the platform's cryptographic generator. */
export function newRevisionId(): string {
  const bytes = new Uint8Array(6);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Alembic refuses ids holding `@`, `-`, `+`, `:` (they mean something in revision expressions), and empty ids. */
export function revisionIdProblem(id: string): string | undefined {
  if (id.trim() === '') return 'the revision id is empty';
  if (/[@\-+:]/.test(id)) return `the revision id '${id}' holds one of @ - + : (Alembic refuses those)`;
  if (/\s|["'\\]/.test(id)) return `the revision id '${id}' holds a space, quote or backslash`;
  return undefined;
}
