import { describe, expect, it } from '@jest/globals';
import {
  addressBucket,
  normaliseEmail,
  parseEmail,
  parsePassword,
  parseSignIn,
} from '@docuvault/documents/accounts/credentials';
import {
  hashRefreshToken,
  isRefreshTokenShaped,
  newRefreshToken,
} from '@docuvault/documents/accounts/refresh-tokens';

function badInputArgument(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return (error as { code?: string; details?: { argument?: string } }).code === 'BAD_USER_INPUT'
      ? (error as { details: { argument: string } }).details.argument
      : error;
  }
  return 'no error';
}

describe('email addresses', () => {
  it('are trimmed, lower-cased and NFC-normalised', () => {
    expect(normaliseEmail('  Alice@Example.COM \n')).toBe('alice@example.com');
    expect(normaliseEmail('Ze\u0301lie@example.com')).toBe('z\u00e9lie@example.com');
    expect(parseEmail('\tBOB@Example.org ')).toBe('bob@example.org');
  });

  it.each([
    'plain',
    '@example.com',
    'alice@',
    'alice@example',
    'alice@@example.com',
    'al ice@example.com',
    'alice@exa mple.com',
    'alice@example..com',
    'alice@example.c',
    'alice\u0000@example.com',
    'alice\ud800@example.com',
  ])('refuses %j', (email) => {
    expect(badInputArgument(() => parseEmail(email))).toBe('email');
  });

  it('accepts 254 characters and refuses 255', () => {
    const at254 = `${'a'.repeat(254 - '@example.com'.length)}@example.com`;
    expect(parseEmail(at254)).toBe(at254);
    expect(badInputArgument(() => parseEmail(`a${at254}`))).toBe('email');
  });

  it('accepts addresses with plus signs, dots, subdomains and non-ASCII letters', () => {
    expect(parseEmail('first.last+tag@mail.example.co.uk')).toBe('first.last+tag@mail.example.co.uk');
    expect(parseEmail('Jürgen@Bücher.example')).toBe('jürgen@bücher.example');
  });
});

describe('passwords', () => {
  it('accept 10 to 1024 characters, counted as code points, untrimmed', () => {
    expect(parsePassword('0123456789')).toBe('0123456789');
    expect(parsePassword(' 12345678 ')).toBe(' 12345678 ');
    expect(parsePassword('🔑'.repeat(10))).toBe('🔑'.repeat(10));
    expect(parsePassword('x'.repeat(1024))).toHaveLength(1024);
  });

  it.each([
    ['9 characters', '123456789'],
    ['empty', ''],
    ['1025 characters', 'x'.repeat(1025)],
  ])('refuse %s', (_case, password) => {
    expect(badInputArgument(() => parsePassword(password))).toBe('password');
  });
});

describe('sign-in input', () => {
  it('normalises the email but does not judge its shape or the password’s length', () => {
    expect(parseSignIn(' Not-An-Email ', 'short')).toEqual({ email: 'not-an-email', password: 'short' });
  });

  it('refuses an email PostgreSQL could not store (NUL, lone surrogates)', () => {
    expect(badInputArgument(() => parseSignIn('a\u0000b@example.com', 'password123'))).toBe('email');
    expect(badInputArgument(() => parseSignIn('a\udc00b@example.com', 'password123'))).toBe('email');
    expect(parseSignIn('🔑@example.com', 'password123').email).toBe('🔑@example.com');
  });

  it('refuses input too long to be anyone’s', () => {
    expect(badInputArgument(() => parseSignIn('a'.repeat(255), 'password123'))).toBe('email');
    expect(badInputArgument(() => parseSignIn('a@example.com', 'x'.repeat(1025)))).toBe('password');
  });
});

describe('rate-limit buckets of client addresses', () => {
  it.each([
    ['203.0.113.9', '203.0.113.9'],
    ['::ffff:203.0.113.9', '203.0.113.9'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:DB8:1:2::9', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['64:ff9b::192.0.2.1', '64:ff9b:0:0::/64'],
    ['not an address', 'unknown'],
    [undefined, 'unknown'],
  ])('puts %p in %p', (ip, bucket) => {
    expect(addressBucket(ip)).toBe(bucket);
  });
});

describe('refresh tokens', () => {
  it('are 32 random bytes in base64url, stored as their SHA-256', () => {
    const { token, hash } = newRefreshToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(hash).toBe(hashRefreshToken(token));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(newRefreshToken().token).not.toBe(token);
  });

  it('are recognised by shape before any lookup', () => {
    expect(isRefreshTokenShaped(newRefreshToken().token)).toBe(true);
    expect(isRefreshTokenShaped('short')).toBe(false);
    expect(isRefreshTokenShaped(`${newRefreshToken().token}=`)).toBe(false);
  });
});
