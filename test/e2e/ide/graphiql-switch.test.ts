import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RunningServer } from '@docuvault/shared/http/listen';
import { answerJson, startFakeSubgraph, type FakeSubgraph } from '../hardening/fake-subgraph.ts';
import { startGatewayAt } from '../../support/stacks/index.ts';

// Where GraphiQL is served: exactly where introspection is on (development by default;
// production only with GRAPHQL_INTROSPECTION=true), and only its fixed files.
// The browser test (graphiql-browser.test.ts) checks that the page works.

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

let subgraph: FakeSubgraph;
const gateways: RunningServer[] = [];

beforeAll(async () => {
  subgraph = await startFakeSubgraph(answerJson({ data: null }));
});

afterAll(async () => {
  for (const gateway of gateways) await gateway.close();
  await subgraph?.close();
});

async function gatewayWith(env: Record<string, string>): Promise<string> {
  const url = subgraph.url;
  const running = await startGatewayAt({ documents: url, storage: url, ops: url }, env);
  gateways.push(running);
  return running.url;
}

const get = (url: string, accept = BROWSER_ACCEPT) => fetch(url, { headers: { accept } });

async function expectIde(base: string) {
  const page = await get(`${base}/graphql`);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'.*connect-src 'self'/);
  const html = await page.text();
  expect(html).toContain('graphiql/graphiql.min.js');
  expect(html).not.toMatch(/https?:\/\//);
  for (const file of ['graphiql.min.js', 'graphiql.min.css', 'react.production.min.js', 'start.js']) {
    const asset = await get(`${base}/graphiql/${file}`, '*/*');
    expect(asset.status).toBe(200);
    expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(0);
  }
}

async function expectNoIde(base: string) {
  const page = await get(`${base}/graphql`);
  expect(page.headers.get('content-type')).not.toMatch(/text\/html/);
  expect(await page.text()).not.toMatch(/graphiql|apollographql\.com/i);
  expect((await get(`${base}/graphiql/graphiql.min.js`, '*/*')).status).toBe(404);
}

describe('GraphiQL at GET /graphql', () => {
  it('is served in development, and not to clients that do not ask for HTML', async () => {
    const base = await gatewayWith({ NODE_ENV: 'development' });
    await expectIde(base);
    // curl's */* and GraphQL clients get GraphQL, as before.
    const plain = await get(`${base}/graphql?query=%7B__typename%7D`, '*/*');
    expect(plain.headers.get('content-type')).toMatch(/json/);
  });

  it('serves only its own files', async () => {
    const base = await gatewayWith({ NODE_ENV: 'development' });
    for (const path of ['index.html', 'package.json', '..%2Fpackage.json', '..%2F..%2Fpackage.json']) {
      expect((await get(`${base}/graphiql/${path}`, '*/*')).status).toBe(404);
    }
  });

  it('is off in production by default', async () => {
    await expectNoIde(await gatewayWith({ NODE_ENV: 'production' }));
  });

  it('is off where GRAPHQL_INTROSPECTION=false', async () => {
    await expectNoIde(await gatewayWith({ NODE_ENV: 'development', GRAPHQL_INTROSPECTION: 'false' }));
  });

  it('is on in production with GRAPHQL_INTROSPECTION=true', async () => {
    await expectIde(await gatewayWith({ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true' }));
  });
});
