import { AuditLogEntry, DeletedAccount } from './audit-log.ts';
import { ClassifierModel } from './classifier-models.ts';
import { CloudConnection } from './cloud-connections.ts';
import { DocumentAccess } from './document-access.ts';
import { Document, DocumentSearchTerm } from './documents.ts';
import { Folder } from './folders.ts';
import { Group, GroupMember } from './groups.ts';
import { ObjectRemoval } from './object-removals.ts';
import { ShareLink } from './share-links.ts';
import { Share } from './shares.ts';
import { DocumentTopic, Topic } from './topics.ts';
import { UploadTicket } from './upload-tickets.ts';
import { Quota, RefreshToken, User } from './users.ts';

export * from './audit-log.ts';
export * from './classifier-models.ts';
export * from './cloud-connections.ts';
export * from './document-access.ts';
export * from './documents.ts';
export * from './folders.ts';
export * from './groups.ts';
export * from './object-removals.ts';
export * from './share-links.ts';
export * from './shares.ts';
export * from './topics.ts';
export * from './upload-tickets.ts';
export * from './users.ts';

/** Every entity, for the ORM config. Must cover every table the migrations create. */
export const entities = [
  User,
  RefreshToken,
  Quota,
  Group,
  GroupMember,
  Folder,
  Document,
  DocumentSearchTerm,
  Topic,
  DocumentTopic,
  Share,
  DocumentAccess,
  ShareLink,
  AuditLogEntry,
  DeletedAccount,
  CloudConnection,
  UploadTicket,
  ClassifierModel,
  ObjectRemoval,
];
