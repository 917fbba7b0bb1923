import type { Job, Queue } from 'bullmq';

/**
 * The job once BullMQ has recorded its end (completed or failed). The worker writes the
 * document's final state before that, and since the classify job goes on after it (the
 * thumbnail), a test that reads `attemptsMade` right after the status would race it.
 */
export async function finishedJob(queue: Queue, id: string, timeoutMs = 10_000): Promise<Job | undefined> {
  const deadline = Date.now() + timeoutMs;
  let job = await queue.getJob(id);
  while (job?.finishedOn === undefined && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    job = await queue.getJob(id);
  }
  return job;
}
