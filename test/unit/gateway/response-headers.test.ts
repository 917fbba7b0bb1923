import { describe, expect, it } from '@jest/globals';
import { PlainHeaders } from '../../../gateway/src/subgraph-calls/http-fetcher.ts';

// The subgraph fetcher answers its responses' headers over Node's parsed ones instead of
// building a WHATWG Headers per response: it must read the same as Headers would.

const raw = {
  'content-type': 'application/json; charset=utf-8',
  'set-cookie': ['a=1', 'b=2'],
  'x-request-id': 'abc',
  'cache-control': undefined,
};

describe('a subgraph response’s headers', () => {
  it('read as WHATWG Headers read the same response', () => {
    const ours = new PlainHeaders(raw);
    const reference = new Headers();
    reference.append('content-type', 'application/json; charset=utf-8');
    reference.append('set-cookie', 'a=1');
    reference.append('set-cookie', 'b=2');
    reference.append('x-request-id', 'abc');
    for (const name of [
      'Content-Type',
      'x-request-id',
      'X-REQUEST-ID',
      'cache-control',
      'www-authenticate',
    ]) {
      expect(ours.get(name)).toBe(reference.get(name));
      expect(ours.has(name)).toBe(reference.has(name));
    }
    expect(ours.get('set-cookie')).toBe('a=1, b=2');
    // In name order, as Headers iterates (which would list each set-cookie apart; Apollo reads none).
    expect([...ours]).toEqual([
      ['content-type', 'application/json; charset=utf-8'],
      ['set-cookie', 'a=1, b=2'],
      ['x-request-id', 'abc'],
    ]);
  });

  it('can be changed like Headers', () => {
    const headers = new PlainHeaders({ vary: 'origin' });
    headers.append('Vary', 'accept');
    headers.set('X-One', '1');
    headers.delete('x-one');
    expect(headers.get('vary')).toBe('origin, accept');
    expect(headers.has('x-one')).toBe(false);
    expect([...headers.keys()]).toEqual(['vary']);
    expect([...headers.values()]).toEqual(['origin, accept']);
  });
});
