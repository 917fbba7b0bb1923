import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  deterministicText,
  postMultipart,
  type MultipartRequest,
  type PostResult,
} from '../../support/multipart.ts';
import { elfBytes, gifBytes } from '../../integration/uploads/fixtures.ts';
import { eventually } from '../../support/eventually.ts';
import { startGatewayStack, type GatewayStack } from '../../support/stacks/index.ts';
import { tempUploadFiles, uploadOperation } from '../../support/upload-requests.ts';

// Refusals through the gateway reach the client as GraphQL errors with our codes (never
// INTERNAL_SERVER_ERROR or an HTML page), and leave nothing behind in the subgraph.
// The gateway's limits are lower than the subgraph's, so its own checks are what is tested.

const MB = 1024 * 1024;
const GATEWAY_MAX = 1 * MB;
let stack: GatewayStack;

beforeAll(async () => {
  stack = await startGatewayStack('gateway-upload-failures', {
    subgraphMaxBytes: 20 * MB,
    gatewayMaxBytes: GATEWAY_MAX,
    maxFiles: 2,
  });
});

afterAll(async () => {
  await stack?.close();
});

const oneFile = (
  content: MultipartRequest['files'][number]['content'],
  filename = 'file.txt',
): MultipartRequest => {
  const { operations, map } = uploadOperation();
  return { operations, map, files: [{ field: '0', filename, content }] };
};

const codeOf = (result: PostResult) => result.body.errors?.[0]?.extensions?.code;

async function snapshot() {
  return {
    rows: await stack.rowCount(),
    objects: await stack.objectKeys(),
    incomplete: await stack.incompleteUploads(),
    temp: tempUploadFiles().length,
  };
}

/** Runs `send`, then waits for cleanup to settle and checks that nothing was left. */
async function leavesNothing(send: () => Promise<PostResult>): Promise<PostResult> {
  const before = await snapshot();
  const result = await send();
  const same = async () => JSON.stringify(await snapshot()) === JSON.stringify(before);
  await eventually(
    async () => (await same()) && (await new Promise((r) => setTimeout(r, 200))) === undefined && same(),
  );
  expect(await snapshot()).toEqual(before);
  return result;
}

describe('uploadDocument refusals through the gateway', () => {
  it('answers a file over the gateway limit with FILE_TOO_LARGE', async () => {
    const result = await leavesNothing(() =>
      postMultipart(stack.gatewayUrl, oneFile(deterministicText(GATEWAY_MAX + 1))),
    );
    expect(codeOf(result)).toBe('FILE_TOO_LARGE');
    expect(result.body.errors?.[0]?.extensions?.maxBytes).toBe(GATEWAY_MAX);
  });

  it('accepts a file of exactly the gateway limit', async () => {
    const result = await postMultipart(
      stack.gatewayUrl,
      oneFile(deterministicText(GATEWAY_MAX, 'exact'), 'exact.txt'),
    );
    expect(result.body.errors).toBeUndefined();
  });

  it.each([
    ['a GIF', gifBytes(), 'scan.pdf'],
    ['an ELF executable', elfBytes(), 'readme.md'],
  ])('answers %s with UNSUPPORTED_TYPE', async (_kind, content, filename) => {
    const result = await leavesNothing(() => postMultipart(stack.gatewayUrl, oneFile(content, filename)));
    expect(codeOf(result)).toBe('UNSUPPORTED_TYPE');
  });

  it('answers an empty file with EMPTY_FILE', async () => {
    expect(codeOf(await leavesNothing(() => postMultipart(stack.gatewayUrl, oneFile(''))))).toBe(
      'EMPTY_FILE',
    );
  });

  it('answers a map that names a file the request does not carry with BAD_USER_INPUT', async () => {
    const { operations, map } = uploadOperation();
    const result = await leavesNothing(() => postMultipart(stack.gatewayUrl, { operations, map, files: [] }));
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
  });

  it.each([
    ['operations that are not JSON', { rawOperations: '{"query": ' }, 400, 'BAD_USER_INPUT'],
    ['a map that is not JSON', { rawMap: '[' }, 400, 'BAD_USER_INPUT'],
    [
      'a map that points outside the variables',
      { map: { '0': ['variables.elsewhere'] } },
      400,
      'BAD_USER_INPUT',
    ],
    ['a map entry that is not a list of paths', { map: { '0': 'variables.file' } }, 400, 'BAD_USER_INPUT'],
    ['batched operations', { operations: [uploadOperation().operations] }, 400, 'BAD_USER_INPUT'],
    [
      'more files than allowed',
      { map: { '0': ['variables.file'], '1': ['variables.title'], '2': ['variables.folderId'] } },
      413,
      'TOO_MANY_FILES',
    ],
  ])('answers %s as a JSON GraphQL error with its code', async (_case, change, status, code) => {
    const request = { ...oneFile('hello'), ...change } as MultipartRequest;
    const result = await leavesNothing(() => postMultipart(stack.gatewayUrl, request));
    expect(result.status).toBe(status);
    expect(result.headers['content-type']).toMatch(/^application\/json/);
    expect(codeOf(result)).toBe(code);
  });

  it('answers a malformed multipart body with BAD_USER_INPUT, not an HTML page', async () => {
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data', 'apollo-require-preflight': 'true' },
      body: 'no boundary here',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await response.json()) as PostResult['body']).errors?.[0]?.extensions?.code).toBe(
      'BAD_USER_INPUT',
    );
  });

  it('refuses a multipart request without a CSRF preflight header, before reading it', async () => {
    const result = await leavesNothing(() =>
      postMultipart(stack.gatewayUrl, oneFile('csrf'), { headers: { 'apollo-require-preflight': '' } }),
    );
    expect(result.status).toBe(400);
    expect(codeOf(result)).toBe('BAD_REQUEST');
  });

  it('accepts the x-apollo-operation-name header as the CSRF preflight', async () => {
    const result = await postMultipart(stack.gatewayUrl, oneFile(`named ${Date.now()}`), {
      headers: { 'apollo-require-preflight': '', 'x-apollo-operation-name': 'Upload' },
    });
    expect(result.body.errors).toBeUndefined();
  });

  it('answers an operation that fails validation, and drains the unused file', async () => {
    const result = await leavesNothing(() =>
      postMultipart(stack.gatewayUrl, {
        operations: { query: 'mutation($file: Upload!) { nope(file: $file) }', variables: { file: null } },
        map: { '0': ['variables.file'] },
        files: [{ field: '0', filename: 'unused.txt', content: deterministicText(GATEWAY_MAX - 1) }],
      }),
    );
    expect(codeOf(result)).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('is served by a subgraph that refuses uploads the gateway did not sign', async () => {
    const result = await leavesNothing(() =>
      postMultipart(stack.graphqlUrl, oneFile('straight to the subgraph')),
    );
    expect(result.status).toBe(401);
    expect(codeOf(result)).toBe('UNAUTHENTICATED');
  });
});
