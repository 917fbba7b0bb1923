import { ANONYMOUS } from '@docuvault/shared/auth/principal';
import { gatewayHeaders } from '../../devkit/signed-requests.ts';
import { compareLoads, ROUNDS, type Side } from './compare.ts';
import type { Context } from './scenario.ts';
import type { System } from './system.ts';

// The operations the throughput scenarios send, and the measurements more than one
// scenario compares against (measured once per run, see Context.shared).

export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);

/** One document by id: answered by the documents subgraph alone. */
export const DOCUMENT_QUERY =
  'query Document($id: ID!) { document(id: $id) { id title mimeType sizeBytes status createdAt } }';
/** The newest 20 documents with a presigned download URL each: documents, then storage. */
export const DOWNLOADS_QUERY =
  'query Downloads { documents(first: 20) { edges { node { id title mimeType download { url } } } } }';
/** The same 20 documents without the download: documents alone. */
export const LIST_QUERY = 'query List { documents(first: 20) { edges { node { id title mimeType } } } }';

const body = (query: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query, variables });

/** DOCUMENT_QUERY for 50 ids spread over the vault, sent in turn. */
export async function documentBodies(system: System): Promise<string[]> {
  const { rows } = await system.admin.query<{ id: string }>(
    'select id from documents order by md5(id::text) limit 50',
  );
  if (rows.length === 0) throw new Error('the vault is empty');
  return rows.map((row) => body(DOCUMENT_QUERY, { id: row.id }));
}

export const downloadsBodies = () => [body(DOWNLOADS_QUERY)];
export const listBodies = () => [body(LIST_QUERY)];

/**
 * The headers the gateway puts on a subgraph call (request id, the anonymous principal
 * it allows with ALLOW_ANONYMOUS, the signature over all of it and the body), for a body
 * sent straight to the subgraph at `url`. Computed for each request: a subgraph accepts
 * each signed call id once.
 */
export const gatewaySigned =
  (url: string, secretKey: string) =>
  (payload: string, index: number): Record<string, string> =>
    gatewayHeaders(url, 'POST', payload, {
      secretKey,
      requestId: `bench-direct-${index}`,
      principal: ANONYMOUS,
    });

/**
 * `document(id)` through the system's gateway, and the same bodies straight to its
 * documents subgraph, signed as the gateway signs: the single-subgraph comparison, which
 * the cross-subgraph scenario takes its reference from.
 */
export const singleSubgraphPair = (context: Context): Promise<[Side, Side]> =>
  context.shared('document(id): gateway, direct', async () => {
    const system = await context.seeded({ realistic: false });
    const bodies = await documentBodies(system);
    const direct = `${system.documents.url}/graphql`;
    context.say(
      `document(id) through the gateway and straight to the documents subgraph, ${CONNECTIONS} connections, ` +
        `${ROUNDS} interleaved rounds…`,
    );
    const [through, straight] = await compareLoads([
      {
        url: system.gatewayUrl,
        bodies,
        connections: CONNECTIONS,
        pids: { gateway: system.gateway.pid, documents: system.documents.pid },
      },
      {
        url: direct,
        bodies,
        headers: gatewaySigned(direct, system.secretKey),
        connections: CONNECTIONS,
        pids: { documents: system.documents.pid },
      },
    ]);
    return [through!, straight!];
  });
