import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { typeDefs } from '@docuvault/ops/type-defs';
import { freePort } from '@docuvault/local-stack/index';
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isLeafType,
  isNonNullType,
  isObjectType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLObjectType,
} from 'graphql';
import { gatewayClient, type Answer, type Caller } from '../../support/gateway-client.ts';
import { createTestUser, type TestUser } from '../../support/users.ts';
import { startGatewayAt, startStack, type Stack } from '../../support/stacks/index.ts';

// Every ops field, walked through the gateway as a caller who is not signed in, as a
// plain user and with a wrong operator token: only `health` answers them, and it names
// components and statuses, never an error. An administrator and the operator token get
// every field. The field list comes from the ops schema itself, so a field added later is
// walked (and must be closed) without touching this file.

const OPS_TOKEN = 'e2e-ops-access-operator-token-0123456789abcdef';
const PUBLIC = new Set(['Query.health']);

const schema = buildSubgraphSchema([{ typeDefs }]);

/** A value for a required argument: the queue that exists, otherwise any valid literal. */
function argumentValue(arg: GraphQLArgument): string {
  const type = getNamedType(arg.type);
  if (arg.name === 'queue') return '"classify"';
  if (isEnumType(type)) return type.getValues()[0]!.name;
  switch (type.name) {
    case 'Int':
    case 'Float':
      return '1';
    case 'Boolean':
      return 'false';
    default:
      return '"no-such-thing"';
  }
}

const argumentsOf = (field: GraphQLField<unknown, unknown>) => {
  const required = field.args.filter((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined);
  return required.length === 0 ? '' : `(${required.map((a) => `${a.name}: ${argumentValue(a)}`).join(', ')})`;
};

/** Every field reachable from `type` (leaves, and objects down to a few levels). */
function selectionOf(type: GraphQLObjectType, depth = 0): string {
  const fields = Object.values(type.getFields()).flatMap((field) => {
    const named = getNamedType(field.type);
    if (field.args.some((arg) => isNonNullType(arg.type))) return [];
    if (isLeafType(named)) return [field.name];
    if (isObjectType(named) && depth < 4) return [`${field.name} ${selectionOf(named, depth + 1)}`];
    return [];
  });
  return `{ ${fields.join(' ')} }`;
}

interface OpsField {
  /** `Query.queues`, `Mutation.retryJob`, … */
  coordinate: string;
  name: string;
  operation: string;
}

function opsFields(): OpsField[] {
  const roots = [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
  ] as const;
  return roots.flatMap(([keyword, root]) =>
    root
      ? Object.values(root.getFields())
          // Federation's own entry points: the gateway never exposes them to clients.
          .filter((field) => !field.name.startsWith('_'))
          .map((field) => {
            const named = getNamedType(getNullableType(field.type));
            const selection = isObjectType(named) ? ` ${selectionOf(named)}` : '';
            return {
              coordinate: `${root.name}.${field.name}`,
              name: field.name,
              operation: `${keyword} { ${field.name}${argumentsOf(field)}${selection} }`,
            };
          })
      : [],
  );
}

const FIELDS = opsFields();
const CLOSED = FIELDS.filter((field) => !PUBLIC.has(field.coordinate));
const INTERNALS = /127\.0\.0\.1|localhost|http:\/\/|ECONNREFUSED|fetch failed|\bat \/|\.ts:\d+/;

let stack: Stack;
let admin: TestUser;
let user: TestUser;

beforeAll(async () => {
  stack = await startStack('ops-field-access', {
    gateway: { ALLOW_ANONYMOUS: 'false', OPS_TOKEN },
    ops: { OPS_TOKEN },
  });
  admin = await createTestUser(stack.documents.admin, { role: 'ADMIN' });
  user = await createTestUser(stack.documents.admin);
});

afterAll(async () => {
  await stack?.close();
});

const call = (field: OpsField, caller: Caller): Promise<Answer<Record<string, unknown>>> =>
  gatewayClient(stack.gatewayUrl).call<Record<string, unknown>>(field.operation, {}, caller);

describe('the ops schema as walked here', () => {
  it('covers queries and operator mutations, with health as the only public field', () => {
    const coordinates = FIELDS.map((field) => field.coordinate);
    expect(coordinates).toEqual(
      expect.arrayContaining([
        'Query.health',
        'Query.queues',
        'Query.failedJobs',
        'Query.versions',
        'Query.version',
        'Query.migrationStatus',
        'Mutation.retryJob',
        'Mutation.pauseQueue',
      ]),
    );
    expect(FIELDS.filter((field) => PUBLIC.has(field.coordinate))).toHaveLength(1);
  });
});

describe.each([
  ['a caller who is not signed in', () => ({}), 'UNAUTHENTICATED'],
  ['a plain user', () => ({ token: user.token }), 'FORBIDDEN'],
  ['a wrong operator token', () => ({ headers: { 'x-ops-token': `${OPS_TOKEN}-wrong` } }), 'UNAUTHENTICATED'],
  [
    'a plain user with a wrong operator token',
    () => ({ token: user.token, headers: { 'x-ops-token': 'x'.repeat(40) } }),
    'UNAUTHENTICATED',
  ],
] as const)('as %s', (_who, caller, code) => {
  it.each(CLOSED.map((field) => [field.coordinate, field] as const))(
    `refuses %s with ${code} and no data`,
    async (_coordinate, field) => {
      const answer = await call(field, caller());
      expect(answer.data ?? null).toBeNull();
      expect(answer.errors?.map((error) => error.extensions?.code)).toEqual([code]);
      expect(JSON.stringify(answer)).not.toMatch(INTERNALS);
    },
  );

  it('answers health with status and component names only', async () => {
    const health = FIELDS.find((field) => field.coordinate === 'Query.health')!;
    const answer = await call(health, caller());
    expect(answer.errors).toBeUndefined();
    const checks = (answer.data?.health as { checks: { component: string; error: string | null }[] }).checks;
    expect(checks.length).toBeGreaterThan(0);
    // No worker runs in this stack: the workers check warns, and only operators learn why.
    expect(checks.find((check) => check.component === 'classificationWorkers')).toBeDefined();
    expect(checks.every((check) => check.error === null)).toBe(true);
    expect(JSON.stringify(answer)).not.toMatch(INTERNALS);
  });
});

describe.each([
  ['an administrator', () => ({ token: admin.token })],
  ['the operator token', () => ({ headers: { 'x-ops-token': OPS_TOKEN } })],
] as const)('as %s', (_who, caller) => {
  it.each(FIELDS.map((field) => [field.coordinate, field] as const))(
    'answers %s',
    async (_coordinate, field) => {
      const answer = await call(field, caller());
      const codes = (answer.errors ?? []).map((error) => error.extensions?.code);
      expect(codes).not.toContain('UNAUTHENTICATED');
      expect(codes).not.toContain('FORBIDDEN');
      // The made-up job id is the only thing allowed to be missing.
      for (const code of codes) expect(code).toBe('NOT_FOUND');
      if (codes.length === 0) expect(answer.data?.[field.name]).toBeDefined();
    },
  );

  it('shows why a health check does not pass', async () => {
    const answer = await gatewayClient(stack.gatewayUrl).call<{
      health: { checks: { component: string; error: string | null }[] };
    }>('{ health { checks { component error } } }', {}, caller());
    const workers = answer.data?.health.checks.find((check) => check.component === 'classificationWorkers');
    expect(workers?.error).toMatch(/no classification worker/);
  });

  it('never sees a stack frame in failed jobs', async () => {
    const failedJobs = FIELDS.find((field) => field.coordinate === 'Query.failedJobs')!;
    expect(failedJobs.operation).not.toMatch(/stack/i);
  });
});

describe("the gateway's /health/ready", () => {
  it('names components and statuses to anyone, and errors (URLs, hosts) to an administrator or the operator token', async () => {
    const nowhere = `http://127.0.0.1:${await freePort()}/graphql`;
    const urls = stack.subgraphUrls;
    // Ops unreachable: the gateway still serves documents (warn, 200), and knows why.
    const gateway = await startGatewayAt({ ...urls, ops: nowhere }, { ALLOW_ANONYMOUS: 'false', OPS_TOKEN });
    try {
      const ready = async (headers: Record<string, string> = {}) => {
        const response = await fetch(`${gateway.url}/health/ready`, { headers });
        return { status: response.status, text: await response.text() };
      };
      const anyone = await ready();
      expect(anyone.status).toBe(200);
      expect(JSON.parse(anyone.text)).toMatchObject({
        status: 'warn',
        checks: { 'subgraph:ops:responseTime': [{ status: 'fail' }] },
      });
      expect(anyone.text).not.toMatch(INTERNALS);
      expect(anyone.text).not.toMatch(/"output"|"version"/);
      expect((await ready(user.headers)).text).not.toMatch(INTERNALS);
      expect((await ready({ 'x-ops-token': 'wrong' })).text).not.toMatch(INTERNALS);
      expect((await fetch(`${gateway.url}/health/version`)).status).toBe(403);

      for (const operator of [admin.headers, { 'x-ops-token': OPS_TOKEN }]) {
        const detailed = await ready(operator);
        expect(detailed.text).toContain(nowhere.replace('/graphql', '/health/ready'));
        expect((await fetch(`${gateway.url}/health/version`, { headers: operator })).status).toBe(200);
      }
    } finally {
      await gateway.close();
    }
  });
});
