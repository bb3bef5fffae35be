// The migration parser: `parseMigration(text)` for the facts, the tokenizer for anything else that
// needs to read Python source the same way.
export { headerOf, parseMigration, parseMigrationHeader } from './parseMigration';
export { migrationFunctionName } from './functions';
export { LineIndex } from './lineIndex';
export { decodeStringBody } from './strings';
export {
  tokenize, tokenViews, stringBody,
  TK_NAME, TK_NUMBER, TK_STRING, TK_OP, TK_NEWLINE, TK_INDENT, TK_DEDENT, TK_END, TK_ERROR,
  SF_RAW, SF_BYTES, SF_FORMAT, SF_TRIPLE, SF_UNTERMINATED, SF_UNICODE,
  type TokenStream, type TokenView, type OffsetProblem,
} from './tokenizer';
