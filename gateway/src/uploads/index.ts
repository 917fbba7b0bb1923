// Uploads through the gateway (GraphQL multipart requests, streamed to the subgraph):
//   app.use('/graphql', express.json(), createUploadMiddleware(config, logger), expressMiddleware(…))
//   context: ({ req }) => ({ …, uploads: uploadsOf(req) })
//   buildService: ({ url }) => new UploadingDataSource({ url })
//   plugins: [uploadRefusalPlugin]   (a request refused whole answers 400 with that error alone)
export { IncomingUploads, type FilePart, type UploadLimits } from './incoming-uploads.ts';
export {
  allowLongUploads,
  createUploadMiddleware,
  uploadsOf,
  type GatewayUploadConfig,
} from './multipart-middleware.ts';
export { UploadingDataSource, type UploadGatewayContext } from './upload-data-source.ts';
export { uploadRefusalPlugin } from './refusal-plugin.ts';
