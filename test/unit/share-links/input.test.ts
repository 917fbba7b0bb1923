import { describe, expect, it } from '@jest/globals';
import { linkStatus } from '@docuvault/documents/share-links/share-links.service';
import { defaultExpiry, parseCreateInput, parseUpdateInput } from '@docuvault/documents/share-links/input';
import { isLinkTokenShaped, newLinkToken } from '@docuvault/documents/share-links/tokens';
import { sharedDownloadSeconds } from '@docuvault/storage/downloads/downloads.service';

// The rules of a link's input, status and download lifetime, without a server: the clock is
// passed in, so "in the past" and "too far" are exact.

const now = new Date('2026-12-03T12:00:00.000Z');
const rules = { maxDays: 30, now };
const days = (n: number) => new Date(now.getTime() + n * 24 * 3600 * 1000);

const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    const { code, details } = error as { code: string; details?: Record<string, unknown> };
    return { code, argument: details?.argument };
  }
  throw new Error('not refused');
};

describe('createShareLink input', () => {
  it('defaults to 7 days, no password, no limit', () => {
    expect(parseCreateInput({}, rules)).toEqual({ expiresAt: days(7), password: null, maxDownloads: null });
  });

  it('cuts the default to the maximum when that is shorter', () => {
    expect(defaultExpiry({ maxDays: 3, now })).toEqual(days(3));
  });

  it('takes an expiry up to the maximum, a password and a limit', () => {
    expect(parseCreateInput({ expiresAt: days(30), password: 'pw', maxDownloads: 1 }, rules)).toEqual({
      expiresAt: days(30),
      password: 'pw',
      maxDownloads: 1,
    });
  });

  it.each([
    ['an expiry now', { expiresAt: now }, 'expiresAt'],
    ['an expiry in the past', { expiresAt: days(-1) }, 'expiresAt'],
    [
      'an expiry a millisecond past the maximum',
      { expiresAt: new Date(days(30).getTime() + 1) },
      'expiresAt',
    ],
    ['an invalid date', { expiresAt: new Date(Number.NaN) }, 'expiresAt'],
    ['maxDownloads 0', { maxDownloads: 0 }, 'maxDownloads'],
    ['maxDownloads 1.5', { maxDownloads: 1.5 }, 'maxDownloads'],
    ['maxDownloads past a million', { maxDownloads: 1_000_001 }, 'maxDownloads'],
    ['an empty password', { password: '' }, 'password'],
    ['a password of 1025 characters', { password: 'é'.repeat(1025) }, 'password'],
  ])('refuses %s', (_name, input, argument) => {
    expect(refusal(() => parseCreateInput(input, rules))).toEqual({ code: 'BAD_USER_INPUT', argument });
  });
});

describe('updateShareLink input', () => {
  it('changes only what is given; null removes the limit', () => {
    expect(parseUpdateInput({ maxDownloads: null }, rules)).toEqual({ maxDownloads: null });
    expect(parseUpdateInput({ expiresAt: days(2) }, rules)).toEqual({ expiresAt: days(2) });
  });

  it.each([
    ['nothing', {}, 'input'],
    ['a removed expiry', { expiresAt: null }, 'expiresAt'],
    ['an expiry in the past', { expiresAt: days(-1) }, 'expiresAt'],
    ['an expiry past the maximum', { expiresAt: days(31) }, 'expiresAt'],
    ['maxDownloads -1', { maxDownloads: -1 }, 'maxDownloads'],
  ])('refuses %s', (_name, input, argument) => {
    expect(refusal(() => parseUpdateInput(input, rules))).toEqual({ code: 'BAD_USER_INPUT', argument });
  });
});

describe('a link’s status', () => {
  const link = {
    id: 'l',
    documentId: 'd',
    createdAt: now,
    expiresAt: days(1),
    maxDownloads: 2,
    downloadCount: 0,
    hasPassword: false,
    revokedAt: null,
  };
  it('is ACTIVE, EXHAUSTED, EXPIRED or REVOKED, revocation first', () => {
    expect(linkStatus(link, now)).toBe('ACTIVE');
    expect(linkStatus({ ...link, downloadCount: 2 }, now)).toBe('EXHAUSTED');
    expect(linkStatus({ ...link, expiresAt: now, downloadCount: 2 }, now)).toBe('EXPIRED');
    expect(linkStatus({ ...link, expiresAt: now, revokedAt: now }, now)).toBe('REVOKED');
    expect(linkStatus({ ...link, maxDownloads: null, downloadCount: 1_000 }, now)).toBe('ACTIVE');
  });
});

describe('tokens', () => {
  it('are 43 base64url characters, different each time, and the hash is not the token', () => {
    const a = newLinkToken();
    const b = newLinkToken();
    expect(isLinkTokenShaped(a.token)).toBe(true);
    expect(a.token).not.toBe(b.token);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.hash).not.toContain(a.token);
    expect(isLinkTokenShaped(`${a.token}=`)).toBe(false);
  });
});

describe('a shared download’s lifetime', () => {
  const at = now.getTime();
  it('is the usual TTL, cut to what is left of the link, at least a second', () => {
    expect(sharedDownloadSeconds(900, days(1).toISOString(), at)).toBe(900);
    expect(sharedDownloadSeconds(900, new Date(at + 60_500).toISOString(), at)).toBe(60);
    expect(sharedDownloadSeconds(900, new Date(at - 5_000).toISOString(), at)).toBe(1);
    expect(sharedDownloadSeconds(900, 'not a date', at)).toBe(1);
  });
});
