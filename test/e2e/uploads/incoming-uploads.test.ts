import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { IncomingUploads, type FilePart } from '@docuvault/gateway/uploads/index';
import { postMultipart, type MultipartRequest } from '../../support/multipart.ts';

// The gateway's reading of a multipart request, on its own over real HTTP: which file a
// subgraph request gets, in which order, and what happens to a file nobody reads.

let server: Server | undefined;

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** Serves one request: parses it, runs `use`, answers its result as JSON. */
async function serveOnce(
  use: (uploads: IncomingUploads, operations: unknown) => Promise<unknown>,
  maxFileBytes = 1024,
): Promise<string> {
  server = createServer((req: IncomingMessage, res) => {
    IncomingUploads.parse(req, { maxFileBytes, maxFiles: 5 })
      .then(async ({ uploads, operations }) => {
        const answer = await use(uploads, operations).catch((error: { code?: string; message: string }) => ({
          error: error.code ?? error.message,
        }));
        res.end(JSON.stringify(answer));
        uploads.dispose();
      })
      .catch((error: { code?: string }) => res.end(JSON.stringify({ parseError: error.code })));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}/`;
}

async function read(part: FilePart | undefined): Promise<string | undefined> {
  if (!part) return undefined;
  let text = '';
  for await (const chunk of part.stream) text += chunk;
  return `${part.key}=${text}`;
}

const twoFiles: MultipartRequest = {
  operations: { query: 'mutation($a: Upload!, $b: Upload!) { x }', variables: { a: null, b: null } },
  map: { a: ['variables.a'], b: ['variables.b'] },
  files: [
    { field: 'a', filename: 'a.txt', content: 'first' },
    { field: 'b', filename: 'b.txt', content: 'second' },
  ],
};

describe('IncomingUploads', () => {
  it('puts placeholders where the files go and hands the files out in the order sent', async () => {
    const url = await serveOnce(async (uploads, operations) => {
      uploads.claim(['a', 'b']);
      const keys = new Set(['a', 'b']);
      const first = await read(await uploads.next(keys));
      keys.delete('a');
      const second = await read(await uploads.next(keys));
      return { operations, files: [first, second] };
    });
    const result = await postMultipart(url, twoFiles);
    expect(result.body).toEqual({
      operations: {
        query: 'mutation($a: Upload!, $b: Upload!) { x }',
        variables: { a: 'docuvault-upload:a', b: 'docuvault-upload:b' },
      },
      files: ['a=first', 'b=second'],
    });
  });

  it('refuses the whole request, naming the part, when the body ends without a file the map names', async () => {
    const url = await serveOnce(async (uploads) => {
      uploads.claim(['b']);
      const waited = await uploads.next(new Set(['b'])).catch((error: Error) => error.message);
      return { waited, refusal: uploads.refusal?.message };
    });
    const result = await postMultipart(url, { ...twoFiles, files: [twoFiles.files[0]!] });
    expect(result.body).toEqual({
      waited: expect.stringContaining('‘b’'),
      refusal:
        'Malformed multipart request: the map names the file part ‘b’, which the request does not carry',
    });
  });

  it('settles complete() only once the body is whole, and rejects it when a part is not in the map', async () => {
    const url = await serveOnce(async (uploads) => {
      uploads.claim(['a', 'b']);
      const keys = new Set(['a', 'b']);
      const first = await read(await uploads.next(keys));
      keys.delete('a');
      const second = await read(await uploads.next(keys));
      const complete = await uploads.complete().then(
        () => 'whole',
        (error: Error) => error.message,
      );
      return [first, second, complete];
    });
    expect((await postMultipart(url, twoFiles)).body).toEqual(['a=first', 'b=second', 'whole']);
    const extra = { field: 'c', filename: 'c.txt', content: 'unmapped' };
    expect((await postMultipart(url, { ...twoFiles, files: [...twoFiles.files, extra] })).body).toEqual([
      'a=first',
      'b=second',
      'Malformed multipart request: the file part ‘c’ is not named in the map',
    ]);
  });

  it('drops a file no request reads, rather than wait behind it forever', async () => {
    // 1 MB of `a` fills every buffer on the way: without dropping it, `b` would never come.
    const url = await serveOnce(
      async (uploads) => {
        uploads.claim(['b']);
        return read(await uploads.next(new Set(['b'])));
      },
      2 * 1024 * 1024,
    );
    const bigFirst = {
      ...twoFiles,
      files: [{ field: 'a', filename: 'a.txt', content: 'a'.repeat(1024 * 1024) }, twoFiles.files[1]!],
    };
    expect((await postMultipart(url, bigFirst)).body).toBe('b=second');
  });

  it('answers undefined to a request that claims a file only after it was dropped', async () => {
    const url = await serveOnce(
      async (uploads) => {
        uploads.claim(['b']);
        const b = await read(await uploads.next(new Set(['b'])));
        uploads.claim(['a']);
        return [b, (await uploads.next(new Set(['a']))) ?? 'dropped'];
      },
      2 * 1024 * 1024,
    );
    const bigFirst = {
      ...twoFiles,
      files: [{ field: 'a', filename: 'a.txt', content: 'a'.repeat(1024 * 1024) }, twoFiles.files[1]!],
    };
    expect((await postMultipart(url, bigFirst)).body).toEqual(['b=second', 'dropped']);
  });

  it('waits for a claimed file behind another claimed one, as parallel requests do', async () => {
    const url = await serveOnce(async (uploads) => {
      uploads.claim(['a']);
      uploads.claim(['b']);
      const second = uploads.next(new Set(['b'])).then(read);
      const first = await read(await uploads.next(new Set(['a'])));
      return [first, await second];
    });
    expect((await postMultipart(url, twoFiles)).body).toEqual(['a=first', 'b=second']);
  });

  it('refuses a file claimed by two requests', async () => {
    const url = await serveOnce(async (uploads) => {
      uploads.claim(['a']);
      uploads.claim(['a', 'b']);
    });
    expect((await postMultipart(url, twoFiles)).body).toEqual({ error: 'BAD_USER_INPUT' });
  });

  it('fails the file, not the parse, when it is over the limit', async () => {
    const url = await serveOnce(async (uploads) => {
      uploads.claim(['a']);
      return read(await uploads.next(new Set(['a'])));
    });
    const big = { ...twoFiles, files: [{ field: 'a', filename: 'a.txt', content: 'x'.repeat(1025) }] };
    expect((await postMultipart(url, big)).body).toEqual({ error: 'FILE_TOO_LARGE' });
  });
});
