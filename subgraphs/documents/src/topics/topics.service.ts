import { AppError, badInput, notFound } from '@docuvault/shared/errors/index';
import type { MatchMode } from '@docuvault/shared/db/entities/topics';
import type { TopicRecord } from '../documents/documents.repository.ts';
import { characterCount, parseId, parseName } from '../documents/input.ts';
import { isUniqueViolation } from '../data/query-helpers.ts';
import type { Vault } from '../documents/vault.ts';
import {
  deleteTopicRow,
  insertTopic,
  listTopics,
  lockTopic,
  updateTopicRow,
  type TopicValues,
} from './topics.repository.ts';

export interface CreateTopicInput {
  name: string;
  matchMode?: MatchMode | null;
  pattern?: string | null;
  caseSensitive?: boolean | null;
}

/** Every field may be left out; `null` keeps the current value too (`pattern: null` clears it). */
export type UpdateTopicInput = { [K in keyof CreateTopicInput]?: CreateTopicInput[K] | null };

export const MAX_TOPIC_NAME_LENGTH = 100;
export const MAX_PATTERN_LENGTH = 500;

/** Modes that match by a pattern. NONE (never matched automatically, only set by hand)
 * and AUTO (the trained classifier decides) work without one. */
const PATTERN_MODES: ReadonlySet<MatchMode> = new Set(['ANY', 'ALL', 'EXACT', 'REGEX', 'FUZZY']);

/** A blank pattern is no pattern. */
const normalisePattern = (pattern: string | null | undefined): string | null =>
  pattern === null || pattern === undefined || pattern.trim().length === 0 ? null : pattern;

/**
 * The rules a topic must satisfy, checked on the whole topic (for an update: after the
 * change is applied), so switching a topic to REGEX without a pattern is caught too.
 */
export function checkTopic(values: TopicValues): TopicValues {
  const { matchMode, pattern } = values;
  if (pattern === null) {
    if (PATTERN_MODES.has(matchMode)) {
      throw badInput(`input.pattern is required for match mode ${matchMode}`, { argument: 'input.pattern' });
    }
    return values;
  }
  if (characterCount(pattern) > MAX_PATTERN_LENGTH) {
    throw badInput(`input.pattern must be at most ${MAX_PATTERN_LENGTH} characters`, {
      argument: 'input.pattern',
    });
  }
  if (matchMode === 'REGEX') {
    try {
      // The 'u' flag is the strict grammar: a pattern that compiles here compiles for the
      // classifier, whichever flags it adds.
      new RegExp(pattern, 'u');
    } catch (error) {
      throw badInput(`input.pattern is not a valid regular expression: ${(error as Error).message}`, {
        argument: 'input.pattern',
      });
    }
  }
  return values;
}

function duplicateName(name: string): AppError {
  return new AppError('CONFLICT', `a topic named "${name}" already exists`, { argument: 'input.name' });
}

export function topics(vault: Vault): Promise<TopicRecord[]> {
  return listTopics(vault.em, vault.owner);
}

export async function createTopic(vault: Vault, input: CreateTopicInput): Promise<TopicRecord> {
  const values = checkTopic({
    name: parseName(input.name, 'input.name', MAX_TOPIC_NAME_LENGTH),
    matchMode: input.matchMode ?? 'AUTO',
    pattern: normalisePattern(input.pattern),
    caseSensitive: input.caseSensitive ?? false,
  });
  try {
    return await insertTopic(vault.em, vault.owner, values);
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateName(values.name);
    throw error;
  }
}

/** Changes the given fields; `pattern: null` removes the pattern. Unknown id: NOT_FOUND. */
export async function updateTopic(
  vault: Vault,
  idInput: string,
  input: UpdateTopicInput,
): Promise<TopicRecord> {
  const id = parseId(idInput, 'id');
  const name =
    input.name === undefined || input.name === null
      ? undefined
      : parseName(input.name, 'input.name', MAX_TOPIC_NAME_LENGTH);
  try {
    return await vault.em.transactional(async (em) => {
      const current = await lockTopic(em, vault.owner, id);
      if (!current) throw notFound('Topic', id);
      const values = checkTopic({
        name: name ?? current.name,
        matchMode: input.matchMode ?? current.matchMode,
        pattern: input.pattern === undefined ? current.pattern : normalisePattern(input.pattern),
        caseSensitive: input.caseSensitive ?? current.caseSensitive,
      });
      const updated = await updateTopicRow(em, vault.owner, id, values);
      if (!updated) throw notFound('Topic', id);
      return updated;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateName(name ?? '');
    throw error;
  }
}

/** Idempotent: a topic that is not there answers false. */
export function deleteTopic(vault: Vault, idInput: string): Promise<boolean> {
  return deleteTopicRow(vault.em, vault.owner, parseId(idInput, 'id'));
}
