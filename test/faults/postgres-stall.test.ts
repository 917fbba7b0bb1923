import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { query, until, upload, uploadedId, type GraphQLError } from './support/clients.ts';
import { sharedServices, shortTimeouts, startFaultStack, type FaultStack } from './support/fault-stack.ts';
import { startOwnPostgres, type OwnPostgres } from './support/services.ts';

// PostgreSQL frozen with SIGSTOP (a hung server: it takes connections, answers nothing).
// Requests answer within their timeouts instead of waiting out the stall, with an error
// (SERVICE_UNAVAILABLE) that says nothing of the driver, and the system recovers by
// itself on SIGCONT.

let postgres: OwnPostgres;
let stack: FaultStack;

/** DATABASE_CONNECT_TIMEOUT_MS 2 s, DATABASE_QUERY_TIMEOUT_MS 3 s (+1 s driver grace): ~4 s a statement. */
const ANSWER_WITHIN_MS = 15_000;
const RAW_DRIVER_TEXT = /ECONN|timeout|terminat|Query read|connect|postgres|database system/i;
const LIST = '{ documents(first: 5) { totalCount } }';

beforeAll(async () => {
  postgres = await startOwnPostgres('pg-stall');
  stack = await startFaultStack(
    'fault-pg-stall',
    { ...sharedServices(), databaseUrl: postgres.adminUrl },
    shortTimeouts.postgres,
  );
});

afterAll(async () => {
  await postgres?.thaw();
  await stack?.close();
  await postgres?.stop();
});

function expectServiceUnavailable(errors: GraphQLError[] | undefined): void {
  expect(errors?.length).toBeGreaterThan(0);
  for (const error of errors ?? []) {
    expect(error.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(error.message).not.toMatch(RAW_DRIVER_TEXT);
  }
}

describe('PostgreSQL stalled with SIGSTOP', () => {
  it('answers within the timeouts during the stall and recovers without a restart', async () => {
    const before = await upload(stack, { filename: 'before.txt', content: 'stored before the stall\n' });
    expect(uploadedId(before)).toBeDefined();

    await postgres.freeze();
    let recovered: { ms: number } | undefined;
    try {
      const [stalledUpload, stalledList] = await Promise.all([
        upload(stack, { filename: 'during.txt', content: 'sent during the stall\n' }),
        query(stack, LIST),
      ]);
      process.stderr.write(
        `PostgreSQL stall: upload answered in ${Math.round(stalledUpload.ms)} ms, ` +
          `list in ${Math.round(stalledList.ms)} ms\n`,
      );
      expect(stalledUpload.ms).toBeLessThan(ANSWER_WITHIN_MS);
      expect(stalledList.ms).toBeLessThan(ANSWER_WITHIN_MS);
      expect(uploadedId(stalledUpload)).toBeUndefined();
      expectServiceUnavailable(stalledUpload.result?.body.errors as GraphQLError[] | undefined);
      expectServiceUnavailable(stalledList.body.errors);
    } finally {
      const thawed = performance.now();
      await postgres.thaw();
      await until(
        'the list answering again',
        () => query(stack, LIST),
        (answer) => answer.body.errors === undefined,
        30_000,
      );
      recovered = { ms: performance.now() - thawed };
    }
    process.stderr.write(`PostgreSQL stall: answering again ${Math.round(recovered.ms)} ms after SIGCONT\n`);

    const after = await upload(stack, { filename: 'after.txt', content: 'stored after the stall\n' });
    expect(uploadedId(after)).toBeDefined();
    // Nothing lost, nothing orphaned: the two successful uploads, and only them.
    const counts = await stack.counts();
    expect(counts).toEqual({
      rows: 2,
      objects: 2,
      incompleteUploads: 0,
      chargedBytes: counts.storedBytes,
      storedBytes: 'stored before the stall\n'.length + 'stored after the stall\n'.length,
    });
  }, 120_000);
});
