import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { seedDocument } from '../support/seed-documents.ts';
import { check, expectAccepted, expectRefused, Hostile, printCounts } from './hostile-support.ts';
import {
  invalidUuid,
  isUnstorable,
  malformedJson,
  searchText,
  titleText,
  wrongContentType,
} from './arbitraries.ts';

// Bad JSON requests through the gateway: bodies that are not JSON, bodies under the
// wrong content type, ids that are not UUIDs, oversized variables, and unicode at its
// edges in titles and search queries. Each answers its code, changes nothing and leaves
// the system answering.

let hostile: Hostile;
let documentId: string;

beforeAll(async () => {
  hostile = await Hostile.start('hostile-json');
  documentId = (await seedDocument(hostile.stack.documents.admin, { title: 'Hostile target' })).id;
});

afterAll(async () => {
  await hostile?.close();
  printCounts('json-requests');
});

const JSON_TYPE = { 'content-type': 'application/json' };
const UPDATE_TITLE =
  'mutation($id: ID!, $t: String) { updateDocument(id: $id, input: { title: $t }) { title } }';

describe('malformed bodies', () => {
  it('answers a body that is not a GraphQL request with BAD_REQUEST', async () => {
    await check('malformed JSON', malformedJson, 25, async (body) => {
      const outcome = await hostile.leavesNothing(() => hostile.post(body, JSON_TYPE));
      expectRefused(outcome, 'BAD_REQUEST', [400, 415]);
    });
  });

  it('answers a body under a content type other than JSON with BAD_REQUEST', async () => {
    await check('wrong content type', wrongContentType, 15, async ({ type, preflight }) => {
      const headers: Record<string, string> = type === undefined ? {} : { 'content-type': type };
      if (preflight) headers['apollo-require-preflight'] = 'true';
      const outcome = await hostile.leavesNothing(() =>
        hostile.post(JSON.stringify({ query: '{ topics { id } }' }), headers),
      );
      expectRefused(outcome, 'BAD_REQUEST', [400, 415]);
    });
  });

  it.each([
    ['a gzip body that is not gzip', { 'content-encoding': 'gzip' }, 'not gzip at all'],
    ['a deflate body that is not deflate', { 'content-encoding': 'deflate' }, 'not deflate'],
    ['an unknown content encoding', { 'content-encoding': 'compress' }, '{}'],
    ['an unsupported charset', { 'content-type': 'application/json; charset=latin1' }, '{}'],
  ])('answers %s with BAD_REQUEST', async (_case, headers, body) => {
    const outcome = await hostile.leavesNothing(() => hostile.post(body, { ...JSON_TYPE, ...headers }));
    expectRefused(outcome, 'BAD_REQUEST', [400, 415]);
  });
});

describe('ids that are not UUIDs', () => {
  const operations = [
    'query($id: ID!) { document(id: $id) { id } }',
    'mutation($id: ID!) { updateDocument(id: $id, input: { title: "x" }) { id } }',
    'mutation($id: ID!) { deleteDocument(id: $id) }',
    'query($id: ID!) { documents(filter: { folderId: $id }) { totalCount } }',
    'query($id: ID!) { documents(filter: { topicId: $id }) { totalCount } }',
    `mutation($id: ID!) { updateDocument(id: "00000000-0000-4000-8000-000000000000", input: { folderId: $id }) { id } }`,
  ];
  it('refuses each with BAD_USER_INPUT and changes nothing', async () => {
    // An empty filter id reads as "no filter" (documents.service.ts treats '' as unset),
    // so it is not an invalid UUID there; everywhere else it is.
    const cases = fc
      .tuple(invalidUuid, fc.constantFrom(...operations))
      .filter(([id, query]) => !(id === '' && query.includes('filter')));
    await check('invalid UUIDs', cases, 25, async ([id, query]) => {
      const outcome = await hostile.leavesNothing(() => hostile.graphql(query, { id }));
      expectRefused(outcome, 'BAD_USER_INPUT');
    });
  });
});

describe('huge variables', () => {
  const MB = 1024 * 1024;
  const cases = fc.oneof(
    // Over the 1 MB body limit, whatever the operation.
    fc.record({ kind: fc.constant('body' as const), size: fc.integer({ min: MB + 1, max: 3 * MB }) }),
    // Under it, but longer than any title or search query may be.
    fc.record({ kind: fc.constant('title' as const), size: fc.integer({ min: 501, max: 900_000 }) }),
    fc.record({ kind: fc.constant('search' as const), size: fc.integer({ min: 1_001, max: 900_000 }) }),
    // More manual topics than allowed, and an id nested thousands of lists deep.
    fc.record({ kind: fc.constant('topicIds' as const), size: fc.integer({ min: 101, max: 20_000 }) }),
    fc.record({ kind: fc.constant('nested' as const), size: fc.integer({ min: 1_000, max: 200_000 }) }),
  );
  it('refuses them with BAD_REQUEST (body) or BAD_USER_INPUT (value)', async () => {
    await check('huge variables', cases, 12, async ({ kind, size }) => {
      const outcome = await hostile.leavesNothing(() => {
        if (kind === 'body') return hostile.graphql('{ topics { id } }', { pad: 'x'.repeat(size) });
        if (kind === 'title') return hostile.graphql(UPDATE_TITLE, { id: documentId, t: 't'.repeat(size) });
        if (kind === 'search') {
          return hostile.graphql('query($q: String!) { search(query: $q) { totalCount } }', {
            q: 'q'.repeat(size),
          });
        }
        if (kind === 'topicIds') {
          const topicIds = Array.from(
            { length: size },
            (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
          );
          return hostile.graphql(
            'mutation($id: ID!, $t: [ID!]) { updateDocument(id: $id, input: { topicIds: $t }) { id } }',
            {
              id: documentId,
              t: topicIds,
            },
          );
        }
        const body = `{"query":"query($id: ID!) { document(id: $id) { id } }","variables":{"id":${'['.repeat(size)}${']'.repeat(size)}}}`;
        return hostile.post(body, JSON_TYPE);
      });
      if (kind === 'body') expectRefused(outcome, 'BAD_REQUEST', [413]);
      else expectRefused(outcome, 'BAD_USER_INPUT');
    });
  });
});

describe('unicode at its edges', () => {
  const MAX_TITLE = 500;
  const MAX_SEARCH = 1_000;
  const codePoints = (text: string) => [...text].length;

  it('stores a title exactly as sent (trimmed), or refuses it with BAD_USER_INPUT', async () => {
    await check('unicode titles', titleText, 25, async (title) => {
      const outcome = await hostile.leavesNothing(() =>
        hostile.graphql(UPDATE_TITLE, { id: documentId, t: title }),
      );
      const trimmed = title.trim();
      if (isUnstorable(title) || trimmed === '' || codePoints(trimmed) > MAX_TITLE) {
        expectRefused(outcome, 'BAD_USER_INPUT');
      } else {
        expect(expectAccepted(outcome)).toEqual({ updateDocument: { title: trimmed } });
      }
    });
  });

  it('searches for any text, or refuses it with BAD_USER_INPUT', async () => {
    await check('unicode search queries', searchText, 25, async (query) => {
      const outcome = await hostile.leavesNothing(() =>
        hostile.graphql(
          'query($q: String!) { search(query: $q, first: 5) { totalCount edges { node { id } } } }',
          {
            q: query,
          },
        ),
      );
      const trimmed = query.trim();
      if (isUnstorable(query) || trimmed === '' || codePoints(trimmed) > MAX_SEARCH) {
        expectRefused(outcome, 'BAD_USER_INPUT');
      } else {
        const data = expectAccepted(outcome) as { search: { totalCount: number } };
        expect(typeof data.search.totalCount).toBe('number');
      }
    });
  });

  it('refuses U+0000 in a string literal of the query itself', async () => {
    const outcome = await hostile.leavesNothing(() =>
      hostile.graphql(
        `mutation { updateDocument(id: "${documentId}", input: { title: "a\\u0000b" }) { title } }`,
      ),
    );
    expectRefused(outcome, 'BAD_USER_INPUT', [400]);
  });
});

describe('afterwards', () => {
  it('leaves every dependency healthy', async () => {
    await hostile.expectHealthy();
  });
});
