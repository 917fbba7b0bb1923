import type { DocumentsContext } from '../context.ts';
import { documentLoaders } from '../documents/loaders.ts';
import { vaultOf } from '../documents/vault.ts';
import { folderLoaders } from '../folders/loaders.ts';
import type { Resolvers } from '../generated/resolvers-types.ts';
import { sharingLoaders } from './loaders.ts';
import { revokeShare, share, updateShare, type SharingContext } from './shares.service.ts';

const sharingContext = (context: DocumentsContext): SharingContext => ({
  em: context.em,
  principal: context.principal,
  origin: { requestId: context.requestId, clientIp: context.clientIp },
});

export const sharingResolvers: Resolvers = {
  Mutation: {
    shareDocument: (_, args, context) => share(sharingContext(context), 'document', args.input),
    shareFolder: (_, args, context) => share(sharingContext(context), 'folder', args.input),
    updateShare: (_, args, context) => updateShare(sharingContext(context), args.id, args.role),
    revokeShare: (_, args, context) => revokeShare(sharingContext(context), args.id),
  },
  Share: {
    user: (record, _, context) =>
      record.granteeUserId ? sharingLoaders(context).user.load(record.granteeUserId) : null,
    group: (record, _, context) =>
      record.granteeGroupId ? sharingLoaders(context).group.load(record.granteeGroupId) : null,
    // Through the viewer's own lookups: a share is only ever shown to its object's owner.
    document: (record, _, context) =>
      record.documentId ? documentLoaders(context).document.load(record.documentId) : null,
    folder: (record, _, context) =>
      record.folderId ? folderLoaders(context).folder.load(record.folderId) : null,
  },
  Document: {
    shares: (document, _, context) => sharingLoaders(context).documentShares.load(document.id),
    owner: (document, _, context) =>
      document.ownerId === null ? null : sharingLoaders(context).user.load(document.ownerId),
    myRole: async (document, _, context) => {
      if (document.ownerId === vaultOf(context).owner) return 'OWNER';
      // The shared listing read the role with the row; otherwise one query for the page.
      if (document.sharedRole) return document.sharedRole;
      // The document was authorised when it was loaded; a share gone since then leaves the weakest role.
      return (await sharingLoaders(context).sharedRole.load(document.id)) ?? 'VIEWER';
    },
  },
  Folder: {
    shares: (folder, _, context) => sharingLoaders(context).folderShares.load(folder.id),
  },
};
