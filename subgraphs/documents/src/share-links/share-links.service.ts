import { requireUser } from '@docuvault/shared/auth/principal';
import type { DocumentsContext } from '../context.ts';
import { hashPassword } from '../accounts/passwords.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { isForeignKeyViolation } from '../data/query-helpers.ts';
import { parseId } from '../documents/input.ts';
import { documentNotFound, linkNotFound, linkRevoked } from './share-links.errors.ts';
import {
  findOwnedLink,
  insertShareLink,
  revokeOwnedLink,
  updateShareLinkRow,
  type ShareLinkRecord,
} from './share-links.repository.ts';
import { parseCreateInput, parseUpdateInput, type CreateLinkInput, type UpdateLinkInput } from './input.ts';
import { newLinkToken } from './tokens.ts';
import { onlyOwnerMayShare } from '../sharing/sharing.errors.ts';
import { sharedDocumentRoles } from '../sharing/visibility.ts';

// The owner's side of public links: create, change, revoke. Only a signed-in user owns
// documents that can be shared (the anonymous vault cannot: nobody could revoke its links
// as their own). Each write and its audit line land in one transaction; bad input is
// refused before the transaction starts, so it writes nothing.

export type ShareLinksContext = Pick<
  DocumentsContext,
  'em' | 'config' | 'principal' | 'clientIp' | 'requestId' | 'redis' | 'logger'
>;

export interface ShareLinkCreatedRecord {
  link: ShareLinkRecord;
  token: string;
}

export type ShareLinkStatus = 'ACTIVE' | 'EXPIRED' | 'EXHAUSTED' | 'REVOKED';

export function linkStatus(link: ShareLinkRecord, now = new Date()): ShareLinkStatus {
  if (link.revokedAt !== null) return 'REVOKED';
  if (link.expiresAt.getTime() <= now.getTime()) return 'EXPIRED';
  if (link.maxDownloads !== null && link.downloadCount >= link.maxDownloads) return 'EXHAUSTED';
  return 'ACTIVE';
}

const rulesOf = (context: ShareLinksContext) => ({
  maxDays: context.config.SHARE_LINK_MAX_DAYS,
  now: new Date(),
});

export async function createShareLink(
  context: ShareLinksContext,
  input: CreateLinkInput & { documentId: string },
): Promise<ShareLinkCreatedRecord> {
  const owner = requireUser(context.principal).id;
  const documentId = parseId(input.documentId, 'documentId');
  const parsed = parseCreateInput(input, rulesOf(context));
  // Before the transaction: argon2 takes tens of milliseconds and needs no lock.
  const passwordHash = parsed.password === null ? null : await hashPassword(parsed.password);
  const { token, hash } = newLinkToken();
  const link = await context.em
    .transactional(async (em) => {
      const created = await insertShareLink(em, {
        owner,
        documentId,
        tokenHash: hash,
        passwordHash,
        expiresAt: parsed.expiresAt,
        maxDownloads: parsed.maxDownloads,
      });
      if (!created) {
        // A public link hands the document on, as a share does: a recipient may not (sharing/).
        const shared = await sharedDocumentRoles(em, owner, [documentId]);
        throw shared.has(documentId) ? onlyOwnerMayShare('document') : documentNotFound(documentId);
      }
      await recordAudit(em, context, {
        actorId: owner,
        action: 'SHARE_LINK_CREATE',
        target: `document:${documentId}`,
        details: {
          linkId: created.id,
          expiresAt: created.expiresAt.toISOString(),
          maxDownloads: created.maxDownloads,
          hasPassword: created.hasPassword,
        },
      });
      return created;
    })
    .catch((error: unknown) => {
      // Deleted between the owner check and the insert's foreign-key check.
      throw isForeignKeyViolation(error) ? documentNotFound(documentId) : error;
    });
  return { link, token };
}

export async function updateShareLink(
  context: ShareLinksContext,
  rawId: string,
  input: UpdateLinkInput,
): Promise<ShareLinkRecord> {
  const owner = requireUser(context.principal).id;
  const id = parseId(rawId, 'id');
  const changes = parseUpdateInput(input, rulesOf(context));
  return context.em.transactional(async (em) => {
    const before = await findOwnedLink(em, owner, id, true);
    if (!before) throw linkNotFound(id);
    if (before.revokedAt !== null) throw linkRevoked(id);
    await updateShareLinkRow(em, id, changes);
    const after = (await findOwnedLink(em, owner, id)) as ShareLinkRecord;
    await recordAudit(em, context, {
      actorId: owner,
      action: 'SHARE_LINK_UPDATE',
      target: `document:${after.documentId}`,
      details: {
        linkId: id,
        ...(changes.expiresAt === undefined
          ? {}
          : { expiresAt: { from: before.expiresAt.toISOString(), to: after.expiresAt.toISOString() } }),
        ...(changes.maxDownloads === undefined
          ? {}
          : { maxDownloads: { from: before.maxDownloads, to: after.maxDownloads } }),
      },
    });
    return after;
  });
}

/** True when revoked now; false when unknown, someone else's or revoked already (as deleteDocument). */
export async function revokeShareLink(context: ShareLinksContext, rawId: string): Promise<boolean> {
  const owner = requireUser(context.principal).id;
  const id = parseId(rawId, 'id');
  return context.em.transactional(async (em) => {
    const documentId = await revokeOwnedLink(em, owner, id);
    if (documentId === null) return false;
    await recordAudit(em, context, {
      actorId: owner,
      action: 'SHARE_LINK_REVOKE',
      target: `document:${documentId}`,
      details: { linkId: id },
    });
    return true;
  });
}
