import { expect } from '@jest/globals';
import { gatewayClient, type Answer, type Caller } from '../../support/gateway-client.ts';
import { postMultipart } from '../../support/multipart.ts';
import { startStack, type Stack } from '../../support/stacks/index.ts';
import { uploadOperation } from '../../support/upload-requests.ts';
import { createTestUser, type TestUser } from '../../support/users.ts';

// What the public-link suites share: the whole system behind the gateway (which believes
// X-Forwarded-For, so each test chooses its client address and its rate-limit budget),
// an owner with an uploaded document, a second user, and the operations they send.

export const PER_IP = 8;
export const WINDOW_SECONDS = 600;
export const MAX_DAYS = 30;
export const DAY_MS = 24 * 3600 * 1000;

export interface LinksWorld {
  stack: Stack;
  owner: TestUser;
  other: TestUser;
  documentId: string;
  content: string;
}

export async function startLinksWorld(label: string): Promise<LinksWorld> {
  const stack = await startStack(label, {
    gateway: { ALLOW_ANONYMOUS: 'false', TRUST_PROXY: 'true' },
    documents: {
      SHARE_LINK_MAX_DAYS: MAX_DAYS,
      SHARE_LINK_LIMIT_PER_IP: PER_IP,
      SHARE_LINK_LIMIT_WINDOW_SECONDS: WINDOW_SECONDS,
      // As low as the link budget: were the two budgets one, opening links would use up sign-ins.
      LOGIN_LIMIT_PER_IP: PER_IP,
    },
  });
  const owner = await createTestUser(stack.documents.admin);
  const other = await createTestUser(stack.documents.admin);
  const content = `lease agreement ${label}\n`;
  const documentId = await upload(stack, owner, 'Lease agreement', content);
  return { stack, owner, other, documentId, content };
}

export async function upload(stack: Stack, who: TestUser, title: string, content: string): Promise<string> {
  const uploaded = await postMultipart(
    stack.gatewayUrl,
    {
      ...uploadOperation({ title }),
      files: [{ field: '0', filename: 'lease.txt', contentType: 'text/plain', content }],
    },
    { headers: who.headers },
  );
  expect(uploaded.body.errors).toBeUndefined();
  return (uploaded.body.data?.uploadDocument as { document: { id: string } }).document.id;
}

let lastAddress = 0;
/** A client address no other request of this process used: a fresh rate-limit budget. */
export const freshIp = (): string => {
  lastAddress += 1;
  return `198.51.${Math.floor(lastAddress / 250)}.${(lastAddress % 250) + 1}`;
};

export const LINK_FIELDS =
  'id documentId createdAt expiresAt maxDownloads downloadCount hasPassword revokedAt status';

export interface LinkView {
  id: string;
  documentId: string;
  createdAt: string;
  expiresAt: string;
  maxDownloads: number | null;
  downloadCount: number;
  hasPassword: boolean;
  revokedAt: string | null;
  status: 'ACTIVE' | 'EXPIRED' | 'EXHAUSTED' | 'REVOKED';
}

export const CREATE = `mutation ($input: CreateShareLinkInput!) {
  createShareLink(input: $input) { token link { ${LINK_FIELDS} } }
}`;
export const UPDATE = `mutation ($id: ID!, $input: UpdateShareLinkInput!) {
  updateShareLink(id: $id, input: $input) { ${LINK_FIELDS} }
}`;
export const REVOKE = 'mutation ($id: ID!) { revokeShareLink(id: $id) }';
export const OPEN = `query ($token: String!, $password: String) {
  sharedLink(token: $token, password: $password) { title mimeType sizeBytes download { url expiresAt } }
}`;
export const PEEK = `query ($token: String!, $password: String) {
  sharedLink(token: $token, password: $password) { title mimeType sizeBytes }
}`;

export interface Opened {
  title: string;
  mimeType: string;
  sizeBytes: number;
  download?: { url: string; expiresAt: string };
}

export function clientOf(world: LinksWorld) {
  const client = gatewayClient(world.stack.gatewayUrl);
  const as = <T>(
    who: TestUser | null,
    query: string,
    variables: Record<string, unknown>,
    caller: Caller = {},
  ) => client.call<T>(query, variables, { ip: freshIp(), ...caller, ...(who ? { token: who.token } : {}) });

  async function create(
    input: Record<string, unknown> = {},
    who: TestUser = world.owner,
  ): Promise<{ token: string; link: LinkView }> {
    const answer = await as<{ createShareLink: { token: string; link: LinkView } }>(who, CREATE, {
      input: { documentId: world.documentId, ...input },
    });
    expect(answer.errors).toBeUndefined();
    return answer.data!.createShareLink;
  }

  /** Opens a link anonymously (no Authorization), from a fresh address unless one is given. */
  const open = (token: string, password?: string | null, caller: Caller = {}, query = OPEN) =>
    as<{ sharedLink: Opened | null }>(null, query, { token, password }, caller);

  async function linkState(id: string): Promise<LinkView> {
    const answer = await as<{ document: { shareLinks: LinkView[] } }>(
      world.owner,
      `query ($d: ID!) { document(id: $d) { shareLinks { ${LINK_FIELDS} } } }`,
      { d: world.documentId },
    );
    expect(answer.errors).toBeUndefined();
    const found = answer.data!.document.shareLinks.find((link) => link.id === id);
    if (!found) throw new Error(`link ${id} is not listed`);
    return found;
  }

  return { call: as, create, open, linkState };
}

/** The answer every token that does not open a document gets. */
export function expectNotOpened(answer: Answer<{ sharedLink: Opened | null }>): void {
  expect(answer.data).toEqual({ sharedLink: null });
  expect(answer.errors?.map((error) => error.extensions?.code)).toEqual(['NOT_FOUND']);
}

/** Rows of the two tables every write touches: compared before and after a refused write. */
export async function writtenRows(world: LinksWorld): Promise<unknown> {
  const { rows } = await world.stack.documents.admin.query(
    `select (select json_agg(l order by l.id) from share_links l) as links,
            (select count(*)::int from audit_log where action like 'SHARE_LINK_%') as audit`,
  );
  return rows[0];
}
