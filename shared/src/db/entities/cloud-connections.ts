import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, updatedAt, uuidPk } from './columns.ts';
import { User } from './users.ts';

export const CLOUD_CONNECTION_STATUSES = ['ACTIVE', 'REVOKED', 'ERROR'] as const;
export type CloudConnectionStatus = (typeof CLOUD_CONNECTION_STATUSES)[number];

/** A user's link to an external storage provider to import documents from. */
export const CloudConnectionSchema = defineEntity({
  name: 'CloudConnection',
  tableName: 'cloud_connections',
  properties: {
    id: uuidPk(),
    user: () => p.manyToOne(User).deleteRule('cascade').index(),
    provider: p.text(),
    displayName: p.text(),
    // Encrypted by the application (SECRET_KEY) before it reaches the database.
    credentialsEncrypted: p.blob().hidden(),
    status: p.enum(CLOUD_CONNECTION_STATUSES).default('ACTIVE'),
    lastError: p.text().nullable(),
    lastSyncedAt: p.datetime().nullable(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  checks: [{ name: 'cloud_connections_provider_not_blank_check', expression: "btrim(provider) <> ''" }],
});
export class CloudConnection extends CloudConnectionSchema.class {}
CloudConnectionSchema.setClass(CloudConnection);
