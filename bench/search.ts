import { graphql, runLoad } from './support/load.ts';
import { ms, type ScenarioResult } from './support/report.ts';
import { runIfMain, type Context, type Scenario } from './support/scenario.ts';
import { SEED_DOCUMENTS } from './support/seed.ts';

// Latency of `search` over the seeded vault, as a search page asks it (first 20 hits with
// snippets and the total), one request at a time through the gateway, over a mix of
// queries from broad to selective. p50 and p95 over the mix, and each query's p95.
//
//   node bench/search.ts

const SEARCH_QUERY =
  'query Search($q: String!) { search(query: $q, first: 20) { totalCount edges { snippet node { id title } } } }';

/** websearch syntax: one common word, two words, a phrase, an OR, a rare reference. */
const TERMS = ['invoice', 'diagnosis treatment', '"bank transfer"', 'contract or court', 'r1234'];

export const search: Scenario = {
  name: 'search',
  async run(context: Context): Promise<ScenarioResult> {
    const system = await context.seeded();
    const matches: number[] = [];
    for (const q of TERMS) {
      const data = await graphql<{ search: { totalCount: number } }>(system.gatewayUrl, SEARCH_QUERY, { q });
      matches.push(data.search.totalCount);
    }
    context.say(`search over ${SEED_DOCUMENTS} documents, one request at a time…`);
    const result = await runLoad({
      url: system.gatewayUrl,
      bodies: TERMS.map((q) => JSON.stringify({ query: SEARCH_QUERY, variables: { q } })),
      connections: 1,
    });
    const perQuery = TERMS.map(
      (q, i) => `\`${q}\` (${matches[i]} hits) p95 ${ms(result.perBody[i]?.p95 ?? Number.NaN)}`,
    );
    return {
      rows: [
        {
          scenario: `search over ${SEED_DOCUMENTS.toLocaleString('en')} documents (seeded), 1 connection`,
          measured: `p50 ${ms(result.p50)}, p95 ${ms(result.p95)}${result.failed ? ` — **${result.failed} failed**` : ''}`,
          reference: '—',
          ratio: '—',
          target: 'p95 < 50 ms',
          met: result.p95 < 50 && result.failed === 0,
        },
      ],
      notes: [
        `search: \`${SEARCH_QUERY}\` through the gateway, queries in turn: ${perQuery.join('; ')}. ` +
          'Each seeded document has ~70 words of extracted text from the classifier tests’ corpus generator.',
      ],
    };
  },
};

await runIfMain(search, import.meta.url);
