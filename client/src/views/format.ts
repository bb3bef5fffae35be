// Short forms for revision ids in labels and messages. Pure.

/** Alembic's 12-hex ids shortened to 8 characters; hand-written ids (`001_initial_schema`) stay whole. */
export function shortRevision(id: string): string {
  return /^[0-9a-f]{12,}$/i.test(id) ? id.slice(0, 8) : id;
}
