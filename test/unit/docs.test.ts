import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { Kind, parse } from 'graphql';
import { OPS_TOKEN_HEADER } from '@docuvault/shared/auth/principal';

// What the docs tell a newcomer must match what the code does.

const repo = join(import.meta.dirname, '..', '..');
const read = (file: string) => readFileSync(join(repo, file), 'utf8');

describe('README set-up', () => {
  it('installs with the Node version the project pins (the `node` devDependency)', () => {
    const pinned = (JSON.parse(read('package.json')) as { devDependencies: Record<string, string> })
      .devDependencies.node;
    const named = [...read('README.md').matchAll(/node@(\d+\.\d+\.\d+)/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(0);
    expect(new Set(named)).toEqual(new Set([pinned]));
  });
});

describe('the Mutation type of the API', () => {
  const supergraph = parse(read('gateway/supergraph.graphql'));
  const mutation = supergraph.definitions.find(
    (d) => d.kind === Kind.OBJECT_TYPE_DEFINITION && d.name.value === 'Mutation',
  );
  const description = mutation && 'description' in mutation ? (mutation.description?.value ?? '') : '';

  it('does not claim that every mutation needs the operator token', () => {
    expect(description).not.toMatch(/Bearer <OPS_TOKEN>/);
    expect(description).not.toMatch(/^Operator actions: each/);
  });

  it('names the header ops reads the operator token from, and each queue action', () => {
    expect(description.toLowerCase()).toContain(`${OPS_TOKEN_HEADER}: <ops_token>`);
    for (const action of ['retryJob', 'retryAllFailed', 'pauseQueue', 'resumeQueue']) {
      expect(description).toContain(action);
    }
  });
});
