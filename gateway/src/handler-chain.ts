import type { ErrorRequestHandler, RequestHandler } from 'express';

export type Handler = RequestHandler | ErrorRequestHandler;

/**
 * Handlers run in order as one Express handler, with Express's rules: a handler of four
 * parameters handles errors and is skipped otherwise, the others are skipped while an
 * error is being passed on; a throw or a rejected promise passes its error on; what is
 * left when the chain ends goes to the app's next handler. Mounted as one layer instead
 * of one per handler, so a GraphQL request no longer walks the router's layer matching
 * and path trimming seven times: about 2 % of the gateway's CPU per request
 * (docs/adr/0012-gateway-hot-path.md). None of these handlers uses next('route').
 */
export function handlerChain(handlers: readonly Handler[]): RequestHandler {
  return (req, res, done) => {
    let index = 0;
    const next = (error?: unknown): void => {
      for (;;) {
        const handler = handlers[index++];
        if (handler === undefined) return done(error);
        const handlesErrors = handler.length === 4;
        if (handlesErrors !== (error !== undefined)) continue;
        try {
          const result: unknown = handlesErrors
            ? (handler as ErrorRequestHandler)(error, req, res, next)
            : (handler as RequestHandler)(req, res, next);
          if (result instanceof Promise) {
            result.catch((rejected: unknown) => next(rejected ?? new Error('Rejected promise')));
          }
        } catch (thrown) {
          error = thrown;
          continue;
        }
        return;
      }
    };
    next();
  };
}
