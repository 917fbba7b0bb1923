import { expect } from '@jest/globals';
import fc from 'fast-check';
import { postMultipart, type MultipartRequest, type PostOptions } from '../support/multipart.ts';
import { startStack, type Stack, type StackOptions } from '../support/stack.ts';
import { eventually, tempUploadFiles } from '../integration/uploads/upload-stack.ts';

// The bad-input suite's harness: the whole system in-process (test/support/stack.ts),
// one request per case, and after each case three checks: the expected code, nothing
// left behind (rows, objects, unfinished multipart uploads, temp files) and the service
// still answering. Cases come from fast-check with a fixed seed, so every run sends the
// same requests; a failure prints the seed and the smallest failing input.

export const SEED = 20_261_123;

export interface Outcome {
  status: number;
  contentType: string | null;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; path?: unknown[]; extensions?: Record<string, unknown> }[];
  };
  text: string;
}

const parse = (text: string): Outcome['body'] => {
  try {
    return JSON.parse(text) as Outcome['body'];
  } catch {
    return {};
  }
};

/** Runs a property for `numRuns` cases with the suite's seed, counting them under `category`. */
export async function check<T>(
  category: string,
  arbitrary: fc.Arbitrary<T>,
  numRuns: number,
  run: (value: T) => Promise<void>,
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(arbitrary, async (value) => {
      counts.set(category, (counts.get(category) ?? 0) + 1);
      await run(value);
    }),
    // No shrinking: a case costs a round trip through the stack. The report names the
    // failing input and the path to replay it.
    { seed: SEED, numRuns, endOnFailure: true },
  );
}

const counts = new Map<string, number>();

/** How many cases each category ran, for the report. */
export function printCounts(file: string): void {
  const lines = [...counts].map(([category, n]) => `  ${category}: ${n}`);
  const total = [...counts.values()].reduce((sum, n) => sum + n, 0);
  process.stdout.write(`\nhostile cases in ${file} (${total}):\n${lines.join('\n')}\n`);
}

export class Hostile {
  readonly stack: Stack;

  private constructor(stack: Stack) {
    this.stack = stack;
  }

  static async start(label: string, options: StackOptions = {}): Promise<Hostile> {
    return new Hostile(await startStack(label, options));
  }

  close(): Promise<void> {
    return this.stack.close();
  }

  async post(body: string | Buffer, headers: Record<string, string>, method = 'POST'): Promise<Outcome> {
    const response = await fetch(this.stack.gatewayUrl, { method, headers, body });
    const text = await response.text();
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      body: parse(text),
      text,
    };
  }

  /** One GraphQL operation as JSON, as a client sends it. */
  graphql(query: string, variables: Record<string, unknown> = {}): Promise<Outcome> {
    return this.post(JSON.stringify({ query, variables }), { 'content-type': 'application/json' });
  }

  async multipart(request: MultipartRequest, options?: PostOptions): Promise<Outcome> {
    const result = await postMultipart(this.stack.gatewayUrl, request, options);
    const contentType = result.headers['content-type'];
    return {
      status: result.status,
      contentType: typeof contentType === 'string' ? contentType : null,
      body: result.body,
      text: result.text,
    };
  }

  /**
   * What a case could leave behind: rows and objects always; unfinished multipart
   * uploads and spooled temp files only where a case sends files (listing them is slow).
   */
  private async snapshot(uploads: boolean, audit: boolean): Promise<string> {
    const { documents } = this.stack;
    const [rows, objects, incomplete, charged, audited] = await Promise.all([
      documents.rowCount(),
      documents.objectKeys(),
      uploads ? documents.incompleteUploads() : [],
      this.count('select coalesce(sum(used_bytes), 0)::bigint as n from quotas'),
      audit ? this.count('select count(*)::bigint as n from audit_log') : 0,
    ]);
    const temp = uploads ? tempUploadFiles().length : 0;
    return JSON.stringify({ rows, objects, incomplete, temp, charged, audited });
  }

  private async count(sql: string): Promise<string> {
    const { rows } = await this.stack.documents.admin.query<{ n: string }>(sql);
    return rows[0]?.n ?? '0';
  }

  /**
   * Sends one case and checks that it left nothing behind once its cleanup settled
   * (aborted uploads are cleaned up asynchronously) and that the system still answers:
   * no row, object, unfinished upload or temp file, no byte charged to a quota and, for a
   * refusal, no audit line. `tidy` undoes what an accepted case created, through the API,
   * before the comparison (its audit lines stay: they are the record of it).
   */
  async leavesNothing(
    send: () => Promise<Outcome>,
    options: { uploads?: boolean; tidy?: (outcome: Outcome) => Promise<void> } = {},
  ): Promise<Outcome> {
    const uploads = options.uploads ?? false;
    const audit = options.tidy === undefined;
    const before = await this.snapshot(uploads, audit);
    const outcome = await send();
    await options.tidy?.(outcome);
    let after = '';
    const settled = eventually(async () => (after = await this.snapshot(uploads, audit)) === before, 5_000);
    await Promise.all([settled, this.expectAlive()]);
    expect(JSON.parse(after)).toEqual(JSON.parse(before));
    return outcome;
  }

  /** The gateway answers, and so does the documents subgraph behind it. */
  async expectAlive(): Promise<void> {
    const alive = await this.graphql('{ topics { id } }');
    if (alive.body.errors !== undefined || !Array.isArray(alive.body.data?.topics)) {
      throw new Error(`the system no longer answers: ${alive.status} ${alive.text.slice(0, 300)}`);
    }
  }

  /** Every dependency and subgraph still healthy, as ops sees them (once per file: it is slow). */
  async expectHealthy(): Promise<void> {
    const result = await this.graphql('{ health { checks { component status } } }');
    const checks = (result.body.data?.health as { checks: { component: string; status: string }[] }).checks;
    const failing = checks.filter((c) => c.status === 'FAIL');
    expect(failing).toEqual([]);
  }

  /** Deletes a document through the gateway (its row and its object). */
  async deleteDocument(id: string): Promise<void> {
    const result = await this.graphql('mutation($id: ID!) { deleteDocument(id: $id) }', { id });
    expect(result.body).toEqual({ data: { deleteDocument: true } });
  }
}

/** The refusal is a GraphQL-shaped JSON response whose errors all carry codes, `code` among them. */
export function expectRefused(outcome: Outcome, code: string, statuses: number[] = [200, 400]): void {
  if (!statuses.includes(outcome.status) || !outcome.contentType?.startsWith('application/json')) {
    throw new Error(
      `expected ${code} with status ${statuses.join('/')}, got ${outcome.status}: ${outcome.text.slice(0, 500)}`,
    );
  }
  const codes = (outcome.body.errors ?? []).map((error) => error.extensions?.code);
  if (!codes.includes(code) || codes.some((c) => typeof c !== 'string' || c === 'INTERNAL_SERVER_ERROR')) {
    throw new Error(`expected ${code}, got ${JSON.stringify(codes)}: ${outcome.text.slice(0, 500)}`);
  }
}

/** An accepted operation: data and no errors. */
export function expectAccepted(outcome: Outcome): Record<string, unknown> {
  if (outcome.status !== 200 || outcome.body.errors !== undefined || !outcome.body.data) {
    throw new Error(`expected success, got ${outcome.status}: ${outcome.text.slice(0, 500)}`);
  }
  return outcome.body.data;
}
