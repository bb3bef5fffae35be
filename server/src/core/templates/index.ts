// Migration templates: load, check, render, and create a new revision from one. Pure functions.
export * from './createRevision';
export * from './dates';
export * from './downRevision';
export * from './fileName';
export * from './mako';
export * from './placeholders';
export * from './python';
export * from './revisionId';
export * from './template';
