import type { ClientRequest } from 'node:http';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  deterministicText,
  postMultipart,
  sha256Of,
  stallingText,
  type PostResult,
} from '../../support/multipart.ts';
import { gifBytes, pdfBytes } from '../../integration/uploads/fixtures.ts';
import { eventually } from '../../support/eventually.ts';
import { startGatewayStack, type GatewayStack } from '../../support/stacks/index.ts';
import { tempUploadFiles, uploadOperation } from '../../support/upload-requests.ts';

// Through the gateway with real HTTP and hand-written multipart bodies: the gateway
// streams each file part on to the documents subgraph, which streams it to the bucket.

const MB = 1024 * 1024;
let stack: GatewayStack;

beforeAll(async () => {
  stack = await startGatewayStack('gateway-uploads', {
    subgraphMaxBytes: 256 * MB,
    gatewayMaxBytes: 256 * MB,
  });
});

afterAll(async () => {
  await stack?.close();
});

interface Uploaded {
  duplicate: boolean;
  document: { id: string; sizeBytes: number; sha256: string; mimeType: string; status: string };
}

const uploadedOf = (result: PostResult): Uploaded => {
  expect(result.body.errors).toBeUndefined();
  return (result.body.data as { uploadDocument: Uploaded }).uploadDocument;
};

async function objectKeyOf(id: string): Promise<string> {
  const { rows } = await stack.admin.query<{ object_key: string }>(
    'select object_key from documents where id = $1',
    [id],
  );
  return rows[0]!.object_key;
}

async function storedSha256(id: string): Promise<string> {
  return sha256Of(await stack.bucket.client.getObject(stack.bucket.bucket, await objectKeyOf(id)));
}

/** Peak RSS growth of this process (gateway and subgraph both run in it) while `run` runs. */
async function peakRssGrowth<T>(run: () => Promise<T>): Promise<{ result: T; growth: number }> {
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  try {
    const result = await run();
    return { result, growth: Math.max(peak, process.memoryUsage().rss) - baseline };
  } finally {
    clearInterval(sampler);
  }
}

describe('uploadDocument through the gateway', () => {
  it('stores a 1 MB file whose stored bytes hash like the source, and forwards the request id', async () => {
    const source = deterministicText(MB, 'one-megabyte');
    const { operations, map } = uploadOperation();
    const result = await postMultipart(
      stack.gatewayUrl,
      { operations, map, files: [{ field: '0', filename: 'one.txt', content: source }] },
      { headers: { 'x-request-id': 'e2e-upload-1mb' } },
    );
    const { document, duplicate } = uploadedOf(result);
    expect(duplicate).toBe(false);
    expect(document).toMatchObject({ sizeBytes: MB, mimeType: 'text/plain', status: 'UPLOADED' });
    const expected = await sha256Of(source());
    expect(document.sha256).toBe(expected);
    expect(await storedSha256(document.id)).toBe(expected);
    expect((await stack.deps.queue.getJob(document.id))?.data).toEqual({
      documentId: document.id,
      requestId: 'e2e-upload-1mb',
    });
  });

  it('streams a 200 MB file end to end with flat memory', async () => {
    const size = 200 * MB;
    const source = deterministicText(size, 'two-hundred');
    const { operations, map } = uploadOperation();
    const { result, growth } = await peakRssGrowth(() =>
      postMultipart(stack.gatewayUrl, {
        operations,
        map,
        files: [{ field: '0', filename: 'big.txt', content: source }],
      }),
    );
    process.stdout.write(
      `\n200 MB upload through gateway + subgraph: peak RSS growth ${(growth / MB).toFixed(1)} MB\n`,
    );
    const { document } = uploadedOf(result);
    expect(document.sizeBytes).toBe(size);
    expect(growth).toBeLessThan(100 * MB);
    const expected = await sha256Of(source());
    expect(document.sha256).toBe(expected);
    expect(await storedSha256(document.id)).toBe(expected);
    expect(await stack.incompleteUploads()).toEqual([]);
  }, 300_000);

  it('answers the existing document for the same bytes and keeps one object', async () => {
    const content = pdfBytes(`gateway duplicate ${Date.now()}`);
    const send = () => {
      const { operations, map } = uploadOperation();
      return postMultipart(stack.gatewayUrl, {
        operations,
        map,
        files: [{ field: '0', filename: 'd.pdf', content }],
      });
    };
    const first = uploadedOf(await send());
    const objects = await stack.objectKeys();
    const second = uploadedOf(await send());
    expect(second).toMatchObject({ duplicate: true, document: { id: first.document.id } });
    expect(await stack.objectKeys()).toEqual(objects);
  });

  it('forwards several files of one request, in the order they are sent', async () => {
    const query = `mutation($a: Upload!, $b: Upload!, $c: Upload!) {
      a: uploadDocument(file: $a, title: "A") { document { title sizeBytes } }
      b: uploadDocument(file: $b, title: "B") { document { title sizeBytes } }
      c: uploadDocument(file: $c, title: "C") { document { title sizeBytes } }
    }`;
    const stamp = Date.now();
    const result = await postMultipart(stack.gatewayUrl, {
      operations: { query, variables: { a: null, b: null, c: null } },
      map: { x: ['variables.a'], y: ['variables.b'], z: ['variables.c'] },
      files: [
        { field: 'x', filename: 'a.txt', content: deterministicText(3 * MB, `a${stamp}`) },
        { field: 'y', filename: 'b.txt', content: `bee ${stamp}` },
        { field: 'z', filename: 'c.txt', content: deterministicText(9 * MB, `c${stamp}`) },
      ],
    });
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data).toEqual({
      a: { document: { title: 'A', sizeBytes: 3 * MB } },
      b: { document: { title: 'B', sizeBytes: `bee ${stamp}`.length } },
      c: { document: { title: 'C', sizeBytes: 9 * MB } },
    });
  });

  it('answers as soon as the subgraph refuses a large file, and keeps nothing', async () => {
    const before = { rows: await stack.rowCount(), objects: await stack.objectKeys() };
    // A GIF signature (a type we refuse), then 50 MB: refused on its first bytes while the gateway is still sending.
    const content = () =>
      Readable.from([gifBytes(), ...Array.from({ length: 50 }, () => Buffer.alloc(MB, 7))]);
    const { operations, map } = uploadOperation();
    const result = await postMultipart(stack.gatewayUrl, {
      operations,
      map,
      files: [{ field: '0', filename: 'huge.pdf', content }],
    });
    expect(result.body.errors?.[0]?.extensions?.code).toBe('UNSUPPORTED_TYPE');
    expect(await stack.rowCount()).toBe(before.rows);
    expect(await stack.objectKeys()).toEqual(before.objects);
    expect(await eventually(async () => (await stack.incompleteUploads()).length === 0)).toBe(true);
  });

  it('keeps nothing when the client disconnects mid-upload', async () => {
    const before = {
      rows: await stack.rowCount(),
      objects: await stack.objectKeys(),
      temp: tempUploadFiles().length,
    };
    let client: ClientRequest | undefined;
    const { operations, map } = uploadOperation();
    const result = postMultipart(
      stack.gatewayUrl,
      { operations, map, files: [{ field: '0', filename: 'gone.txt', content: stallingText(9 * MB) }] },
      { onRequest: (request) => (client = request) },
    );
    result.catch(() => undefined);
    // The first 8 MiB part is on its way into the bucket when the client leaves.
    expect(await eventually(async () => (await stack.incompleteUploads()).length > 0)).toBe(true);
    client?.destroy();
    await expect(result).rejects.toThrow();
    const settled = async () =>
      (await stack.rowCount()) === before.rows &&
      JSON.stringify(await stack.objectKeys()) === JSON.stringify(before.objects) &&
      (await stack.incompleteUploads()).length === 0 &&
      tempUploadFiles().length === before.temp;
    expect(await eventually(settled)).toBe(true);
  });

  it('still serves plain JSON operations', async () => {
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ documents { totalCount } }' }),
    });
    const body = (await response.json()) as PostResult['body'];
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ documents: { totalCount: await stack.rowCount() } });
  });
});
