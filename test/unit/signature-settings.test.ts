import { describe, expect, it } from '@jest/globals';
import { ConfigError, documentsEnv, loadConfig, signatureRequired } from '@docuvault/shared/config/index';
import { deriveSigningKey, gatewaySignatureFor } from '@docuvault/shared/http/subgraph-signature';
import { createLogger } from '@docuvault/shared/logging/logger';

// Whether a subgraph checks the gateway's signatures comes from its validated
// config: on unless NODE_ENV=test, never without a key.

const SECRET = 'x'.repeat(32);
const base = {
  DATABASE_URL: 'postgres://app:pw@localhost:5432/docuvault',
  MINIO_ENDPOINT: 'http://127.0.0.1:9000',
  MINIO_ROOT_USER: 'minio',
  MINIO_ROOT_PASSWORD: 'minio-password',
  REDIS_URL: 'redis://127.0.0.1:6379',
  SECRET_KEY: SECRET,
};

describe('signature settings', () => {
  it.each([
    [{}, true],
    [{ NODE_ENV: 'production' }, true],
    [{ NODE_ENV: 'development' }, true],
    [{ NODE_ENV: 'test' }, false],
    [{ NODE_ENV: 'test', SUBGRAPH_REQUIRE_SIGNATURE: 'true' }, true],
    [{ NODE_ENV: 'production', SUBGRAPH_REQUIRE_SIGNATURE: 'false' }, false],
  ])('%j requires signatures: %s', (env, required) => {
    expect(signatureRequired(loadConfig('documents', documentsEnv, { ...base, ...env }))).toBe(required);
  });

  it('refuses a malformed SUBGRAPH_REQUIRE_SIGNATURE', () => {
    expect(() =>
      loadConfig('documents', documentsEnv, { ...base, SUBGRAPH_REQUIRE_SIGNATURE: 'yes' }),
    ).toThrow(ConfigError);
  });

  it('refuses to guard a subgraph that must check signatures but has no key', () => {
    const logger = createLogger('keyless', 'silent');
    expect(() =>
      gatewaySignatureFor({
        name: 'keyless',
        logger,
        requireGatewaySignature: true,
        gatewaySecretKey: undefined,
      }),
    ).toThrow(/SECRET_KEY: required/);
    expect(
      gatewaySignatureFor({
        name: 'open',
        logger,
        requireGatewaySignature: false,
        gatewaySecretKey: undefined,
      }),
    ).toBeUndefined();
  });

  it('refuses to guard a subgraph that must check signatures but cannot remember call ids', () => {
    expect(() =>
      gatewaySignatureFor({
        name: 'forgetful',
        logger: createLogger('forgetful', 'silent'),
        requireGatewaySignature: true,
        gatewaySecretKey: SECRET,
      }),
    ).toThrow(/REDIS_URL: required/);
  });

  it('derives the signing key from SECRET_KEY, never using it raw', () => {
    const key = deriveSigningKey(SECRET);
    expect(key).toHaveLength(32);
    expect(key.equals(Buffer.from(SECRET).subarray(0, 32))).toBe(false);
    expect(key.equals(deriveSigningKey(SECRET))).toBe(true);
    expect(key.equals(deriveSigningKey(`${SECRET}y`))).toBe(false);
  });
});
