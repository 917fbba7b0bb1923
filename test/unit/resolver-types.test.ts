import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import * as add from '@graphql-codegen/add';
import { generate, type CodegenConfig } from '@graphql-codegen/cli';
import * as typescript from '@graphql-codegen/typescript';
import * as typescriptResolvers from '@graphql-codegen/typescript-resolvers';
import config from '../../codegen.ts';

// Run `npm run codegen` when this fails: a subgraph's .graphql files (or codegen.ts) changed
// and its src/generated/resolvers-types.ts was not written again. Codegen runs here in
// memory, from the same config `npm run codegen` reads; nothing is written.

const repo = join(import.meta.dirname, '..', '..');

/**
 * The plugins codegen.ts names, imported here: codegen's own loader imports them while it
 * runs, which jest's module linker does not survive (two plugins sharing a dependency,
 * imported at once).
 */
type PluginLoader = NonNullable<CodegenConfig['pluginLoader']>;
const plugins: Record<string, Awaited<ReturnType<PluginLoader>>> = {
  '@graphql-codegen/add': add,
  '@graphql-codegen/typescript': typescript,
  '@graphql-codegen/typescript-resolvers': typescriptResolvers,
};
const pluginLoader: PluginLoader = async (name) => {
  const plugin = plugins[name];
  if (plugin) return plugin;
  // What codegen expects for a name it tries that is not the plugin's package.
  throw Object.assign(new Error(`not a plugin of codegen.ts: ${name}`), { code: 'MODULE_NOT_FOUND' });
};

describe('the committed resolver types', () => {
  it('equal a fresh codegen run over each subgraph schema', async () => {
    const outputs = (await generate({ ...config, cwd: repo, pluginLoader }, false)) as {
      filename: string;
      content: string;
    }[];
    const fresh = new Map(outputs.map((output) => [output.filename, output.content]));
    expect([...fresh.keys()].sort()).toEqual(Object.keys(config.generates).sort());
    for (const [file, content] of fresh) {
      expect({ file, content: readFileSync(join(repo, file), 'utf8') }).toEqual({ file, content });
    }
  });
});
