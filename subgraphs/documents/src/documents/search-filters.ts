import {
  TEXT_SOURCES,
  type DocumentStatus,
  type TextSourceKind,
} from '@docuvault/shared/db/entities/documents';
import { badInput } from '@docuvault/shared/errors/index';
import { parseId, parseSearchText } from './input.ts';
import { findFilterReferences } from './search-filters.repository.ts';
import type { Vault } from './vault.ts';

// The one filter of `documents` and `search` (the DocumentFilter input): checked here without
// the database, then its folder and topic ids are looked up in the caller's vault, and
// search-filters.repository.ts turns the result into one SQL condition both queries append.

export interface DocumentFilterInput {
  status?: readonly DocumentStatus[] | null;
  topicId?: string | null;
  folderId?: string | null;
  includeSubfolders?: boolean | null;
  mimeType?: readonly string[] | null;
  createdAfter?: Date | null;
  createdBefore?: Date | null;
  textSource?: readonly TextSourceKind[] | null;
  text?: string | null;
  sharedWithMe?: boolean | null;
}

/** A checked filter, before its ids are looked up. */
export interface ParsedFilter {
  status?: readonly DocumentStatus[] | undefined;
  topicId?: string | undefined;
  folderId?: string | undefined;
  includeSubfolders: boolean;
  mimeTypes?: readonly string[] | undefined;
  createdAfter?: Date | undefined;
  createdBefore?: Date | undefined;
  textSources?: readonly TextSourceKind[] | undefined;
  text?: string | undefined;
  /** Only documents others share with the viewer, instead of the viewer's own. */
  sharedWithMe: boolean;
}

/** What the SQL condition needs: the folder given as the set of folder ids it stands for. */
export interface DocumentFilterValues {
  status?: readonly DocumentStatus[] | undefined;
  topicId?: string | undefined;
  /** The folder, and with includeSubfolders every folder below it. */
  folderIds?: readonly string[] | undefined;
  mimeTypes?: readonly string[] | undefined;
  createdAfter?: Date | undefined;
  createdBefore?: Date | undefined;
  textSources?: readonly TextSourceKind[] | undefined;
  text?: string | undefined;
  /** Not a condition of its own: it chooses the scope (listScope, sharing/visibility.ts). */
  sharedWithMe: boolean;
}

const MAX_MIME_TYPES = 50;

const unique = <T>(values: readonly T[]): T[] => [...new Set(values)];

/**
 * Checks a filter without the database. An empty list matches nothing (it is a set of
 * allowed values, and none is allowed); a blank `text` means no text condition; null means
 * no condition.
 */
export function parseDocumentFilter(input: DocumentFilterInput | null | undefined): ParsedFilter {
  if (!input) return { includeSubfolders: false, sharedWithMe: false };
  if (input.mimeType && input.mimeType.length > MAX_MIME_TYPES) {
    throw badInput(`filter.mimeType may list at most ${MAX_MIME_TYPES} types`, {
      argument: 'filter.mimeType',
    });
  }
  if (input.includeSubfolders && input.folderId == null) {
    throw badInput('filter.includeSubfolders needs filter.folderId', {
      argument: 'filter.includeSubfolders',
    });
  }
  const { createdAfter, createdBefore } = input;
  // Both bounds are exclusive: a range whose end is not after its start holds no instant.
  if (createdAfter && createdBefore && createdAfter.getTime() >= createdBefore.getTime()) {
    throw badInput('filter.createdAfter must be earlier than filter.createdBefore', {
      argument: 'filter.createdBefore',
    });
  }
  return {
    status: input.status ? unique(input.status) : undefined,
    // null means "no filter"; an empty string is a bad id, not a missing one.
    topicId: input.topicId != null ? parseId(input.topicId, 'filter.topicId') : undefined,
    folderId: input.folderId != null ? parseId(input.folderId, 'filter.folderId') : undefined,
    includeSubfolders: input.includeSubfolders === true,
    // Stored types are sniffed and lower-case; `Application/PDF` should still match.
    mimeTypes: input.mimeType ? unique(input.mimeType.map((type) => type.trim().toLowerCase())) : undefined,
    createdAfter: createdAfter ?? undefined,
    createdBefore: createdBefore ?? undefined,
    // GraphQL has checked the enum; this guards callers that are not GraphQL.
    textSources: input.textSource
      ? unique(input.textSource.filter((kind) => TEXT_SOURCES.includes(kind)))
      : undefined,
    text: input.text ? parseSearchText(input.text, 'filter.text') : undefined,
    sharedWithMe: input.sharedWithMe === true,
  };
}

/**
 * Looks the filter's folder and topic up in the vault. One that is not there (deleted, never
 * existed, or another user's: the vault cannot tell these apart) is bad input naming the
 * argument, as for any id inside an input; a filter that silently matched nothing would
 * hide a stale id from the client.
 */
export async function resolveDocumentFilter(
  vault: Vault,
  filter: ParsedFilter,
): Promise<DocumentFilterValues> {
  const { folderId, includeSubfolders, topicId, ...rest } = filter;
  if (folderId === undefined && topicId === undefined) return rest;
  const found = await findFilterReferences(vault.em, vault.owner, { folderId, includeSubfolders, topicId });
  if (folderId !== undefined && found.folderIds.length === 0) {
    throw badInput(`filter.folderId: no folder ${folderId}`, { argument: 'filter.folderId' });
  }
  if (topicId !== undefined && !found.topicFound) {
    throw badInput(`filter.topicId: no topic ${topicId}`, { argument: 'filter.topicId' });
  }
  return { ...rest, topicId, folderIds: folderId === undefined ? undefined : found.folderIds };
}

/** Both steps: what `documents` and `search` call. */
export async function documentFilterOf(
  vault: Vault,
  input: DocumentFilterInput | null | undefined,
): Promise<DocumentFilterValues> {
  return resolveDocumentFilter(vault, parseDocumentFilter(input));
}
