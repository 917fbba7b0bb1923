import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { WorkerRuntime } from '@docuvault/documents/worker/runtime';
import { gatewayClient } from '../../support/gateway-client.ts';
import { startStack, startStackWorker, type Stack } from '../../support/stacks/index.ts';
import { uploadFile } from '../../support/upload-requests.ts';

// Search follows each document's language (#19 item 8, docs/adr/0016): text uploaded
// through the gateway and read by a real worker; the database detects English or German
// from the share of stop words and stems the document in that language, and a query is
// parsed in English, German and as written at once, so one search finds both.

let stack: Stack;
let worker: WorkerRuntime;

const gateway = <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> =>
  gatewayClient(stack.gatewayUrl).data<T>(query, variables);

async function uploadText(title: string, text: string): Promise<string> {
  const id = await uploadFile(
    stack.gatewayUrl,
    { filename: `${title}.txt`, contentType: 'text/plain', content: Buffer.from(text) },
    title,
  );
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { document } = await gateway<{ document: { status: string } }>(
      'query ($id: ID!) { document(id: $id) { status } }',
      { id },
    );
    if (document.status === 'CLASSIFIED') return id;
    if (document.status === 'FAILED' || Date.now() > deadline)
      throw new Error(`${title}: ${document.status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface Search {
  totalCount: number;
  totalCountIsExact: boolean;
  edges: { snippet: string | null; node: { id: string } }[];
}

async function search(q: string): Promise<Search> {
  const data = await gateway<{ search: Search }>(
    'query ($q: String!) { search(query: $q) { totalCount totalCountIsExact edges { snippet node { id } } } }',
    { q },
  );
  return data.search;
}

const ids: Record<string, string> = {};

beforeAll(async () => {
  stack = await startStack('e2e-search-languages');
  worker = await startStackWorker(stack);
  ids.german = await uploadText(
    'Mietvertrag',
    'Der Vermieter überlässt dem Mieter die Wohnung im zweiten Stock. Die Mieten sind jeweils ' +
      'bis zum dritten Werktag eines Monats zu zahlen, und die Kündigungsfrist beträgt drei Monate.',
  );
  ids.english = await uploadText(
    'Lease',
    'The landlord lets the apartment on the second floor to the tenant. The rents are due on ' +
      'the third working day of each month, and the notice period is three months.',
  );
  ids.code = await uploadText('Serial', 'ACME-7731-XQ');
}, 120_000);

afterAll(async () => {
  await worker?.close();
  await stack?.close();
});

describe('search across languages, through the gateway', () => {
  it('finds a German document by another inflected form of its words', async () => {
    // "Miete" (singular) for "Mieten"; "Vermietern" for "Vermieter": German stems only.
    expect((await search('Miete')).edges.map((e) => e.node.id)).toEqual([ids.german]);
    expect((await search('Vermietern')).edges.map((e) => e.node.id)).toEqual([ids.german]);
  });

  it('finds an English document by English stemming', async () => {
    expect((await search('landlords')).edges.map((e) => e.node.id)).toEqual([ids.english]);
    expect((await search('tenants')).edges.map((e) => e.node.id)).toEqual([ids.english]);
  });

  it('finds both in one search, each by its own language, with an exact count', async () => {
    const result = await search('Kündigungsfristen or notices');
    expect(result.edges.map((e) => e.node.id).sort()).toEqual([ids.english, ids.german].sort());
    expect(result).toMatchObject({ totalCount: 2, totalCountIsExact: true });
    expect(result.edges.every((edge) => edge.snippet?.includes('<b>'))).toBe(true);
  });

  it('keeps a text with no language (an identifier) findable as written', async () => {
    expect((await search('ACME-7731-XQ')).edges.map((e) => e.node.id)).toEqual([ids.code]);
    expect((await search('Mietvertrag')).edges.map((e) => e.node.id)).toEqual([ids.german]);
  });
});
