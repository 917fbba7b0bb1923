import { createHmac, hash } from 'node:crypto';
import type { ObjectStoreConfig } from './client.ts';

/**
 * Presigned GET URLs (AWS Signature Version 4, query-string authentication) computed here
 * instead of by minio. The URL is the one minio's `presignedGetObject` builds for the same
 * arguments, character for character (test/unit/object-store/presign-get.test.ts checks it
 * against minio, and against a published AWS test vector), but costs one SHA-256 and one
 * HMAC instead of six hashes and a few dozen objects: the signing key, which depends only
 * on the secret, the day, the region and the service, is derived once a day rather than
 * for every URL. A page of 20 documents with their downloads presigns 20 URLs per request.
 * Why not minio or @smithy/signature-v4: docs/adr/0021-download-url-signing.md.
 */

/** Response headers the store is told to answer with; the only query parameters we sign. */
export interface ResponseOverrides {
  contentDisposition: string;
  contentType: string;
}

export interface GetPresigner {
  /** A URL valid `expiresIn` seconds (1 s to 7 days: the caller checks) from `now`. */
  presignGet(objectKey: string, expiresIn: number, overrides: ResponseOverrides, now?: Date): string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const SERVICE = 's3';

/**
 * RFC 3986 encoding as SigV4 wants it (and as minio and query-string's `strict` mode do):
 * encodeURIComponent leaves `!'()*` alone, SigV4 encodes them.
 */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** An object key in a path: every character encoded but `/`, as minio's `uriResourceEscape`. */
function encodeKey(objectKey: string): string {
  return uriEncode(objectKey).replace(/%2F/g, '/');
}

/** The derived key for one day (`YYYYMMDD`): four chained HMACs, then reused all day. */
function signingKey(secretKey: string, day: string, region: string): Buffer {
  const dateKey = createHmac('sha256', `AWS4${secretKey}`).update(day).digest();
  const regionKey = createHmac('sha256', dateKey).update(region).digest();
  const serviceKey = createHmac('sha256', regionKey).update(SERVICE).digest();
  return createHmac('sha256', serviceKey).update('aws4_request').digest();
}

export interface PresignerOptions {
  /** `protocol//host[:port]` of the endpoint clients reach; any path is ignored (as minio does). */
  endpoint: string;
  accessKey: string;
  secretKey: string;
  region: string;
  bucket: string;
}

/** Path-style URLs (`/<bucket>/<key>`), as the minio client is configured (client.ts: pathStyle). */
export function createPresigner(options: PresignerOptions): GetPresigner {
  const { secretKey, region } = options;
  const endpoint = new URL(options.endpoint);
  // URL.host drops a scheme's default port and brackets IPv6, as minio's Host header does.
  const host = endpoint.host;
  const origin = `${endpoint.protocol}//${host}`;
  const bucketPath = `/${options.bucket}/`;
  const credentialPrefix = `${uriEncode(options.accessKey)}%2F`;
  const scopeSuffix = `/${region}/${SERVICE}/aws4_request`;
  const encodedScopeSuffix = uriEncode(scopeSuffix);
  const canonicalTail = `\nhost:${host}\n\nhost\nUNSIGNED-PAYLOAD`;
  let cached: { day: string; key: Buffer } | undefined;

  const keyFor = (day: string): Buffer => {
    if (cached?.day !== day) cached = { day, key: signingKey(secretKey, day, region) };
    return cached.key;
  };

  return {
    presignGet(objectKey, expiresIn, overrides, now = new Date()) {
      const iso = now.toISOString(); // 2026-12-04T18:20:31.123Z
      const day = iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10);
      const amzDate = `${day}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
      const path = bucketPath + encodeKey(objectKey);
      // Already in canonical order: upper-case `X-Amz-…` sorts before lower-case `response-…`.
      const amzQuery =
        `X-Amz-Algorithm=${ALGORITHM}&X-Amz-Credential=${credentialPrefix}${day}${encodedScopeSuffix}` +
        `&X-Amz-Date=${amzDate}&X-Amz-Expires=${expiresIn}&X-Amz-SignedHeaders=host`;
      const responseQuery =
        `response-content-disposition=${uriEncode(overrides.contentDisposition)}` +
        `&response-content-type=${uriEncode(overrides.contentType)}`;
      const canonicalRequest = `GET\n${path}\n${amzQuery}&${responseQuery}${canonicalTail}`;
      const stringToSign = `${ALGORITHM}\n${amzDate}\n${day}${scopeSuffix}\n${hash('sha256', canonicalRequest)}`;
      const signature = createHmac('sha256', keyFor(day)).update(stringToSign).digest('hex');
      // minio's order: the caller's parameters first, then the signature's.
      return `${origin}${path}?${responseQuery}&${amzQuery}&X-Amz-Signature=${signature}`;
    },
  };
}

/** For the endpoint presigned URLs name: the public one when set (client.ts explains why). */
export function createGetPresigner(config: ObjectStoreConfig): GetPresigner {
  return createPresigner({
    // `||`, as createObjectStore: an empty value means unset.
    endpoint: config.MINIO_PUBLIC_ENDPOINT || config.MINIO_ENDPOINT,
    accessKey: config.MINIO_ROOT_USER,
    secretKey: config.MINIO_ROOT_PASSWORD,
    region: config.MINIO_REGION,
    bucket: config.MINIO_BUCKET,
  });
}
