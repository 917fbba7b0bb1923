import { describe, expect, it } from '@jest/globals';
import {
  createSourceCheck,
  operationsInBody,
  type SourceCheck,
} from '../../../gateway/src/limits/source-guard.ts';
import { PassedOperations } from '../../../gateway/src/limits/verdict-cache.ts';

// The source guard remembers query texts that passed its lexical checks, so a repeated
// operation is not lexed again (gateway/src/limits/verdict-cache.ts). The memory must
// stay bounded, and two different texts must never share a verdict.

const QUERY = 'query Document($id: ID!) { document(id: $id) { id title } }';

describe('the memory of passed operations', () => {
  it('keeps at most maxEntries texts, forgetting the least recently used', () => {
    const passed = new PassedOperations({ maxEntries: 3, maxChars: 1_000_000 });
    for (const text of ['{ a }', '{ b }', '{ c }']) passed.add(text);
    expect(passed.has('{ a }')).toBe(true); // now the most recent
    passed.add('{ d }');
    expect(passed.size).toBe(3);
    expect(passed.has('{ b }')).toBe(false);
    expect(['{ a }', '{ c }', '{ d }'].map((text) => passed.has(text))).toEqual([true, true, true]);
  });

  it('keeps at most maxChars characters of text, however few the entries', () => {
    const passed = new PassedOperations({ maxEntries: 1_000, maxChars: 1_000 });
    for (let i = 0; i < 50; i++) passed.add(`{ field${i} ${'x'.repeat(80)} }`);
    expect(passed.heldChars).toBeLessThanOrEqual(1_000);
    expect(passed.size).toBeLessThan(50);
    expect(passed.has(`{ field49 ${'x'.repeat(80)} }`)).toBe(true);
    expect(passed.has(`{ field0 ${'x'.repeat(80)} }`)).toBe(false);
  });

  it('never keeps a text longer than a tenth of its character budget', () => {
    const passed = new PassedOperations({ maxEntries: 10, maxChars: 1_000 });
    passed.add(`{ a ${' '.repeat(200)} }`);
    expect(passed.size).toBe(0);
    expect(passed.heldChars).toBe(0);
  });

  it('answers only for exactly the text it was given', () => {
    const passed = new PassedOperations();
    passed.add(QUERY);
    expect(passed.has(QUERY)).toBe(true);
    expect(passed.has(`${QUERY} `)).toBe(false);
    expect(passed.has(QUERY.replace('title', 'titlf'))).toBe(false); // same length, one character apart
    expect(passed.has(QUERY.slice(0, -1))).toBe(false);
  });
});

interface Answer {
  passed: boolean;
  extensions?: Readonly<Record<string, unknown>>;
}

/** Runs the check on one POSTed body and answers whether it passed or how it was refused. */
function guard(check: SourceCheck, body: unknown): Answer {
  const refusal = check(operationsInBody(body));
  return refusal
    ? { passed: false, extensions: { ...refusal.details, code: refusal.code } }
    : { passed: true };
}

describe('the source guard with its memory', () => {
  const limits = { maxTokens: 40 };

  it('passes a remembered query again without keeping it twice', () => {
    const passed = new PassedOperations();
    const check = createSourceCheck(limits, passed);
    expect(guard(check, { query: QUERY, variables: { id: '1' } }).passed).toBe(true);
    expect(passed.size).toBe(1);
    expect(guard(check, { query: QUERY, variables: { id: '2' } }).passed).toBe(true);
    expect(passed.size).toBe(1);
  });

  it('still checks the variables of a remembered query on every request', () => {
    const check = createSourceCheck(limits, new PassedOperations());
    expect(guard(check, { query: QUERY, variables: { id: '1' } }).passed).toBe(true);
    const refused = guard(check, { query: QUERY, variables: { id: 'a\u0000b' } });
    expect(refused.passed).toBe(false);
    expect(refused.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      path: 'variables.id',
    });
  });

  it('does not let a passed query vouch for a different one', () => {
    const check = createSourceCheck(limits, new PassedOperations());
    expect(guard(check, { query: QUERY }).passed).toBe(true);
    const longer = QUERY.replace('id title', `id title ${'a '.repeat(40)}`);
    const refused = guard(check, { query: longer });
    expect(refused.passed).toBe(false);
    expect(refused.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'tokens' });
    const literal = QUERY.replace('id: $id', 'id: "\\u0000"');
    expect(guard(check, { query: literal }).passed).toBe(false);
  });

  it('remembers no refusal: a refused query is refused every time and takes no room', () => {
    const passed = new PassedOperations();
    const check = createSourceCheck(limits, passed);
    const nested = `{ a ${'{ b '.repeat(30)}${'}'.repeat(30)} }`;
    for (let i = 0; i < 2; i++) {
      const refused = guard(check, { query: nested });
      expect(refused.passed).toBe(false);
    }
    expect(passed.size).toBe(0);
  });

  it('checks every operation of a batch against the memory separately', () => {
    const passed = new PassedOperations();
    const check = createSourceCheck(limits, passed);
    const batch = [{ query: QUERY }, { query: `{ a ${'{ b '.repeat(30)}${'}'.repeat(30)} }` }];
    expect(guard(check, batch)).toMatchObject({ passed: false, extensions: { code: 'QUERY_TOO_COMPLEX' } });
    expect(passed.has(QUERY)).toBe(true);
  });
});
