import { afterAll, describe, expect, it } from '@jest/globals';
import type { TopicRecord } from '@docuvault/documents/documents/documents.repository';
import { allowedTypos, boundedDamerau } from '@docuvault/documents/classification/rules/damerau';
import { RegexSandbox } from '@docuvault/documents/classification/rules/regex-sandbox';
import { matchRules } from '@docuvault/documents/classification/rules/rules';
import { DocumentText } from '@docuvault/documents/classification/rules/tokens';
import { createLogger } from '@docuvault/shared/logging/logger';

const sandbox = new RegexSandbox(200);
const logger = createLogger('test', 'silent');
afterAll(() => sandbox.close());

const topic = (matchMode: TopicRecord['matchMode'], pattern: string, caseSensitive = false): TopicRecord => ({
  id: `${matchMode}-${pattern}`,
  name: pattern,
  matchMode,
  pattern,
  caseSensitive,
});

async function match(text: string, ...topics: TopicRecord[]) {
  return matchRules(new DocumentText('Title', text), topics, sandbox, logger);
}

describe('Damerau-Levenshtein with a cut-off', () => {
  it('counts substitutions, insertions, deletions and adjacent transpositions as one edit each', () => {
    expect(boundedDamerau('invoice', 'invoice', 2)).toBe(0);
    expect(boundedDamerau('invoice', 'invoise', 2)).toBe(1);
    expect(boundedDamerau('invoice', 'invioce', 2)).toBe(1);
    expect(boundedDamerau('invoice', 'invoce', 2)).toBe(1);
    expect(boundedDamerau('invoice', 'invoices', 2)).toBe(1);
    expect(boundedDamerau('invoice', 'nivoiec', 2)).toBe(2);
  });

  it('answers max + 1 as soon as the words are further apart than allowed', () => {
    expect(boundedDamerau('invoice', 'banana', 1)).toBe(2);
    expect(boundedDamerau('a', 'abcdef', 2)).toBe(3);
  });

  it('tolerates more typos in longer words', () => {
    expect([3, 4, 7, 8, 12].map(allowedTypos)).toEqual([0, 1, 1, 2, 2]);
  });
});

describe('rule topics', () => {
  it('ANY matches on any word, scaling confidence with how many occur', async () => {
    const [one] = await match('We paid the invoice.', topic('ANY', 'invoice payment'));
    expect(one).toMatchObject({ confidence: 0.8, terms: ['invoice'] });
    const [both] = await match('Payment for the invoice.', topic('ANY', 'invoice payment'));
    expect(both).toMatchObject({ confidence: 1, terms: ['invoice', 'payment'] });
    expect(await match('Nothing here', topic('ANY', 'invoice payment'))).toEqual([]);
  });

  it('ANY matches whole words only', async () => {
    expect(await match('taxonomy and syntax', topic('ANY', 'tax'))).toEqual([]);
  });

  it('ALL needs every word', async () => {
    expect(await match('the contract', topic('ALL', 'contract clause'))).toEqual([]);
    expect(await match('a clause of the contract', topic('ALL', 'contract clause'))).toHaveLength(1);
  });

  it('EXACT needs the words consecutive and in order, ignoring spacing, punctuation and case', async () => {
    expect(await match('Your Boarding\n  pass is ready', topic('EXACT', 'boarding pass'))).toHaveLength(1);
    expect(await match('boarding-pass', topic('EXACT', 'boarding pass'))).toHaveLength(1);
    expect(await match('pass the boarding', topic('EXACT', 'boarding pass'))).toEqual([]);
  });

  it('respects case sensitivity', async () => {
    expect(await match('the nasa report', topic('ANY', 'NASA', true))).toEqual([]);
    expect(await match('the NASA report', topic('ANY', 'NASA', true))).toHaveLength(1);
    expect(await match('the nasa report', topic('ANY', 'NASA', false))).toHaveLength(1);
  });

  it('FUZZY tolerates typos by word length, reporting the word as written', async () => {
    const [hit] = await match('the presciption was renewed', topic('FUZZY', 'prescription'));
    expect(hit).toMatchObject({ terms: ['presciption'] });
    expect(hit!.confidence).toBeLessThan(1);
    expect(await match('the tab was paid', topic('FUZZY', 'tax'))).toEqual([]);
    expect(await match('the bnak called', topic('FUZZY', 'bank'))).toHaveLength(1);
  });

  it('matches the title as well as the text', async () => {
    const result = await matchRules(
      new DocumentText('Invoice 42', ''),
      [topic('ANY', 'invoice')],
      sandbox,
      logger,
    );
    expect(result).toHaveLength(1);
  });

  it('REGEX reports what matched, and honours the case option', async () => {
    const [hit] = await match('Refs: INV-2041 and INV-2042', topic('REGEX', 'inv-\\d{4}'));
    expect(hit?.terms).toEqual(['INV-2041', 'INV-2042']);
    expect(await match('Refs: INV-2041', topic('REGEX', 'inv-\\d{4}', true))).toEqual([]);
  });

  it('REGEX gives up on a catastrophically backtracking pattern within its budget, and still runs the others', async () => {
    // Unbudgeted, `(a+)+$` over 40 a's backtracks about 2^40 times: the test would never end.
    // That it ends (within jest's timeout) is the proof; no wall-clock bound on a shared machine.
    const result = await match(
      `${'a'.repeat(40)}!`,
      topic('REGEX', '(a+)+$'),
      topic('REGEX', 'a!'),
      topic('ANY', 'zzz'),
    );
    expect(result.map((r) => r.topicId)).toEqual(['REGEX-a!']);
  });
});
