import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { SERVICES } from '@docuvault/local-stack/launcher/processes';

const repo = join(import.meta.dirname, '..', '..');

describe('a service started with bad configuration', () => {
  it.each(SERVICES.map((service) => [service.name, service.entry]))(
    '%s exits non-zero naming every bad variable',
    (_name, entry) => {
      const result = spawnSync(process.execPath, [join(repo, entry)], {
        cwd: repo,
        env: { PATH: process.env.PATH, DATABASE_URL: 'nonsense', SECRET_KEY: 'short' },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(result.status).not.toBe(0);
      expect(result.status).not.toBeNull();
      // The gateway and storage have no database and the worker signs nothing: each names
      // what it reads.
      if (entry !== 'subgraphs/documents/src/worker.ts') {
        expect(result.stderr).toMatch(/SECRET_KEY: must be at least 32 characters/);
      }
      if (entry !== 'gateway/src/main.ts' && entry !== 'subgraphs/storage/src/main.ts') {
        expect(result.stderr).toMatch(/DATABASE_URL: must be a postgres:\/\/ URL/);
      }
    },
  );
});
