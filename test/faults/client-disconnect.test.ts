import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { stallingText } from '../support/multipart.ts';
import { until, upload } from './support/clients.ts';
import { sharedServices, startFaultStack, type Counts, type FaultStack } from './support/fault-stack.ts';

// A client that hangs up in the middle of an upload leaves nothing behind: no row, no
// object, no unfinished multipart upload, nothing charged to its quota. Breaks no
// service, so it runs on the harness's shared ones.

let stack: FaultStack;

const NOTHING: Counts = { rows: 0, objects: 0, incompleteUploads: 0, chargedBytes: 0, storedBytes: 0 };

beforeAll(async () => {
  // Statements may wait longer here: the test holds a lock the upload's commit waits for.
  stack = await startFaultStack('fault-disconnect', sharedServices());
});

afterAll(async () => {
  await stack?.close();
});

describe('a client disconnecting mid-upload', () => {
  it('leaves nothing when it hangs up while the file is still being sent', async () => {
    // 12 MiB and then silence: one 8 MiB part reaches S3 before the client leaves.
    const pending = upload(
      stack,
      { filename: 'big.txt', content: stallingText(12 * 1024 * 1024) },
      (request) => {
        void until(
          'a multipart upload in the bucket',
          () => stack.counts(),
          (c) => c.incompleteUploads > 0,
        ).then(
          () => request.destroy(),
          () => request.destroy(),
        );
      },
    );
    const timed = await pending;
    expect(timed.result).toBeUndefined(); // the client itself hung up
    expect(
      await until(
        'nothing left',
        () => stack.counts(),
        (c) => c.incompleteUploads === 0,
      ),
    ).toEqual(NOTHING);
  });

  it('leaves nothing when it hangs up after the last byte but before the commit', async () => {
    // The upload's transaction waits on the owner's quota row, held here, so the client
    // can leave while the document is written but not committed.
    const lock = await stack.admin.connect();
    try {
      await lock.query('begin');
      await lock.query('select 1 from quotas where user_id = $1 for update', [stack.user.id]);
      const pending = upload(
        stack,
        { filename: 'note.txt', content: 'a note whose client will not wait\n' },
        (request) => {
          void until(
            'the upload waiting for the quota row',
            async () => {
              const { rows } = await stack.admin.query<{ n: number }>(
                `select count(*)::int as n from pg_stat_activity
                where datname = current_database() and wait_event_type = 'Lock'`,
              );
              return rows[0]?.n ?? 0;
            },
            (n) => n > 0,
          ).then(
            () => request.destroy(),
            () => request.destroy(),
          );
        },
      );
      const timed = await pending;
      expect(timed.result).toBeUndefined();
      // Give the hang-up time to travel gateway → subgraph before the commit may go on.
      await new Promise((resolve) => setTimeout(resolve, 500));
      await lock.query('commit');
    } finally {
      lock.release();
    }
    expect(
      await until(
        'nothing left',
        () => stack.counts(),
        (c) => c.objects === 0 && c.rows === 0,
        10_000,
      ),
    ).toEqual(NOTHING);
  });

  it('still stores an upload whose client stays', async () => {
    const timed = await upload(stack, { filename: 'kept.txt', content: 'a note whose client waits\n' });
    expect(timed.result?.status).toBe(200);
    const counts = await stack.counts();
    expect(counts).toEqual({ ...NOTHING, rows: 1, objects: 1, chargedBytes: 26, storedBytes: 26 });
  });
});
