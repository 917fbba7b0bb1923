// Placeholder contract, replaced by the local-stack harness: the real services
// must come from the environment until then.
export default async function globalSetup(): Promise<void> {
  for (const name of ['TEST_DATABASE_URL', 'TEST_REDIS_URL']) {
    if (!process.env[name]) throw new Error(`${name} is not set`);
  }
}
