import type { DocumentsContext } from '../context.ts';
import type { DocumentRecord } from '../documents/documents.repository.ts';
import { vaultOf } from '../documents/vault.ts';
import type { FolderRecord } from './folders.repository.ts';
import { createFolder, deleteFolder, folders, renameFolder, type FolderDeletion } from './folders.service.ts';
import { folderLoaders } from './loaders.ts';

export const folderResolvers = {
  Query: {
    folders: async (_: unknown, _args: unknown, context: DocumentsContext) => {
      const list = await folders(vaultOf(context));
      const { folder } = folderLoaders(context);
      for (const record of list) folder.prime(record.id, record);
      return list;
    },
  },
  Mutation: {
    createFolder: (_: unknown, args: { name: string; parentId?: string | null }, context: DocumentsContext) =>
      createFolder(vaultOf(context), args.name, args.parentId),
    renameFolder: (_: unknown, args: { id: string; name: string }, context: DocumentsContext) =>
      renameFolder(vaultOf(context), args.id, args.name),
    deleteFolder: (
      _: unknown,
      args: { id: string; documents?: FolderDeletion | null },
      context: DocumentsContext,
    ) =>
      deleteFolder(
        vaultOf(context),
        context,
        { requestId: context.requestId, clientIp: context.clientIp },
        args.id,
        args.documents ?? undefined,
      ),
  },
  Folder: {
    parent: (folder: FolderRecord, _: unknown, context: DocumentsContext) =>
      folder.parentId ? folderLoaders(context).folder.load(folder.parentId) : null,
    documentCount: (folder: FolderRecord, _: unknown, context: DocumentsContext) =>
      folderLoaders(context).documentCount.load(folder.id),
  },
  // The folders feature answers "which folder is this document in".
  Document: {
    folder: (document: DocumentRecord, _: unknown, context: DocumentsContext) =>
      document.folderId ? folderLoaders(context).folder.load(document.folderId) : null,
  },
};
