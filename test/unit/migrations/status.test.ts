import { describe, expect, it } from '@jest/globals';
import { formatStatus } from '@docuvault/shared/migrations/format';
import { compareMigrations, outOfOrderPending, schemaProblem } from '@docuvault/shared/migrations/status';

const at = new Date('2026-11-23T10:00:00.000Z');
const A = '2026-01-01T00-00-00-create-a.sql';
const B = '2026-01-02T00-00-00-create-b.sql';
const C = '2026-01-03T00-00-00-create-c.sql';
const D = '2026-01-04T00-00-00-create-d.sql';

describe('compareMigrations', () => {
  it('gives every name one state, in name order', () => {
    const entries = compareMigrations(
      [
        { name: D, checksum: 'd' },
        { name: A, checksum: 'a' },
        { name: B, checksum: 'b2' },
      ],
      [
        { name: A, checksum: 'a', appliedAt: at },
        { name: B, checksum: 'b', appliedAt: at },
        { name: C, checksum: 'c', appliedAt: at },
      ],
    );
    expect(entries).toEqual([
      { name: A, state: 'APPLIED', appliedAt: at, transactional: true },
      { name: B, state: 'APPLIED_BUT_CHANGED', appliedAt: at, transactional: true },
      { name: C, state: 'APPLIED_BUT_MISSING', appliedAt: at, transactional: null },
      { name: D, state: 'PENDING', appliedAt: null, transactional: true },
    ]);
  });
});

describe('outOfOrderPending', () => {
  it('names pending migrations older than the newest applied one', () => {
    const entries = compareMigrations(
      [A, B, C, D].map((name) => ({ name, checksum: name })),
      [A, C].map((name) => ({ name, checksum: name, appliedAt: at })),
    );
    expect(outOfOrderPending(entries)).toEqual([B]);
  });
});

describe('schemaProblem', () => {
  const status = (migrations: ReturnType<typeof compareMigrations>) => ({
    upToDate: migrations.every((m) => m.state === 'APPLIED'),
    migrations,
    serverVersion: '16.4',
  });

  it('is null when every migration is applied, and tolerates a database one release ahead', () => {
    expect(
      schemaProblem(status([{ name: A, state: 'APPLIED', appliedAt: at, transactional: true }])),
    ).toBeNull();
    expect(
      schemaProblem(status([{ name: A, state: 'APPLIED_BUT_MISSING', appliedAt: at, transactional: true }])),
    ).toBeNull();
  });

  it('names pending and changed migrations', () => {
    const reason = schemaProblem(
      status([
        { name: A, state: 'APPLIED_BUT_CHANGED', appliedAt: at, transactional: true },
        { name: B, state: 'PENDING', appliedAt: null, transactional: true },
      ]),
    );
    expect(reason).toBe(
      `database schema is not current: pending migration ${B}; applied migration ${A} was changed since`,
    );
  });
});

describe('formatStatus', () => {
  it('prints an aligned table with the states as the docs spell them', () => {
    const text = formatStatus({
      upToDate: false,
      serverVersion: '16.4',
      migrations: [
        { name: A, state: 'APPLIED', appliedAt: at, transactional: true },
        { name: B, state: 'APPLIED_BUT_CHANGED', appliedAt: at, transactional: true },
        { name: C, state: 'PENDING', appliedAt: null, transactional: true },
      ],
    });
    expect(text).toBe(
      [
        `${'MIGRATION'.padEnd(A.length)}  STATE                APPLIED AT`,
        `${A}  applied              2026-11-23T10:00:00.000Z`,
        `${B}  applied-but-changed  2026-11-23T10:00:00.000Z`,
        `${C}  pending`,
        '',
        'PostgreSQL 16.4; schema NOT up to date',
        '',
      ].join('\n'),
    );
  });
});
