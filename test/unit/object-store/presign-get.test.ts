import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { Client } from 'minio';
import {
  createPresigner,
  uriEncode,
  type PresignerOptions,
} from '@docuvault/shared/object-store/presign-get';
import { dispositionHeader } from '@docuvault/storage/downloads/content-disposition';
import { referencePresign } from '../../support/sigv4-reference.ts';

// Our presigner replaced minio's presignedGetObject for downloads (docs/adr/0021). The URLs
// must be the ones minio made, character for character, and be valid SigV4 by an
// implementation that is neither ours nor minio's (@smithy/signature-v4, the AWS SDK's).
// Neither client opens a connection: with the region pinned, presigning is computation.

const BASE: PresignerOptions = {
  endpoint: 'http://127.0.0.1:38913',
  accessKey: 'AKIAIOSFODNN7EXAMPLE',
  secretKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  region: 'us-east-1',
  bucket: 'docuvault-test',
};

/** A minio client configured as shared/src/object-store/client.ts configures it. */
function minioFor(options: PresignerOptions): Client {
  const endpoint = new URL(options.endpoint);
  const useSSL = endpoint.protocol === 'https:';
  return new Client({
    endPoint: endpoint.hostname.replace(/^\[|\]$/g, ''),
    port: endpoint.port ? Number(endpoint.port) : useSSL ? 443 : 80,
    useSSL,
    accessKey: options.accessKey,
    secretKey: options.secretKey,
    region: options.region,
    pathStyle: true,
  });
}

interface Case {
  key: string;
  expiresIn: number;
  contentDisposition: string;
  contentType: string;
  now: Date;
}

const minioUrl = (client: Client, bucket: string, c: Case) =>
  client.presignedGetObject(
    bucket,
    c.key,
    c.expiresIn,
    { 'response-content-disposition': c.contentDisposition, 'response-content-type': c.contentType },
    c.now,
  );

const ourUrl = (options: PresignerOptions, c: Case) =>
  createPresigner(options).presignGet(
    c.key,
    c.expiresIn,
    { contentDisposition: c.contentDisposition, contentType: c.contentType },
    c.now,
  );

const text = (minLength: number) => fc.string({ unit: 'grapheme', minLength, maxLength: 40 });
const cases = fc.record({
  key: text(1),
  expiresIn: fc.integer({ min: 1, max: 7 * 24 * 3600 }),
  contentDisposition: fc.oneof(
    text(0),
    text(1).map((name) => dispositionHeader(name, 'ATTACHMENT')),
    text(1).map((name) => dispositionHeader(name, 'INLINE')),
  ),
  contentType: fc.oneof(
    fc.constantFrom('application/pdf', 'image/png', 'text/plain; charset=utf-8'),
    text(0),
  ),
  now: fc.date({
    min: new Date('2000-01-01T00:00:00Z'),
    max: new Date('2099-12-31T23:59:59Z'),
    noInvalidDate: true,
  }),
});

describe('createPresigner', () => {
  it('builds the URL minio builds, for any key, filename, type, lifetime and time', async () => {
    const client = minioFor(BASE);
    // One presigner for every run: its cached signing key must follow the day it is asked for.
    const presigner = createPresigner(BASE);
    await fc.assert(
      fc.asyncProperty(cases, async (c) => {
        const ours = presigner.presignGet(
          c.key,
          c.expiresIn,
          { contentDisposition: c.contentDisposition, contentType: c.contentType },
          c.now,
        );
        expect(ours).toBe(await minioUrl(client, BASE.bucket, c));
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ['https on its default port', { endpoint: 'https://s3.docuvault.example' }],
    ['https on another port', { endpoint: 'https://s3.docuvault.example:9443' }],
    ['http on port 80', { endpoint: 'http://minio:80' }],
    ['an IPv6 address', { endpoint: 'http://[::1]:9000' }],
    [
      'another region and odd keys',
      { region: 'eu-central-1', accessKey: 'user+ops@example', secretKey: 's3cr3t/+=!' },
    ],
  ])('agrees with minio for %s', async (_name, overrides: Partial<PresignerOptions>) => {
    const options = { ...BASE, ...overrides };
    const c: Case = {
      key: '_anonymous/6f1c/Rechnung (März) #1?.pdf',
      expiresIn: 900,
      contentDisposition: dispositionHeader('Rechnung März "final".pdf', 'ATTACHMENT'),
      contentType: 'application/pdf',
      now: new Date('2026-12-04T23:59:59.999Z'),
    };
    expect(ourUrl(options, c)).toBe(await minioUrl(minioFor(options), options.bucket, c));
  });

  it('signs as AWS SigV4 does (recomputed with @smithy/signature-v4)', async () => {
    const c: Case = {
      key: "_anonymous/a b/it's (1).pdf",
      expiresIn: 3600,
      contentDisposition: dispositionHeader('Übersicht*.pdf', 'INLINE'),
      contentType: 'application/pdf',
      now: new Date('2026-12-04T18:20:31Z'),
    };
    const url = new URL(ourUrl(BASE, c));
    const reference = await referencePresign(url, BASE, {
      signingDate: c.now,
      expiresIn: c.expiresIn,
      query: { 'response-content-disposition': c.contentDisposition, 'response-content-type': c.contentType },
    });
    expect(url.searchParams.get('X-Amz-Signature')).toBe(reference.signature);
    expect(url.searchParams.get('X-Amz-Credential')).toBe(reference.credential);
    expect(url.pathname).toBe(`/${BASE.bucket}/_anonymous/a%20b/it%27s%20%281%29.pdf`);
  });

  it('names the public endpoint with its scheme, host and port, and no path', () => {
    const url = ourUrl(
      { ...BASE, endpoint: 'https://s3.docuvault.example:9443/' },
      {
        key: 'a/b.pdf',
        expiresIn: 60,
        contentDisposition: 'inline',
        contentType: 'application/pdf',
        now: new Date('2026-12-04T00:00:00Z'),
      },
    );
    expect(url).toMatch(/^https:\/\/s3\.docuvault\.example:9443\/docuvault-test\/a\/b\.pdf\?/);
  });
});

describe('uriEncode', () => {
  it("encodes what encodeURIComponent leaves but SigV4 does not: !'()*", () => {
    expect(uriEncode("a!b'c(d)e*f ~-._/")).toBe('a%21b%27c%28d%29e%2Af%20~-._%2F');
  });
});
