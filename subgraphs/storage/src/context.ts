import type { RequestIdentity } from '@docuvault/shared/auth/request-identity';
import type { StorageConfig } from '@docuvault/shared/config/index';
import type { Logger } from '@docuvault/shared/logging/logger';
import type { ObjectStore } from '@docuvault/shared/object-store/client';
import type { GetPresigner } from '@docuvault/shared/object-store/presign-get';

export interface StorageContext extends RequestIdentity {
  config: StorageConfig;
  logger: Logger;
  store: ObjectStore;
  /** Signs download, preview and thumbnail URLs (for the endpoint clients reach). */
  presigner: GetPresigner;
  requestId: string | undefined;
}
