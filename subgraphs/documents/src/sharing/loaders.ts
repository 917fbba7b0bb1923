import type { EntityManager } from '@mikro-orm/postgresql';
import type { DocumentsContext } from '../context.ts';
import { findUsersByIds, type UserRecord } from '../accounts/users.repository.ts';
import { createRequestLoader, type RequestLoader } from '../documents/request-loader.ts';
import { vaultOf } from '../documents/vault.ts';
import { findGroupsByIds, memberIdsOf, type GroupRecord } from '../groups/groups.repository.ts';
import { sharesOfTargets, type ShareRecord } from './shares.repository.ts';
import { sharedDocumentRoles, type ShareRole } from './visibility.ts';

// Per request, like every loader here (keyed by the request's context, dropped with it):
// a share revoked or a member removed is seen by the next request, never hidden by a cache.

export interface SharingLoaders {
  readonly user: RequestLoader<string, UserRecord | null>;
  readonly group: RequestLoader<string, GroupRecord | null>;
  readonly memberIds: RequestLoader<string, readonly string[]>;
  /** The viewer's role on a document shared with them; null for their own (or one they cannot see). */
  readonly sharedRole: RequestLoader<string, ShareRole | null>;
  /** The shares of the viewer's own documents; others' documents have none to show. */
  readonly documentShares: RequestLoader<string, readonly ShareRecord[]>;
  readonly folderShares: RequestLoader<string, readonly ShareRecord[]>;
}

/** Users as others see them (owners, recipients, members): only id and email readable. */
async function restrictedUsers(em: EntityManager, ids: readonly string[]): Promise<Map<string, UserRecord>> {
  const users = await findUsersByIds(em, ids);
  return new Map([...users].map(([id, user]) => [id, { ...user, restricted: true as const }]));
}

const NO_IDS: readonly string[] = Object.freeze([]);
const NO_SHARES: readonly ShareRecord[] = Object.freeze([]);
const perRequest = new WeakMap<DocumentsContext, SharingLoaders>();

export function sharingLoaders(context: DocumentsContext): SharingLoaders {
  let loaders = perRequest.get(context);
  if (!loaders) {
    const { em } = context;
    const viewer = () => vaultOf(context).owner;
    const sharesOf =
      (kind: 'document' | 'folder') =>
      async (ids: readonly string[]): Promise<ReadonlyMap<string, readonly ShareRecord[]>> => {
        const owner = viewer();
        return owner === null ? new Map() : sharesOfTargets(em, owner, kind, ids);
      };
    loaders = {
      user: createRequestLoader((ids) => restrictedUsers(em, ids), null),
      group: createRequestLoader((ids) => findGroupsByIds(em, ids), null),
      memberIds: createRequestLoader<string, readonly string[]>((ids) => memberIdsOf(em, ids), NO_IDS),
      sharedRole: createRequestLoader((ids) => sharedDocumentRoles(em, viewer(), ids), null),
      documentShares: createRequestLoader(sharesOf('document'), NO_SHARES),
      folderShares: createRequestLoader(sharesOf('folder'), NO_SHARES),
    };
    perRequest.set(context, loaders);
  }
  return loaders;
}
