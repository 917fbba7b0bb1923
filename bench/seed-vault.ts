import pg from 'pg';
import { migratedTestDatabase } from '../devkit/scratch/database.ts';
import { SEED_CONNECTIONS, SEED_DOCUMENTS, seedVault } from './support/seed.ts';

// A database of its own, migrated and seeded like the bench's vault, left in place for
// looking at plans by hand (psql "<printed url>") and for bench/search-direct.ts; drop it
// with `dropdb` when done. BENCH_SEED_LIGHT=1 seeds the light shape (short texts).
// Saved to a file, its output lets `npm run bench` measure on it: BENCH_SEEDED_DATABASE=<file>.
//
//   . /work/stack/env.sh && BENCH_SEED_DOCUMENTS=100000 BENCH_SEED_CONNECTIONS=2 node bench/seed-vault.ts

const database = await migratedTestDatabase('seed');
const admin = new pg.Pool({ connectionString: database.adminUrl, max: SEED_CONNECTIONS + 2 });
const result = await seedVault(admin, SEED_DOCUMENTS, {
  realistic: process.env.BENCH_SEED_LIGHT !== '1',
  progress: (line) => process.stderr.write(`${line}\n`),
});
await admin.end();
// The roles' URLs too, so that BENCH_SEEDED_DATABASE=<this output, saved to a file> can run the
// bench's services on it (bench/support/seeded-database.ts).
process.stdout.write(
  `${JSON.stringify({ ...result, database: database.name, url: database.adminUrl, ownerUrl: database.ownerUrl, appUrl: database.appUrl })}\n`,
);
