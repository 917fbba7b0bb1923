import { AppError } from '@docuvault/shared/errors/index';
import type { ObjectStore } from '@docuvault/shared/object-store/client';
import type { GetPresigner } from '@docuvault/shared/object-store/presign-get';
import { dispositionHeader, type Disposition } from './content-disposition.ts';

/** S3 refuses presigned URLs valid for longer than 7 days. */
export const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

export interface DownloadRequest {
  objectKey: string;
  originalFilename: string;
  mimeType: string;
  disposition: Disposition;
  expiresIn: number;
}

export interface PresignedUrl {
  url: string;
  expiresAt: Date;
}

export function validateExpiry(expiresIn: number | null | undefined, fallback: number): number {
  const seconds = expiresIn ?? fallback;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_PRESIGN_SECONDS) {
    throw new AppError(
      'BAD_USER_INPUT',
      `expiresIn must be a whole number of seconds from 1 to ${MAX_PRESIGN_SECONDS}`,
      {
        argument: 'expiresIn',
      },
    );
  }
  return seconds;
}

/**
 * How long a public link's download URL lives: the usual TTL, cut to what is left of the
 * link (a URL must not outlive its link), and at least a second. `linkExpiresAt` arrives
 * as the documents subgraph serialised it (ISO text) inside the entity representation.
 */
export function sharedDownloadSeconds(ttl: number, linkExpiresAt: string, now = Date.now()): number {
  const left = Math.floor((Date.parse(linkExpiresAt) - now) / 1000);
  return Math.max(1, Math.min(ttl, Number.isNaN(left) ? 1 : left));
}

/**
 * A presigned GET that makes the store answer with our filename and type, whatever the
 * client asks. Synchronous: signing is computation only (shared/src/object-store/presign-get.ts).
 */
export function presignDownload(
  presigner: GetPresigner,
  request: DownloadRequest,
  now = new Date(),
): PresignedUrl {
  const url = presigner.presignGet(
    request.objectKey,
    request.expiresIn,
    {
      contentDisposition: dispositionHeader(request.originalFilename, request.disposition),
      contentType: request.mimeType,
    },
    now,
  );
  return { url, expiresAt: new Date(now.getTime() + request.expiresIn * 1000) };
}

export interface StoredObjectFacts {
  sizeBytes: number;
  etag: string;
  lastModified: Date;
}

/** The object as the store holds it; null when it is missing (a consistency problem ops wants to see). */
export async function statObject(store: ObjectStore, objectKey: string): Promise<StoredObjectFacts | null> {
  try {
    const stat = await store.client.statObject(store.bucket, objectKey);
    return { sizeBytes: stat.size, etag: stat.etag, lastModified: stat.lastModified };
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'NotFound' || code === 'NoSuchKey') return null;
    throw error;
  }
}
