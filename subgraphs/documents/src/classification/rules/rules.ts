import type { Logger } from '@docuvault/shared/logging/logger';
import type { TopicRecord } from '../../documents/documents.repository.ts';
import { allowedTypos, boundedDamerau } from './damerau.ts';
import type { RegexSandbox } from './regex-sandbox.ts';
import { fold, words, type DocumentText, type FoldedText } from './tokens.ts';

// The rule layer: a topic with a pattern matches a document by its mode.
//   ANY    any word of the pattern occurs as a word
//   ALL    every word of the pattern occurs
//   EXACT  the pattern's words occur consecutively, in order (spacing and punctuation ignored)
//   FUZZY  like ANY, each word tolerating typos (see allowedTypos)
//   REGEX  a JavaScript regular expression (Unicode mode) on the first REGEX_INPUT_LIMIT characters
// Case is ignored unless the topic is case-sensitive. Title and text are matched together.

export interface RuleMatch {
  topicId: string;
  /** 1 for a full match; ANY/FUZZY scale with how much of the pattern was found. */
  confidence: number;
  /** The words or phrases of the document that matched. */
  terms: string[];
}

const MAX_TERMS = 5;
const round = (value: number) => Math.round(value * 1000) / 1000;

const patternWords = (pattern: string, caseSensitive: boolean): string[] => [
  ...new Set(words(fold(pattern, caseSensitive))),
];

/** 0.6 for one word of many up to 1 for all of them: a fuller match is a surer one. */
const partialConfidence = (score: number, total: number) => round(0.6 + (0.4 * score) / total);

function matchAny(view: FoldedText, wanted: string[]): Omit<RuleMatch, 'topicId'> | undefined {
  const found = wanted.filter((word) => view.wordSet.has(word));
  if (found.length === 0) return undefined;
  return { confidence: partialConfidence(found.length, wanted.length), terms: found.slice(0, MAX_TERMS) };
}

function matchAll(view: FoldedText, wanted: string[]): Omit<RuleMatch, 'topicId'> | undefined {
  if (wanted.length === 0 || !wanted.every((word) => view.wordSet.has(word))) return undefined;
  return { confidence: 1, terms: wanted.slice(0, MAX_TERMS) };
}

function matchExact(
  view: FoldedText,
  pattern: string,
  caseSensitive: boolean,
): Omit<RuleMatch, 'topicId'> | undefined {
  const phrase = words(fold(pattern, caseSensitive));
  const [first] = phrase;
  if (first === undefined || !view.wordSet.has(first)) return undefined;
  const list = view.words;
  for (let i = 0; i + phrase.length <= list.length; i++) {
    if (list[i] !== first) continue;
    if (phrase.every((word, offset) => list[i + offset] === word))
      return { confidence: 1, terms: [phrase.join(' ')] };
  }
  return undefined;
}

/** The document word closest to `word` within its typo allowance. */
function closestWord(view: FoldedText, word: string): { word: string; distance: number } | undefined {
  if (view.wordSet.has(word)) return { word, distance: 0 };
  const max = allowedTypos(word.length);
  if (max === 0) return undefined;
  let best: { word: string; distance: number } | undefined;
  for (const candidate of view.wordSet) {
    if (Math.abs(candidate.length - word.length) > max) continue;
    const distance = boundedDamerau(word, candidate, best ? best.distance - 1 : max);
    if (distance <= max && (!best || distance < best.distance)) best = { word: candidate, distance };
    if (best?.distance === 1) break;
  }
  return best;
}

function matchFuzzy(view: FoldedText, wanted: string[]): Omit<RuleMatch, 'topicId'> | undefined {
  let score = 0;
  const terms: string[] = [];
  for (const word of wanted) {
    const hit = closestWord(view, word);
    if (!hit) continue;
    // Each typo lowers the certainty: the word might really be another one.
    score += 1 - 0.25 * hit.distance;
    terms.push(hit.word);
  }
  if (terms.length === 0) return undefined;
  return { confidence: partialConfidence(score, wanted.length), terms: terms.slice(0, MAX_TERMS) };
}

function matchWords(topic: TopicRecord, text: DocumentText): Omit<RuleMatch, 'topicId'> | undefined {
  const pattern = topic.pattern ?? '';
  const view = text.view(topic.caseSensitive);
  const wanted = patternWords(pattern, topic.caseSensitive);
  switch (topic.matchMode) {
    case 'ANY':
      return matchAny(view, wanted);
    case 'ALL':
      return matchAll(view, wanted);
    case 'EXACT':
      return matchExact(view, pattern, topic.caseSensitive);
    case 'FUZZY':
      return matchFuzzy(view, wanted);
    default:
      return undefined;
  }
}

const WORD_MODES = new Set(['ANY', 'ALL', 'EXACT', 'FUZZY']);

/** Every rule topic that matches; REGEX topics run in the sandbox under their time budget. */
export async function matchRules(
  text: DocumentText,
  topics: readonly TopicRecord[],
  regex: RegexSandbox,
  logger: Logger,
): Promise<RuleMatch[]> {
  const matches: RuleMatch[] = [];
  for (const topic of topics) {
    if (!topic.pattern || !WORD_MODES.has(topic.matchMode)) continue;
    const match = matchWords(topic, text);
    if (match) matches.push({ topicId: topic.id, ...match });
  }
  const regexTopics = topics.filter((topic) => topic.matchMode === 'REGEX' && topic.pattern);
  const results = await regex.evaluate(
    text.view(true).text,
    regexTopics.map((topic) => ({ source: topic.pattern ?? '', flags: topic.caseSensitive ? '' : 'i' })),
  );
  regexTopics.forEach((topic, index) => {
    const result = results[index];
    if (result?.error) logger.warn({ topicId: topic.id, error: result.error }, 'regex topic skipped');
    if (result?.matched) matches.push({ topicId: topic.id, confidence: 1, terms: result.terms });
  });
  return matches;
}
