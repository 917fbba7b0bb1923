import { AppError } from '@docuvault/shared/errors/index';

// Refusals for what a user can see but may not do. What they cannot see answers NOT_FOUND
// (or false for a delete), exactly as for an id that exists nowhere.

export const onlyOwnerMayShare = (kind: string) =>
  new AppError('FORBIDDEN', `only the owner of a ${kind} may share it or change its shares`);

export const viewerMayNotEdit = (kind: 'document' | 'folder' = 'document') =>
  new AppError('FORBIDDEN', `this ${kind} is shared with you as VIEWER: you may read it, not change it`);

export const onlyOwnerMayDelete = (kind: 'document' | 'folder' = 'document') =>
  new AppError('FORBIDDEN', `only the owner of a ${kind} may delete it; it is shared with you`);

export const editorMayNotMove = () =>
  new AppError(
    'FORBIDDEN',
    'a document shared with you may only be moved into folders of its owner that are shared with you as EDITOR',
    { argument: 'input.folderId' },
  );

export const noUploadIntoSharedFolder = () =>
  new AppError(
    'FORBIDDEN',
    'uploading into a folder shared with you is not supported: only its owner can add documents to it',
    { argument: 'folderId' },
  );
