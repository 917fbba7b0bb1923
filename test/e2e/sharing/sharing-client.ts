import { expect } from '@jest/globals';
import { gatewayClient, type Answer } from '../../support/gateway-client.ts';
import { postMultipart } from '../../support/multipart.ts';
import type { TestUser } from '../../support/users.ts';
import { uploadOperation } from '../../support/upload-requests.ts';

// What the sharing suites do through the gateway, as one user or another.

export function sharingClient(gatewayUrl: string) {
  const client = gatewayClient(gatewayUrl);
  const as = <T = Record<string, unknown>>(
    who: TestUser,
    query: string,
    variables: Record<string, unknown> = {},
  ) => client.call<T>(query, variables, { token: who.token });
  const data = <T>(who: TestUser, query: string, variables: Record<string, unknown> = {}) =>
    client.data<T>(query, variables, { token: who.token });
  const codes = (answer: Answer<unknown>) => answer.errors?.map((error) => error.extensions?.code);

  async function upload(who: TestUser, text: string, folderId?: string): Promise<string> {
    const response = await postMultipart(
      gatewayUrl,
      {
        ...uploadOperation({ title: text, ...(folderId ? { folderId } : {}) }),
        files: [{ field: '0', filename: 'note.txt', contentType: 'text/plain', content: `${text}\n` }],
      },
      { headers: who.headers },
    );
    expect(response.body.errors).toBeUndefined();
    return (response.body.data?.uploadDocument as { document: { id: string } }).document.id;
  }

  async function folder(who: TestUser, name: string, parentId?: string): Promise<string> {
    const answer = await data<{ createFolder: { id: string } }>(
      who,
      'mutation ($n: String!, $p: ID) { createFolder(name: $n, parentId: $p) { id } }',
      { n: name, p: parentId ?? null },
    );
    return answer.createFolder.id;
  }

  async function share(
    who: TestUser,
    kind: 'Document' | 'Folder',
    input: { targetId: string; userEmail?: string; groupId?: string; role: 'VIEWER' | 'EDITOR' },
  ): Promise<string> {
    const answer = await data<Record<string, { id: string }>>(
      who,
      `mutation ($input: ShareInput!) { share${kind}(input: $input) { id } }`,
      { input },
    );
    return answer[`share${kind}`]!.id;
  }

  /** The ids a user's `document(id)` answers for (null: not visible). */
  async function sees(who: TestUser, id: string): Promise<boolean> {
    const answer = await data<{ document: { id: string } | null }>(
      who,
      'query ($id: ID!) { document(id: $id) { id } }',
      {
        id,
      },
    );
    return answer.document !== null;
  }

  async function sharedWithMe(who: TestUser): Promise<string[]> {
    const answer = await data<{ documents: { edges: { node: { id: string } }[] } }>(
      who,
      '{ documents(filter: { sharedWithMe: true }, first: 100) { edges { node { id } } } }',
    );
    return answer.documents.edges.map((edge) => edge.node.id).sort();
  }

  async function search(who: TestUser, text: string): Promise<string[]> {
    const answer = await data<{ search: { edges: { node: { id: string } }[] } }>(
      who,
      'query ($q: String!) { search(query: $q, first: 100) { edges { node { id } } } }',
      { q: text },
    );
    return answer.search.edges.map((edge) => edge.node.id).sort();
  }

  return { as, data, codes, upload, folder, share, sees, sharedWithMe, search };
}
