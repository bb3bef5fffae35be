// Arguments that commands receive from tree rows, CodeLens and other commands.

/** A revision of a project: what tree rows and CodeLens pass to commands. */
export interface RevisionRef {
  projectId: string;
  revision: string;
}

export function revisionArg(arg: unknown): RevisionRef | undefined {
  if (typeof arg !== 'object' || arg === null) return undefined;
  const o = arg as Record<string, unknown>;
  return typeof o.projectId === 'string' && typeof o.revision === 'string' ? { projectId: o.projectId, revision: o.revision } : undefined;
}
