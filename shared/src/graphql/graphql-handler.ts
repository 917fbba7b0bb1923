import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import type { Request, RequestHandler } from 'express';

/**
 * Apollo Server as the last handler of /graphql, in the gateway and in every subgraph: what
 * `expressMiddleware` of `@as-integrations/express5` does, but answering with `res.end` as
 * Apollo's own standalone server does. Express's `res.send` hashes every answer for an ETag
 * (SHA-1 over the body) and checks its freshness against the request: measured at a few
 * percent of the gateway's CPU per request (docs/adr/0012-gateway-hot-path.md), more in
 * the storage subgraph, whose answers carry 20 presigned URLs a page
 * (docs/adr/0021-download-url-signing.md), and of no use for GraphQL answers, which are
 * POSTed (no cache keeps them) and differ per caller. Apollo sets the content type and
 * status of every answer itself.
 */
export function graphqlHandler<TContext extends BaseContext>(
  server: ApolloServer<TContext>,
  context: (req: Request) => Promise<TContext>,
): RequestHandler {
  server.assertStarted('graphqlHandler()');
  return (req, res, next) => {
    if (!('body' in req)) {
      // As expressMiddleware: a route without a body parser in front is a programming error.
      next(new Error('req.body is not set: the JSON body parser must run before the GraphQL handler'));
      return;
    }
    answerGraphQL(server, req, res, req.body, () => context(req)).catch(next);
  };
}

/**
 * Runs one GraphQL request (its body already parsed) through Apollo and writes the answer
 * with Node's own response methods. Rejects only when Apollo itself fails (an answer may
 * then be partly written: the caller's error handler checks `headersSent`).
 */
export async function answerGraphQL<TContext extends BaseContext>(
  server: ApolloServer<TContext>,
  req: IncomingMessage,
  res: ServerResponse,
  body: unknown,
  context: () => Promise<TContext>,
): Promise<void> {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const url = req.url ?? '';
  const query = url.indexOf('?');
  const response = await server.executeHTTPGraphQLRequest({
    httpGraphQLRequest: {
      method: (req.method ?? 'GET').toUpperCase(),
      headers,
      search: query === -1 ? '' : url.slice(query),
      body,
    },
    context,
  });
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  // Incremental delivery: each part as it comes.
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}
