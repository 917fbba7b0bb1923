import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readMigrations } from '@docuvault/shared/migrations/index';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { ledgerNames, migration, query, runCli, tempMigrations, type TempMigrations } from './helpers.ts';

describe('two runners started at the same moment', () => {
  let db: TestDatabase;
  let temp: TempMigrations;
  beforeAll(async () => {
    db = await createTestDatabase('concurrent');
    // Each step counts its runs; the sleep keeps the first runner busy while the second starts.
    temp = await tempMigrations({
      '2026-01-01T00-00-00-create-runs.sql': migration(
        'create table runs (step int not null);',
        'drop table runs;',
      ),
      '2026-01-01T00-00-01-count-first.sql': migration('insert into runs values (1); select pg_sleep(0.5);'),
      '2026-01-01T00-00-02-count-second.sql': migration('insert into runs values (2);'),
    });
  });
  afterAll(async () => {
    await temp?.cleanup();
    await db?.drop();
  });

  it('apply each migration exactly once and both exit 0', async () => {
    const [first, second] = await Promise.all([
      runCli(['up', '--dir', temp.dir], db.ownerUrl),
      runCli(['up', '--dir', temp.dir], db.ownerUrl),
    ]);
    expect([first.code, second.code, first.stderr, second.stderr]).toEqual([0, 0, '', '']);
    expect(await query(db.ownerUrl, 'select step from runs order by step')).toEqual([
      { step: 1 },
      { step: 2 },
    ]);
    expect(await ledgerNames(db.ownerUrl)).toHaveLength(3);
    // One runner did the work, the other waited for the lock and found nothing to do.
    const outputs = [first.stdout, second.stdout];
    expect(
      outputs.filter((out) => out.includes('applied 2026-01-01T00-00-02-count-second.sql')),
    ).toHaveLength(1);
    expect(outputs.filter((out) => out.includes('database is up to date'))).toHaveLength(1);
  });

  it('also holds for the real migrations', async () => {
    const real = await createTestDatabase('concurrent_real');
    try {
      const results = await Promise.all([runCli(['up'], real.ownerUrl), runCli(['up'], real.ownerUrl)]);
      expect(results.map((result) => [result.code, result.stderr])).toEqual([
        [0, ''],
        [0, ''],
      ]);
      expect(await ledgerNames(real.ownerUrl)).toEqual((await readMigrations()).map((file) => file.name));
    } finally {
      await real.drop();
    }
  });
});
