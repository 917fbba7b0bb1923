import pg from 'pg';
import { migratedTestDatabase } from '../devkit/scratch/database.ts';
import { SEED_DOCUMENTS, seedVault } from './support/seed.ts';

// A database of its own, migrated and seeded like the bench's vault, left in place for
// looking at plans by hand (psql "<printed url>"); drop it with `dropdb` when done.
//
//   . /work/stack/env.sh && BENCH_SEED_DOCUMENTS=100000 node bench/seed-vault.ts

const database = await migratedTestDatabase('seed');
const admin = new pg.Pool({ connectionString: database.adminUrl, max: 4 });
const result = await seedVault(admin, SEED_DOCUMENTS, (line) => process.stderr.write(`${line}\n`));
await admin.end();
process.stdout.write(`${JSON.stringify({ ...result, database: database.name, url: database.adminUrl })}\n`);
