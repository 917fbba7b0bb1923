import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, updatedAt, uuidPk } from './columns.ts';

export const USER_ROLES = ['USER', 'ADMIN'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const UserSchema = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: uuidPk(),
    // Stored normalised (trimmed, lower case) so uniqueness cannot be dodged by case.
    email: p.text().unique(),
    passwordHash: p.text().hidden(),
    role: p.enum(USER_ROLES).default('USER'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  checks: [{ name: 'users_email_normalised_check', expression: 'email = lower(btrim(email))' }],
});
export class User extends UserSchema.class {}
UserSchema.setClass(User);

export const RefreshTokenSchema = defineEntity({
  name: 'RefreshToken',
  tableName: 'refresh_tokens',
  properties: {
    id: uuidPk(),
    user: () => p.manyToOne(User).deleteRule('cascade').index(),
    // Only a hash of the token is stored: a database dump must not yield usable tokens.
    tokenHash: p.text().unique().hidden(),
    // Every rotation of one login shares a family, so reuse of a rotated token can revoke the whole family.
    familyId: p.uuid().index(),
    expiresAt: p.datetime(),
    revokedAt: p.datetime().nullable(),
    replacedBy: () => p.manyToOne(RefreshToken).nullable().deleteRule('set null'),
    createdAt: createdAt(),
  },
});
export class RefreshToken extends RefreshTokenSchema.class {}
RefreshTokenSchema.setClass(RefreshToken);

export const QuotaSchema = defineEntity({
  name: 'Quota',
  tableName: 'quotas',
  properties: {
    user: () => p.oneToOne(User).primary().owner().deleteRule('cascade').updateRule('no action'),
    usedBytes: p.bigint('number').defaultRaw('0'),
    limitBytes: p.bigint('number'),
    updatedAt: updatedAt(),
  },
  checks: [
    { name: 'quotas_used_within_limit_check', expression: 'used_bytes >= 0 and used_bytes <= limit_bytes' },
  ],
});
export class Quota extends QuotaSchema.class {}
QuotaSchema.setClass(Quota);
