// A per-request batching loader (the DataLoader idea in a few lines; the package is not
// a dependency). Every `load` made while resolvers run in one turn of the event loop is
// collected and answered by one call of `batch` — a page of documents asking for their
// topics, or the gateway's `_entities` with many representations, costs one query.
// Results are memoised for the request; a failed batch is not, so a retry can succeed.

export type BatchFunction<K, V> = (keys: readonly K[]) => Promise<ReadonlyMap<K, V>>;

export interface Batcher<K, V> {
  load(key: K): Promise<V>;
  /** Seeds the memo with a row already at hand (e.g. from a listing). */
  prime(key: K, value: V): void;
  /** Forgets a key after a write, so a later load in the same request reads fresh. */
  clear(key: K): void;
}

interface Pending<K, V> {
  key: K;
  resolve: (value: V) => void;
  reject: (error: unknown) => void;
}

/** Keys per query: a huge `_entities` request still uses bounded statements. */
const MAX_BATCH = 1_000;

export function createBatcher<K, V>(batch: BatchFunction<K, V>, missing: V): Batcher<K, V> {
  const memo = new Map<K, Promise<V>>();
  let queue: Pending<K, V>[] = [];

  async function run(jobs: Pending<K, V>[]): Promise<void> {
    try {
      const found = await batch([...new Set(jobs.map((job) => job.key))]);
      for (const job of jobs) job.resolve(found.has(job.key) ? (found.get(job.key) as V) : missing);
    } catch (error) {
      for (const job of jobs) {
        memo.delete(job.key);
        job.reject(error);
      }
    }
  }

  function dispatch(): void {
    const jobs = queue;
    queue = [];
    for (let start = 0; start < jobs.length; start += MAX_BATCH)
      void run(jobs.slice(start, start + MAX_BATCH));
  }

  return {
    load(key) {
      const memoised = memo.get(key);
      if (memoised) return memoised;
      const promise = new Promise<V>((resolve, reject) => {
        // setImmediate, not a microtask: resolvers of list items that become ready in a
        // chain of promise callbacks all enqueue before the batch goes out.
        if (queue.length === 0) setImmediate(dispatch);
        queue.push({ key, resolve, reject });
      });
      memo.set(key, promise);
      return promise;
    },
    prime(key, value) {
      if (!memo.has(key)) memo.set(key, Promise.resolve(value));
    },
    clear(key) {
      memo.delete(key);
    },
  };
}
