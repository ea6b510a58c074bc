/**
 * Stage 1 of the request core: the document text becomes an AST, or a typed refusal. The byte limit is
 * checked before the parser sees a character and the token limit while it reads (graphql-js stops at the
 * first token over it), so a huge document costs a length check, not seconds of the event loop.
 */
import { GraphQLError, type DocumentNode } from 'graphql';
// graphql-js's parser class itself (what `parse` runs), for its token count; the same module `graphql` loads.
import { Parser } from 'graphql/language/parser.js';
import { ErrorCode, Reason } from '../errors/codes.js';
import { requestError } from '../graphql/errors.js';
import type { QueryLimits } from './limits.js';

/** The UTF-8 length of `text` when it may be over `max`; a cheap answer when it clearly is not (or is). */
function overBytes(text: string, max: number): number | undefined {
  // A UTF-16 code unit is 1 to 3 UTF-8 bytes (a surrogate pair, 2 units, is 4): length ≤ bytes ≤ 3 × length.
  if (text.length > max) return text.length;
  if (text.length * 3 <= max) return undefined;
  const bytes = Buffer.byteLength(text, 'utf8');
  return bytes > max ? bytes : undefined;
}

export function parseDocument(source: string, limits: Pick<QueryLimits, 'maxDocumentBytes' | 'maxTokens'>): DocumentNode | GraphQLError {
  const bytes = overBytes(source, limits.maxDocumentBytes);
  if (bytes !== undefined) {
    return requestError(ErrorCode.QUERY_TOO_COMPLEX, Reason.DOCUMENT_TOO_LARGE,
      `document too large: at least ${bytes} bytes, at most ${limits.maxDocumentBytes} accepted`);
  }
  // graphql's own Parser (what `parse` runs), kept so that its token count tells a token-limit refusal from a
  // syntax error without reading the message.
  const parser = new Parser(source, { maxTokens: limits.maxTokens });
  try {
    return parser.parseDocument();
  } catch (error) {
    if (parser.tokenCount > limits.maxTokens) {
      return requestError(ErrorCode.QUERY_TOO_COMPLEX, Reason.TOO_MANY_TOKENS,
        `document has more than ${limits.maxTokens} tokens; parsing stopped there`);
    }
    // The parser recurses per nesting level: a document nested deeper than the stack allows (within the
    // token limit) ends with a RangeError, a client's document rather than our bug.
    if (error instanceof RangeError) {
      return requestError(ErrorCode.QUERY_TOO_COMPLEX, Reason.DEPTH_LIMIT, 'document nested too deeply to parse');
    }
    // Otherwise the parser throws nothing but its syntax errors.
    const syntax = error as GraphQLError;
    return new GraphQLError(String(syntax.message), {
      ...(syntax.source ? { source: syntax.source } : {}),
      ...(syntax.positions ? { positions: syntax.positions } : {}),
      extensions: { code: ErrorCode.BAD_USER_INPUT, reason: Reason.PARSE_FAILED },
    });
  }
}
