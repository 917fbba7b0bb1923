import { describe, expect, it } from '@jest/globals';
import {
  ConfigError,
  loadConfig,
  documentsEnv,
  subgraphUrl,
  gatewayEnv,
} from '@docuvault/shared/config/index';

const valid = {
  DATABASE_URL: 'postgres://app:pw@localhost:5432/docuvault',
  MINIO_ENDPOINT: 'http://127.0.0.1:9000',
  MINIO_ROOT_USER: 'minio',
  MINIO_ROOT_PASSWORD: 'minio-password',
  REDIS_URL: 'redis://127.0.0.1:6379',
  SECRET_KEY: 'x'.repeat(32),
};

describe('loadConfig', () => {
  it('names every bad or missing variable in one error', () => {
    const attempt = () =>
      loadConfig('documents', documentsEnv, {
        ...valid,
        DATABASE_URL: 'nonsense',
        SECRET_KEY: 'short',
        REDIS_URL: undefined,
      });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toMatch(/DATABASE_URL: must be a postgres:\/\/ URL/);
      expect(problems).toMatch(/SECRET_KEY: must be at least 32 characters/);
      expect(problems).toMatch(/REDIS_URL: required but not set/);
    }
  });

  it('applies defaults and freezes the result', () => {
    const config = loadConfig('documents', documentsEnv, valid);
    expect(config.MINIO_BUCKET).toBe('docuvault');
    expect(config.DOCUMENTS_PORT).toBe(4001);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('treats empty strings as unset so defaults still apply', () => {
    const config = loadConfig('documents', documentsEnv, { ...valid, MINIO_BUCKET: '' });
    expect(config.MINIO_BUCKET).toBe('docuvault');
  });

  it('derives subgraph URLs from ports unless one is configured', () => {
    const config = loadConfig('gateway', gatewayEnv, {
      SECRET_KEY: valid.SECRET_KEY,
      REDIS_URL: 'redis://127.0.0.1:6379',
      OPS_URL: 'http://ops:4003/graphql',
    });
    expect(subgraphUrl(config, 'documents')).toBe('http://127.0.0.1:4001/graphql');
    expect(subgraphUrl(config, 'ops')).toBe('http://ops:4003/graphql');
  });
});
