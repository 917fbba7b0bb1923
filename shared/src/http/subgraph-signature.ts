import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { CLIENT_IP_HEADER, PRINCIPAL_HEADER } from '../auth/principal.ts';
import { ConfigError } from '../config/load-config.ts';
import type { Logger } from '../logging/logger.ts';
import { REQUEST_ID_HEADER } from './request-id.ts';

// Subgraphs answer only the gateway. The gateway signs each request with HMAC-SHA256
// over a canonical string (method, path, timestamp, request id, the principal it
// verified and the client's address, SHA-256 of the body),
// keyed by a key derived from SECRET_KEY with HKDF: the raw secret never keys anything
// directly, so this key cannot be mistaken for (or recovered from) any other use of it.
// Multipart uploads are signed without their body (`UNSIGNED-PAYLOAD`, as in AWS SigV4):
// the gateway streams the files and cannot hash them before sending.

export const SIGNATURE_HEADER = 'x-docuvault-signature';
export const TIMESTAMP_HEADER = 'x-docuvault-timestamp';
export const CONTENT_SHA256_HEADER = 'x-docuvault-content-sha256';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
/** The scheme named in WWW-Authenticate when a subgraph refuses a request. */
export const SIGNATURE_SCHEME = 'DocuVault-HMAC-SHA256';
/** A signature older (or newer) than this is refused: a captured request cannot be replayed later. */
export const MAX_SKEW_SECONDS = 60;

const VERSION = 'v1';
const HKDF_SALT = 'docuvault';
const HKDF_INFO = 'docuvault/subgraph-request-signature/v1';
const SHA256_HEX = /^[0-9a-f]{64}$/;

export type SigningKey = Buffer;

export function deriveSigningKey(secretKey: string): SigningKey {
  return Buffer.from(hkdfSync('sha256', secretKey, HKDF_SALT, HKDF_INFO, 32));
}

export const sha256Hex = (body: string | Uint8Array): string =>
  createHash('sha256').update(body).digest('hex');

export interface SignedParts {
  method: string;
  /** Path and query string, as the request line carries them (`/graphql`). */
  path: string;
  /** Unix seconds. */
  timestamp: number;
  requestId: string;
  /** Hex SHA-256 of the body, or UNSIGNED_PAYLOAD for a multipart upload. */
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
    [CONTENT_SHA256_HEADER]: parts.contentSha256,
    [SIGNATURE_HEADER]: `${VERSION}=${hmac(key, parts).toString('hex')}`,
  };
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

export type Refusal = 'missing' | 'malformed' | 'stale' | 'invalid';

const headerOf = (req: Request, name: string): string | undefined => {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
};

/** Checks the signature headers of `req`; answers the signed body hash, or why it is refused. */
export function checkSignature(
  key: SigningKey,
  req: Request,
  now: number = nowSeconds(),
): { contentSha256: string } | { refusal: Refusal } {
  const signature = headerOf(req, SIGNATURE_HEADER);
  const timestamp = headerOf(req, TIMESTAMP_HEADER);
  const contentSha256 = headerOf(req, CONTENT_SHA256_HEADER);
  if (signature === undefined || timestamp === undefined || contentSha256 === undefined) {
    return { refusal: 'missing' };
  }
  const presented = /^v1=([0-9a-f]{64})$/.exec(signature)?.[1];
  const multipart = typeof req.is('multipart/form-data') === 'string';
  const hashShape = multipart ? contentSha256 === UNSIGNED_PAYLOAD : SHA256_HEX.test(contentSha256);
  if (!presented || !/^\d{1,12}$/.test(timestamp) || !hashShape) return { refusal: 'malformed' };
  if (Math.abs(now - Number(timestamp)) > MAX_SKEW_SECONDS) return { refusal: 'stale' };
  const expected = hmac(key, {
    method: req.method,
    path: req.originalUrl,
    timestamp: Number(timestamp),
    requestId: headerOf(req, REQUEST_ID_HEADER) ?? '',
    principal: headerOf(req, PRINCIPAL_HEADER) ?? '',
    clientIp: headerOf(req, CLIENT_IP_HEADER) ?? '',
    contentSha256,
  });
  if (!timingSafeEqual(expected, Buffer.from(presented, 'hex'))) return { refusal: 'invalid' };
  return { contentSha256 };
}

/** A 401 in the shape of a GraphQL response, so the gateway (and a curious human) can read it. */
function refuse(res: Response, refusal: Refusal): void {
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

const BODY_MISMATCH = 'docuvault.signature.body';

export interface GatewaySignatureGuard {
  /** Before any body parsing: checks the headers. */
  readonly checkHeaders: RequestHandler;
  /** `verify` of express.json: the raw body must hash to what was signed. */
  readonly verifyBody: (req: Request, res: Response, body: Buffer) => void;
  /** After express.json: answers a body mismatch, and refuses a non-multipart body never verified. */
  readonly afterBody: [ErrorRequestHandler, RequestHandler];
}

/**
 * The subgraph side. Order on the GraphQL route: checkHeaders, express.json({ verify:
 * verifyBody }), ...afterBody, then multipart parsing and Apollo. A multipart request is
 * signed without its body; any other request must carry JSON whose hash was signed.
 */
export function gatewaySignatureGuard(secretKey: string, logger: Logger): GatewaySignatureGuard {
  const key = deriveSigningKey(secretKey);
  const signedHashes = new WeakMap<Request, string>();
  const verified = new WeakSet<Request>();
  const refuseAndLog = (req: Request, res: Response, refusal: Refusal) => {
    logger.warn(
      { refusal, path: req.originalUrl },
      'refused a subgraph request without a valid gateway signature',
    );
    refuse(res, refusal);
  };
  return {
    checkHeaders(req, res, next) {
      const result = checkSignature(key, req);
      if ('refusal' in result) return refuseAndLog(req, res, result.refusal);
      signedHashes.set(req, result.contentSha256);
      next();
    },
    verifyBody(req, _res, body) {
      const signed = signedHashes.get(req);
      if (signed === undefined || signed === UNSIGNED_PAYLOAD) return;
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
        if (signedHashes.get(req) === UNSIGNED_PAYLOAD || verified.has(req)) return next();
        // Not JSON (express.json read nothing), or no body at all: what was signed went unchecked.
        refuseAndLog(req, res, 'invalid');
      },
    ],
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
}

/** The guard a subgraph applies, or undefined when it accepts unsigned requests. */
export function gatewaySignatureFor(options: SignatureOptions): GatewaySignatureGuard | undefined {
  if (!options.requireGatewaySignature) return undefined;
  if (!options.gatewaySecretKey) {
    throw new ConfigError(options.name, [
      'SECRET_KEY: required but not set (the subgraph checks the gateway’s signatures with it)',
    ]);
  }
  return gatewaySignatureGuard(options.gatewaySecretKey, options.logger);
}
