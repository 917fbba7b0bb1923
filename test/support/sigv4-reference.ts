import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

export interface ReferenceCredentials {
  accessKey: string;
  secretKey: string;
  region: string;
}

/**
 * The query signature of a presigned S3 GET of `url` (path and host as they are in it), as the
 * AWS SDK's own signer computes it: the independent reference our presigner
 * (shared/src/object-store/presign-get.ts) is checked against.
 */
export async function referencePresign(
  url: URL,
  credentials: ReferenceCredentials,
  request: { signingDate: Date; expiresIn: number; query: Record<string, string> },
): Promise<{ signature: string | undefined; credential: string | undefined }> {
  const signer = new SignatureV4({
    credentials: { accessKeyId: credentials.accessKey, secretAccessKey: credentials.secretKey },
    region: credentials.region,
    service: 's3',
    sha256: Sha256,
    uriEscapePath: false, // S3 signs the path as sent, without double-encoding
  });
  const signed = await signer.presign(
    new HttpRequest({
      method: 'GET',
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query: request.query,
      // Presigned S3 URLs sign no payload: the header only tells the signer so.
      headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    }),
    {
      signingDate: request.signingDate,
      expiresIn: request.expiresIn,
      unsignableHeaders: new Set(['x-amz-content-sha256']),
      unhoistableHeaders: new Set(['x-amz-content-sha256']),
    },
  );
  const query = signed.query as Record<string, string | undefined> | undefined;
  return { signature: query?.['X-Amz-Signature'], credential: query?.['X-Amz-Credential'] };
}
