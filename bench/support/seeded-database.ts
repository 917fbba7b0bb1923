import { readFileSync } from 'node:fs';
import { migrateUp } from '@docuvault/shared/migrations/index';
import type { TestDatabase } from '../../devkit/scratch/database.ts';
import { SEED_DOCUMENTS, type SeedResult } from './seed.ts';

// BENCH_SEEDED_DATABASE=<file>: run on a database that bench/seed-vault.ts seeded and kept
// (the file holds the JSON line it printed) instead of a new one seeded for this run. A
// 1 000 000-document vault takes most of an hour to seed, so it is seeded once and measured
// as often as needed; migrations added since are applied to it first. The database is kept
// after the run; scenarios that write (uploads, sharing) would add to it, so use it with
// BENCH_ONLY=search.

interface SeededFile extends SeedResult {
  database: string;
  url: string;
  ownerUrl: string;
  appUrl: string;
}

export interface SeededDatabase {
  database: TestDatabase;
  seed: SeedResult;
}

export function seededDatabaseFile(): string | undefined {
  return process.env.BENCH_SEEDED_DATABASE || undefined;
}

export async function openSeededDatabase(file: string): Promise<SeededDatabase> {
  const {
    database: name,
    url,
    ownerUrl,
    appUrl,
    ...seed
  } = JSON.parse(readFileSync(file, 'utf8')) as SeededFile;
  if (!ownerUrl || !appUrl)
    throw new Error(`${file} does not name the database's roles: seed it again with bench/seed-vault.ts`);
  // The scenarios name and judge their rows by BENCH_SEED_DOCUMENTS (1 000 000 has its own target).
  if (seed.count !== SEED_DOCUMENTS)
    throw new Error(`${file} holds ${seed.count} documents: run with BENCH_SEED_DOCUMENTS=${seed.count}`);
  await migrateUp(ownerUrl);
  return {
    database: { name, adminUrl: url, ownerUrl, appUrl, drop: async () => {} },
    seed,
  };
}
