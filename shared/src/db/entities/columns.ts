import { randomUUID } from 'node:crypto';
import { p } from '@mikro-orm/core';

// Shared column shapes. Every default lives in the migration as well: the
// database is the source of truth, the ORM mirrors it (see migrations/).

/** uuid primary key: the database default covers raw SQL inserts, onCreate lets the app know the id before flush. */
export const uuidPk = () =>
  p
    .uuid()
    .primary()
    .defaultRaw('gen_random_uuid()')
    .onCreate(() => randomUUID());

export const createdAt = () =>
  p
    .datetime()
    .defaultRaw('now()')
    .onCreate(() => new Date());

export const updatedAt = () =>
  p
    .datetime()
    .defaultRaw('now()')
    .onCreate(() => new Date())
    .onUpdate(() => new Date());
