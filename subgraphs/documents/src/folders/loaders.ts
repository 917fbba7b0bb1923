import type { DocumentsContext } from '../context.ts';
import { createBatcher, type Batcher } from '../documents/batcher.ts';
import { vaultOf } from '../documents/vault.ts';
import { countDocumentsInFolders, findFoldersByIds, type FolderRecord } from './folders.repository.ts';

export interface FolderLoaders {
  /** Serves `Document.folder` and `Folder.parent`. */
  readonly folder: Batcher<string, FolderRecord | null>;
  /** Serves `Folder.documentCount` for a whole list of folders at once. */
  readonly documentCount: Batcher<string, number>;
}

const perRequest = new WeakMap<DocumentsContext, FolderLoaders>();

export function folderLoaders(context: DocumentsContext): FolderLoaders {
  let loaders = perRequest.get(context);
  if (!loaders) {
    const { em, owner } = vaultOf(context);
    loaders = {
      folder: createBatcher((ids) => findFoldersByIds(em, owner, ids), null),
      documentCount: createBatcher((ids) => countDocumentsInFolders(em, owner, ids), 0),
    };
    perRequest.set(context, loaders);
  }
  return loaders;
}
