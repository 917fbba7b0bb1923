import { graphql, runLoad } from './support/load.ts';
import { ms, times, type ScenarioResult } from './support/report.ts';
import { runIfMain, type Context, type Scenario } from './support/scenario.ts';
import { SEED_DOCUMENTS } from './support/seed.ts';

// Keyset paging over the seeded vault: the 500th page of 20 (after the cursor the 499th
// page ended with, found by walking the pages as a client would) against the first page,
// each asked one request at a time through the gateway.
//
//   node bench/list-pages.ts

const PAGE_SIZE = 20;
const PAGE = 500;
const PAGE_QUERY =
  'query Page($after: String) { documents(first: 20, after: $after) ' +
  '{ edges { cursor node { id title createdAt } } pageInfo { hasNextPage endCursor } } }';

interface Page {
  documents: { pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

export const listPages: Scenario = {
  name: 'list pages',
  async run(context: Context): Promise<ScenarioResult> {
    const system = await context.seeded({ realistic: false });
    context.say(`walking to page ${PAGE}…`);
    let after: string | null = null;
    for (let page = 1; page < PAGE; page++) {
      const data: Page = await graphql<Page>(system.gatewayUrl, PAGE_QUERY, { after });
      if (!data.documents.pageInfo.hasNextPage) throw new Error(`the vault ends at page ${page}`);
      after = data.documents.pageInfo.endCursor;
    }
    const body = (cursor: string | null) => [
      JSON.stringify({ query: PAGE_QUERY, variables: { after: cursor } }),
    ];
    context.say('first page, one request at a time…');
    const first = await runLoad({ url: system.gatewayUrl, bodies: body(null), connections: 1 });
    context.say(`page ${PAGE} by cursor, one request at a time…`);
    const deep = await runLoad({ url: system.gatewayUrl, bodies: body(after), connections: 1 });
    const ratio = deep.p95 / first.p95;
    return {
      rows: [
        {
          scenario: `list page ${PAGE} (by cursor, ${PAGE_SIZE} per page) over ${SEED_DOCUMENTS.toLocaleString('en')} documents, 1 connection`,
          measured: `p95 ${ms(deep.p95)} (p50 ${ms(deep.p50)})`,
          reference: `first page: p95 ${ms(first.p95)} (p50 ${ms(first.p50)})`,
          ratio: `${times(ratio)} p95`,
          target: '≤ 1.5×',
          met: ratio <= 1.5 && deep.failed === 0 && first.failed === 0,
        },
      ],
      notes: [
        `list pages: \`${PAGE_QUERY}\` through the gateway (no totalCount: a paging client asks it once).`,
      ],
    };
  },
};

await runIfMain(listPages, import.meta.url);
