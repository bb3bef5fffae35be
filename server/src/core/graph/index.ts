// The revision graph: building it (Alembic's RevisionMap), resolving identifiers, history order.
export * from './types';
export { buildRevisionGraph, readRevisionFile, replaceFileFacts, sameGraphFacts, type RevisionSource } from './build';
export {
  RevisionResolver, RevisionResolveError, getRevisions, resolveTarget, outcome,
  type Resolved, type ResolveOutcome, type RevisionErrorKind,
} from './resolve';
export { historyOrder } from './history';
