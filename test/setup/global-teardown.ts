import { rm } from 'node:fs/promises';
import { takeHarness } from './harness.ts';

/** Stops what global-setup started and removes its temp directory. */
export default async function globalTeardown(): Promise<void> {
  const harness = takeHarness();
  if (!harness) return;
  const results = await Promise.allSettled(harness.started.map((service) => service.stop()));
  if (harness.root) await rm(harness.root, { recursive: true, force: true });
  const failures = results.flatMap((result, i) =>
    result.status === 'rejected' ? [`${harness.started[i]?.name}: ${String(result.reason)}`] : [],
  );
  if (failures.length > 0) throw new Error(`stopping test services failed:\n${failures.join('\n')}`);
}
