import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServer, BaseContext } from '@apollo/server';
import type { Principal } from '@docuvault/shared/auth/principal';
import type { AppError } from '@docuvault/shared/errors/index';
import { answerGraphQL } from '@docuvault/shared/graphql/graphql-handler';
import { trackRequest } from '@docuvault/shared/http/request-id';
import type { Logger } from '@docuvault/shared/logging/logger';
import { refuseToken, type Authenticator } from './auth/authenticate.ts';
import { answerUnhandledError, sendRequestError } from './limits/index.ts';

// Nearly every request a gateway serves is a POST of one JSON operation. This route
// answers those with Node's own request and response, as Apollo's standalone server
// does, and leaves everything else on /graphql (multipart uploads, GET, compressed or
// chunked bodies, other charsets, empty or oversized bodies) to the Express route, whose
// answers it gives alike: the same checks in the same order (body, token, batch size,
// source), the same refusals, the same log line. Express costs every request it serves
// a prototype swap on its request and response, a walk of the router and a query
// parser; on this path that was the largest share of the gateway's own CPU left
// (docs/adr/0012-gateway-hot-path.md).

const PATH = '/graphql';
/** The JSON types express.json decodes itself; any other parameter goes to Express. */
const JSON_TYPE = /^application\/json[ \t]*(?:;[ \t]*charset=(?:utf-8|"utf-8")[ \t]*)?$/i;
const LENGTH = /^[0-9]{1,15}$/;
/** express.json's strictness: a body is an object or an array, after JSON's whitespace. */
const FIRST_CHARACTER = /^[ \t\n\r]*(.)/s;

export interface JsonGraphQLRouteOptions<TContext extends BaseContext> {
  readonly logger: Logger;
  readonly apollo: ApolloServer<TContext>;
  readonly authenticator: Authenticator;
  /** GRAPHQL_MAX_BODY_BYTES: larger bodies take the Express route, which refuses them. */
  readonly maxBodyBytes: number;
  /** The batch-size and source checks of the Express route, on the parsed body. */
  readonly refusalOf: (body: unknown) => AppError | undefined;
  readonly context: (req: IncomingMessage, principal: Principal) => TContext;
}

export interface JsonGraphQLRoute {
  /** Whether this route answers `req`: decided from its request line and headers, before any body byte is read. */
  accepts(req: IncomingMessage): boolean;
  handle(req: IncomingMessage, res: ServerResponse): void;
}

/** What a request body is when it is not JSON as express.json reads it. */
const NOT_JSON = Symbol('not JSON');

/** The body as express.json parses it (UTF-8, a byte-order mark dropped, strict), or NOT_JSON. */
export function parseJsonBody(bytes: Buffer): unknown {
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.length === 0) return {}; // as express.json: a common client mistake, left to Apollo
  const first = FIRST_CHARACTER.exec(text)?.[1];
  if (first !== '{' && first !== '[') return NOT_JSON;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return NOT_JSON;
  }
}

/** Reads exactly `length` bytes (Node's parser delivers no more); rejects when the client goes away first. */
function readBody(req: IncomingMessage, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
    });
    req.once('end', () => {
      if (received !== length) reject(new Error(`the body ended after ${received} of ${length} bytes`));
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received));
    });
    req.once('error', reject);
  });
}

export function createJsonGraphQLRoute<TContext extends BaseContext>(
  options: JsonGraphQLRouteOptions<TContext>,
): JsonGraphQLRoute {
  const { logger, apollo, authenticator, maxBodyBytes, refusalOf, context } = options;
  apollo.assertStarted('createJsonGraphQLRoute()');

  const answer = async (req: IncomingMessage, res: ServerResponse, bytes: Buffer): Promise<void> => {
    const body = parseJsonBody(bytes);
    if (body === NOT_JSON) {
      return sendRequestError(res, 400, {
        code: 'BAD_REQUEST',
        message: 'The request body is not valid JSON',
      });
    }
    const authentication = await authenticator.authenticate(req.headers.authorization);
    if ('refusal' in authentication) return refuseToken(logger, res, authentication.refusal);
    const refusal = refusalOf(body);
    if (refusal) return sendRequestError(res, 400, refusal);
    const requestContext = context(req, authentication.principal);
    await answerGraphQL(apollo, req, res, body, () => Promise.resolve(requestContext));
  };

  return {
    accepts(req) {
      if (req.method !== 'POST') return false;
      const url = req.url ?? '';
      if (url !== PATH && !url.startsWith(`${PATH}?`)) return false;
      const headers = req.headers;
      const type = headers['content-type'];
      if (type === undefined || !JSON_TYPE.test(type)) return false;
      const encoding = headers['content-encoding'];
      if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return false;
      if (headers['transfer-encoding'] !== undefined) return false;
      const length = headers['content-length'];
      if (length === undefined || !LENGTH.test(length)) return false;
      const bytes = Number(length);
      return bytes > 0 && bytes <= maxBodyBytes;
    },

    handle(req, res) {
      trackRequest(
        logger,
        req,
        res,
        () => PATH,
        () => {
          readBody(req, Number(req.headers['content-length'])).then(
            (bytes) =>
              answer(req, res, bytes).catch((error: unknown) =>
                answerUnhandledError(logger, error, res, PATH),
              ),
            // The client went away mid-body: nobody is left to answer.
            () => res.destroy(),
          );
        },
      );
    },
  };
}
