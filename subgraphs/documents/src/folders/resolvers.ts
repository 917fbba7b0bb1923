import { vaultOf } from '../documents/vault.ts';
import type { Resolvers } from '../generated/resolvers-types.ts';
import { createFolder, deleteFolder, folders, renameFolder } from './folders.service.ts';
import { folderLoaders } from './loaders.ts';

export const folderResolvers: Resolvers = {
  Query: {
    folders: async (_, _args, context) => {
      const list = await folders(vaultOf(context));
      const { folder } = folderLoaders(context);
      for (const record of list) folder.prime(record.id, record);
      return list;
    },
  },
  Mutation: {
    createFolder: (_, args, context) => createFolder(vaultOf(context), args.name, args.parentId),
    renameFolder: (_, args, context) => renameFolder(vaultOf(context), args.id, args.name),
    deleteFolder: (_, args, context) =>
      deleteFolder(
        vaultOf(context),
        context,
        { requestId: context.requestId, clientIp: context.clientIp },
        args.id,
        args.documents ?? undefined,
      ),
  },
  Folder: {
    parent: (folder, _, context) =>
      folder.parentId ? folderLoaders(context).folder.load(folder.parentId) : null,
    documentCount: (folder, _, context) => folderLoaders(context).documentCount.load(folder.id),
  },
  // The folders feature answers "which folder is this document in".
  Document: {
    folder: (document, _, context) =>
      document.folderId ? folderLoaders(context).folder.load(document.folderId) : null,
  },
};
