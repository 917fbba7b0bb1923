import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RunningServer } from '@docuvault/shared/http/listen';
import { freePort } from '@docuvault/local-stack/index';
import {
  answerJson,
  codesOf,
  hang,
  postJson,
  stallAfterHeaders,
  startFakeSubgraph,
  type FakeSubgraph,
} from './fake-subgraph.ts';
import { startGatewayAt } from '../../support/stacks/index.ts';

// Every gateway → subgraph call has a deadline: a subgraph that hangs (before or after
// its headers) or is not there at all costs the client SERVICE_UNAVAILABLE within
// SUBGRAPH_TIMEOUT_MS, never a hung request.

const TIMEOUT_MS = 500;
const fakes: FakeSubgraph[] = [];
let hanging: FakeSubgraph;
let stalling: FakeSubgraph;
let healthy: FakeSubgraph;
let gateway: RunningServer;
let url: string;

beforeAll(async () => {
  hanging = await startFakeSubgraph(hang);
  stalling = await startFakeSubgraph(stallAfterHeaders);
  healthy = await startFakeSubgraph(answerJson({ data: { health: { status: 'PASS' } } }));
  fakes.push(hanging, stalling, healthy);
  // documents hangs, ops answers.
  gateway = await startGatewayAt(
    { documents: hanging.url, storage: healthy.url, ops: healthy.url },
    { SUBGRAPH_TIMEOUT_MS: String(TIMEOUT_MS) },
  );
  url = `${gateway.url}/graphql`;
});

afterAll(async () => {
  await gateway?.close();
  for (const fake of fakes) await fake.close();
});

async function timed(query: string) {
  const started = performance.now();
  const result = await postJson(url, { query });
  return { ...result, ms: performance.now() - started };
}

describe('subgraph calls time out', () => {
  it('answers SERVICE_UNAVAILABLE within the timeout when a subgraph never answers', async () => {
    const result = await timed('{ topics { id } }');
    expect(hanging.seen.length).toBeGreaterThan(0);
    expect(codesOf(result.body)).toEqual(['SERVICE_UNAVAILABLE']);
    expect(result.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(result.ms).toBeLessThan(TIMEOUT_MS + 1_500);
  });

  it('answers SERVICE_UNAVAILABLE when a subgraph stalls after its headers', async () => {
    const other = await startGatewayAt(
      { documents: stalling.url, storage: healthy.url, ops: healthy.url },
      { SUBGRAPH_TIMEOUT_MS: String(TIMEOUT_MS) },
    );
    try {
      const started = performance.now();
      const result = await postJson(`${other.url}/graphql`, { query: '{ topics { id } }' });
      expect(stalling.seen.length).toBeGreaterThan(0);
      expect(codesOf(result.body)).toEqual(['SERVICE_UNAVAILABLE']);
      expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + 1_500);
    } finally {
      await other.close();
    }
  });

  it('keeps answering other subgraphs meanwhile, and after', async () => {
    const [stuck, fine] = await Promise.all([timed('{ topics { id } }'), timed('{ health { status } }')]);
    expect(codesOf(stuck.body)).toEqual(['SERVICE_UNAVAILABLE']);
    expect(fine.body).toEqual({ data: { health: { status: 'PASS' } } });
    expect(fine.ms).toBeLessThan(TIMEOUT_MS);
  });

  it('answers SERVICE_UNAVAILABLE without the subgraph’s address when nothing listens there', async () => {
    const nowhere = `http://127.0.0.1:${await freePort()}/graphql`;
    const closed = await startGatewayAt({ documents: nowhere, storage: nowhere, ops: nowhere });
    try {
      const result = await postJson(`${closed.url}/graphql`, { query: '{ topics { id } }' });
      expect(codesOf(result.body)).toEqual(['SERVICE_UNAVAILABLE']);
      expect(result.text).not.toContain('127.0.0.1');
      expect(result.text).not.toContain('ECONNREFUSED');
    } finally {
      await closed.close();
    }
  });
});
