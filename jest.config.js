// Jest runs in ESM mode (MikroORM 7 cannot be loaded by CommonJS jest);
// `npm test` sets NODE_OPTIONS=--experimental-vm-modules.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2023' },
        module: { type: 'es6' },
      },
    ],
  },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  // npm start's data (a PostgreSQL cluster, Ceph's store) is not source.
  modulePathIgnorePatterns: ['<rootDir>/.data/'],
  testTimeout: 60_000,
  maxWorkers: 2,
};
