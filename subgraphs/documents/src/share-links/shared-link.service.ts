import { MAX_PASSWORD_LENGTH } from '../accounts/credentials.ts';
import { verifyPassword } from '../accounts/passwords.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { characterCount } from '../documents/input.ts';
import { linkLimitOf } from './link-limits.ts';
import { linkNotOpened } from './share-links.errors.ts';
import { countDownload, findUsableLink, type OpenedLink } from './share-links.repository.ts';
import type { ShareLinksContext } from './share-links.service.ts';
import { hashLinkToken, isLinkTokenShaped } from './tokens.ts';

// The public side: anyone (no account needed) opens a link with its token and password.
// Whatever keeps it from opening (unknown, expired, revoked, used up, wrong or missing
// password) answers the same NOT_FOUND, and every attempt counts against the address's limit.

/** What `sharedLink` answers; `id` is the link's (the key the storage subgraph gets back). */
export interface SharedDocumentRecord {
  id: string;
  title: string;
  mimeType: string;
  sizeBytes: number;
  objectKey: string;
  originalFilename: string;
  linkExpiresAt: Date;
}

export async function openSharedLink(
  context: ShareLinksContext,
  token: string,
  password: string | null | undefined,
  options: { issuesDownload: boolean },
): Promise<SharedDocumentRecord> {
  await linkLimitOf(context).consume(context.clientIp);
  const link = isLinkTokenShaped(token) ? await findUsableLink(context.em, hashLinkToken(token)) : null;
  if (!(await passwordAccepted(link, password))) throw linkNotOpened();
  const opened = link as OpenedLink;
  if (options.issuesDownload) {
    await context.em.transactional(async (em) => {
      // Used up (or revoked) since it was read: the count decides, not the read.
      if (!(await countDownload(em, opened.id))) throw linkNotOpened();
      await recordAudit(em, context, {
        actorId: null,
        action: 'SHARE_LINK_DOWNLOAD',
        target: `document:${opened.documentId}`,
        details: { linkId: opened.id },
      });
    });
  }
  return {
    id: opened.id,
    title: opened.title,
    mimeType: opened.mimeType,
    sizeBytes: opened.sizeBytes,
    objectKey: opened.objectKey,
    originalFilename: opened.originalFilename,
    linkExpiresAt: opened.expiresAt,
  };
}

/**
 * Whether the link opens with this password. A link without one ignores any sent; a link
 * with one needs it. A password sent to no link is still checked (against a dummy hash),
 * so a wrong token costs the time a wrong password does.
 */
async function passwordAccepted(
  link: OpenedLink | null,
  password: string | null | undefined,
): Promise<boolean> {
  const sent = password ?? undefined;
  if (sent !== undefined && characterCount(sent) > MAX_PASSWORD_LENGTH) return false;
  if (link === null) {
    if (sent !== undefined) await verifyPassword(undefined, sent);
    return false;
  }
  if (link.passwordHash === null) return true;
  return sent !== undefined && verifyPassword(link.passwordHash, sent);
}
