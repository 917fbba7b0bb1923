import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, uuidPk } from './columns.ts';

/**
 * Objects still to be removed from the bucket, written in the transaction that deleted
 * their rows (account, document and folder deletion): the store is asked afterwards, and a sweeper retries
 * what it refused. `prefix`: every object (and unfinished multipart upload) under `key`.
 * `notBefore`: not due before then (a thumbnail being stored, until its row names it).
 */
export const ObjectRemovalSchema = defineEntity({
  name: 'ObjectRemoval',
  tableName: 'object_removals',
  properties: {
    id: uuidPk(),
    key: p.text(),
    prefix: p.boolean().default(false),
    reason: p.text(),
    attempts: p.integer().default(0),
    lastError: p.text().nullable(),
    createdAt: createdAt(),
    notBefore: p
      .datetime()
      .defaultRaw('now()')
      .onCreate(() => new Date())
      .index(),
  },
  checks: [
    { name: 'object_removals_key_not_blank_check', expression: "key <> ''" },
    { name: 'object_removals_attempts_check', expression: 'attempts >= 0' },
  ],
});
export class ObjectRemoval extends ObjectRemovalSchema.class {}
ObjectRemovalSchema.setClass(ObjectRemoval);
