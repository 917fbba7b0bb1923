import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';

// `npm run lint` runs dependency-cruiser (.dependency-cruiser.js) over the workspaces. These tests
// prove it fails on the imports it exists to catch, using the known-bad files under
// test/fixtures/boundaries/ (left out of the normal lint and typecheck), and passes on the real tree.

const repo = join(import.meta.dirname, '..', '..');
const depcruise = join(repo, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruiser.mjs');
const fixtures = 'test/fixtures/boundaries/subgraphs/storage/src';

interface Run {
  code: number;
  output: string;
}

function cruise(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [depcruise, ...args], { cwd: repo }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

const violations = (output: string) =>
  output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('error '));

describe('npm run lint:boundaries', () => {
  it('fails a subgraph that imports another subgraph by relative path', async () => {
    const run = await cruise(`${fixtures}/imports-subgraph-by-path.ts`);
    expect(run.code).not.toBe(0);
    expect(violations(run.output)).toEqual([
      'error no-cross-subgraph: test/fixtures/boundaries/subgraphs/storage/src/imports-subgraph-by-path.ts → ' +
        'test/fixtures/boundaries/subgraphs/documents/src/owned.ts',
    ]);
  });

  it("fails a subgraph that imports another subgraph's workspace package", async () => {
    const run = await cruise(`${fixtures}/imports-subgraph-by-name.ts`);
    expect(run.code).not.toBe(0);
    expect(violations(run.output)).toContain(
      'error no-cross-subgraph: test/fixtures/boundaries/subgraphs/storage/src/imports-subgraph-by-name.ts → ' +
        'node_modules/@docuvault/documents/src/type-defs.ts',
    );
  });

  it("fails an import of a package its workspace's package.json does not declare", async () => {
    const run = await cruise(`${fixtures}/imports-undeclared.ts`);
    expect(run.code).not.toBe(0);
    expect(violations(run.output)).toEqual([
      expect.stringMatching(
        /^error no-non-package-json: test\/fixtures\/boundaries\/subgraphs\/storage\/src\/imports-undeclared\.ts → node_modules\/minio\//,
      ),
    ]);
  });

  it('fails a service that imports the local-stack workspace package (development tooling)', async () => {
    const run = await cruise(`${fixtures}/imports-local-stack-by-name.ts`);
    expect(run.code).not.toBe(0);
    expect(violations(run.output)).toContain(
      'error no-local-stack-from-services: test/fixtures/boundaries/subgraphs/storage/src/imports-local-stack-by-name.ts → ' +
        'node_modules/@docuvault/local-stack/src/free-port.ts',
    );
  });

  it("fails a service that reaches into the local-stack workspace's folder by relative path", async () => {
    const run = await cruise(`${fixtures}/imports-local-stack-by-path.ts`);
    expect(run.code).not.toBe(0);
    expect(violations(run.output)).toEqual([
      'error no-local-stack-from-services: test/fixtures/boundaries/subgraphs/storage/src/imports-local-stack-by-path.ts → ' +
        'test/fixtures/boundaries/devkit/local-stack/src/daemon.ts',
    ]);
  });

  it('passes a fixture that imports only built-ins (the rules are not simply failing everything)', async () => {
    const run = await cruise(`${fixtures}/clean.ts`);
    expect(violations(run.output)).toEqual([]);
    expect(run.code).toBe(0);
  });

  it('passes the real workspaces, as npm run lint runs it', async () => {
    const run = await cruise('shared', 'gateway', 'subgraphs', 'devkit/local-stack');
    expect(violations(run.output)).toEqual([]);
    expect(run.code).toBe(0);
  });
});
