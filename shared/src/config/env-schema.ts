import { z } from 'zod';

// Every variable any service reads is declared here, once. Each service picks
// the groups it needs (see services.ts), so a service never demands a variable
// it does not use.

const port = (fallback: number) => z.coerce.number().int().min(1).max(65_535).default(fallback);

const postgresUrl = z
  .string()
  .refine((v) => /^postgres(ql)?:\/\//.test(v) && URL.canParse(v), 'must be a postgres:// URL');

const httpUrl = z
  .string()
  .refine((v) => /^https?:\/\//.test(v) && URL.canParse(v), 'must be an http(s):// URL');

const redisUrl = z
  .string()
  .refine((v) => /^rediss?:\/\//.test(v) && URL.canParse(v), 'must be a redis:// URL');

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const common = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Build identity reported by health and version endpoints. */
  GIT_COMMIT: z.string().default('unknown'),
};

export const secret = {
  SECRET_KEY: z.string().min(32, 'must be at least 32 characters'),
};

export const database = {
  /** Runtime role: data access only. */
  DATABASE_URL: postgresUrl,
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
};

export const databaseMigrate = {
  /** Migration role: owns the schema. */
  DATABASE_MIGRATE_URL: postgresUrl,
};

export const objectStore = {
  MINIO_ENDPOINT: httpUrl,
  MINIO_ROOT_USER: z.string().min(3),
  MINIO_ROOT_PASSWORD: z.string().min(8, 'must be at least 8 characters'),
  MINIO_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid S3 bucket name')
    .default('docuvault'),
  MINIO_REGION: z.string().default('us-east-1'),
};

export const redis = {
  REDIS_URL: redisUrl,
  /** Prefix for every Redis key (BullMQ queues included), so tenants or tests can share a server. */
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]+$/)
    .default('docuvault'),
};

export const ports = {
  GATEWAY_PORT: port(4000),
  DOCUMENTS_PORT: port(4001),
  STORAGE_PORT: port(4002),
  OPS_PORT: port(4003),
  WORKER_HEALTH_PORT: port(4004),
  /** Address every service binds to. */
  HOST: z.string().default('127.0.0.1'),
};

export const subgraphUrls = {
  DOCUMENTS_URL: httpUrl.optional(),
  STORAGE_URL: httpUrl.optional(),
  OPS_URL: httpUrl.optional(),
};

export const uploads = {
  MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(100 * 1024 * 1024),
  MAX_FILES_PER_REQUEST: z.coerce.number().int().min(1).max(100).default(10),
};

export const worker = {
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
};

export const graphqlOptions = {
  GRAPHQL_INTROSPECTION: bool.optional(),
};
