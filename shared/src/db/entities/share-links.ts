import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, updatedAt, uuidPk } from './columns.ts';
import { Document } from './documents.ts';

/**
 * A public link to one document: works without an account until it expires, is revoked or
 * has issued `maxDownloads` downloads. The token itself is never stored, only its SHA-256.
 */
export const ShareLinkSchema = defineEntity({
  name: 'ShareLink',
  tableName: 'share_links',
  properties: {
    id: uuidPk(),
    document: () => p.manyToOne(Document).deleteRule('cascade').index(),
    tokenHash: p.text().unique(),
    // argon2, as account passwords; null: no password.
    passwordHash: p.text().nullable(),
    expiresAt: p.datetime(),
    maxDownloads: p.integer().nullable(),
    downloadCount: p.integer().default(0),
    revokedAt: p.datetime().nullable(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  checks: [
    {
      name: 'share_links_max_downloads_check',
      expression: 'max_downloads is null or max_downloads >= 1',
    },
    { name: 'share_links_download_count_check', expression: 'download_count >= 0' },
  ],
});
export class ShareLink extends ShareLinkSchema.class {}
ShareLinkSchema.setClass(ShareLink);
