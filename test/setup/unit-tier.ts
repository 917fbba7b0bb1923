// Runs before each unit test file (jest `setupFiles` of the unit project). The unit tier
// uses no services, even on a machine where the harness's variables are set (a shared
// stack sourced into the shell, or `npm test` running every tier after globalSetup
// started them): each test file gets its own copy of process.env, and this removes them
// from it, so a unit test that reaches for a database, Redis or S3 fails loudly here
// rather than passing only where the services happen to be.

for (const name of Object.keys(process.env)) {
  if (name.startsWith('TEST_')) delete process.env[name];
}
