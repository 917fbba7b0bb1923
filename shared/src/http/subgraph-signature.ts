import { createHmac, hash, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { getOperationAST, parse } from 'graphql';
import { CLIENT_IP_HEADER, PRINCIPAL_HEADER } from '../auth/principal.ts';
import { ConfigError } from '../config/load-config.ts';
import type { Logger } from '../logging/logger.ts';
import { REQUEST_ID_HEADER } from './request-id.ts';
import type { ReplayGuard } from './signature-replay.ts';

// Subgraphs answer only the gateway. The gateway signs each request with HMAC-SHA256
// over a canonical string (method, path, timestamp, a fresh call id, request id, the
// principal it verified and the client's address, SHA-256 of the body),
// keyed by a key derived from SECRET_KEY with HKDF: the raw secret never keys anything
// directly, so this key cannot be mistaken for (or recovered from) any other use of it.
// A multipart upload is signed over its `operations` and `map` fields, which precede the
// files (the gateway streams the files and cannot hash them before sending): the
// operation and the variables are what a signature authorises, and the subgraph checks
// them before it reads a file. Each call id is accepted once (signature-replay.ts), so
// captured headers cannot be sent again, with the same body or another.
// docs/adr/0001-signed-subgraph-calls.md gives the reasons.

export const SIGNATURE_HEADER = 'x-docuvault-signature';
export const TIMESTAMP_HEADER = 'x-docuvault-timestamp';
export const CONTENT_SHA256_HEADER = 'x-docuvault-content-sha256';
/** A random id per subgraph call: what makes two signatures differ, and what replay protection remembers. */
export const CALL_ID_HEADER = 'x-docuvault-call-id';
/** How a multipart request's content hash starts: it covers `operations` and `map`, not the files. */
export const MULTIPART_FIELDS = 'MULTIPART-FIELDS:';
/** The scheme named in WWW-Authenticate when a subgraph refuses a request. */
export const SIGNATURE_SCHEME = 'DocuVault-HMAC-SHA256';
/** A signature older (or newer) than this is refused: a captured request cannot be replayed later. */
export const MAX_SKEW_SECONDS = 60;

const VERSION = 'v2';
const HKDF_SALT = 'docuvault';
const HKDF_INFO = 'docuvault/subgraph-request-signature/v1';
const SHA256_HEX = /^[0-9a-f]{64}$/;
const MULTIPART_HASH = /^MULTIPART-FIELDS:[0-9a-f]{64}$/;
const CALL_ID = /^[A-Za-z0-9-]{16,64}$/;

export type SigningKey = Buffer;

export function deriveSigningKey(secretKey: string): SigningKey {
  return Buffer.from(hkdfSync('sha256', secretKey, HKDF_SALT, HKDF_INFO, 32));
}

/** One-shot `hash` rather than createHash().update().digest(): half the cost, once per subgraph call. */
export const sha256Hex = (body: string | Uint8Array): string => hash('sha256', body, 'hex');

/** The content hash of a multipart request: its two JSON fields, each hashed, so neither can run into the other. */
export const multipartFieldsSha256 = (operations: string, map: string): string =>
  `${MULTIPART_FIELDS}${sha256Hex(`${sha256Hex(operations)}\n${sha256Hex(map)}`)}`;

export interface SignedParts {
  method: string;
  /** Path and query string, as the request line carries them (`/graphql`). */
  path: string;
  /** Unix seconds. */
  timestamp: number;
  /** Fresh for every call (CALL_ID_HEADER). */
  callId: string;
  requestId: string;
  /** Hex SHA-256 of the body, or multipartFieldsSha256 for a multipart upload. */
  contentSha256: string;
  /** The x-docuvault-principal header sent (shared/src/auth/principal.ts); '' when none. */
  principal: string;
  /** The x-docuvault-client-ip header sent; '' when none. */
  clientIp: string;
}

function hmac(key: SigningKey, parts: SignedParts): Buffer {
  const canonical = [
    SIGNATURE_SCHEME,
    parts.method.toUpperCase(),
    parts.path,
    String(parts.timestamp),
    parts.callId,
    parts.requestId,
    parts.principal,
    parts.clientIp,
    parts.contentSha256,
  ].join('\n');
  return createHmac('sha256', key).update(canonical, 'utf8').digest();
}

/** The headers that sign one request (request id, principal and client address travel in their own). */
export function signatureHeaders(key: SigningKey, parts: SignedParts): Record<string, string> {
  return {
    [TIMESTAMP_HEADER]: String(parts.timestamp),
    [CALL_ID_HEADER]: parts.callId,
    [CONTENT_SHA256_HEADER]: parts.contentSha256,
    [SIGNATURE_HEADER]: `${VERSION}=${hmac(key, parts).toString('hex')}`,
  };
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

export type Refusal = 'missing' | 'malformed' | 'stale' | 'invalid' | 'replayed';

const headerOf = (req: Request, name: string): string | undefined => {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
};

const isMultipart = (req: Request) => typeof req.is('multipart/form-data') === 'string';

export interface CheckedSignature {
  contentSha256: string;
  callId: string;
  timestamp: number;
}

/** Checks the signature headers of `req`; answers what they sign, or why they are refused. */
export function checkSignature(
  key: SigningKey,
  req: Request,
  now: number = nowSeconds(),
): CheckedSignature | { refusal: Refusal } {
  const signature = headerOf(req, SIGNATURE_HEADER);
  const timestamp = headerOf(req, TIMESTAMP_HEADER);
  const contentSha256 = headerOf(req, CONTENT_SHA256_HEADER);
  const callId = headerOf(req, CALL_ID_HEADER);
  if (
    signature === undefined ||
    timestamp === undefined ||
    contentSha256 === undefined ||
    callId === undefined
  ) {
    return { refusal: 'missing' };
  }
  const presented = /^v2=([0-9a-f]{64})$/.exec(signature)?.[1];
  const hashShape = (isMultipart(req) ? MULTIPART_HASH : SHA256_HEX).test(contentSha256);
  if (!presented || !/^\d{1,12}$/.test(timestamp) || !hashShape || !CALL_ID.test(callId)) {
    return { refusal: 'malformed' };
  }
  if (Math.abs(now - Number(timestamp)) > MAX_SKEW_SECONDS) return { refusal: 'stale' };
  const expected = hmac(key, {
    method: req.method,
    path: req.originalUrl,
    timestamp: Number(timestamp),
    callId,
    requestId: headerOf(req, REQUEST_ID_HEADER) ?? '',
    principal: headerOf(req, PRINCIPAL_HEADER) ?? '',
    clientIp: headerOf(req, CLIENT_IP_HEADER) ?? '',
    contentSha256,
  });
  if (!timingSafeEqual(expected, Buffer.from(presented, 'hex'))) return { refusal: 'invalid' };
  return { contentSha256, callId, timestamp: Number(timestamp) };
}

/** A 401 in the shape of a GraphQL response, so the gateway (and a curious human) can read it. */
export function refuseSignature(res: Response, refusal: Refusal): void {
  res
    .status(401)
    .set('www-authenticate', `${SIGNATURE_SCHEME} error="${refusal}"`)
    .json({
      errors: [
        {
          message: 'This service answers only requests signed by the gateway',
          extensions: { code: 'UNAUTHENTICATED' },
        },
      ],
    });
}

/** Replay protection could not be checked (Redis away) for a call that may change something. */
function refuseUnchecked(res: Response): void {
  res
    .status(503)
    .set('retry-after', '5')
    .json({
      errors: [
        {
          message: 'A service is unavailable; try again later',
          extensions: { code: 'SERVICE_UNAVAILABLE' },
        },
      ],
    });
}

const BODY_MISMATCH = 'docuvault.signature.body';

/** Multipart requests whose signature the guard accepted: the fields hash it covers. */
const signedFields = new WeakMap<Request, string>();
/** Multipart requests whose `operations` and `map` were found to be what was signed. */
const fieldsVerified = new WeakSet<Request>();

/**
 * For the multipart parser, once it has read `operations` and `map` and before it reads
 * any file: are they the fields the gateway signed? Undefined when they are (or when this
 * service does not require signatures), else the refusal to answer with refuseSignature.
 */
export function verifyMultipartFields(req: Request, operations: string, map: string): Refusal | undefined {
  const signed = signedFields.get(req);
  if (signed === undefined) return undefined;
  const presented = Buffer.from(multipartFieldsSha256(operations, map));
  const expected = Buffer.from(signed);
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) return 'invalid';
  fieldsVerified.add(req);
  return undefined;
}

/**
 * Whether a verified JSON body may change something: anything but a plain query (a
 * document that does not parse counts as a change; Apollo refuses it anyway). Parsed
 * only on the rare path where replay protection could not be checked.
 */
function mayChangeSomething(body: unknown): boolean {
  const { query, operationName } = (body ?? {}) as { query?: unknown; operationName?: unknown };
  if (typeof query !== 'string') return true;
  try {
    const operation = getOperationAST(parse(query), typeof operationName === 'string' ? operationName : null);
    return operation?.operation !== 'query';
  } catch {
    return true;
  }
}

export interface GatewaySignatureGuard {
  /** Before any body parsing: checks the headers, and that the call id was not used before. */
  readonly checkHeaders: RequestHandler;
  /** `verify` of express.json: the raw body must hash to what was signed. */
  readonly verifyBody: (req: Request, res: Response, body: Buffer) => void;
  /** After express.json: answers a body mismatch, and refuses a non-multipart body never verified. */
  readonly afterBody: [ErrorRequestHandler, RequestHandler];
  /** After multipart parsing: refuses a multipart request whose fields nobody verified. */
  readonly afterMultipart: RequestHandler;
}

/**
 * The subgraph side. Order on the GraphQL route: checkHeaders, express.json({ verify:
 * verifyBody }), ...afterBody, multipart parsing (which calls verifyMultipartFields before
 * reading a file), afterMultipart, then Apollo. A multipart request is signed over its
 * `operations` and `map`; any other request must carry JSON whose hash was signed.
 *
 * Redis away (the call id cannot be remembered): a multipart upload, a mutation or
 * anything that is not plainly a query is refused with 503 SERVICE_UNAVAILABLE; a query
 * is served, and the gap logged. docs/adr/0001-signed-subgraph-calls.md says why.
 */
export function gatewaySignatureGuard(
  secretKey: string,
  logger: Logger,
  replay: ReplayGuard,
): GatewaySignatureGuard {
  const key = deriveSigningKey(secretKey);
  const signedHashes = new WeakMap<Request, string>();
  const verified = new WeakSet<Request>();
  /** Served although its call id could not be remembered: only a query may go on. */
  const unchecked = new WeakSet<Request>();
  const refuseAndLog = (req: Request, res: Response, refusal: Refusal) => {
    logger.warn(
      { refusal, path: req.originalUrl },
      'refused a subgraph request without a valid gateway signature',
    );
    refuseSignature(res, refusal);
  };
  return {
    async checkHeaders(req, res, next) {
      const result = checkSignature(key, req);
      if ('refusal' in result) return refuseAndLog(req, res, result.refusal);
      const claim = await replay.claim(result.callId, result.timestamp);
      if (claim === 'replayed') return refuseAndLog(req, res, 'replayed');
      if (claim === 'unavailable') {
        if (isMultipart(req)) return refuseUnchecked(res);
        unchecked.add(req);
      }
      if (isMultipart(req)) signedFields.set(req, result.contentSha256);
      else signedHashes.set(req, result.contentSha256);
      next();
    },
    verifyBody(req, _res, body) {
      const signed = signedHashes.get(req);
      if (signed === undefined) return;
      if (sha256Hex(body) !== signed) {
        throw Object.assign(new Error('the body does not match its signature'), { type: BODY_MISMATCH });
      }
      verified.add(req);
    },
    afterBody: [
      (error: unknown, req, res, next) => {
        if ((error as { type?: unknown } | null)?.type !== BODY_MISMATCH) return next(error);
        refuseAndLog(req, res, 'invalid');
      },
      (req, res, next) => {
        if (signedFields.has(req)) return next();
        // Not JSON (express.json read nothing), or no body at all: what was signed went unchecked.
        if (!verified.has(req)) return refuseAndLog(req, res, 'invalid');
        if (unchecked.has(req) && mayChangeSomething(req.body)) {
          logger.warn(
            { path: req.originalUrl },
            'refused a change: its call id could not be checked for replay',
          );
          return refuseUnchecked(res);
        }
        if (unchecked.has(req)) logger.warn('served a query whose call id could not be checked for replay');
        next();
      },
    ],
    afterMultipart(req, res, next) {
      if (signedFields.has(req) && !fieldsVerified.has(req)) return refuseAndLog(req, res, 'invalid');
      next();
    },
  };
}

export interface SignatureOptions {
  /** Service name, for the configuration error. */
  name: string;
  logger: Logger;
  /** From the service's config: `signatureRequired(config)`. */
  requireGatewaySignature: boolean;
  /** The service's SECRET_KEY, which the gateway's signing key is derived from. */
  gatewaySecretKey: string | undefined;
  /** Remembers call ids (signature-replay.ts); required when signatures are. */
  replayGuard?: ReplayGuard | undefined;
}

/** The guard a subgraph applies, or undefined when it accepts unsigned requests. */
export function gatewaySignatureFor(options: SignatureOptions): GatewaySignatureGuard | undefined {
  if (!options.requireGatewaySignature) return undefined;
  if (!options.gatewaySecretKey) {
    throw new ConfigError(options.name, [
      'SECRET_KEY: required but not set (the subgraph checks the gateway’s signatures with it)',
    ]);
  }
  if (!options.replayGuard) {
    throw new ConfigError(options.name, [
      'REDIS_URL: required (the subgraph remembers each signed call id there, to refuse replays)',
    ]);
  }
  return gatewaySignatureGuard(options.gatewaySecretKey, options.logger, options.replayGuard);
}
