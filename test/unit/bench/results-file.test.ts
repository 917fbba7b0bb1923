import { describe, expect, it } from '@jest/globals';
import type { RunRecord, ScenarioResult } from '../../../bench/support/report.ts';
import { mergeResults, renderResults } from '../../../bench/support/results-file.ts';

// A partial bench run replaces only its own scenarios' rows in latest.md, and every row
// keeps naming the run that measured it.

const run = (started: string, commit: string): RunRecord => ({
  started,
  commit,
  node: 'v22.0.0',
  machine: '2 × test CPU',
  loadStart: [1, 1, 1],
  loadEnd: [1, 1, 1],
  services: 'test',
  elapsedS: 10,
  notes: [],
});

const result = (scenario: string, measured: string): ScenarioResult => ({
  rows: [{ scenario, measured, reference: 'ref', ratio: '1.00×', target: '≤ 2×', met: true }],
  notes: [`${scenario} measured ${measured}`],
});

const order = ['gateway', 'search', 'ocr'];

describe('bench results file', () => {
  const first = run('2026-01-01T00:00:00.000Z', 'aaa');
  const whole = mergeResults(
    { runs: {}, scenarios: [] },
    first,
    new Map([
      ['ocr', result('ocr', '1 page/s')],
      ['gateway', result('gateway', '500 req/s')],
      ['search', result('search', 'p95 40 ms')],
    ]),
    order,
  );

  it('keeps the scenarios in the order of the scenario list', () => {
    expect(whole.scenarios.map((entry) => entry.key)).toEqual(order);
    expect(Object.keys(whole.runs)).toEqual([first.started]);
  });

  it('replaces only the scenarios a partial run measured, and names each row’s run', () => {
    const second = run('2026-01-02T00:00:00.000Z', 'bbb');
    const merged = mergeResults(whole, second, new Map([['ocr', result('ocr', '2 pages/s')]]), order);
    expect(merged.scenarios.map((entry) => [entry.key, entry.run])).toEqual([
      ['gateway', first.started],
      ['search', first.started],
      ['ocr', second.started],
    ]);
    const markdown = renderResults(merged);
    expect(markdown).toContain('## run 1');
    expect(markdown).toContain('## run 2');
    expect(markdown).toContain('Node v22.0.0; commit bbb');
    expect(markdown).toMatch(/\| gateway \| 500 req\/s \| ref \| 1\.00× \| ≤ 2× \| met \| run 1 \|/);
    expect(markdown).toMatch(/\| ocr \| 2 pages\/s \| ref \| 1\.00× \| ≤ 2× \| met \| run 2 \|/);
    expect(markdown).not.toContain('1 page/s');
    expect(markdown).toContain('- ocr measured 2 pages/s (run 2)');
  });

  it('keeps a run over another vault size beside the default size, after it', () => {
    const second = run('2026-01-02T00:00:00.000Z', 'bbb');
    const merged = mergeResults(
      whole,
      second,
      new Map([['search@1000000', result('search over a million', 'p95 90 ms')]]),
      order,
    );
    expect(merged.scenarios.map((entry) => [entry.key, entry.run])).toEqual([
      ['gateway', first.started],
      ['search', first.started],
      ['search@1000000', second.started],
      ['ocr', first.started],
    ]);
    expect(renderResults(merged)).toContain('p95 40 ms');
  });

  it('drops a run once a later one has replaced all its rows', () => {
    const second = run('2026-01-02T00:00:00.000Z', 'bbb');
    const all = new Map(order.map((key) => [key, result(key, 'again')]));
    const merged = mergeResults(whole, second, all, order);
    expect(Object.keys(merged.runs)).toEqual([second.started]);
    expect(renderResults(merged)).not.toContain('## run 2');
  });
});
