import { defineEntity, p } from '@mikro-orm/core';
import { uuidPk } from './columns.ts';

/** Append-only record of security-relevant actions. */
export const AuditLogEntrySchema = defineEntity({
  name: 'AuditLogEntry',
  tableName: 'audit_log',
  properties: {
    id: uuidPk(),
    // No foreign key: deleting a user must not erase (or anonymise) what they did.
    actorId: p.uuid().nullable(),
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
    { name: 'audit_log_actor_id_at_index', properties: ['actorId', 'at'] },
    { name: 'audit_log_target_index', properties: ['target'] },
  ],
});
export class AuditLogEntry extends AuditLogEntrySchema.class {}
AuditLogEntrySchema.setClass(AuditLogEntry);

/**
 * Accounts deleted (deleteAccount, deleteUser), beside the append-only audit log: a line's
 * actor is deleted when a deletion of that id is at or after the line.
 */
export const DeletedAccountSchema = defineEntity({
  name: 'DeletedAccount',
  tableName: 'deleted_accounts',
  properties: {
    userId: p.uuid().primary(),
    deletedAt: p
      .datetime()
      .primary()
      .defaultRaw('now()')
      .onCreate(() => new Date()),
  },
});
export class DeletedAccount extends DeletedAccountSchema.class {}
DeletedAccountSchema.setClass(DeletedAccount);
