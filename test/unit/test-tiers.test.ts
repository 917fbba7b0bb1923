import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';

// The tiers are only as good as their edges: every test file runs in exactly one tier
// (none silently dropped from `npm test`), and the unit tier cannot reach a service.

const root = path.resolve(import.meta.dirname, '../..');

interface Project {
  displayName: string;
  testMatch: string[];
}

// By path: jest.config.js is plain JavaScript without types.
const config = (await import(path.join(root, 'jest.config.js'))) as { default: { projects: Project[] } };
const projects = config.default.projects;

function testFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.ts'))
    .map((file) => path.join(dir, file));
}

describe('test tiers', () => {
  it('has the unit, integration, e2e, hostile and faults projects', () => {
    expect(projects.map((project) => project.displayName)).toEqual([
      'unit',
      'integration',
      'e2e',
      'hostile',
      'faults',
    ]);
  });

  it('runs every test file under test/ in exactly one tier', () => {
    const files = testFiles(path.join(root, 'test'));
    expect(files.length).toBeGreaterThan(50);
    const unplaced = files.flatMap((file) => {
      const tiers = projects.filter((project) =>
        project.testMatch.some((glob) => path.matchesGlob(file, glob.replace('<rootDir>', root))),
      );
      return tiers.length === 1 ? [] : [`${path.relative(root, file)}: ${tiers.length} tiers`];
    });
    expect(unplaced).toEqual([]);
  });

  it('gives unit tests none of the harness variables', () => {
    expect(Object.keys(process.env).filter((name) => name.startsWith('TEST_'))).toEqual([]);
  });

  it.each([
    '../support/database.ts',
    '../support/redis.ts',
    '../support/s3.ts',
    '../support/stacks/index.ts',
    '../setup/global-setup.ts',
    '../../devkit/scratch/database.ts',
    '../../devkit/worker-process.ts',
    '@docuvault/local-stack/index',
    '@docuvault/local-stack/redis',
  ])('refuses a unit test that imports %s', async (specifier) => {
    await expect(import(specifier)).rejects.toThrow('The unit tier uses no services');
  });
});
