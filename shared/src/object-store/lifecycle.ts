import type { LifecycleConfig, LifecycleRule } from 'minio';
import type { ObjectStore } from './client.ts';

// A bucket lifecycle rule that has the store itself abort multipart uploads left
// unfinished: a backstop to the upload sweeper that works while no service runs. Lifecycle
// rules count whole days; the sweeper takes over below that.

export const ABORT_INCOMPLETE_RULE_ID = 'docuvault-abort-incomplete-multipart-uploads';

/** Whole days (at least one) covering `seconds`. */
export const lifecycleDays = (seconds: number): number => Math.max(1, Math.ceil(seconds / 86_400));

const codeOf = (error: unknown): string | undefined => (error as { code?: string }).code;

/** Stores that do not implement lifecycle configuration answer one of these (s3rver: NotImplemented). */
const UNSUPPORTED = new Set(['NotImplemented', 'MethodNotAllowed', 'NotSupported']);

async function currentRules(store: ObjectStore): Promise<LifecycleRule[]> {
  try {
    const config = (await store.client.getBucketLifecycle(store.bucket)) as
      LifecycleConfig | null | undefined;
    const rules = config?.Rule;
    if (rules === undefined) return [];
    return Array.isArray(rules) ? rules : [rules];
  } catch (error) {
    if (codeOf(error) === 'NoSuchLifecycleConfiguration') return [];
    throw error;
  }
}

export type LifecycleOutcome = 'set' | 'unchanged' | 'unsupported';

/**
 * Makes sure the bucket aborts unfinished multipart uploads `days` after they began,
 * keeping any other lifecycle rule it has. A store without lifecycle support answers
 * 'unsupported' (the upload sweeper then does all the work); any other failure throws.
 */
export async function ensureAbortIncompleteRule(store: ObjectStore, days: number): Promise<LifecycleOutcome> {
  try {
    const rules = await currentRules(store);
    const ours = rules.find((rule) => rule.ID === ABORT_INCOMPLETE_RULE_ID);
    const wanted: LifecycleRule = {
      ID: ABORT_INCOMPLETE_RULE_ID,
      Status: 'Enabled',
      Filter: { Prefix: '' },
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: days },
    };
    if (
      ours?.Status === 'Enabled' &&
      Number(ours.AbortIncompleteMultipartUpload?.DaysAfterInitiation) === days
    ) {
      return 'unchanged';
    }
    const others = rules.filter((rule) => rule.ID !== ABORT_INCOMPLETE_RULE_ID);
    await store.client.setBucketLifecycle(store.bucket, { Rule: [...others, wanted] });
    return 'set';
  } catch (error) {
    if (UNSUPPORTED.has(codeOf(error) ?? '')) return 'unsupported';
    throw error;
  }
}
