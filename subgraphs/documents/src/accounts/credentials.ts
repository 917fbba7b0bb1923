import { isIP } from 'node:net';
import { normaliseEmail } from '@docuvault/shared/auth/email';
import { badInput } from '@docuvault/shared/errors/index';
import { characterCount } from '../documents/input.ts';

// What a sign-in is made of, checked before anything touches the database or Redis.
// Pure functions: the rules are unit-tested without a server.

/** RFC 5321's limit on a forward path; the database keeps the address as given here. */
export const MAX_EMAIL_LENGTH = 254;
export const MIN_PASSWORD_LENGTH = 10;
/** Bounds the work argon2 does for one request. */
export const MAX_PASSWORD_LENGTH = 1024;

/** One `@`, something on both sides, a dot in the domain, no whitespace or control characters. */
const EMAIL_SHAPE = /^[^\s@\p{Cc}\p{Cs}]+@[^\s@\p{Cc}\p{Cs}]+\.[^\s@\p{Cc}\p{Cs}.]{2,}$/u;

/** What PostgreSQL cannot store in text or jsonb: NUL (any control character, to be plain) and lone surrogates. */
const UNSTORABLE = /[\p{Cc}\p{Cs}]/u;

export { normaliseEmail };

/** register's email: normalised, shaped like an address, at most 254 characters. */
export function parseEmail(email: string): string {
  const normalised = normaliseEmail(email);
  if (characterCount(normalised) > MAX_EMAIL_LENGTH) {
    throw badInput(`email must be at most ${MAX_EMAIL_LENGTH} characters`, { argument: 'email' });
  }
  if (!EMAIL_SHAPE.test(normalised) || normalised.includes('..')) {
    throw badInput('email is not an email address', { argument: 'email' });
  }
  return normalised;
}

/** register's password: 10 to 1024 characters (code points), taken exactly as sent. */
export function parsePassword(password: string): string {
  const length = characterCount(password);
  if (length < MIN_PASSWORD_LENGTH || length > MAX_PASSWORD_LENGTH) {
    throw badInput(`password must be between ${MIN_PASSWORD_LENGTH} and ${MAX_PASSWORD_LENGTH} characters`, {
      argument: 'password',
    });
  }
  return password;
}

/**
 * login's input: bounded and storable (the email goes into the audit line), not judged
 * otherwise: a wrong shape is just a wrong email, answered "Email or password is wrong".
 */
export function parseSignIn(email: string, password: string): { email: string; password: string } {
  const normalised = normaliseEmail(email);
  if (characterCount(normalised) > MAX_EMAIL_LENGTH) {
    throw badInput(`email must be at most ${MAX_EMAIL_LENGTH} characters`, { argument: 'email' });
  }
  if (UNSTORABLE.test(normalised)) {
    throw badInput('email must not contain control characters', { argument: 'email' });
  }
  if (characterCount(password) > MAX_PASSWORD_LENGTH) {
    throw badInput(`password must be at most ${MAX_PASSWORD_LENGTH} characters`, { argument: 'password' });
  }
  return { email: normalised, password };
}

/**
 * The per-address rate-limit bucket of a client address. An IPv6 client usually holds a
 * whole /64, so its bucket is the /64; an IPv4-mapped IPv6 address is its IPv4 address.
 * Anything that is not an address (or no address) shares the bucket `unknown`.
 */
export function addressBucket(ip: string | undefined): string {
  if (ip === undefined) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  if (mapped !== undefined && isIP(mapped) === 4) return mapped;
  const version = isIP(ip);
  if (version === 4) return ip;
  if (version !== 6) return 'unknown';
  return `${expandIpv6(ip).slice(0, 4).join(':')}::/64`;
}

/** The eight hextets of an IPv6 address (zone and embedded IPv4 tail handled). */
function expandIpv6(ip: string): string[] {
  let address = ip.toLowerCase().replace(/%.*$/, '');
  const ipv4Tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  if (ipv4Tail) {
    const [a, b, c, d] = ipv4Tail.slice(1).map(Number) as [number, number, number, number];
    const tail = `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
    address = address.slice(0, ipv4Tail.index) + tail;
  }
  const [head = '', tail] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((hextet) => Number.parseInt(hextet, 16).toString(16));
}
