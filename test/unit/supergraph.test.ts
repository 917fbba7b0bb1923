import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { composeSupergraph } from '@docuvault/gateway/compose';
import { SUPERGRAPH_PATH } from '@docuvault/gateway/gateway-server';
import { subgraphDefinitions } from '@docuvault/gateway/subgraphs';

describe('the committed supergraph', () => {
  it('equals a fresh composition of the subgraph schemas (run `npm run compose` when this fails)', () => {
    expect(readFileSync(SUPERGRAPH_PATH, 'utf8')).toBe(composeSupergraph(subgraphDefinitions));
  });
});
