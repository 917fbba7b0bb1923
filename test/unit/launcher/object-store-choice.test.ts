import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { provideDependencies, S3RVER_WARNING } from '@docuvault/local-stack/launcher/dependencies';

// Which S3 server `npm start` runs. PostgreSQL, Redis and the secret are
// "given", so only the object store is started; Ceph itself is never started
// here: with Ceph said to be present but no PATH, trying it fails at once.

describe('npm start: the local S3 server', () => {
  const given = {
    DATABASE_URL: 'postgres://given/db',
    REDIS_URL: 'redis://given:6379',
    SECRET_KEY: 'given-secret-key-given-secret-key',
  };
  let root: string;
  const savedPath = process.env.PATH;

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'docuvault-launcher-'));
  });

  afterEach(async () => {
    process.env.PATH = savedPath;
    await rm(root, { recursive: true, force: true });
  });

  it('is Ceph when its programs are found', async () => {
    process.env.PATH = '';
    await expect(provideDependencies(root, given, { cephAvailable: true })).rejects.toThrow(
      /radosgw.*apt-get install --no-install-recommends radosgw ceph-mon ceph-osd/,
    );
  });

  it('is s3rver when Ceph is missing, with a warning that says what will not work', async () => {
    const dependencies = await provideDependencies(root, given, { cephAvailable: false });
    try {
      expect(dependencies.started).toEqual([
        `S3 (s3rver, a stand-in: Ceph is not installed) at ${dependencies.env.MINIO_ENDPOINT}`,
      ]);
      expect(dependencies.warnings).toEqual([S3RVER_WARNING]);
      expect(S3RVER_WARNING).toMatch(/POST uploads .* not checked/);
      expect(S3RVER_WARNING).toMatch(/multipart/);
      expect(S3RVER_WARNING).toMatch(/unsigned requests are served/);
      expect(S3RVER_WARNING).toContain('apt-get install --no-install-recommends radosgw ceph-mon ceph-osd');
      expect(dependencies.env).toMatchObject({
        MINIO_ENDPOINT: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
        MINIO_ROOT_USER: expect.any(String),
        MINIO_ROOT_PASSWORD: expect.any(String),
        MINIO_REGION: 'us-east-1',
      });
      // It answers as S3 does: an unknown bucket is 404, not a refused connection.
      expect((await fetch(`${dependencies.env.MINIO_ENDPOINT}/no-such-bucket`)).status).toBe(404);
    } finally {
      await dependencies.stop();
    }
  });

  it('looks for Ceph on PATH unless told', async () => {
    process.env.PATH = '';
    const dependencies = await provideDependencies(root, given);
    try {
      expect(dependencies.warnings).toEqual([S3RVER_WARNING]);
    } finally {
      await dependencies.stop();
    }
  });

  it('is neither when MINIO_ENDPOINT is given', async () => {
    const dependencies = await provideDependencies(root, { ...given, MINIO_ENDPOINT: 'http://given:9000' });
    expect(dependencies).toMatchObject({ started: [], warnings: [], env: {} });
    await dependencies.stop();
  });
});
