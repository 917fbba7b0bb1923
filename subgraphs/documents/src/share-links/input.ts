import { badInput } from '@docuvault/shared/errors/index';
import { MAX_PASSWORD_LENGTH } from '../accounts/credentials.ts';
import { characterCount } from '../documents/input.ts';

// What createShareLink and updateShareLink accept, checked before anything is written.
// Pure functions of the input, the clock and the configured maximum: unit-tested alone.

const DAY_MS = 24 * 3600 * 1000;
export const DEFAULT_LINK_DAYS = 7;
/** A link limit beyond this is no limit anyone means (and int4 holds it). */
export const MAX_DOWNLOADS_LIMIT = 1_000_000;

export interface LinkRules {
  maxDays: number;
  now: Date;
}

/** The expiry a new link gets: 7 days, or the configured maximum when that is shorter. */
export const defaultExpiry = ({ maxDays, now }: LinkRules): Date =>
  new Date(now.getTime() + Math.min(DEFAULT_LINK_DAYS, maxDays) * DAY_MS);

export function parseExpiry(expiresAt: Date, { maxDays, now }: LinkRules): Date {
  if (Number.isNaN(expiresAt.getTime())) throw badInput('expiresAt is not a date', { argument: 'expiresAt' });
  if (expiresAt.getTime() <= now.getTime()) {
    throw badInput('expiresAt must be in the future', { argument: 'expiresAt', reason: 'IN_THE_PAST' });
  }
  if (expiresAt.getTime() > now.getTime() + maxDays * DAY_MS) {
    throw badInput(`expiresAt must be at most ${maxDays} days from now`, {
      argument: 'expiresAt',
      reason: 'TOO_FAR',
      maxDays,
    });
  }
  return expiresAt;
}

export function parseMaxDownloads(value: number | null): number | null {
  if (value === null) return null;
  if (!Number.isInteger(value) || value < 1 || value > MAX_DOWNLOADS_LIMIT) {
    throw badInput(`maxDownloads must be between 1 and ${MAX_DOWNLOADS_LIMIT}, or null for no limit`, {
      argument: 'maxDownloads',
    });
  }
  return value;
}

/** A link's password: 1 to 1024 characters (bounds argon2's work), taken exactly as sent. */
export function parseLinkPassword(password: string | null | undefined): string | null {
  if (password === null || password === undefined) return null;
  const length = characterCount(password);
  if (length < 1 || length > MAX_PASSWORD_LENGTH) {
    throw badInput(`password must be between 1 and ${MAX_PASSWORD_LENGTH} characters`, {
      argument: 'password',
    });
  }
  return password;
}

export interface CreateLinkInput {
  expiresAt?: Date | null | undefined;
  password?: string | null | undefined;
  maxDownloads?: number | null | undefined;
}

export function parseCreateInput(input: CreateLinkInput, rules: LinkRules) {
  return {
    expiresAt:
      input.expiresAt === null || input.expiresAt === undefined
        ? defaultExpiry(rules)
        : parseExpiry(input.expiresAt, rules),
    password: parseLinkPassword(input.password),
    maxDownloads: parseMaxDownloads(input.maxDownloads ?? null),
  };
}

export interface UpdateLinkInput {
  expiresAt?: Date | null | undefined;
  maxDownloads?: number | null | undefined;
}

/** Absent fields stay as they are; `maxDownloads: null` removes the limit; `expiresAt: null` is refused. */
export function parseUpdateInput(
  input: UpdateLinkInput,
  rules: LinkRules,
): { expiresAt?: Date; maxDownloads?: number | null } {
  if (input.expiresAt === undefined && input.maxDownloads === undefined) {
    throw badInput('give expiresAt or maxDownloads to change', { argument: 'input' });
  }
  if (input.expiresAt === null) {
    throw badInput('expiresAt cannot be removed: every link expires', { argument: 'expiresAt' });
  }
  return {
    ...(input.expiresAt === undefined ? {} : { expiresAt: parseExpiry(input.expiresAt, rules) }),
    ...(input.maxDownloads === undefined ? {} : { maxDownloads: parseMaxDownloads(input.maxDownloads) }),
  };
}
