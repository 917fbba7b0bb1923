import type { z } from 'zod';
import * as g from './env-schema.ts';

// What each process needs. A service's config is exactly the union of its groups.
export const gatewayEnv = {
  ...g.common,
  ...g.secret,
  ...g.ports,
  ...g.subgraphUrls,
  ...g.uploads,
  ...g.graphqlOptions,
  ...g.gatewayLimits,
  ...g.gatewayAuth,
  // Deleted accounts' tokens are refused by a revocation list in Redis (gateway/src/auth/).
  ...g.redis,
  // Its /health/ready shows dependency errors to the operator token (or an administrator).
  ...g.opsAuth,
};
export const documentsEnv = {
  ...g.common,
  ...g.secret,
  ...g.ports,
  ...g.database,
  ...g.objectStore,
  ...g.redis,
  ...g.uploads,
  ...g.graphqlOptions,
  ...g.subgraphSignature,
  ...g.accounts,
  ...g.quotaDefaults,
  ...g.directUploads,
  ...g.shareLinks,
};
// Presigned downloads only: direct uploads (tickets in PostgreSQL) are the documents subgraph's.
export const storageEnv = {
  ...g.common,
  ...g.secret,
  ...g.ports,
  ...g.objectStore,
  ...g.uploads,
  ...g.presign,
  ...g.subgraphSignature,
  // Remembers signed call ids, to refuse replays.
  ...g.redis,
};
export const opsEnv = {
  ...g.common,
  ...g.secret,
  ...g.ports,
  ...g.subgraphUrls,
  ...g.database,
  ...g.objectStore,
  ...g.redis,
  ...g.opsAuth,
  ...g.subgraphSignature,
};
export const workerEnv = {
  ...g.common,
  ...g.ports,
  ...g.database,
  ...g.objectStore,
  ...g.redis,
  ...g.worker,
};
export const migrateEnv = { ...g.common, ...g.databaseMigrate };

export type ConfigOf<S extends z.ZodRawShape> = Readonly<z.infer<z.ZodObject<S>>>;
export type GatewayConfig = ConfigOf<typeof gatewayEnv>;
export type DocumentsConfig = ConfigOf<typeof documentsEnv>;
export type StorageConfig = ConfigOf<typeof storageEnv>;
export type OpsConfig = ConfigOf<typeof opsEnv>;
export type WorkerConfig = ConfigOf<typeof workerEnv>;
export type MigrateConfig = ConfigOf<typeof migrateEnv>;

/** Where the gateway and ops find each subgraph when no URL is configured. */
export function subgraphUrl(
  config: { HOST: string; DOCUMENTS_PORT: number; STORAGE_PORT: number; OPS_PORT: number } & {
    DOCUMENTS_URL?: string | undefined;
    STORAGE_URL?: string | undefined;
    OPS_URL?: string | undefined;
  },
  name: 'documents' | 'storage' | 'ops',
): string {
  const explicit = { documents: config.DOCUMENTS_URL, storage: config.STORAGE_URL, ops: config.OPS_URL }[
    name
  ];
  const port = { documents: config.DOCUMENTS_PORT, storage: config.STORAGE_PORT, ops: config.OPS_PORT }[name];
  return explicit ?? `http://${config.HOST}:${port}/graphql`;
}

/**
 * Whether a subgraph refuses requests the gateway did not sign. Unset: yes,
 * except under NODE_ENV=test, where tests call in-process subgraphs directly.
 */
export function signatureRequired(config: {
  NODE_ENV: string;
  SUBGRAPH_REQUIRE_SIGNATURE?: boolean | undefined;
}): boolean {
  return config.SUBGRAPH_REQUIRE_SIGNATURE ?? config.NODE_ENV !== 'test';
}

/** Whether error responses may carry stack traces and raw messages (GRAPHQL_ERROR_DETAILS=true only). */
export function errorDetailsExposed(config: { GRAPHQL_ERROR_DETAILS: boolean }): boolean {
  return config.GRAPHQL_ERROR_DETAILS;
}
