import DataLoader from 'dataloader';

// Per-request batching with the `dataloader` package: every `load` made while resolvers run
// is answered by one call of `batch` — a page of documents asking for their topics, or the
// gateway's `_entities` with many representations, costs one query. Results are memoised
// for the request; a failed batch is not (DataLoader clears its keys), so a retry can succeed.

/** Answers the keys it found; a key it leaves out (absent, or another user's) gets `missing`. */
export type BatchFunction<K, V> = (keys: readonly K[]) => Promise<ReadonlyMap<K, V>>;

export type RequestLoader<K, V> = DataLoader<K, V>;

/** Keys per query: a huge `_entities` request still uses bounded statements. */
const MAX_BATCH = 1_000;

// setImmediate, not DataLoader's default (a tick after the current promise jobs): resolvers
// of list items that become ready in a chain of promise callbacks all enqueue before the
// batch goes out, so a page costs one query per field.
const afterPendingResolvers = (dispatch: () => void): void => void setImmediate(dispatch);

export function createRequestLoader<K, V>(batch: BatchFunction<K, V>, missing: V): RequestLoader<K, V> {
  return new DataLoader<K, V>(
    async (keys) => {
      const found = await batch(keys);
      return keys.map((key) => (found.has(key) ? (found.get(key) as V) : missing));
    },
    { maxBatchSize: MAX_BATCH, batchScheduleFn: afterPendingResolvers },
  );
}
