import type { ClientRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSweeper, sweepOnce } from '@docuvault/documents/uploads/index';
import { freePort } from '@docuvault/local-stack/index';
import { createObjectStore } from '@docuvault/shared/object-store/client';
import {
  bytesSent,
  deterministicText,
  postMultipart,
  stallingText,
  type MultipartRequest,
  type PostResult,
} from '../../support/multipart.ts';
import { elfBytes, gifBytes } from './fixtures.ts';
import { eventually } from '../../support/eventually.ts';
import { listenDocumentsSubgraph, startUploadStack, type UploadStack } from '../../support/stacks/index.ts';
import { tempUploadFiles, unreachableQueue, uploadOperation } from '../../support/upload-requests.ts';

// Every refusal and failure leaves nothing behind: no row, no object, no unfinished
// multipart upload, no temp file. Counted before and after each case.

const MAX_BYTES = 10 * 1024 * 1024; // above one 8 MiB part, so the multipart path is exercised
let stack: UploadStack;

beforeAll(async () => {
  stack = await startUploadStack('upload-failures', {
    MAX_UPLOAD_BYTES: MAX_BYTES,
    MAX_FILES_PER_REQUEST: 2,
  });
});

afterAll(async () => {
  await stack?.close();
});

const oneFile = (
  content: MultipartRequest['files'][number]['content'],
  filename = 'file.txt',
  variables = {},
) => {
  const { operations, map } = uploadOperation(variables);
  return { operations, map, files: [{ field: '0', filename, content }] };
};

const codeOf = (result: PostResult) => result.body.errors?.[0]?.extensions?.code;

interface Snapshot {
  rows: number;
  objects: string[];
  incomplete: string[];
  temp: number;
}

async function snapshot(target: UploadStack = stack): Promise<Snapshot> {
  return {
    rows: await target.rowCount(),
    objects: await target.objectKeys(),
    incomplete: await target.incompleteUploads(),
    temp: tempUploadFiles().length,
  };
}

/** Waits for asynchronous cleanup (aborts, temp files) to settle, then compares with `before`. */
async function expectNothingLeft(before: Snapshot): Promise<void> {
  const same = async () => JSON.stringify(await snapshot()) === JSON.stringify(before);
  await eventually(
    async () => (await same()) && (await new Promise((r) => setTimeout(r, 200))) === undefined && same(),
  );
  expect(await snapshot()).toEqual(before);
}

describe('uploadDocument refusals', () => {
  it.each([
    ['a GIF (an image OCR does not take)', gifBytes(), 'picture.pdf', 'image/gif'],
    ['an ELF executable', elfBytes(), 'notes.txt', 'application/x-elf'],
    ['unrecognised binary data', Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe, 0x00, 0x10]), 'data.txt', null],
  ])('rejects %s with UNSUPPORTED_TYPE and keeps nothing', async (_kind, content, filename, mimeType) => {
    const before = await snapshot();
    const result = await postMultipart(stack.graphqlUrl, oneFile(content, filename));
    expect(codeOf(result)).toBe('UNSUPPORTED_TYPE');
    expect(result.body.errors?.[0]?.extensions?.mimeType).toBe(mimeType);
    await expectNothingLeft(before);
  });

  it('rejects an empty file with EMPTY_FILE', async () => {
    const before = await snapshot();
    expect(codeOf(await postMultipart(stack.graphqlUrl, oneFile('')))).toBe('EMPTY_FILE');
    await expectNothingLeft(before);
  });

  it('rejects a file one byte over the limit with FILE_TOO_LARGE, aborting its multipart upload', async () => {
    const before = await snapshot();
    const result = await postMultipart(stack.graphqlUrl, oneFile(deterministicText(MAX_BYTES + 1)));
    expect(codeOf(result)).toBe('FILE_TOO_LARGE');
    await expectNothingLeft(before);
  });

  it('refuses with FILE_TOO_LARGE a file that waited in a temp file, and keeps none of it', async () => {
    // b's part comes while a's resolver waits for the request to be whole: it goes to disk (file-part.ts).
    const before = await snapshot();
    const query = `mutation Two($a: Upload!, $b: Upload!) {
      a: uploadDocument(file: $a) { document { id } }
      b: uploadDocument(file: $b) { document { id } }
    }`;
    const result = await postMultipart(stack.graphqlUrl, {
      operations: { query, variables: { a: null, b: null } },
      map: { first: ['variables.a'], second: ['variables.b'] },
      files: [
        { field: 'first', filename: 'a.txt', content: `kept whole ${Date.now()}` },
        { field: 'second', filename: 'b.txt', content: deterministicText(MAX_BYTES + 1, 'spooled') },
      ],
    });
    expect(codeOf(result)).toBe('FILE_TOO_LARGE');
    expect((result.body.errors?.[0] as { path?: unknown } | undefined)?.path).toEqual(['b']);
    // a was a sound file of its own (stored, as before streaming); of b nothing stays, on disk or in S3.
    const settled = async () => {
      const now = await snapshot();
      return (
        now.rows === before.rows + 1 &&
        now.objects.length === before.objects.length + 1 &&
        JSON.stringify(now.incomplete) === JSON.stringify(before.incomplete) &&
        now.temp === before.temp
      );
    };
    expect(await eventually(settled)).toBe(true);
  });

  it('accepts a file of exactly the limit (stored in parts)', async () => {
    const result = await postMultipart(
      stack.graphqlUrl,
      oneFile(deterministicText(MAX_BYTES, 'exact'), 'exact.txt'),
    );
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data).toMatchObject({ uploadDocument: { document: { sizeBytes: MAX_BYTES } } });
    expect(await stack.incompleteUploads()).toEqual([]);
  });

  it.each([
    ['a folder that does not exist', { folderId: '00000000-0000-4000-8000-000000000000' }],
    ['a folder id that is not a UUID', { folderId: 'inbox' }],
    ['a blank title', { title: '   ' }],
  ])('rejects %s with BAD_USER_INPUT before storing anything', async (_case, variables) => {
    const before = await snapshot();
    const result = await postMultipart(stack.graphqlUrl, oneFile('some text', 'a.txt', variables));
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    await expectNothingLeft(before);
  });

  it('rejects a map that names a file the request does not carry', async () => {
    const before = await snapshot();
    const { operations } = uploadOperation();
    const result = await postMultipart(stack.graphqlUrl, {
      operations,
      map: { '0': ['variables.file'] },
      files: [],
    });
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    await expectNothingLeft(before);
  });

  it.each([
    ['a part the map names never comes', ['a'], 'the map names the file part ‘b’'],
    ['a part the map does not name comes', ['a', 'c'], 'the file part ‘c’ is not named in the map'],
    ['a part comes twice', ['a', 'a', 'b'], 'the file part ‘a’ is sent twice'],
  ])(
    'keeps none of the files when %s (the first was already stored), answering 400',
    async (_case, sent, words) => {
      const before = await snapshot();
      const operations = {
        query: `mutation($a: Upload!, $b: Upload!) {
          a: uploadDocument(file: $a) { document { id } }
          b: uploadDocument(file: $b) { document { id } }
        }`,
        variables: { a: null, b: null },
      };
      const files = sent.map((field, i) => ({
        field,
        filename: `${field}.txt`,
        // The first file is large enough to be stored in parts before the body ends.
        content:
          i === 0 ? deterministicText(9 * 1024 * 1024, `whole-${Date.now()}`) : `${field} ${Date.now()}`,
      }));
      const result = await postMultipart(stack.graphqlUrl, {
        operations,
        map: { a: ['variables.a'], b: ['variables.b'] },
        files,
      });
      expect(result.status).toBe(400);
      expect(result.body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      expect(result.body.errors?.[0]?.message).toContain(words);
      await expectNothingLeft(before);
    },
  );

  it.each([
    ['operations that are not JSON', { rawOperations: '{nope' }],
    ['a map that points outside the variables', { map: { '0': ['variables.nothing'] } }],
  ])('answers %s with BAD_USER_INPUT as a GraphQL error, not an HTML page', async (_case, change) => {
    const before = await snapshot();
    const result = await postMultipart(stack.graphqlUrl, { ...oneFile('x'), ...change });
    expect(result.status).toBe(400);
    expect(result.headers['content-type']).toMatch(/^application\/json/);
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    await expectNothingLeft(before);
  });

  it('answers more files than allowed with TOO_MANY_FILES', async () => {
    const before = await snapshot();
    const result = await postMultipart(stack.graphqlUrl, {
      operations: { query: 'mutation($f: [Upload!]!) { __typename }', variables: { f: [null, null, null] } },
      map: { a: ['variables.f.0'], b: ['variables.f.1'], c: ['variables.f.2'] },
      files: ['a', 'b', 'c'].map((field) => ({ field, filename: `${field}.txt`, content: field })),
    });
    expect(result.status).toBe(413);
    expect(codeOf(result)).toBe('TOO_MANY_FILES');
    await expectNothingLeft(before);
  });

  it('refuses a multipart request without a CSRF preflight header', async () => {
    const before = await snapshot();
    const result = await postMultipart(stack.graphqlUrl, oneFile('x'), {
      headers: { 'apollo-require-preflight': '' },
    });
    expect(result.status).toBe(400);
    expect(codeOf(result)).toBe('BAD_REQUEST');
    await expectNothingLeft(before);
  });

  it('refuses an Upload variable that is not a file part', async () => {
    const response = await fetch(stack.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'apollo-require-preflight': 'true' },
      body: JSON.stringify(uploadOperation({ file: 'not a file' }).operations),
    });
    const body = (await response.json()) as PostResult['body'];
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('keeps nothing when the client disconnects mid-upload', async () => {
    const before = await snapshot();
    let client: ClientRequest | undefined;
    // 9 MB, then silence: the first 8 MiB part is on its way to S3 when the client leaves.
    const result = postMultipart(stack.graphqlUrl, oneFile(stallingText(9 * 1024 * 1024)), {
      onRequest: (request) => (client = request),
    });
    result.catch(() => undefined);
    const started = await eventually(async () => (await stack.incompleteUploads()).length > 0);
    expect(started).toBe(true);
    // Streamed from the request to S3 as it comes (ADR 0020): no temp file in between.
    expect(tempUploadFiles().length).toBe(before.temp);
    client?.destroy();
    await expect(result).rejects.toThrow();
    await expectNothingLeft(before);
  });
});

describe('uploads that never finish', () => {
  it('cuts off a client that stops sending, and keeps nothing', async () => {
    const subgraph = await listenDocumentsSubgraph({
      ...stack.deps,
      config: { ...stack.deps.config, UPLOAD_IDLE_TIMEOUT_MS: 1_000 },
    });
    try {
      const before = await snapshot();
      let client: ClientRequest | undefined;
      const result = postMultipart(`${subgraph.url}/graphql`, oneFile(stallingText(2 * 1024 * 1024)), {
        onRequest: (request) => (client = request),
      });
      result.catch(() => undefined);
      // The file is being read when the client falls silent.
      expect(await eventually(() => bytesSent(client) > 2 * 1024 * 1024)).toBe(true);
      await expect(result).rejects.toThrow();
      await expectNothingLeft(before);
    } finally {
      await subgraph.close();
    }
  });

  it('keeps nothing of an upload in progress when the subgraph stops', async () => {
    const subgraph = await listenDocumentsSubgraph(stack.deps);
    const before = await snapshot();
    let client: ClientRequest | undefined;
    const result = postMultipart(`${subgraph.url}/graphql`, oneFile(stallingText(2 * 1024 * 1024)), {
      onRequest: (request) => (client = request),
    });
    result.catch(() => undefined);
    expect(await eventually(() => bytesSent(client) > 2 * 1024 * 1024)).toBe(true);
    // Stopping drains requests for a grace period, then closes what is left.
    await subgraph.close();
    await expect(result).rejects.toThrow();
    await expectNothingLeft(before);
  }, 30_000);
});

describe('uploadDocument when a dependency is down', () => {
  it('removes the stored object when the row cannot be written', async () => {
    // A trigger makes this one insert fail, after the object is stored.
    await stack.admin.query(`
      create function refuse_boom() returns trigger language plpgsql as $$
      begin
        if new.title = 'boom' then raise exception 'refused by test trigger'; end if;
        return new;
      end $$;
      create trigger refuse_boom before insert on documents for each row execute function refuse_boom();`);
    try {
      const before = await snapshot();
      const result = await postMultipart(
        stack.graphqlUrl,
        oneFile(`row fails ${Date.now()}`, 'a.txt', { title: 'boom' }),
      );
      expect(codeOf(result)).toBe('INTERNAL_SERVER_ERROR');
      await expectNothingLeft(before);
    } finally {
      await stack.admin.query('drop trigger refuse_boom on documents; drop function refuse_boom();');
    }
  });

  it('runs the sweeper on its interval until stopped', async () => {
    const redisDown = await unreachableQueue();
    const subgraph = await listenDocumentsSubgraph({ ...stack.deps, queue: redisDown.queue });
    let id: string;
    try {
      const result = await postMultipart(`${subgraph.url}/graphql`, oneFile(`swept on time ${Date.now()}`));
      id = (result.body.data as { uploadDocument: { document: { id: string } } }).uploadDocument.document.id;
    } finally {
      await redisDown.close();
      await subgraph.close();
    }
    const sweeper = startSweeper({
      ...stack.deps,
      config: { UPLOAD_SWEEP_AFTER_SECONDS: 1, UPLOAD_SWEEP_INTERVAL_SECONDS: 1 },
    });
    try {
      expect(await eventually(async () => (await stack.deps.queue.getJob(id)) !== undefined, 5_000)).toBe(
        true,
      );
    } finally {
      await sweeper.stop();
    }
  });

  it('keeps the upload when Redis is down, and the sweeper queues it later', async () => {
    const redisDown = await unreachableQueue();
    const subgraph = await listenDocumentsSubgraph({ ...stack.deps, queue: redisDown.queue });
    try {
      const result = await postMultipart(
        `${subgraph.url}/graphql`,
        oneFile(`queued later ${Date.now()}`, 'later.txt'),
      );
      expect(result.body.errors).toBeUndefined();
      const { id } = (result.body.data as { uploadDocument: { document: { id: string } } }).uploadDocument
        .document;
      const { rows } = await stack.admin.query('select status from documents where id = $1', [id]);
      expect(rows[0].status).toBe('UPLOADED');
      expect(await stack.deps.queue.getJob(id)).toBeUndefined();

      // Not yet stale: the sweeper leaves it alone.
      expect((await sweepOnce(stack.deps)).requeued).not.toContain(id);
      await stack.admin.query(`update documents set updated_at = now() - interval '1 hour' where id = $1`, [
        id,
      ]);
      const swept = await sweepOnce(stack.deps);
      expect(swept.requeued).toContain(id);
      expect((await stack.deps.queue.getJob(id))?.data).toEqual({ documentId: id });
      // A second sweep is harmless: the job id is the document id.
      await sweepOnce(stack.deps);
      const jobs = await stack.deps.queue.getJobs(['waiting', 'delayed', 'active', 'prioritized']);
      expect(jobs.filter((job) => job.id === id)).toHaveLength(1);
    } finally {
      // First: ioredis lets a never-connected socket linger 2 s after disconnect.
      await redisDown.close();
      await subgraph.close();
    }
  });

  it('answers SERVICE_UNAVAILABLE and records nothing when the object store is unreachable', async () => {
    const store = createObjectStore({
      ...stack.deps.config,
      MINIO_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
    });
    const subgraph = await listenDocumentsSubgraph({ ...stack.deps, store });
    try {
      const before = await snapshot();
      for (const size of [1_000, MAX_BYTES - 1]) {
        const result = await postMultipart(
          `${subgraph.url}/graphql`,
          oneFile(deterministicText(size, `s3-${size}`)),
        );
        expect(codeOf(result)).toBe('SERVICE_UNAVAILABLE');
      }
      await expectNothingLeft(before);
    } finally {
      await subgraph.close();
    }
  });
});
