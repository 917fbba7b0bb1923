import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { missingServiceNodeFlags, SERVICE_NODE_FLAGS } from '@docuvault/shared/system/node-flags';

// The flags services run with live in one list (shared/src/system/node-flags.ts). The
// launcher and the bench read it; the Dockerfile and package.json cannot import it, so
// they are checked against it here: the image runs what the list says, and the test
// scripts run the suites under the same AsyncLocalStorage implementation as production.

const repo = join(import.meta.dirname, '..', '..');
const read = (file: string) => readFileSync(join(repo, file), 'utf8');

describe('the Node.js flags of the services', () => {
  it('are set for every process of the image (Dockerfile NODE_OPTIONS)', () => {
    const options = /NODE_OPTIONS=("[^"]*"|\S+)/.exec(read('Dockerfile'))?.[1]?.replace(/"/g, '');
    expect(options).toBeDefined();
    expect(missingServiceNodeFlags([], options)).toEqual([]);
  });

  it('are set by every test script, so tests run what production runs', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    const jestScripts = Object.entries(scripts).filter(([, command]) => /\bjest\b/.test(command));
    expect(jestScripts.length).toBeGreaterThan(0);
    for (const [name, command] of jestScripts) {
      const options = /NODE_OPTIONS="([^"]*)"/.exec(command)?.[1] ?? '';
      expect({ name, missing: missingServiceNodeFlags([], options) }).toEqual({ name, missing: [] });
    }
  });

  it('are found whether given as arguments or in NODE_OPTIONS, and named when absent', () => {
    expect(missingServiceNodeFlags([...SERVICE_NODE_FLAGS], '')).toEqual([]);
    expect(missingServiceNodeFlags([], `--max-old-space-size=512 ${SERVICE_NODE_FLAGS.join(' ')}`)).toEqual(
      [],
    );
    expect(missingServiceNodeFlags(['--inspect'], '--max-old-space-size=512')).toEqual([
      ...SERVICE_NODE_FLAGS,
    ]);
  });
});
