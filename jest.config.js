// Jest runs in ESM mode (MikroORM 7 cannot be loaded by CommonJS jest);
// the npm scripts set NODE_OPTIONS=--experimental-vm-modules.
//
// Tests run in tiers, one jest project each (`npm run test:<tier>`; `npm test` runs all):
//   unit         test/unit         no services at all: no PostgreSQL, Redis or S3, nothing spawned
//   integration  test/integration  one subgraph or module against the harness's services
//   e2e          test/e2e          the gateway and subgraphs together, processes, a browser
//   hostile      test/hostile      property-based hostile input against the whole stack
//   faults       test/faults       services stopped, killed or paused under the stack
//
// Only the service-backed tiers name the harness's globalSetup. Jest runs a project's
// globalSetup only when a test of that project is selected, and runs one module path once
// however many projects name it: the services start once per run, and never for the unit
// tier alone.

const base = {
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
  // npm start's data (a PostgreSQL cluster, Ceph's store) is not source.
  modulePathIgnorePatterns: ['<rootDir>/.data/'],
  testTimeout: 60_000,
};

/** A tier backed by the harness's PostgreSQL, Redis and S3 (test/setup/global-setup.ts). */
const serviceTier = (name) => ({
  ...base,
  displayName: name,
  testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
});

/** @type {import('jest').Config} */
export default {
  testTimeout: 60_000,
  maxWorkers: 2,
  projects: [
    {
      ...base,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
      // No services are started: the globalSetup only converts the classifier's word vectors
      // once (test/setup/word-vectors.ts). The setup file removes the harness's TEST_*
      // variables from each unit test file's environment, and the mapper turns an import of
      // the harness, the service-backed test helpers or the service launchers into an error
      // that names the tier the test belongs in.
      globalSetup: '<rootDir>/test/setup/word-vectors.ts',
      setupFiles: ['<rootDir>/test/setup/unit-tier.ts'],
      moduleNameMapper: {
        '^(?:\\.\\.?/)+(?:setup/(?:global-setup|global-teardown|harness)|support/(?:database|redis|s3|stack|stacks/.*|documents-subgraph))(?:\\.ts)?$':
          '<rootDir>/test/setup/unit-tier-refusal.ts',
        '(?:^|/)devkit/(?:scratch/.*|worker-process(?:\\.ts)?)$': '<rootDir>/test/setup/unit-tier-refusal.ts',
        '^@docuvault/local-stack/(?:index|postgres|postgres-host|redis|ceph-rgw|ceph-config|s3rver|daemon)$':
          '<rootDir>/test/setup/unit-tier-refusal.ts',
      },
    },
    serviceTier('integration'),
    serviceTier('e2e'),
    serviceTier('hostile'),
    serviceTier('faults'),
  ],
};
