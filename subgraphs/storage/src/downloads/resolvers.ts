import type { StorageContext } from '../context.ts';
import type { Disposition } from './content-disposition.ts';
import { presignDownload, statObject, validateExpiry } from './downloads.service.ts';

/** The fields the gateway brings from the documents subgraph (@requires). */
interface DocumentRepresentation {
  id: string;
  objectKey: string;
  originalFilename: string;
  mimeType: string;
}

export const downloadResolvers = {
  Document: {
    download: (
      document: DocumentRepresentation,
      args: { disposition: Disposition; expiresIn?: number | null },
      context: StorageContext,
    ) =>
      presignDownload(context.store, {
        objectKey: document.objectKey,
        originalFilename: document.originalFilename,
        mimeType: document.mimeType,
        disposition: args.disposition,
        expiresIn: validateExpiry(args.expiresIn, context.config.PRESIGN_DOWNLOAD_TTL),
      }),
    object: (document: DocumentRepresentation, _args: unknown, context: StorageContext) =>
      statObject(context.store, document.objectKey),
  },
};
