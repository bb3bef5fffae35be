// Fixes for the PostgreSQL safety rules that have a mechanical answer: build or drop an index
// concurrently (inside an autocommit block), move a concurrent operation into an autocommit block,
// add a foreign key as NOT VALID.
import type { Migration, ParsedCall } from '../types';
import { indentUnit, rewriteStatement, setKeyword } from './calls';
import type { QuickFix, SourceText } from './source';

const AUTOCOMMIT = 'with op.get_context().autocommit_block():';

export function concurrentlyFix(src: SourceText, m: Migration, call: ParsedCall): QuickFix | undefined {
  const kw = setKeyword(src, call, 'postgresql_concurrently', 'True');
  if (!kw) return undefined;
  const edit = call.inAutocommitBlock ? kw : rewriteStatement(src, call, kw, AUTOCOMMIT, indentUnit(src, m));
  if (!edit) return undefined;
  return { title: 'Use postgresql_concurrently=True in an autocommit block', edits: Array.isArray(edit) ? edit : [edit] };
}

export function autocommitFix(src: SourceText, m: Migration, call: ParsedCall): QuickFix | undefined {
  const edit = rewriteStatement(src, call, [], AUTOCOMMIT, indentUnit(src, m));
  return edit ? { title: "Run it in 'op.get_context().autocommit_block()'", edits: [edit], isPreferred: true } : undefined;
}

export function notValidFix(src: SourceText, call: ParsedCall): QuickFix | undefined {
  const edits = setKeyword(src, call, 'postgresql_not_valid', 'True');
  return edits ? { title: 'Add it NOT VALID (postgresql_not_valid=True); validate in a later migration', edits } : undefined;
}
