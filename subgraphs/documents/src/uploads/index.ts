// The upload feature's surface for the subgraph factory and main:
//   resolvers:  mergeResolvers(..., uploadResolvers)
//   middleware: graphqlMiddleware: [createUploadMiddleware(deps.config)]
//   sweeper:    const sweeper = startSweeper(deps); … await sweeper.stop() on shutdown
export { createUploadMiddleware, type UploadMiddlewareConfig } from './multipart-middleware.ts';
export { uploadResolvers, Upload } from './resolvers.ts';
export {
  startSweeper,
  sweepOnce,
  type RunningSweeper,
  type SweeperDeps,
  type SweepResult,
} from './sweeper.ts';
export { uploadDocument, type UploadDeps, type UploadRequest, type UploadResult } from './uploads.service.ts';
