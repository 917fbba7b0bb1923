import type { DocumentsContext } from '../context.ts';
import { createRequestLoader, type RequestLoader } from '../documents/request-loader.ts';
import { vaultOf } from '../documents/vault.ts';
import { countDocumentsInFolders, findVisibleFoldersByIds, type FolderRecord } from './folders.repository.ts';

export interface FolderLoaders {
  /** Serves `Document.folder` and `Folder.parent`: own folders and those shared with the viewer. */
  readonly folder: RequestLoader<string, FolderRecord | null>;
  /** Serves `Folder.documentCount` for a whole list of folders at once. */
  readonly documentCount: RequestLoader<string, number>;
}

const perRequest = new WeakMap<DocumentsContext, FolderLoaders>();

export function folderLoaders(context: DocumentsContext): FolderLoaders {
  let loaders = perRequest.get(context);
  if (!loaders) {
    const { em, owner } = vaultOf(context);
    loaders = {
      folder: createRequestLoader((ids) => findVisibleFoldersByIds(em, owner, ids), null),
      documentCount: createRequestLoader((ids) => countDocumentsInFolders(em, ids), 0),
    };
    perRequest.set(context, loaders);
  }
  return loaders;
}
