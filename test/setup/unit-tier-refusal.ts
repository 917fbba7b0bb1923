// What a unit test gets instead of the harness, a service-backed test helper or a service
// launcher (the unit project's moduleNameMapper in jest.config.js points them all here):
// importing it fails the test file with the reason, before anything could start.

throw new Error(
  'The unit tier uses no services: this test imports the test harness, a service-backed ' +
    'helper (test/support/database, redis, s3, stacks; devkit/scratch) or a service launcher ' +
    '(@docuvault/local-stack). Move it to test/integration or test/e2e.',
);
