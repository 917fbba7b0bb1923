import { defineEntity, p } from '@mikro-orm/core';
import { uuidPk } from './columns.ts';
import { User } from './users.ts';

/** Append-only record of security-relevant actions. */
const AuditLogEntrySchema = defineEntity({
  name: 'AuditLogEntry',
  tableName: 'audit_log',
  properties: {
    id: uuidPk(),
    // Set null, not cascade: deleting a user must not erase what they did.
    actor: () => p.manyToOne(User).nullable().deleteRule('set null'),
    action: p.text(),
    /** What was acted on, e.g. `document:<uuid>`. Text, not a foreign key: the target may be gone. */
    target: p.text().nullable(),
    requestId: p.text().nullable(),
    ip: p.string().columnType('inet').nullable(),
    at: p
      .datetime()
      .defaultRaw('now()')
      .onCreate(() => new Date()),
    details: p.json<Record<string, unknown>>().defaultRaw(`'{}'`),
  },
  indexes: [
    { name: 'audit_log_at_index', properties: ['at'] },
    { name: 'audit_log_actor_id_at_index', properties: ['actor', 'at'] },
    { name: 'audit_log_target_index', properties: ['target'] },
  ],
});
export class AuditLogEntry extends AuditLogEntrySchema.class {}
AuditLogEntrySchema.setClass(AuditLogEntry);
