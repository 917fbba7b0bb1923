import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startStack, type Stack } from '../support/stacks/index.ts';

// The README's and docs/uploads.md's shell examples, run as a newcomer runs them: every
// ```sh block that calls curl, in the order the pages show them, in one bash session
// (the blocks share $TOKEN), from the repository's root, against the whole system
// (gateway + documents + storage + ops, accounts required, a database of its own so the
// first account registered is the administrator). Only the host and port are changed.
// The sign-in block runs again at the end: a second run must log in, not break $TOKEN.

const repo = join(import.meta.dirname, '..', '..');
const PAGES = ['README.md', 'docs/uploads.md'];
const DOCUMENTED_ORIGINS = /http:\/\/(?:127\.0\.0\.1|localhost):4000\b/g;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Block {
  page: string;
  code: string;
}

function curlBlocks(): Block[] {
  return PAGES.flatMap((page) =>
    [...readFileSync(join(repo, page), 'utf8').matchAll(/^```sh\n([\s\S]*?)^```$/gm)]
      .map((m) => m[1]!)
      .filter((code) => /(^|\s)curl\s/.test(code))
      .map((code) => ({ page, code })),
  );
}

/** The JSON values a block printed, back to back as curl prints them. */
function jsonValues(text: string): unknown[] {
  const values: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i += 1;
      else if (c === '"') inString = false;
    } else if (c === '"' && depth > 0) inString = true;
    else if (c === '{') {
      if (depth === 0) start = i;
      depth += 1;
    } else if (c === '}' && depth > 0) {
      depth -= 1;
      if (depth === 0) values.push(JSON.parse(text.slice(start, i + 1)));
    }
  }
  return values;
}

function runBash(script: string): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    // Only PATH and HOME from the test's environment: nothing else may make the examples work.
    const child = spawn('bash', ['-c', script], {
      cwd: repo,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ stdout, stderr, code }));
  });
}

let stack: Stack;
beforeAll(async () => {
  stack = await startStack('docs-examples', { gateway: { ALLOW_ANONYMOUS: 'false' } });
});
afterAll(async () => {
  await stack?.close();
});

describe('the documented curl examples', () => {
  it('run as written against a started system, each answering without errors', async () => {
    const blocks = curlBlocks();
    // Sign-in, upload, sharing, public share links, operators (README), upload (docs/uploads.md).
    expect(blocks.map((b) => b.page)).toEqual([
      'README.md',
      'README.md',
      'README.md',
      'README.md',
      'README.md',
      'docs/uploads.md',
    ]);
    const origin = new URL(stack.gatewayUrl).origin;
    const runs = [...blocks, blocks[0]!].map((block) => ({
      ...block,
      code: block.code.replace(DOCUMENTED_ORIGINS, origin),
    }));
    for (const run of runs) expect(run.code).not.toMatch(/:4000\b/);

    const script = runs
      .map(
        (run, i) =>
          `printf '\\n@@start %d@@\\n' ${i}\n${run.code}\nprintf '\\n@@end %d token=%d@@\\n' ${i} "\${#TOKEN}"`,
      )
      .join('\n');
    const { stdout, stderr, code } = await runBash(script);
    // What the newcomer would have seen, in the failure message when anything is off.
    const seen = `exit ${code}\nstderr:\n${stderr}\nstdout:\n${stdout}`;
    expect(seen).toMatch(/^exit 0\nstderr:\n\nstdout:/);

    const outputs = runs.map((_, i) => {
      const match = new RegExp(`@@start ${i}@@\\n([\\s\\S]*?)\\n@@end ${i} token=(\\d+)@@`).exec(stdout);
      expect(match).not.toBeNull();
      return { values: jsonValues(match![1]!), tokenLength: Number(match![2]) };
    });

    outputs.forEach(({ values, tokenLength }, i) => {
      expect({ block: i, tokenLength: tokenLength > 0, seen }).toEqual({ block: i, tokenLength: true, seen });
      expect({ block: i, printed: values.length > 0, seen }).toEqual({ block: i, printed: true, seen });
      for (const value of values) expect({ block: i, value }).not.toHaveProperty('value.errors');
    });

    // Both sign-ins (register, then login) act for the same administrator.
    for (const i of [0, runs.length - 1]) {
      expect(outputs[i]!.values[0]).toMatchObject({
        data: { me: { email: 'you@example.com', role: 'ADMIN' } },
      });
    }
    // Each upload names a stored document; the second one is the same bytes again.
    const uploads = runs
      .map((run, i) => ({ run, output: outputs[i]! }))
      .filter(({ run }) => run.code.includes('uploadDocument'));
    expect(uploads).toHaveLength(2);
    const answers = uploads.map(
      ({ output }) =>
        (output.values[0] as { data: { uploadDocument: { duplicate: boolean; document: { id: string } } } })
          .data.uploadDocument,
    );
    expect(answers[0]!.document.id).toMatch(UUID);
    expect(answers[0]!.duplicate).toBe(false);
    expect(answers[1]).toMatchObject({ duplicate: true, document: { id: answers[0]!.document.id } });
    expect(await stack.documents.rowCount()).toBe(1);
    // The sharing example: a group with the colleague and the administrator, the document shared with it, and the
    // colleague finding it as a VIEWER of the administrator's document.
    expect(outputs[runs.findIndex((run) => run.code.includes('shareDocument'))]!.values).toEqual([
      { data: { addGroupMember: { name: 'Colleagues' } } },
      { data: { addGroupMember: { name: 'Colleagues' } } },
      {
        data: {
          shareDocument: { id: expect.stringMatching(UUID), role: 'VIEWER', group: { name: 'Colleagues' } },
        },
      },
      {
        data: {
          documents: {
            totalCount: 1,
            edges: [
              { node: { title: expect.any(String), myRole: 'VIEWER', owner: { email: 'you@example.com' } } },
            ],
          },
        },
      },
    ]);
    // The public-link example: created, opened anonymously (one download), changed, revoked.
    const links = outputs[runs.findIndex((run) => run.code.includes('createShareLink'))]!.values;
    expect(links).toEqual([
      { data: { createShareLink: expect.objectContaining({ token: expect.stringMatching(/^[\w-]{43}$/) }) } },
      {
        data: {
          sharedLink: expect.objectContaining({
            download: expect.objectContaining({ url: expect.any(String) }),
          }),
        },
      },
      {
        data: {
          updateShareLink: expect.objectContaining({ maxDownloads: 10, downloadCount: 1, status: 'ACTIVE' }),
        },
      },
      { data: { revokeShareLink: true } },
    ]);
    // The operators' example: an administrator reads health, migrations, queues and versions.
    expect(outputs[runs.findIndex((run) => run.code.includes('migrationStatus'))]!.values[0]).toMatchObject({
      data: {
        migrationStatus: { upToDate: true },
        queues: expect.arrayContaining([expect.objectContaining({ name: 'classify' })]),
      },
    });
  }, 120_000);
});
