import type { AppError } from '@docuvault/shared/errors/index';
import type { Request, RequestHandler } from 'express';
import { Lexer, Source, TokenKind } from 'graphql';
import { sendRequestError, tooComplex } from './limit-errors.ts';
import { findUnstorable, isUnstorable, unstorableText } from './text-guard.ts';
import { PassedOperations, type VerdictCacheLimits } from './verdict-cache.ts';

export interface LexicalLimits {
  readonly maxTokens: number;
}

/**
 * How deeply brackets may nest before the parser sees them. graphql-js parses by
 * recursive descent: some 2,000 nested `{` or `[` (well within a token limit) exhaust
 * the stack. Apollo Router's parser stops at 500 levels of recursion, as we do.
 */
export const MAX_NESTING = 500;

const OPENING = new Set<TokenKind>([TokenKind.BRACE_L, TokenKind.BRACKET_L, TokenKind.PAREN_L]);
const CLOSING = new Set<TokenKind>([TokenKind.BRACE_R, TokenKind.BRACKET_R, TokenKind.PAREN_R]);

/**
 * Counts the tokens and bracket nesting of a query in one pass of the lexer (the parser
 * counts tokens the same way: comments excluded), and checks its string literals.
 * Stops at the first limit passed, and at a lexical error, which the parser reports.
 */
export function lexicalViolation(query: string, limits: LexicalLimits) {
  const lexer = new Lexer(new Source(query));
  let tokens = 0;
  let nesting = 0;
  try {
    for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
      tokens += 1;
      if (tokens > limits.maxTokens) {
        return tooComplex('tokens', limits.maxTokens, `The query has more than ${limits.maxTokens} tokens`);
      }
      if (OPENING.has(token.kind)) nesting += 1;
      else if (CLOSING.has(token.kind)) nesting -= 1;
      if (nesting > MAX_NESTING) {
        return tooComplex('nesting', MAX_NESTING, `The query nests more than ${MAX_NESTING} levels deep`);
      }
      if (
        (token.kind === TokenKind.STRING || token.kind === TokenKind.BLOCK_STRING) &&
        isUnstorable(token.value)
      ) {
        return unstorableText(`a string in the query (line ${token.line})`);
      }
    }
  } catch {
    return undefined;
  }
  return undefined;
}

export interface Operation {
  query?: unknown;
  variables?: unknown;
}

/** The operations of a parsed POST body: one, or a batch. */
export function operationsInBody(body: unknown): Operation[] {
  if (Array.isArray(body)) return body.filter((op): op is Operation => typeof op === 'object' && op !== null);
  if (typeof body === 'object' && body !== null) return [body as Operation];
  return [];
}

/** The operations of an Express request: a POST body (one or a batch), or GET's parameters. */
function operationsOf(req: Request): Operation[] {
  const body: unknown = req.body;
  if (typeof body === 'object' && body !== null) return operationsInBody(body);
  if (req.method !== 'GET') return [];
  const { query, variables } = req.query;
  try {
    return [{ query, variables: typeof variables === 'string' ? JSON.parse(variables) : undefined }];
  } catch {
    return [{ query }]; // Apollo answers the malformed variables itself
  }
}

function textViolation(variables: unknown) {
  const path = findUnstorable(variables, 'variables');
  return path === undefined ? undefined : unstorableText(path);
}

/** The refusal of the first operation that breaks a lexical limit, or undefined when all pass. */
export type SourceCheck = (operations: readonly Operation[]) => AppError | undefined;

/**
 * Checks each operation before Apollo parses it: its source (tokens, nesting, string
 * literals) and its variables. Run before Apollo rather than as an Apollo plugin:
 * Apollo has no hook before parsing whose error reaches the client as a request error
 * (a throw there is an "unexpected error", a 500).
 */
export function createSourceCheck(
  limits: LexicalLimits,
  cache: VerdictCacheLimits | PassedOperations = new PassedOperations(),
): SourceCheck {
  // A query's lexical verdict depends on its text alone (and on maxTokens, fixed for this
  // check): a text that passed once passes again, so it is lexed once (verdict-cache.ts).
  // Variables differ per request and are checked every time.
  const passed = cache instanceof PassedOperations ? cache : new PassedOperations(cache);
  const lexicalError = (query: string) => {
    if (passed.has(query)) return undefined;
    const error = lexicalViolation(query, limits);
    if (!error) passed.add(query);
    return error;
  };
  return (operations) => {
    for (const operation of operations) {
      const error =
        (typeof operation.query === 'string' ? lexicalError(operation.query) : undefined) ??
        textViolation(operation.variables);
      if (error) return error;
    }
    return undefined;
  };
}

/** The source check as the Express handler of /graphql (GET queries and multipart requests). */
export function sourceGuard(check: SourceCheck): RequestHandler {
  return (req, res, next) => {
    const error = check(operationsOf(req));
    if (error) return sendRequestError(res, 400, error);
    next();
  };
}
