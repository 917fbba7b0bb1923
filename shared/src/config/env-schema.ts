import { z } from 'zod';
import { READABLE_TYPES } from './readable-types.ts';

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
  /**
   * Stack traces and the raw message of unexpected errors in GraphQL responses, for a
   * developer's own machine. Off unless set to true: NODE_ENV does not turn it on, because
   * `npm start` runs with no NODE_ENV and small installations run exactly that.
   */
  GRAPHQL_ERROR_DETAILS: bool.default(false),
};

export const secret = {
  SECRET_KEY: z.string().min(32, 'must be at least 32 characters'),
};

export const database = {
  /** Runtime role: data access only. */
  DATABASE_URL: postgresUrl,
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  /**
   * Longest wait for a connection: opening one (a stalled server accepts the TCP
   * connection but never answers) or, with the pool exhausted, getting one from it.
   */
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  /**
   * Longest wait for one statement's answer: the server cancels it (statement_timeout)
   * and the driver gives up on a silent server (query_timeout) a little later.
   */
  DATABASE_QUERY_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(15_000),
};

export const databaseMigrate = {
  /** Migration role: owns the schema. */
  DATABASE_MIGRATE_URL: postgresUrl,
  /** lock_timeout of each migration: a blocked ALTER gives up rather than stall runtime queries behind it. */
  MIGRATE_LOCK_TIMEOUT_MS: z.coerce.number().int().min(1).max(3_600_000).default(10_000),
  /** statement_timeout of each migration; 0 = none (a file's header may set its own). */
  MIGRATE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(86_400_000).default(0),
  /** How long a runner waits for another runner's advisory lock before giving up. */
  MIGRATE_LOCK_WAIT_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
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
  /**
   * The store as clients reach it (e.g. http://localhost:9000 when MINIO_ENDPOINT is
   * http://minio:9000 inside compose). Presigned URLs are signed for this host, because
   * the host is part of the SigV4 signature. Unset: MINIO_ENDPOINT. Scheme, host and port only.
   */
  MINIO_PUBLIC_ENDPOINT: httpUrl
    .refine((v) => ['', '/'].includes(new URL(v).pathname), 'must have no path')
    .optional(),
  /**
   * An S3 request whose connection carries no byte either way for this long is given up
   * (connect included). An idle limit, not a total one: a large download may take long.
   */
  S3_IDLE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(15_000),
  /**
   * Deadline of one bounded S3 call on a request path (a PUT, one part of a multipart
   * upload, completing, aborting or removing): the request is aborted when it passes.
   */
  S3_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
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

export const presign = {
  /** Default lifetime of a presigned download URL, in seconds (S3 caps any presigned URL at 7 days). */
  PRESIGN_DOWNLOAD_TTL: z.coerce.number().int().min(1).max(604_800).default(900),
};

/** Direct uploads (requestUpload/completeUpload): served by the documents subgraph. */
export const directUploads = {
  /** Lifetime of a presigned upload (POST policy), in seconds. */
  PRESIGN_UPLOAD_TTL: z.coerce.number().int().min(1).max(604_800).default(900),
  /**
   * A POST that started before its policy expired may finish after it: its ticket can still
   * be completed this long after the expiry, and only then does the sweeper remove it.
   */
  UPLOAD_TICKET_GRACE_SECONDS: z.coerce.number().int().min(0).max(604_800).default(3_600),
};

export const uploads = {
  MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(100 * 1024 * 1024),
  MAX_FILES_PER_REQUEST: z.coerce.number().int().min(1).max(100).default(10),
  /**
   * Types an upload may have (sniffed from its bytes), comma-separated MIME types; only types
   * the worker can read (READABLE_TYPES) may be listed, so nothing is stored that is never read.
   */
  UPLOAD_ALLOWED_TYPES: z
    .string()
    .default(READABLE_TYPES.join(','))
    .transform((v) =>
      v
        .split(',')
        .map((t) => t.trim().toLowerCase())
        .filter((t) => t !== ''),
    )
    .refine((list) => list.length > 0 && list.every((t) => /^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(t)), {
      message: 'must be a comma-separated list of MIME types',
    })
    .refine((list) => list.every((t) => (READABLE_TYPES as readonly string[]).includes(t)), {
      message: `may list only types whose text the worker reads: ${READABLE_TYPES.join(', ')}`,
    }),
  /** An upload whose client sends no byte for this long is aborted (a stalled client must not hold a part open). */
  UPLOAD_IDLE_TIMEOUT_MS: z.coerce.number().int().min(1_000).default(60_000),
  /** The sweeper re-enqueues documents still UPLOADED this long after their last change. */
  UPLOAD_SWEEP_AFTER_SECONDS: z.coerce.number().int().min(1).default(300),
  UPLOAD_SWEEP_INTERVAL_SECONDS: z.coerce.number().int().min(1).default(60),
  /**
   * The upload sweeper aborts multipart uploads begun this long ago and never completed
   * (their process or the store died mid-upload); the bucket's lifecycle rule does the same
   * after this many whole days (at least one) where the store supports it. Longer than any
   * upload may take: a live upload older than this loses its parts.
   */
  MULTIPART_ABORT_AFTER_SECONDS: z.coerce.number().int().min(60).max(2_592_000).default(86_400),
};

export const worker = {
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /**
   * A job's lock. BullMQ renews it every half of this while the job runs, so a long job
   * keeps it; a killed worker's job is taken over once it lapses (at most lock + stalled
   * interval, ~15 s with the defaults, instead of BullMQ's ~60 s).
   */
  WORKER_LOCK_DURATION_MS: z.coerce.number().int().min(2_000).max(600_000).default(10_000),
  /** How often a worker looks for jobs whose worker died. */
  WORKER_STALLED_INTERVAL_MS: z.coerce.number().int().min(500).max(600_000).default(5_000),
  /** On SIGTERM: how long running jobs may take to finish before they are handed back to the queue. */
  WORKER_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(30_000),
  /** Extracted text kept (and classified) per document, in UTF-8 bytes; the rest is dropped. */
  EXTRACTED_TEXT_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1_024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
  /**
   * Memory of one text extraction, in MB. Each document's text is read in a child process
   * whose data segment the kernel caps (RLIMIT_DATA) at this less 64 MB for Node's own code,
   * with half of it for the JavaScript heap; over it the child dies, the worker does not.
   */
  EXTRACTION_MEMORY_LIMIT_MB: z.coerce.number().int().min(256).max(65_536).default(512),
  /** Wall time of one text extraction (download, parsing, OCR); then the child is killed. */
  EXTRACTION_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3_600).default(120),
  /** PDFs with more pages are not read (a household scanner's longest stays far below). */
  EXTRACTION_MAX_PAGES: z.coerce.number().int().min(1).max(1_000_000).default(2_000),
  /** DOCX: bytes one zip entry may unpack to; checked while unpacking, before any XML is parsed. */
  EXTRACTION_MAX_UNZIPPED_BYTES: z.coerce
    .number()
    .int()
    .min(1024 * 1024)
    .max(4 * 1024 * 1024 * 1024)
    .default(128 * 1024 * 1024),
  /** DOCX: highest unpacked-to-packed ratio of an entry past its first MB (zip bombs exceed it). */
  EXTRACTION_MAX_ZIP_RATIO: z.coerce.number().int().min(2).max(100_000).default(100),
  /**
   * Fairness: a document of at least this many bytes is a heavy job, and one owner runs at most
   * WORKER_HEAVY_JOBS_PER_OWNER heavy jobs at a time across all workers; the others wait
   * (delayed) while slots serve other owners and light documents.
   */
  WORKER_HEAVY_JOB_BYTES: z.coerce
    .number()
    .int()
    .min(0)
    .default(4 * 1024 * 1024),
  WORKER_HEAVY_JOBS_PER_OWNER: z.coerce.number().int().min(1).max(64).default(1),
  /**
   * Memory of one thumbnail renderer (pdftoppm, or libvips for images), in MB: the kernel caps
   * its data segment (RLIMIT_DATA) at this; over it the renderer dies and the document simply
   * has no thumbnail.
   */
  THUMBNAIL_MEMORY_LIMIT_MB: z.coerce.number().int().min(64).max(65_536).default(256),
  /** Wall time of one thumbnail (download, rendering, upload); then the renderer is killed. */
  THUMBNAIL_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3_600).default(30),
  /**
   * Thumbnail jobs one worker runs at once, on their own queue beside its WORKER_CONCURRENCY
   * classifications; 0: this worker makes none (another pool does, or they wait in the queue).
   */
  THUMBNAIL_CONCURRENCY: z.coerce.number().int().min(0).max(64).default(1),
  /**
   * OCR of scans (PDF pages without a text layer, PNG/JPEG/TIFF/WebP): `auto` uses tesseract
   * (+ pdftoppm for PDFs) found on the PATH; `off` never does (scans are then classified by title).
   */
  OCR: z.enum(['auto', 'off']).default('auto'),
  /** Tesseract languages, `+`-joined (`eng+deu`); each needs its tesseract-ocr-<lang> package. */
  OCR_LANGUAGES: z
    .string()
    .default('eng')
    .refine((v) => /^[a-z][a-z0-9_]*(\+[a-z][a-z0-9_]*)*$/i.test(v), {
      message: 'must be Tesseract language codes joined by + (e.g. eng+deu)',
    }),
  /** Pages OCRed per document (text-layer pages do not count); the rest are skipped and the document says so. */
  OCR_MAX_PAGES: z.coerce.number().int().min(1).max(100_000).default(50),
  /** Rendering or reading one page; a slower page is skipped (and counted), the rest go on. */
  OCR_PAGE_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3_600).default(60),
  /**
   * Largest page OCR decodes, in pixels (A4 at 600 dpi is 35 million). Images over it are
   * refused from their header, before decoding (decompression bombs); PDF pages are rendered
   * below 300 dpi to fit, and refused if they would need less than 70 dpi.
   */
  OCR_MAX_PIXELS: z.coerce.number().int().min(1_000_000).max(1_000_000_000).default(50_000_000),
  /** Time budget of one document's REGEX topics; a pattern that runs past it counts as no match. */
  CLASSIFIER_REGEX_TIMEOUT_MS: z.coerce.number().int().min(10).max(60_000).default(250),
  /** How often hand-set topics are compared with those the live model was trained on. */
  CLASSIFIER_LABEL_CHECK_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  /** A retraining waits this long for further label changes, so a burst of edits trains once. */
  CLASSIFIER_RETRAIN_DEBOUNCE_MS: z.coerce.number().int().min(0).max(3_600_000).default(10_000),
};

export const graphqlOptions = {
  GRAPHQL_INTROSPECTION: bool.optional(),
};

const limit = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

/** What the gateway accepts from a client; each refusal happens before any subgraph is called. */
export const gatewayLimits = {
  /** Deepest field nesting of an operation, fragments expanded (`{ a { b } }` is 2). */
  GRAPHQL_MAX_DEPTH: limit(1, 200, 15),
  /** Aliased fields in an operation, fragments expanded. */
  GRAPHQL_MAX_ALIASES: limit(0, 10_000, 30),
  /** Fields at the root of an operation, fragments expanded. */
  GRAPHQL_MAX_ROOT_FIELDS: limit(1, 1_000, 20),
  /** Directives in an operation (fields, fragments, spreads), fragments expanded. */
  GRAPHQL_MAX_DIRECTIVES: limit(0, 10_000, 50),
  /** Lexical tokens of a query document (the parser's maxTokens). */
  GRAPHQL_MAX_TOKENS: limit(100, 1_000_000, 15_000),
  /** Largest JSON request body, in bytes (uploads have MAX_UPLOAD_BYTES instead). */
  GRAPHQL_MAX_BODY_BYTES: limit(1_024, 64 * 1024 * 1024, 1024 * 1024),
  /** Operations in one batched request; 0 refuses batched requests. */
  GRAPHQL_MAX_BATCH_SIZE: limit(0, 100, 0),
  /** How long the gateway waits for a subgraph's answer (uploads: the idle timeout instead). */
  SUBGRAPH_TIMEOUT_MS: limit(100, 600_000, 10_000),
};

export const subgraphSignature = {
  /**
   * Whether a subgraph refuses GraphQL requests the gateway did not sign (with a key
   * derived from SECRET_KEY). Unset: true, except under NODE_ENV=test, where tests call
   * in-process subgraphs directly.
   */
  SUBGRAPH_REQUIRE_SIGNATURE: bool.optional(),
};

const megabytes = (fallback: number) =>
  z.coerce
    .number()
    .int()
    .min(1)
    .default(fallback * 1024 * 1024);

/** How the gateway decides who a request acts for (gateway/src/auth/). */
export const gatewayAuth = {
  /**
   * Requests without a token work in one shared anonymous vault. Off by default: every
   * document then belongs to a signed-in user. For single-user setups and benchmarks.
   */
  ALLOW_ANONYMOUS: bool.default(false),
  /** An external OIDC issuer's key set; its tokens are accepted besides our own. */
  AUTH_JWKS_URL: httpUrl.optional(),
  /** The `iss` those tokens must carry; required with AUTH_JWKS_URL. */
  AUTH_ISSUER: z.string().min(1).optional(),
  /** The `aud` those tokens must carry; unset: not checked. */
  AUTH_AUDIENCE: z.string().min(1).optional(),
  /**
   * Express's `trust proxy`: which proxies' X-Forwarded-For to believe for the client's
   * address (audit log, per-IP sign-in limits). Unset: none, the socket's peer is the client.
   */
  TRUST_PROXY: z.string().min(1).optional(),
  /**
   * How long a gateway may go on believing that an account is not deleted: it asks Redis
   * at most this often per user (0: on every request). A deleted account's access tokens
   * are refused by every gateway at most this long after the deletion answered.
   */
  AUTH_REVOCATION_CACHE_MS: z.coerce.number().int().min(0).max(5_000).default(1_000),
};

/** Accounts are created by registration (documents) and, for external identities, by any subgraph that writes. */
export const quotaDefaults = {
  /** Bytes a new user may store (admins change it per user with setQuota). */
  QUOTA_DEFAULT_BYTES: megabytes(100),
};

/** Accounts and tokens (documents subgraph: accounts/). */
export const accounts = {
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(900),
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** Failed and successful sign-ins allowed per email, and per client address, in each window. */
  LOGIN_LIMIT_PER_EMAIL: z.coerce.number().int().min(1).max(10_000).default(10),
  LOGIN_LIMIT_PER_IP: z.coerce.number().int().min(1).max(100_000).default(50),
  LOGIN_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  /**
   * How long the gateways are told to refuse the access tokens of a deleted account: at
   * least the lifetime of any access token they accept (ours: ACCESS_TOKEN_TTL_SECONDS, and
   * an external issuer's).
   */
  ACCOUNT_REVOCATION_TTL_SECONDS: z.coerce.number().int().min(60).max(2_592_000).default(86_400),
  /**
   * An external identity has no password here: deleteAccount asks for an access token its
   * issuer issued at most this long ago instead (a fresh sign-in).
   */
  ACCOUNT_DELETE_MAX_TOKEN_AGE_SECONDS: z.coerce.number().int().min(10).max(86_400).default(300),
};

/** Public share links of documents (documents subgraph: share-links/). */
export const shareLinks = {
  /** The longest a link may live, in days; a link without an expiry lives 7 days (or this, if shorter). */
  SHARE_LINK_MAX_DAYS: z.coerce.number().int().min(1).max(3_650).default(30),
  /**
   * Attempts to open a public link (right or wrong token) allowed per client address in
   * each window, counted like sign-ins (accounts/login-limits.ts) but in a budget of their own.
   */
  SHARE_LINK_LIMIT_PER_IP: z.coerce.number().int().min(1).max(100_000).default(60),
  SHARE_LINK_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
};

export const opsAuth = {
  /**
   * Operator token (X-Ops-Token) for automation without an account: every ops field but
   * public health (queues, failed jobs, versions, migration status, retry and pause), and
   * the error details of health reports (ops, the gateway's /health/ready). Unset: only
   * administrators get those. Printable ASCII without spaces, as a header value must carry it.
   */
  OPS_TOKEN: z
    .string()
    .min(32, 'must be at least 32 characters')
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
    .optional(),
};
