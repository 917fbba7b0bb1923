import type { StorageContext } from '../context.ts';
import { validateExpiry } from '../downloads/downloads.service.ts';
import { presignPreview, presignThumbnail } from './previews.service.ts';

/**
 * The fields the gateway brings from the documents subgraph (@requires). It asks here only
 * for documents the documents subgraph returned to the caller, which scopes them to the
 * caller's vault: authorisation is the same as for `download`.
 */
interface DocumentRepresentation {
  id: string;
  objectKey: string;
  originalFilename: string;
  mimeType: string;
  thumbnailKey?: string | null;
}

type ExpiryArgs = { expiresIn?: number | null };

export const previewResolvers = {
  Document: {
    thumbnail: (document: DocumentRepresentation, args: ExpiryArgs, context: StorageContext) =>
      presignThumbnail(
        context.presigner,
        document.thumbnailKey,
        validateExpiry(args.expiresIn, context.config.PRESIGN_DOWNLOAD_TTL),
      ),
    preview: (document: DocumentRepresentation, args: ExpiryArgs, context: StorageContext) =>
      presignPreview(
        context.presigner,
        {
          objectKey: document.objectKey,
          originalFilename: document.originalFilename,
          mimeType: document.mimeType,
        },
        validateExpiry(args.expiresIn, context.config.PRESIGN_DOWNLOAD_TTL),
      ),
  },
};
