import type { ApolloServerOptionsWithGateway, BaseContext } from '@apollo/server';
import type { GatewayConfig } from '@docuvault/shared/config/index';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { AppError } from '@docuvault/shared/errors/index';
import { batchSizeGuard, batchSizeRefusal, jsonBody } from './http-body.ts';
import { createSourceCheck, operationsInBody, sourceGuard } from './source-guard.ts';
import { operationLimitsRule } from './operation-limits.ts';

// The gateway's operation limits, from GRAPHQL_MAX_* (shared/src/config/env-schema.ts):
//   new ApolloServer({ …, ...limits.apollo })
//   app.use('/graphql', ...limits.beforeUploads, uploads, ...limits.afterUploads, apollo)
// Every refusal happens before the query planner runs, so no subgraph is called.

export type LimitsConfig = Pick<
  GatewayConfig,
  | 'GRAPHQL_MAX_DEPTH'
  | 'GRAPHQL_MAX_ALIASES'
  | 'GRAPHQL_MAX_ROOT_FIELDS'
  | 'GRAPHQL_MAX_DIRECTIVES'
  | 'GRAPHQL_MAX_TOKENS'
  | 'GRAPHQL_MAX_BODY_BYTES'
  | 'GRAPHQL_MAX_BATCH_SIZE'
>;

export function createLimits<TContext extends BaseContext>(config: LimitsConfig) {
  const body = { maxBodyBytes: config.GRAPHQL_MAX_BODY_BYTES, maxBatchSize: config.GRAPHQL_MAX_BATCH_SIZE };
  const apollo = {
    validationRules: [
      operationLimitsRule({
        maxDepth: config.GRAPHQL_MAX_DEPTH,
        maxAliases: config.GRAPHQL_MAX_ALIASES,
        maxRootFields: config.GRAPHQL_MAX_ROOT_FIELDS,
        maxDirectives: config.GRAPHQL_MAX_DIRECTIVES,
      }),
    ],
    // A second line behind the source guard, which counts the same tokens first.
    parseOptions: { maxTokens: config.GRAPHQL_MAX_TOKENS },
    allowBatchedHttpRequests: config.GRAPHQL_MAX_BATCH_SIZE > 0,
  } satisfies Partial<ApolloServerOptionsWithGateway<TContext>>;
  const checkSource = createSourceCheck({ maxTokens: config.GRAPHQL_MAX_TOKENS });
  return {
    apollo,
    maxBodyBytes: body.maxBodyBytes,
    beforeUploads: jsonBody(body) as [RequestHandler, ErrorRequestHandler],
    // After the upload middleware, which puts a multipart request's operations in req.body.
    afterUploads: [batchSizeGuard(body), sourceGuard(checkSource)],
    /** The checks of afterUploads on a parsed JSON body, for the route that answers without Express. */
    refusalOf: (parsed: unknown): AppError | undefined =>
      batchSizeRefusal(parsed, body) ?? checkSource(operationsInBody(parsed)),
  };
}

export { answerUnhandledError, finalErrorHandler } from './http-body.ts';
export { sendRequestError } from './limit-errors.ts';
export { validationBudgetRefusal } from './limit-errors.ts';
export { createSourceCheck, sourceGuard, lexicalViolation, MAX_NESTING } from './source-guard.ts';
export { measureOperations, operationLimitsRule, type OperationShape } from './operation-limits.ts';
