import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import * as envSchema from '@docuvault/shared/config/env-schema';

// .env.example is the operator's list of every setting: each variable the config schema
// declares must be there, and it must name nothing that no one reads (a typo there is a
// setting that silently does nothing). The names the schema does not declare are
// compose's own, so docker-compose.yml must read each of them.

const repo = join(import.meta.dirname, '..', '..');
const read = (file: string) => readFileSync(join(repo, file), 'utf8');

function exampleNames(text: string): string[] {
  return [...text.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!);
}

/** Every variable of every group in env-schema.ts (each export is one group: name → zod type). */
function schemaNames(): Set<string> {
  const groups = Object.values(envSchema) as Record<string, unknown>[];
  return new Set(groups.flatMap((group) => Object.keys(group)));
}

/** Variables docker-compose.yml interpolates: ${NAME}, ${NAME:-…}, ${NAME:?…}. */
function composeNames(text: string): Set<string> {
  return new Set([...text.matchAll(/\$\{([A-Z][A-Z0-9_]*)[:}?-]/g)].map((m) => m[1]!));
}

describe('.env.example', () => {
  const example = exampleNames(read('.env.example'));

  it('lists every variable the config schema declares', () => {
    const missing = [...schemaNames()].filter((name) => !example.includes(name));
    expect(missing).toEqual([]);
  });

  it('names only variables the schema declares or docker-compose.yml reads', () => {
    const schema = schemaNames();
    const compose = composeNames(read('docker-compose.yml'));
    const unknown = example.filter((name) => !schema.has(name) && !compose.has(name));
    expect(unknown).toEqual([]);
  });

  it('names each variable once', () => {
    const repeated = example.filter((name, i) => example.indexOf(name) !== i);
    expect(repeated).toEqual([]);
  });

  it('describes every variable docker-compose.yml reads', () => {
    const missing = [...composeNames(read('docker-compose.yml'))].filter((name) => !example.includes(name));
    expect(missing).toEqual([]);
  });

  it('finds the schema groups (a check on the test itself)', () => {
    expect([...schemaNames()]).toEqual(
      expect.arrayContaining(['SECRET_KEY', 'DATABASE_URL', 'UPLOAD_ALLOWED_TYPES', 'OPS_TOKEN']),
    );
  });
});
