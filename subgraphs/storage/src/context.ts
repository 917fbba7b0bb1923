import type { RequestIdentity } from '@docuvault/shared/auth/request-identity';
import type { StorageConfig } from '@docuvault/shared/config/index';
import type { Logger } from '@docuvault/shared/logging/logger';
import type { ObjectStore } from '@docuvault/shared/object-store/client';

export interface StorageContext extends RequestIdentity {
  config: StorageConfig;
  logger: Logger;
  store: ObjectStore;
  requestId: string | undefined;
}
