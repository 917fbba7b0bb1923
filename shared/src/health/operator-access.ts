import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { OPS_TOKEN_HEADER } from '../auth/principal.ts';

// The operator token (OPS_TOKEN, sent as X-Ops-Token) opens what only operators see: every
// ops field but public health, and the error details of health reports. It is compared as
// SHA-256 digests with timingSafeEqual: equal lengths always, so neither its content nor
// its length leaks through timing.

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** True only when a token is configured and the presented one is exactly it. */
export function opsTokenMatches(configured: string | undefined, presented: string | undefined): boolean {
  if (configured === undefined || presented === undefined) return false;
  return timingSafeEqual(digest(presented), digest(configured));
}

/** The X-Ops-Token header's value, when one (non-empty) was sent. */
export function opsTokenHeader(headers: IncomingHttpHeaders): string | undefined {
  const header = headers[OPS_TOKEN_HEADER];
  return typeof header === 'string' && header !== '' ? header : undefined;
}
