import type { Resolvers } from '../generated/resolvers-types.ts';
import { presignDownload, sharedDownloadSeconds, statObject, validateExpiry } from './downloads.service.ts';

// A Document here is the representation the gateway brings from the documents subgraph: its
// key and the fields @requires names (the Document mapper in codegen.ts).
export const downloadResolvers: Resolvers = {
  Document: {
    download: (document, args, context) =>
      presignDownload(context.presigner, {
        objectKey: document.objectKey,
        originalFilename: document.originalFilename,
        mimeType: document.mimeType,
        disposition: args.disposition,
        expiresIn: validateExpiry(args.expiresIn, context.config.PRESIGN_DOWNLOAD_TTL),
      }),
    object: (document, _args, context) => statObject(context.store, document.objectKey),
  },
  // The representation the gateway brings from the documents subgraph's sharedLink, which
  // has already opened the link (token, password, limits) and counted this download.
  SharedDocument: {
    download: (shared, _args, context) =>
      presignDownload(context.presigner, {
        objectKey: shared.objectKey,
        originalFilename: shared.originalFilename,
        mimeType: shared.mimeType,
        disposition: 'ATTACHMENT',
        expiresIn: sharedDownloadSeconds(context.config.PRESIGN_DOWNLOAD_TTL, shared.linkExpiresAt),
      }),
  },
};
