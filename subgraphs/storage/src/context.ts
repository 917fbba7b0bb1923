import type { StorageConfig } from '@docuvault/shared/config/index';
import type { ObjectStore } from '@docuvault/shared/object-store/client';

export interface StorageContext {
  config: StorageConfig;
  store: ObjectStore;
}
