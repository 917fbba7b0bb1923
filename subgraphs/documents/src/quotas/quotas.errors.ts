import { AppError } from '@docuvault/shared/errors/index';
import type { QuotaRecord } from './quotas.repository.ts';

// Why the quota refused an upload. QUOTA_EXCEEDED is the owner's own state (they may
// delete documents and try again); an account without a quota row is a fault of the
// account's set-up (every registration creates one), so FORBIDDEN, not a user input error.

export const remainingBytes = (quota: QuotaRecord): number => Math.max(quota.limitBytes - quota.usedBytes, 0);

export const quotaExceeded = (quota: QuotaRecord) =>
  new AppError(
    'QUOTA_EXCEEDED',
    `The file does not fit in your storage quota: ${remainingBytes(quota)} of ${quota.limitBytes} bytes left`,
    { limitBytes: quota.limitBytes, usedBytes: quota.usedBytes, remainingBytes: remainingBytes(quota) },
  );

export const noQuota = () =>
  new AppError('FORBIDDEN', 'This account has no storage quota; ask an administrator to set one', {
    reason: 'NO_QUOTA',
  });
