import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, type DocumentNode } from 'graphql';

/**
 * Reads every `.graphql` file under `dir` (sorted, so composition is
 * deterministic): a feature's schema lives in its own folder next to its
 * resolvers, and this joins them into one subgraph SDL.
 */
export function loadTypeDefs(dir: string): DocumentNode {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.graphql'))
    .sort();
  if (files.length === 0) throw new Error(`no .graphql files under ${dir}`);
  return parse(files.map((file) => readFileSync(join(dir, file), 'utf8')).join('\n'));
}
